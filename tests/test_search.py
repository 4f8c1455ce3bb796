"""Search, the engine: whole words, ranked by how many of the query's words a guide has, phrases and
titles first, synonyms and ignored words from content, noise cut off, a marked snippet, live with
htmx. Small content trees built here; tests/test_search_spec.py holds the shipped guides to it."""

import shutil

import pytest

from guide import create_app
from guide.content import ContentError, load_library
from guide.content.checker import check_content
from guide.search import MAX_TERMS, SearchIndex

from .conftest import FIXTURE_CONTENT

FRONT = """---
title: {title}
summary: {summary}
topic: thu-tuc
audience: [nguoi-dan]
updated: 2026-11-20
sources: [{{title: Nguồn}}]
---

{body}
"""
FILLER = "Trang này nói về việc của bạn. Hãy đọc từng bước và hỏi xã khi cần. " * 3


@pytest.fixture
def content(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


def add_guide(content, slug, title, body="", summary="Một trang hướng dẫn."):
    text = FRONT.format(title=title, summary=summary, body=f"{FILLER}\n\n{body}")
    (content / "vi" / "guides" / f"{slug}.md").write_text(text, encoding="utf-8")


def search_words(content, text):
    (content / "search-words.yaml").write_text(text, encoding="utf-8")


def slugs(content, query, language="vi"):
    return [hit.guide.slug for hit in SearchIndex(load_library(content)).search(query, language)]


def index():
    return SearchIndex(load_library(FIXTURE_CONTENT))


def test_typing_without_accents_finds_vietnamese_titles():
    assert index().search("dang ky khai sinh", "vi")[0].guide.slug == "dang-ky-khai-sinh"


def test_case_and_d_stroke_do_not_matter():
    assert index().search("ĐĂNG KÝ", "vi")[0].guide.slug == "dang-ky-khai-sinh"
    assert index().search("buu dien", "vi")[0].guide.slug == "nop-qua-buu-dien"


def test_a_word_is_a_whole_syllable_except_the_last_one_while_it_is_typed(content):
    add_guide(content, "quay", "Quầy tiếp nhận của cơ quan", "Đến quầy của cơ quan xã.")
    assert slugs(content, "qua ") == ["nop-qua-buu-dien"]  # "qua" is not the start of "quầy", "quan"
    # no space after it yet: it may be "quầy" half typed, so it finds it, below the whole word
    assert slugs(content, "qua") == ["nop-qua-buu-dien", "quay"]


def test_the_guide_with_more_of_the_words_ranks_first(content):
    # two of the words said many times weigh less than all three said once
    text = "Mở điện thoại. Dùng điện thoại để chụp ảnh."
    add_guide(content, "dien-thoai", "Việc một", text, summary="Dùng điện thoại.")
    add_guide(content, "zalo", "Việc hai", "Gửi ảnh qua Zalo bằng điện thoại.")
    assert slugs(content, "dien thoai zalo") == ["zalo", "dien-thoai"]


def test_a_word_no_guide_has_does_not_hide_the_ones_that_match():
    assert index().search("khai sinh xyzzy", "vi")[0].guide.slug == "dang-ky-khai-sinh"
    assert index().search("xyzzy", "vi") == []


def test_the_words_together_rank_above_the_words_apart(content):
    add_guide(content, "apart", "Một việc", "Mang giấy tờ. Nhớ hẹn trước. " * 2)
    add_guide(content, "together", "Việc khác", "Mang giấy hẹn.")
    assert slugs(content, "giay hen") == ["together", "apart"]


def test_title_and_summary_rank_above_the_body(content):
    add_guide(content, "in-body", "Việc một", "Bạn cần giấy biên nhận. Giữ giấy biên nhận.")
    add_guide(content, "in-summary", "Việc hai", summary="Giữ giấy biên nhận.")
    add_guide(content, "in-title", "Giữ giấy biên nhận")
    assert slugs(content, "giay bien nhan")[:2] == ["in-title", "in-summary"]  # the body's, if at all, after


def test_results_far_below_the_best_are_dropped(content):
    add_guide(content, "the-can-cuoc", "Làm thẻ căn cước", "Thẻ căn cước gắn chip. Mang thẻ căn cước cũ.")
    add_guide(content, "mentions", "Việc khác", "Mang theo giấy tờ, ví dụ thẻ căn cước.")
    assert slugs(content, "the can cuoc") == ["the-can-cuoc"]


def test_synonyms_from_content_find_each_other(content):
    search_words(content, "synonyms:\n  - [căn cước, CCCD]\n")
    add_guide(content, "the-can-cuoc", "Làm thẻ căn cước", "Thẻ căn cước gắn chip.")
    add_guide(content, "cccd", "Đổi CCCD", "Đổi CCCD cũ.")
    assert set(slugs(content, "cccd")) == set(slugs(content, "căn cước")) == {"the-can-cuoc", "cccd"}
    hit = SearchIndex(load_library(content)).search("cccd", "vi")
    assert "<mark>căn cước</mark>" in str(next(h for h in hit if h.guide.slug == "the-can-cuoc").snippet)


def test_ignored_words_from_content_do_not_decide_the_ranking(content):
    search_words(content, "ignore:\n  vi: [làm, thế nào, như thế nào, gì]\n")
    words = SearchIndex(load_library(content)).vocabulary
    assert words.query_terms("Làm thế nào đăng ký khai sinh", "vi") == ["dang", "ky", "khai", "sinh"]
    assert words.query_terms("khai sinh như thế nào", "vi") == ["khai", "sinh"]
    assert words.query_terms("làm gì", "vi") == ["lam", "gi"]  # nothing else: searched as typed
    assert words.query_terms("làm gì", "en") == ["lam", "gi"]  # the list is per language
    assert slugs(content, "lam the nao dang ky khai sinh") == slugs(content, "dang ky khai sinh")


EVERYDAY = """everyday:
  - words: [CMND, chứng minh nhân dân]
    means: {vi: căn cước, en: identity card}
    answer: {vi: Nay là thẻ căn cước., en: Now the identity card.}
  - words: [thuế]
    means: hộ kinh doanh
"""


def test_an_everyday_word_is_searched_as_the_guides_word_with_its_line(content):
    search_words(content, EVERYDAY)
    add_guide(content, "the-can-cuoc", "Làm thẻ căn cước", "Thẻ căn cước gắn chip.")
    add_guide(content, "ho-kinh-doanh", "Cho hộ kinh doanh", "Hộ kinh doanh đăng ký với xã.")
    index = SearchIndex(load_library(content))
    assert [hit.guide.slug for hit in index.search("CMND", "vi")][:1] == ["the-can-cuoc"]
    assert index.vocabulary.query_terms("chung minh nhan dan moi", "vi") == ["can", "cuoc", "moi"]
    assert index.vocabulary.answers("cmnd", "vi") == ["Nay là thẻ căn cước."]
    assert index.vocabulary.answers("cmnd", "en") == ["Now the identity card."]
    assert index.vocabulary.answers("thuế", "vi") == [] and index.vocabulary.answers("căn cước", "vi") == []
    # with its accents, or with none: "thuê" (to rent) is another word
    assert (
        index.vocabulary.query_terms("THUE", "vi")
        == index.vocabulary.query_terms("thuế", "vi")
        == ["ho", "kinh", "doanh"]
    )
    assert index.vocabulary.query_terms("thuê", "vi") == ["thue"]


@pytest.mark.parametrize(
    "text, complaint, line",
    [
        ("everyday:\n  - {words: [CMND]}\n", "is missing `means`", 2),
        ("everyday:\n  - {words: ['--'], means: căn cước}\n", "`words` lists what people type", 2),
        ("synonyms: [[căn cước, CCCD]]\neveryday:\n  - {words: [cccd], means: căn cước}\n", "already a synonym", 3),
        ("synonyms: [[căn cước]]\n", "two or more words", 1),
        ("synonyms:\n  - [căn cước, CCCD]\n  - [cccd, thẻ]\n", "already in the group of 'căn cước'", 3),
        ("ignore: {fr: [le]}\n", "`ignore` lists words per language", 1),
        ("synonym: []\n", "expected `synonyms:", None),
        ("synonyms: [unclosed\n", "cannot be read", None),
    ],
)
def test_a_malformed_search_words_file_is_a_content_problem_with_its_line(content, text, complaint, line, tmp_path):
    search_words(content, text)
    with pytest.raises(ContentError) as raised:
        load_library(content)
    [problem] = raised.value.problems
    assert problem.path.name == "search-words.yaml" and complaint in problem.message and problem.line == line
    assert [str(p) for p in check_content(content) if not p.warning] == [str(problem)]
    with pytest.raises(ContentError):  # the app refuses to start, naming it, rather than answer 500s
        create_app({"TESTING": True, "CONTENT_DIR": content, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})


def test_snippet_marks_the_match_in_the_original_text():
    hit = next(h for h in index().search("cuoc", "vi"))
    assert "<mark>Cước</mark>" in hit.snippet


def test_a_word_being_typed_is_marked_only_within_the_phrase(content):
    hit = SearchIndex(load_library(content)).search("buu d", "vi")[0]
    assert "<mark>bưu điện</mark>" in hit.snippet and "<mark>Đi</mark>" not in hit.snippet


def test_a_query_with_markup_is_harmless(fixture_client):
    body = fixture_client.get("/tim-kiem?q=<script>alert(1)</script>buu").get_data(as_text=True)
    assert "<script>alert" not in body and "&lt;script&gt;" in body


def test_english_searches_english_and_falls_back_for_untranslated():
    assert [hit.guide.slug for hit in index().search("submit by post", "en")] == ["nop-qua-buu-dien"]
    assert index().search("khai sinh", "en")[0].guide.locale == "vi"


def test_queries_are_bounded():
    words = index().vocabulary
    assert len(words.query_terms("a " * 1000, "vi")) == MAX_TERMS
    assert index().search("", "vi") == [] and index().search("   !!! ", "vi") == []


def test_the_page_works_as_a_plain_form_and_as_an_htmx_partial(fixture_request, fixture_client):
    soup = fixture_request.get("/tim-kiem?q=dang+ky+khai+sinh")
    assert soup.select_one("input[name=q]")["value"] == "dang ky khai sinh"
    assert soup.select_one(".results a")["href"] == "/huong-dan/dang-ky-khai-sinh"
    partial = fixture_request.get_partial("/xa/ea-na/tim-kiem?q=khai+sinh")
    assert partial.select_one(".results a")["href"] == "/xa/ea-na/huong-dan/dang-ky-khai-sinh"


def test_no_good_match_says_so_and_offers_the_guide_index(fixture_request):
    soup = fixture_request.get("/xa/ea-na/tim-kiem?q=xyzzy")
    assert soup.select_one(".results") is None
    assert "Không có hướng dẫn nào khớp tốt" in soup.select_one(".no-match").get_text()
    assert [a["href"] for a in soup.select(".no-match a")] == ["/xa/ea-na/huong-dan/"]  # no main wizard here


@pytest.mark.parametrize(
    "query, heading", [("+++", "Tìm kiếm"), ("", "Tìm kiếm"), ("+khai+sinh+", "Tìm kiếm: khai sinh")]
)
def test_the_heading_says_what_was_sought_and_nothing_for_spaces(fixture_request, query, heading):
    soup = fixture_request.get(f"/tim-kiem?q={query}")
    assert soup.h1.get_text() == heading and soup.title.get_text().startswith(heading + " –")


def test_the_live_search_input_is_wired_for_htmx(fixture_request):
    field = fixture_request.get("/tim-kiem").select_one("#search-q")
    assert (
        field["hx-get"] == "/tim-kiem"
        and "delay:300ms" in field["hx-trigger"]
        and field["hx-target"] == "#search-results"
    )
