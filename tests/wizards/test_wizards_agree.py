"""The birth wizard (khai-sinh) and "Nên nộp hồ sơ bằng cách nào?" (cach-nop-ho-so, birth chosen) give
the same route for the same situation.

Every shared situation is walked through both wizards with `replay`: can travel or not, VNeID level 2,
level 1 or none, a smartphone or not, a helper or not, the parents registering or a relative because
they cannot, and the usual birth (in Vietnam, within 60 days, parents married) or each of the other
seven. Each wizard asks only what its path needs; an answer it does not ask about is ignored. The
route of each outcome (online, post, centre) is typed below by hand from reading the outcomes, so a
changed `next` in either file, or a new outcome, fails here until both wizards agree again.
"""

from itertools import product

import pytest

from guide.config import ROOT
from guide.wizards.engine import replay

from .flows.helpers import wizard

BIRTH, SUBMIT = wizard("khai-sinh"), wizard("cach-nop-ho-so")

ONLINE, POST, CENTRE = "online", "post", "centre"
ROUTE = {
    "khai-sinh": {
        "lien-thong-truc-tuyen": ONLINE,
        "qua-buu-dien": POST,
        "nguoi-than-qua-buu-dien": POST,
        "tai-trung-tam": CENTRE,
        "nguoi-than-tai-trung-tam": CENTRE,
        "cha-me-chua-ket-hon": CENTRE,
        "dang-ky-muon": CENTRE,
        "sinh-o-nuoc-ngoai": CENTRE,
    },
    "cach-nop-ho-so": {
        "lien-thong": ONLINE,
        "khai-sinh-buu-dien": POST,
        "khai-sinh-tai-xa": CENTRE,
        "khai-sinh-hoi-trung-tam": CENTRE,
    },
}

# The questions both wizards ask, with the same ids and answers in both files.
SHARED = {
    "vneid": ["muc-2", "muc-1", "chua-co"],
    "thiet-bi": ["co", "khong"],
    "nguoi-giup": ["co", "khong"],
    "di-lai": ["duoc", "kho"],
}
WHO = ["cha-me", "nguoi-than"]  # the parents register, or a relative because the parents cannot
CASES = list(product(["trong-60-ngay", "qua-60-ngay"], ["viet-nam", "nuoc-ngoai"], ["da-ket-hon", "chua-ket-hon"]))
USUAL = ("trong-60-ngay", "viet-nam", "da-ket-hon")


def situations():
    """Every combination of the shared answers, who registers, and the birth's case."""
    for case, who, shared in product(CASES, WHO, product(*SHARED.values())):
        yield case, who, dict(zip(SHARED, shared, strict=True))


def route(wiz, answers):
    state = replay(wiz, answers)
    assert state.outcome is not None, f"{wiz.slug} still asks {state.current.id!r} after {answers}"
    return ROUTE[wiz.slug][state.outcome.id]  # a KeyError: an outcome this test has not classified


def birth_answers(case, who, shared):
    age, born, married = case
    return {"dung-han": age, "noi-sinh": born, "cha-me": married, "nguoi-khai": who, **shared}


def submission_answers(case, shared):
    return {"thu-tuc": "khai-sinh", "khai-sinh-thuong": "dung" if case == USUAL else "khac", **shared}


ALL = list(situations())


def test_every_shared_situation_is_walked():
    assert len(ALL) == len(CASES) * len(WHO) * 3 * 2 * 2 * 2 == 384


@pytest.mark.parametrize(("case", "who", "shared"), ALL)
def test_both_wizards_give_the_same_route(case, who, shared):
    assert route(BIRTH, birth_answers(case, who, shared)) == route(SUBMIT, submission_answers(case, shared))


def test_the_comparison_sees_all_three_routes_and_each_outcome():
    """Not a comparison of two wizards that always say "centre": every route and every birth outcome
    of both wizards turns up among the situations."""
    seen = {slug: set() for slug in ROUTE}
    routes = set()
    for case, who, shared in ALL:
        for wiz, answers in ((BIRTH, birth_answers(case, who, shared)), (SUBMIT, submission_answers(case, shared))):
            outcome = replay(wiz, answers).outcome.id
            seen[wiz.slug].add(outcome)
            routes.add(ROUTE[wiz.slug][outcome])
    assert routes == {ONLINE, POST, CENTRE}
    assert seen == {slug: set(outcomes) for slug, outcomes in ROUTE.items()}


def test_a_grandmother_who_cannot_travel_gets_the_post_with_no_authorisation():
    shared = {"vneid": "chua-co", "thiet-bi": "khong", "nguoi-giup": "khong", "di-lai": "kho"}
    birth = replay(BIRTH, birth_answers(USUAL, "nguoi-than", shared)).outcome
    submit = replay(SUBMIT, submission_answers(USUAL, shared)).outcome
    assert (birth.id, submit.id) == ("nguoi-than-qua-buu-dien", "khai-sinh-buu-dien")
    assert "không cần giấy ủy quyền" in birth.source["vi"].lower()
    assert not any("văn bản ủy quyền" in item for item in birth.checklist["vi"])


@pytest.mark.parametrize("case", [case for case in CASES if case != USUAL])
def test_no_online_bundle_for_a_birth_the_birth_wizard_sends_to_the_centre(case):
    online = {"vneid": "muc-2", "thiet-bi": "co", "nguoi-giup": "co", "di-lai": "duoc"}
    assert route(BIRTH, birth_answers(case, "cha-me", online)) == CENTRE
    assert replay(SUBMIT, submission_answers(case, online)).outcome.id == "khai-sinh-hoi-trung-tam"


# Checklists name the documents the birth guide names (content/vi/guides/dang-ky-khai-sinh.md, "Chuẩn bị
# giấy tờ"): each document below must be in the guide's list and in every birth checklist of both wizards.
GUIDE = ROOT / "content" / "vi" / "guides" / "dang-ky-khai-sinh.md"
DOCUMENTS = {  # the guide's words (vi) -> what a checklist says, per language
    "giấy chứng sinh": {"vi": "giấy chứng sinh", "en": "giấy chứng sinh"},
    "người làm chứng": {"vi": "người làm chứng", "en": "witness"},
    "giấy cam đoan": {"vi": "giấy cam đoan", "en": "giấy cam đoan"},
    "thẻ căn cước": {"vi": "căn cước", "en": "identity card"},
    "đã chọn cho con": {"vi": "đã chọn", "en": "chosen name"},
}
ON_PAPER = {"vi": "tờ khai", "en": "form"}  # handed in on paper; online, the form is filled in on screen
BIRTH_CHECKLISTS = [
    (BIRTH, "lien-thong-truc-tuyen", False),
    (BIRTH, "tai-trung-tam", True),
    (BIRTH, "nguoi-than-tai-trung-tam", True),
    (BIRTH, "qua-buu-dien", True),
    (BIRTH, "nguoi-than-qua-buu-dien", True),
    (SUBMIT, "lien-thong", False),
    (SUBMIT, "khai-sinh-tai-xa", True),
    (SUBMIT, "khai-sinh-buu-dien", True),
    (SUBMIT, "khai-sinh-hoi-trung-tam", False),
]


def guide_documents() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("{#giay-to}") :]
    return section[: section.index("\n## ")].lower()


def test_the_guide_names_these_documents():
    listed = guide_documents()
    assert [word for word in [*DOCUMENTS, ON_PAPER["vi"]] if word not in listed] == []


@pytest.mark.parametrize(("wiz", "outcome", "on_paper"), BIRTH_CHECKLISTS, ids=lambda v: getattr(v, "slug", v))
@pytest.mark.parametrize("language", ["vi", "en"])
def test_each_birth_checklist_names_the_guides_documents(wiz, outcome, on_paper, language):
    checklist = " | ".join(wiz.outcomes[outcome].checklist[language]).lower()
    wanted = [words[language] for words in DOCUMENTS.values()] + ([ON_PAPER[language]] if on_paper else [])
    assert [word for word in wanted if word not in checklist] == [], checklist


def test_the_grandmother_walks_the_birth_wizard_without_javascript(client):
    """Plain GET forms, as a browser without JavaScript sends them: each Continue answers the question
    shown (the earlier answers ride along as hidden fields) and is redirected to the next step."""
    answers = {
        "dung-han": "trong-60-ngay",
        "noi-sinh": "viet-nam",
        "cha-me": "da-ket-hon",
        "nguoi-khai": "nguoi-than",
        "vneid": "chua-co",
        "di-lai": "kho",
    }
    url, given = "/tu-van/khai-sinh/dung-han", {}
    for question, value in answers.items():
        assert url.split("?")[0] == f"/tu-van/khai-sinh/{question}"
        form = client.get(url)
        assert form.status_code == 200 and f'name="{question}" value="{value}"'.encode() in form.data
        given[question] = value
        response = client.get(f"/tu-van/khai-sinh/{question}", query_string={**given, "tiep": 1})
        assert response.status_code == 303
        url = response.headers["Location"]
    assert url.startswith("/tu-van/khai-sinh/kiem-tra?")
    plan = client.get(url.replace("/kiem-tra?", "/ket-qua?"))
    text = plan.get_data(as_text=True)
    assert 'data-outcome="nguoi-than-qua-buu-dien"' in text
    assert "không cần giấy ủy quyền" in text.lower()
