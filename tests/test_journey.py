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
    return check_page(response.get_data(as_text=True), url).select_one(".journey")


def test_every_step_guide_knows_its_place_in_both_languages():
    library = load_library(ROOT / "content")
    original = library.guides["vi"][JOURNEY]
    assert len(original.steps) == 8
    for language in ("vi", "en"):
        for number, (anchor, members) in enumerate(original.steps, start=1):
            for slug in members:
                place = library.guides[language][slug].journey
                assert place is not None and place.journey == JOURNEY, (language, slug)
                assert (place.step.number, place.step.anchor) == (number, anchor)
    assert library.guides["vi"]["tai-khoan-vneid"].journey.step.name == "Làm tài khoản VNeID mức 2"
    assert library.guides["en"]["tai-khoan-vneid"].journey.step.name == "Get a level 2 VNeID account"


def test_a_task_guide_says_in_one_line_which_journey_it_is_part_of(client):
    """Issue 31: not "step 3 of 8" on top of every procedure: one line, leading to the step."""
    line = box(client, "/huong-dan/dang-ky-khai-sinh")
    assert line.name == "p"
    assert " ".join(line.get_text().split()) == "Thuộc hướng dẫn: Làm thủ tục từ đầu đến cuối, từng bước"
    assert [a["href"] for a in line.select("a")] == ["/huong-dan/hanh-trinh#buoc-3"]
    english = box(client, "/en/huong-dan/tai-khoan-vneid")
    assert " ".join(english.get_text().split()).startswith("Part of: ")
    assert [a["href"] for a in english.select("a")] == ["/en/huong-dan/hanh-trinh#buoc-2"]


@pytest.mark.parametrize("slug", ["the-can-cuoc", "dang-ky-khai-sinh", "nhan-ket-qua-tai-nha"])
def test_no_step_count_and_no_previous_or_next_on_a_step_guide(client, slug):
    page = client.get(f"/huong-dan/{slug}").get_data(as_text=True)
    assert "của 8" not in page and 'rel="prev"' not in page and 'rel="next"' not in page


@pytest.mark.parametrize("slug", [JOURNEY, "cau-hoi-thuong-gap"])
def test_no_line_on_the_journey_itself_or_a_guide_that_is_not_a_step(client, slug):
    assert box(client, f"/huong-dan/{slug}") is None
    assert box(client, f"/en/huong-dan/{slug}") is None


@pytest.mark.parametrize("prefix", ["/xa/ea-na", "/en", "/en/xa/ea-na"])
def test_the_link_stays_inside_the_language_and_commune_prefix(client, prefix):
    line = box(client, f"{prefix}/huong-dan/nop-qua-buu-dien")
    assert [a["href"] for a in line.select("a")] == [f"{prefix}/huong-dan/hanh-trinh#buoc-5"]


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
    assert (place.journey, place.step.number, place.step.name) == ("hanh-trinh", 2, "Gửi")


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
