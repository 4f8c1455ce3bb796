"""The step-by-step journey: the box on each guide that is one of hanh-trinh's steps, from its `steps:`."""

import shutil
from pathlib import Path

import pytest

from guide.content.checker import check_content
from guide.content.library import load_library
from guide.content.problems import ContentError

from .conftest import FIXTURE_CONTENT, ROOT, check_page

JOURNEY = "hanh-trinh"


def box(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return check_page(response.get_data(as_text=True), url).select_one("aside.journey")


def test_every_step_guide_knows_its_place_in_both_languages():
    library = load_library(ROOT / "content")
    original = library.guides["vi"][JOURNEY]
    assert len(original.steps) == 8
    for language in ("vi", "en"):
        for number, (anchor, members) in enumerate(original.steps, start=1):
            for slug in members:
                place = library.guides[language][slug].journey
                assert place is not None and place.journey == JOURNEY, (language, slug)
                assert (place.step.number, place.total, place.step.anchor) == (number, 8, anchor)
    assert library.guides["vi"]["tai-khoan-vneid"].journey.step.name == "Làm tài khoản VNeID mức 2"
    assert library.guides["en"]["tai-khoan-vneid"].journey.step.name == "Get a level 2 VNeID account"


def test_the_box_shows_the_step_number_and_name(client):
    aside = box(client, "/huong-dan/tai-khoan-vneid")
    assert aside is not None
    step = " ".join(aside.select_one(".journey-step").get_text().split())
    assert step == "Bước 2 của 8: Làm tài khoản VNeID mức 2"
    assert aside.select_one(".journey-step a")["href"] == "/huong-dan/hanh-trinh#buoc-2"
    assert aside.select_one(".journey-part a")["href"] == "/huong-dan/hanh-trinh"
    assert aside.select_one("a[rel=prev]")["href"] == "/huong-dan/the-can-cuoc"
    assert aside.select_one("a[rel=next]")["href"] == "/huong-dan/dich-vu-cong-truc-tuyen-la-gi"

    english = box(client, "/en/huong-dan/tai-khoan-vneid")
    assert " ".join(english.select_one(".journey-step").get_text().split()) == (
        "Step 2 of 8: Get a level 2 VNeID account"
    )


def test_a_task_guide_is_part_of_step_3_and_a_step_without_a_guide_links_to_its_heading(client):
    aside = box(client, "/huong-dan/dang-ky-khai-sinh")
    assert aside.select_one(".journey-step").get_text().split()[:4] == ["Bước", "3", "của", "8:"]
    assert aside.select_one("a[rel=next]")["href"] == "/huong-dan/hanh-trinh#buoc-4"


def test_the_first_and_last_steps_have_one_neighbour(client):
    first = box(client, "/huong-dan/the-can-cuoc")
    assert first.select_one("a[rel=prev]") is None and first.select_one("a[rel=next]") is not None
    last = box(client, "/huong-dan/nhan-ket-qua-tai-nha")
    assert "Bước 8 của 8" in last.get_text()
    assert (
        last.select_one("a[rel=next]") is None and last.select_one("a[rel=prev]")["href"] == "/huong-dan/tra-cuu-ho-so"
    )


@pytest.mark.parametrize("slug", [JOURNEY, "cau-hoi-thuong-gap"])
def test_no_box_on_the_journey_itself_or_a_guide_that_is_not_a_step(client, slug):
    assert box(client, f"/huong-dan/{slug}") is None
    assert box(client, f"/en/huong-dan/{slug}") is None


@pytest.mark.parametrize("prefix", ["/xa/ea-na", "/en", "/en/xa/ea-na"])
def test_links_stay_inside_the_language_and_commune_prefix(client, prefix):
    aside = box(client, f"{prefix}/huong-dan/nop-qua-buu-dien")
    hrefs = [a["href"] for a in aside.select("a")]
    assert len(hrefs) == 4
    assert all(href.startswith(f"{prefix}/huong-dan/") for href in hrefs), hrefs
    assert f"{prefix}/huong-dan/hanh-trinh#buoc-5" in hrefs


def test_the_box_works_without_javascript_and_its_navigation_is_left_out_of_print(client):
    aside = box(client, "/huong-dan/tra-cuu-ho-so")
    assert aside.find("script") is None and not aside.find_all(attrs={"hidden": True})
    assert "no-print" in aside.select_one(".journey-nav")["class"]


@pytest.fixture
def content(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    journey = target / "vi" / "guides" / "hanh-trinh.md"
    journey.write_text(
        "---\ntitle: Từng bước\nsummary: Các bước.\ntopic: thu-tuc\naudience: [nguoi-dan]\nupdated: 2026-12-01\n"
        "sources:\n  - title: Luật Hộ tịch 2014\n"
        "steps:\n  - {heading: buoc-1, guides: [dang-ky-khai-sinh]}\n  - {heading: buoc-2, guides: [nop-qua-buu-dien]}\n"
        "---\n\n## Bước 1: Khai sinh {#buoc-1}\n\nChữ.\n\n## Bước 2: Gửi {#buoc-2}\n\nChữ.\n",
        encoding="utf-8",
    )
    return target


def test_a_small_journey_is_clean_and_placed(content):
    assert [p for p in check_content(content) if not p.warning] == []
    place = load_library(content).guides["vi"]["nop-qua-buu-dien"].journey
    assert (place.step.number, place.total, place.step.name, place.previous.guide) == (2, 2, "Gửi", "dang-ky-khai-sinh")


# Step 2's guides in block style, indented by four, one per line, so each problem's line is its own.
STEP_TWO_IN_BLOCKS = "  - heading: buoc-2\n    guides:\n        - nop-qua-buu-dien\n        - {}\n"


@pytest.mark.parametrize(
    "old, new, complaint, line",
    [
        ("guides: [nop-qua-buu-dien]", "guides: [khong-co]", "step 2: there is no guide 'khong-co'", 11),
        ("heading: buoc-2,", "heading: buoc-9,", "step 2: this journey has no heading {#buoc-9}", 11),
        ("guides: [nop-qua-buu-dien]", "guides: [dang-ky-khai-sinh]", "guide 'dang-ky-khai-sinh' is already in step 1", 11),
        ("guides: [nop-qua-buu-dien]", "guides: [hanh-trinh]", "guide 'hanh-trinh' is the journey itself", 11),
        ("- {heading: buoc-1, guides: [dang-ky-khai-sinh]}", "- buoc-1", "each step is `{heading:", 10),
        ("  - {heading: buoc-2, guides: [nop-qua-buu-dien]}\n", STEP_TWO_IN_BLOCKS.format("khong-co"),
         "step 2: there is no guide 'khong-co'", 14),
        ("  - {heading: buoc-2, guides: [nop-qua-buu-dien]}\n", STEP_TWO_IN_BLOCKS.format("dang-ky-khai-sinh"),
         "guide 'dang-ky-khai-sinh' is already in step 1", 14),
        ("audience: [nguoi-dan]", "audience: [nguoi-dan]\nlanguage: vi", "unknown field `language`", 6),
    ],
)  # fmt: skip
def test_a_broken_step_or_field_is_a_checker_error_on_its_own_line(content, old, new, complaint, line):
    path = content / "vi" / "guides" / "hanh-trinh.md"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    problems = [p for p in check_content(content) if not p.warning]
    assert [p.path for p in problems] == [path], problems
    assert complaint in problems[0].message and problems[0].line == line, problems[0]
    with pytest.raises(ContentError):
        load_library(content)


def test_steps_belong_in_the_original(content):
    shutil.copy(content / "vi" / "guides" / "hanh-trinh.md", content / "en" / "guides" / "hanh-trinh.md")
    problems = [p for p in check_content(content) if not p.warning]
    assert len(problems) == 1 and "belong in the vi original" in problems[0].message
