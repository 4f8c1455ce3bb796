"""Search: accent- and case-insensitive, titles first, a marked snippet, live with htmx."""

from guide.content import load_library
from guide.search import SearchIndex, terms_of

from .conftest import FIXTURE_CONTENT


def index():
    return SearchIndex(load_library(FIXTURE_CONTENT))


def test_typing_without_accents_finds_vietnamese_titles():
    hits = index().search("dang ky khai sinh", "vi")
    assert hits[0].guide.slug == "dang-ky-khai-sinh"


def test_case_and_d_stroke_do_not_matter():
    assert index().search("ĐĂNG KÝ", "vi")[0].guide.slug == "dang-ky-khai-sinh"
    assert index().search("buu dien", "vi")[0].guide.slug == "nop-qua-buu-dien"


def test_title_matches_rank_above_body_matches():
    # "khai sinh" is the other guide's title and only a link text in the postal guide's body
    slugs = [hit.guide.slug for hit in index().search("khai sinh", "vi")]
    assert slugs == ["dang-ky-khai-sinh", "nop-qua-buu-dien"]


def test_every_word_must_match_somewhere():
    assert index().search("khai sinh xyzzy", "vi") == []


def test_snippet_marks_the_match_in_the_original_text():
    hit = next(h for h in index().search("cuoc", "vi"))
    assert "<mark>Cước</mark>" in hit.snippet


def test_a_query_with_markup_is_harmless(fixture_client):
    body = fixture_client.get("/tim-kiem?q=<script>alert(1)</script>buu").get_data(as_text=True)
    assert "<script>alert" not in body and "&lt;script&gt;" in body


def test_english_searches_english_and_falls_back_for_untranslated():
    slugs = {hit.guide.slug for hit in index().search("birth", "en")}
    assert "nop-qua-buu-dien" in slugs  # its English text links to birth registration
    assert index().search("khai sinh", "en")[0].guide.locale == "vi"


def test_queries_are_bounded():
    assert len(terms_of("a " * 1000)) == 8
    assert index().search("", "vi") == [] and index().search("   !!! ", "vi") == []


def test_the_page_works_as_a_plain_form_and_as_an_htmx_partial(fixture_request, fixture_client):
    soup = fixture_request.get("/tim-kiem?q=dang+ky+khai+sinh")
    assert soup.select_one("input[name=q]")["value"] == "dang ky khai sinh"
    assert soup.select_one(".results a")["href"] == "/huong-dan/dang-ky-khai-sinh"
    partial = fixture_request.get_partial("/xa/ea-na/tim-kiem?q=khai+sinh")
    assert partial.select_one(".results a")["href"] == "/xa/ea-na/huong-dan/dang-ky-khai-sinh"


def test_the_live_search_input_is_wired_for_htmx(fixture_request):
    field = fixture_request.get("/tim-kiem").select_one("#search-q")
    assert (
        field["hx-get"] == "/tim-kiem"
        and "delay:300ms" in field["hx-trigger"]
        and field["hx-target"] == "#search-results"
    )
