""" "Was this page useful? — No" asks why: a fixed list of reasons, counted as aggregates only
(kind `useful_reason`, the page's subject, the reason's code as the source), then a thank-you that
offers the commune's help and the main wizard. The widget's first answers are tested in test_http.py."""

import re
from collections import Counter

import pytest
from bs4 import BeautifulSoup

from guide.tallies.views import REASONS

from .conftest import ZALO_IN_APP, app_counters

PERSON = {"User-Agent": ZALO_IN_APP}


@pytest.fixture
def slug(fixture_app):
    return sorted(fixture_app.extensions["guide.library"].guides["vi"])[0]


def widget(client, url: str, headers=None) -> BeautifulSoup:
    """The widget on a page (fetched as a script, so the page is not counted)."""
    html = client.get(url, headers={"User-Agent": "curl/8.5.0", **(headers or {})}).get_data(as_text=True)
    return BeautifulSoup(html, "html5lib").select_one("#huu-ich")


def token_on(client, url: str) -> str:
    return widget(client, url).select_one("input[name=token]")["value"]


def test_no_without_javascript_comes_back_to_the_reasons_then_a_reason_to_the_thank_you(
    fixture_client, fixture_app, slug
):
    page = f"/xa/ea-na/huong-dan/{slug}?src=qr"
    response = fixture_client.post(
        "/xa/ea-na/phan-hoi", data={"token": token_on(fixture_client, page), "answer": "no"}, headers=PERSON
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/xa/ea-na/huong-dan/{slug}?cam-on=khong#huu-ich"
    asked = widget(fixture_client, response.headers["Location"])
    form = asked.select_one("form")
    assert form["action"] == "/xa/ea-na/phan-hoi" and form["method"] == "post"
    assert [b["value"] for b in form.select("button[name=reason]")] == list(REASONS)
    assert not asked.select("textarea, input[type=text]")  # nothing to type, so nothing typed is stored

    response = fixture_client.post(
        form["action"],
        data={"token": form.select_one("input[name=token]")["value"], "reason": "missing"},
        headers=PERSON,
    )
    assert response.headers["Location"] == f"/xa/ea-na/huong-dan/{slug}?cam-on=ly-do#huu-ich"
    thanked = widget(fixture_client, response.headers["Location"])
    assert "Cảm ơn" in thanked.get_text() and not thanked.select("form")
    assert thanked.select_one("a[href='/xa/ea-na/']")  # the commune's page: its offices
    assert counted(fixture_app) == Counter(
        {
            ("ea-na", "useful_no", f"guide:{slug}", "", "vi"): 1,
            ("ea-na", "useful_reason", f"guide:{slug}", "missing", "vi"): 1,
        }
    )


def counted(app) -> Counter:
    return +app_counters(app)


def test_with_htmx_no_swaps_in_the_reasons_and_a_reason_the_help(fixture_client, fixture_app, slug):
    page = f"/en/huong-dan/{slug}"
    htmx = {**PERSON, "HX-Request": "true", "HX-Current-URL": f"http://localhost{page}"}
    response = fixture_client.post(
        "/en/phan-hoi", data={"token": token_on(fixture_client, page), "answer": "no"}, headers=htmx
    )
    reasons = BeautifulSoup(response.get_data(as_text=True), "html5lib")
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    assert reasons.select_one("form")["hx-post"] == "/en/phan-hoi"
    assert [b.get_text() for b in reasons.select("button[name=reason]")] == [
        "It is hard to understand",
        "Information is missing",
        "Information is wrong",
        "Something else",
    ]
    token = reasons.select_one("input[name=token]")["value"]
    response = fixture_client.post("/en/phan-hoi", data={"token": token, "reason": "hard"}, headers=htmx)
    thanks = BeautifulSoup(response.get_data(as_text=True), "html5lib")
    assert "Thank you" in thanks.get_text()
    # no commune in the URL: the commune finder; the main wizard is not in the fixture content
    assert [a["href"] for a in thanks.select("li a")] == ["/en/tim-xa"]
    assert counted(fixture_app)[("", "useful_reason", f"guide:{slug}", "hard", "en")] == 1


def test_the_help_offers_the_main_wizard(client, app):
    """On the shipped content, where the main wizard exists."""
    from guide.pages import MAIN_WIZARD

    slug = sorted(app.extensions["guide.library"].guides["vi"])[0]
    response = client.post(
        "/xa/ea-na/phan-hoi",
        data={"token": token_on(client, f"/xa/ea-na/huong-dan/{slug}"), "reason": "wrong"},
        headers=PERSON,
    )
    thanked = widget(client, response.headers["Location"])
    hrefs = [a["href"] for a in thanked.select("li a")]
    assert hrefs == ["/xa/ea-na/", f"/xa/ea-na/tu-van/{MAIN_WIZARD}/"]


def test_a_reason_on_a_wizard_outcome_is_counted_for_that_outcome(fixture_client, fixture_app):
    page = "/tu-van/thu-nghiem/ket-qua?thu-tuc=khai-sinh&vneid=co"
    response = fixture_client.post(
        "/phan-hoi", data={"token": token_on(fixture_client, page), "reason": "other"}, headers=PERSON
    )
    assert response.headers["Location"] == page + "&cam-on=ly-do#huu-ich"
    assert counted(fixture_app) == Counter({("", "useful_reason", "wizard:thu-nghiem:toan-trinh", "other", "vi"): 1})


@pytest.mark.parametrize("reason", ["", "typed by hand", "HARD", "hard ", "x" * 5000, "yes"])
def test_a_reason_not_on_the_list_is_a_400_in_the_visitors_language_and_counts_nothing(
    fixture_client, fixture_app, slug, reason
):
    token = token_on(fixture_client, f"/en/huong-dan/{slug}")
    response = fixture_client.post("/en/phan-hoi", data={"token": token, "reason": reason}, headers=PERSON)
    assert response.status_code == 400
    assert "This request could not be answered" in response.get_data(as_text=True)
    vi = fixture_client.post("/phan-hoi", data={"token": token, "reason": reason}, headers=PERSON)
    assert vi.status_code == 400 and "This request could not be answered" not in vi.get_data(as_text=True)
    assert counted(fixture_app) == Counter()


def test_a_reason_needs_a_valid_token(fixture_client, fixture_app):
    response = fixture_client.post("/phan-hoi", data={"token": "forged", "reason": "hard"}, headers=PERSON)
    assert response.status_code == 400 and counted(fixture_app) == Counter()


def test_coming_back_with_the_reasons_or_the_thanks_is_not_a_new_view(fixture_client, fixture_app, slug):
    for flag in ("khong", "ly-do"):
        fixture_client.get(f"/huong-dan/{slug}?cam-on={flag}", headers=PERSON)
    assert counted(fixture_app) == Counter()


def test_the_reasons_form_a_page_shows_carries_a_token_for_the_same_subject(fixture_client, slug):
    asked = widget(fixture_client, f"/huong-dan/{slug}?cam-on=khong")
    token = asked.select_one("input[name=token]")["value"]
    assert token == token_on(fixture_client, f"/huong-dan/{slug}")  # same subject, same page to come back to
    assert re.fullmatch(r"[\w.-]+", token)
