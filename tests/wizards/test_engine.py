"""The engine on a tiny fixture wizard: replay, canonical answers, and refusing broken definitions."""

import shutil
from pathlib import Path

import pytest

from guide.content import ContentError, load_library
from guide.wizards.engine import answers_from, canonical, replay
from guide.wizards.model import all_paths, load_wizards, longest_path

from ..conftest import FIXTURE_CONTENT


@pytest.fixture(scope="module")
def wizard():
    return load_wizards(FIXTURE_CONTENT, load_library(FIXTURE_CONTENT))["thu-nghiem"]


def test_replay_stops_at_the_first_unanswered_question(wizard):
    state = replay(wizard, {"thu-tuc": "khai-sinh"})
    assert state.current.id == "vneid" and state.outcome is None
    assert state.answers == {"thu-tuc": "khai-sinh"}


def test_replay_follows_rules_to_an_outcome(wizard):
    assert replay(wizard, {"thu-tuc": "khai-sinh", "vneid": "co"}).outcome.id == "toan-trinh"
    assert replay(wizard, {"thu-tuc": "khai-sinh", "vneid": "khong", "di-lai": "khong"}).outcome.id == "buu-dien"
    assert replay(wizard, {"thu-tuc": "ket-hon"}).outcome.id == "mot-phan"


def test_an_invalid_answer_counts_as_unanswered(wizard):
    assert replay(wizard, {"thu-tuc": "../../etc"}).current.id == "thu-tuc"


def test_changing_an_early_answer_keeps_the_later_ones_that_still_apply(wizard):
    answers = {"thu-tuc": "khai-sinh", "vneid": "khong", "di-lai": "duoc"}
    assert replay(wizard, answers).outcome.id == "mot-cua"
    changed = {**answers, "vneid": "co"}
    assert replay(wizard, changed).outcome.id == "toan-trinh"
    assert canonical(wizard, changed) == {"thu-tuc": "khai-sinh", "vneid": "co"}  # di-lai no longer applies
    back = {**changed, "vneid": "khong"}
    assert replay(wizard, back).outcome.id == "mot-cua"


def test_answers_from_drops_unknown_keys_and_orders_by_question(wizard):
    args = {"utm_source": "zalo", "di-lai": "duoc", "thu-tuc": "khai-sinh", "vneid": "nope"}
    assert list(answers_from(wizard, args).items()) == [("thu-tuc", "khai-sinh"), ("di-lai", "duoc")]


def test_previous_question_is_the_one_before_on_this_path(wizard):
    state = replay(wizard, {"thu-tuc": "khai-sinh", "vneid": "khong"})
    assert state.previous("di-lai").id == "vneid"
    assert state.previous("thu-tuc") is None


def test_longest_path_counts_the_questions_left_on_the_longest_way_on(wizard):
    assert longest_path(wizard, "thu-tuc", {}) == 3  # thu-tuc, vneid, di-lai (ket-hon ends at once)
    assert longest_path(wizard, "vneid", {"thu-tuc": "khai-sinh"}) == 2
    assert longest_path(wizard, "di-lai", {"thu-tuc": "khai-sinh", "vneid": "khong"}) == 1
    assert longest_path(wizard, "mot-phan", {"thu-tuc": "ket-hon"}) == 0  # an outcome


def test_a_question_knows_its_place_on_the_path(wizard):
    state = replay(wizard, {"thu-tuc": "khai-sinh", "vneid": "khong"})
    assert state.place(wizard, "thu-tuc") == (1, 2)  # question 1, at most 2 more
    assert state.place(wizard, "vneid") == (2, 1)
    assert state.place(wizard, "di-lai") == (3, 0)  # the last


def test_a_rule_on_an_earlier_answer_shortens_the_way_on(tmp_path):
    """ "At most n more" follows the answers given: a rule that skips a question for one earlier answer."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    (content / "wizards" / "thu-nghiem.yaml").write_text(
        """title: {vi: T}
summary: {vi: T}
start: a
questions:
  a:
    text: {vi: "A?"}
    next: b
    choices: {x: {label: {vi: X}}, y: {label: {vi: Y}}}
  b:
    text: {vi: "B?"}
    choices: {z: {label: {vi: Z}}}
    next:
      - if: {a: [x]}
        then: c
      - then: xong
  c:
    text: {vi: "C?"}
    next: xong
    choices: {z: {label: {vi: Z}}}
outcomes:
  xong: {title: {vi: Xong}, body: {vi: Xong.}}
""",
        encoding="utf-8",
    )
    flow = load_wizards(content, load_library(content))["thu-nghiem"]
    assert replay(flow, {}).place(flow, "a") == (1, 2)
    assert replay(flow, {"a": "x"}).place(flow, "b") == (2, 1)
    assert replay(flow, {"a": "y"}).place(flow, "b") == (2, 0)  # b is then the last


def test_all_paths_reach_every_outcome(wizard):
    outcomes = {outcome for _, outcome in all_paths(wizard)}
    assert outcomes == set(wizard.outcomes)


@pytest.fixture
def content(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


def rewrite(content: Path, old: str, new: str) -> Path:
    path = content / "wizards" / "thu-nghiem.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "old, new, node, complaint",
    [
        ("next: mot-cua", "next: khong-co", "di-lai", "neither a question nor an outcome"),
        ("next: buu-dien", "next: vneid", "vneid", "loops back to itself"),
        ("      - then: di-lai\n", "", "vneid", "no rule applies"),
        (
            "body: {vi: Bưu điện đến nhà., en: The post office comes to you.}",
            "body: {en: The post office comes to you.}",
            "buu-dien",
            "body needs its text in vi",
        ),
        (
            'text: {vi: "Bạn đến xã được không?", en: "Can you travel to the commune?"}',
            'text: {en: "Can you travel to the commune?"}',
            "di-lai",
            "text needs its text in vi",
        ),
        (
            "  ket-hon: {label: {vi: Kết hôn, en: Marriage}, next: mot-phan}",
            "  ket-hon: {label: {vi: Kết hôn, en: Marriage}, next: mot-cua}",
            "mot-phan",
            "cannot be reached",
        ),
        ("links: [cong-dvc-quoc-gia]", "links: [khong-co]", "toan-trinh", "link key 'khong-co'"),
        ("guides: [nop-qua-buu-dien]", "guides: [khong-co]", "toan-trinh", "guide 'khong-co' does not exist"),
        ("      - if: {vneid: [co]}", "      - if: {vneid: [co, co-le]}", "vneid", "does not offer"),
        ("start: thu-tuc", "start: ket-qua", None, "`start` must name a question"),
    ],
)
def test_a_broken_definition_is_rejected_naming_file_and_node(content, old, new, node, complaint):
    path = rewrite(content, old, new)
    with pytest.raises(ContentError) as raised:
        load_wizards(content, load_library(content))
    message = str(raised.value)
    assert str(path) in message and complaint in message
    if node:
        assert f"{node}:" in message


def test_a_text_missing_in_another_language_is_shown_in_the_default_and_noted(content):
    rewrite(
        content,
        'text: {vi: "Bạn đến xã được không?", en: "Can you travel to the commune?"}',
        'text: {vi: "Bạn đến xã được không?"}',
    )
    wizard = load_wizards(content, load_library(content))["thu-nghiem"]
    assert wizard.questions["di-lai"].text == {"vi": "Bạn đến xã được không?", "en": "Bạn đến xã được không?"}
    assert wizard.untranslated == {"en": ("di-lai: text",)}


def test_a_problem_names_the_line_of_its_node_however_the_file_is_indented(content):
    path = content / "wizards" / "thu-nghiem.yaml"
    text = path.read_text(encoding="utf-8").replace("next: mot-cua", "next: khong-co")
    path.write_text("\n".join("  " + line if line.startswith("  ") else line for line in text.splitlines()), "utf-8")
    with pytest.raises(ContentError) as raised:
        load_wizards(content, load_library(content))
    [problem] = raised.value.problems
    assert path.read_text(encoding="utf-8").splitlines()[problem.line - 1] == "    di-lai:"
