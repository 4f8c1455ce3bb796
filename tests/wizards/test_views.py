"""The wizard pages over HTTP: plain GET forms, htmx partials, redirects, errors."""

import pytest

from guide import tallies

W = "/tu-van/thu-nghiem"


def test_start_page_links_to_the_first_question(fixture_request):
    soup = fixture_request.get(W + "/")
    assert soup.select_one("a.button-start")["href"] == W + "/thu-tuc"


def test_a_prefilled_start_link_skips_what_is_answered(fixture_request):
    soup = fixture_request.get(W + "/?thu-tuc=khai-sinh&src=qr")
    assert soup.select_one("a.button-start")["href"] == W + "/vneid?thu-tuc=khai-sinh"


def test_a_question_is_a_plain_get_form_with_earlier_answers_hidden(fixture_request):
    soup = fixture_request.get(W + "/vneid?thu-tuc=khai-sinh")
    region = soup.select_one("#wizard")
    assert region["data-wizard"] == "thu-nghiem" and region["data-step"] == "vneid"
    form = region.form
    assert form["method"] == "get" and form["action"] == W + "/vneid"
    assert [(i["name"], i["value"]) for i in form.select("input[type=hidden]")] == [("thu-tuc", "khai-sinh")]
    assert [i["value"] for i in form.select("input[type=radio]")] == ["co", "khong"]
    assert form.select_one("button[type=submit]")["name"] == "tiep"
    assert soup.h1.get_text() == "Bạn có VNeID mức 2 không?"
    assert soup.select_one(".back")["href"] == W + "/thu-tuc?thu-tuc=khai-sinh"


def test_answering_redirects_to_the_next_step_with_a_canonical_query(fixture_client):
    response = fixture_client.get(W + "/vneid?vneid=khong&utm_source=zalo&thu-tuc=khai-sinh&tiep=1")
    assert response.status_code == 303
    assert response.headers["Location"] == W + "/di-lai?thu-tuc=khai-sinh&vneid=khong"


def test_the_last_answer_leads_to_check_your_answers_then_the_outcome(fixture_client, fixture_request):
    response = fixture_client.get(W + "/vneid?thu-tuc=khai-sinh&vneid=co&tiep=1")
    assert response.headers["Location"] == W + "/kiem-tra?thu-tuc=khai-sinh&vneid=co"
    soup = fixture_request.get(response.headers["Location"])
    assert [a["href"] for a in soup.select(".change a")] == [
        W + "/thu-tuc?thu-tuc=khai-sinh&vneid=co",
        W + "/vneid?thu-tuc=khai-sinh&vneid=co",
    ]
    outcome = fixture_request.get(W + "/ket-qua?thu-tuc=khai-sinh&vneid=co")
    assert outcome.select_one("#wizard")["data-outcome"] == "toan-trinh"
    assert outcome.select_one(".checklist").get_text(strip=True) == "Mang căn cước"
    assert outcome.select_one("a[href='/ra/cong-dvc-quoc-gia']")


def test_a_missing_answer_shows_the_question_again_with_an_error_summary(fixture_request):
    for query in ["tiep=1", "thu-tuc=bogus&tiep=1"]:
        soup = fixture_request.get(f"{W}/thu-tuc?{query}")
        summary = soup.select_one(".error-summary")
        assert summary and summary.a["href"] == "#answer-khai-sinh"
        assert soup.select_one("#answer-error")


def test_htmx_error_is_a_200_partial_so_htmx_swaps_it(fixture_request):
    soup = fixture_request.get_partial(f"{W}/thu-tuc?tiep=1")
    assert soup.select_one(".error-summary")


def test_a_step_not_reached_yet_redirects_to_the_first_unanswered(fixture_client):
    assert fixture_client.get(W + "/di-lai").headers["Location"] == W + "/thu-tuc"
    assert fixture_client.get(W + "/ket-qua?thu-tuc=khai-sinh").headers["Location"] == W + "/vneid?thu-tuc=khai-sinh"
    assert fixture_client.get(W + "/kiem-tra").headers["Location"] == W + "/thu-tuc"
    # on another path: di-lai is not asked once VNeID level 2 is there
    assert (
        fixture_client.get(W + "/di-lai?thu-tuc=khai-sinh&vneid=co").headers["Location"]
        == W + "/kiem-tra?thu-tuc=khai-sinh&vneid=co"
    )


@pytest.mark.parametrize(
    "url", ["/tu-van/khong-co/", "/tu-van/khong-co/thu-tuc", W + "/khong-co", W + "/..%2F..%2Fetc"]
)
def test_unknown_wizard_or_step_is_a_404(fixture_client, url):
    assert fixture_client.get(url).status_code == 404


def test_htmx_answer_returns_the_next_step_partial_and_pushes_its_url(fixture_client):
    response = fixture_client.get(W + "/thu-tuc?thu-tuc=khai-sinh&tiep=1", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Push-Url"] == W + "/vneid?thu-tuc=khai-sinh"
    html = response.get_data(as_text=True)
    assert 'data-step="vneid"' in html and "<html" not in html and "<title>" in html


def test_history_restore_gets_the_full_page(fixture_client):
    response = fixture_client.get(
        W + "/vneid?thu-tuc=khai-sinh", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.get_data(as_text=True)


def test_commune_outcome_links_stay_in_the_commune(fixture_request):
    soup = fixture_request.get("/en/xa/ea-na" + W + "/ket-qua?thu-tuc=khai-sinh&vneid=co")
    hrefs = [a["href"] for a in soup.select("#wizard a[href^='/']")]
    assert hrefs and all(h.startswith("/en/xa/ea-na/") for h in hrefs)
    assert soup.h1.get_text() == "Submit fully online"


def test_the_engine_reports_starts_and_outcomes_to_the_tallies(fixture_app, monkeypatch):
    seen = []
    monkeypatch.setattr(tallies, "count", lambda kind, subject="", source="": seen.append((kind, subject)))
    client = fixture_app.test_client()
    client.get(W + "/thu-tuc")
    client.get(W + "/vneid?thu-tuc=khai-sinh")
    client.get(W + "/ket-qua?thu-tuc=ket-hon")
    assert seen == [("wizard_start", "thu-nghiem"), ("wizard_outcome", "thu-nghiem:mot-phan")]


@pytest.mark.parametrize(
    ("url", "place"),
    [
        (W + "/thu-tuc", "Câu 1 (còn tối đa 2 câu)"),
        (W + "/vneid?thu-tuc=khai-sinh", "Câu 2 (còn tối đa 1 câu)"),
        ("/en" + W + "/di-lai?thu-tuc=khai-sinh&vneid=khong", "Question 3, the last"),
        (W + "/thu-tuc?thu-tuc=khai-sinh&vneid=khong", "Câu 1 (còn tối đa 2 câu)"),  # gone back to change an answer
    ],
)
def test_a_question_shows_its_place(fixture_request, url, place):
    assert fixture_request.get(url).select_one("legend .eyebrow").get_text() == place
    assert fixture_request.get_partial(url).select_one("legend .eyebrow").get_text() == place
