"""Loading guides: front matter, rendering once, anchors, and refusing broken files by name."""

import shutil
import time
from pathlib import Path

import pytest

from guide.content import ContentError, load_library

from .conftest import FIXTURE_CONTENT


@pytest.fixture
def content(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


def write_guide(content: Path, slug: str, front: str, body: str = "Text.\n", locale: str = "vi") -> Path:
    path = content / locale / "guides" / f"{slug}.md"
    path.write_text(f"---\n{front}\n---\n\n{body}", encoding="utf-8")
    return path


GOOD_FRONT = (
    "title: T\nsummary: S\ntopic: thu-tuc\naudience: [nguoi-dan]\nupdated: 2026-01-02\nsources: [{title: Luật}]"
)


def test_guides_load_with_metadata_html_and_vietnamese_anchors():
    library = load_library(FIXTURE_CONTENT)
    guide = library.guides["vi"]["nop-qua-buu-dien"]
    assert guide.title == "Nộp hồ sơ qua bưu điện"
    assert guide.updated.isoformat() == "2026-11-20"
    assert [h.anchor for h in guide.sections] == ["buoc-1-chuan-bi-giay-to", "goi-buu-dien", "chi-phi", "duong-di"]
    assert 'id="buoc-1-chuan-bi-giay-to"' in guide.html
    assert guide.shows_toc  # four sections
    assert "/ra/cong-dvc-quoc-gia" in guide.links
    assert "<table>" in library.guides["vi"]["dang-ky-khai-sinh"].html


def test_internal_links_move_under_the_prefix_but_static_files_do_not():
    guide = load_library(FIXTURE_CONTENT).guides["vi"]["nop-qua-buu-dien"]
    html = guide.html_for("/en/xa/ea-na")
    assert 'href="/en/xa/ea-na/huong-dan/dang-ky-khai-sinh#giay-to"' in html
    assert 'href="/en/xa/ea-na/ra/cong-dvc-quoc-gia"' in html
    assert guide.html_for("") == guide.html


def test_english_falls_back_to_vietnamese_and_says_so():
    library = load_library(FIXTURE_CONTENT)
    guide, fell_back = library.guide("dang-ky-khai-sinh", "en")
    assert guide.locale == "vi" and fell_back
    guide, fell_back = library.guide("nop-qua-buu-dien", "en")
    assert guide.locale == "en" and not fell_back
    assert library.guide("missing", "vi") == (None, False)


@pytest.mark.parametrize(
    "front, complaint",
    [
        (GOOD_FRONT.replace("title: T\n", ""), "missing `title`"),
        (GOOD_FRONT.replace("topic: thu-tuc", "topic: nonsense"), "unknown topic 'nonsense'"),
        (GOOD_FRONT.replace("2026-01-02", "2026-13-45"), "impossible value: month must be in 1..12"),
        (GOOD_FRONT.replace("2026-01-02", "'next week'"), "`updated` must be a date"),
        (GOOD_FRONT.replace("sources: [{title: Luật}]", "sources: []"), "missing `sources`"),
        (GOOD_FRONT.replace("[nguoi-dan]", "[everyone]"), "`audience` must list"),
        (GOOD_FRONT + "\ncolour: red", "unknown field `colour`"),
        (
            GOOD_FRONT.replace("sources: [{title: Luật}]", "sources: [{title: X, url: 'http://example.org'}]"),
            "must start with https://",
        ),
        ("title: [unclosed", "not valid YAML"),
    ],
)
def test_a_broken_guide_stops_start_up_naming_file_and_problem(content, front, complaint):
    path = write_guide(content, "hong", front)
    with pytest.raises(ContentError) as raised:
        load_library(content)
    message = str(raised.value)
    assert str(path) in message and complaint in message


def test_a_body_h1_is_refused_because_the_title_is_the_pages_only_h1(content):
    path = write_guide(content, "hai-tieu-de", GOOD_FRONT, "# Another title\n")
    with pytest.raises(ContentError, match="only h1") as raised:
        load_library(content)
    assert str(path) in str(raised.value)


def test_every_problem_is_reported_not_just_the_first(content):
    write_guide(content, "mot", GOOD_FRONT.replace("title: T\n", ""))
    write_guide(content, "hai", GOOD_FRONT.replace("thu-tuc", "khac"))
    with pytest.raises(ContentError) as raised:
        load_library(content)
    assert len(raised.value.problems) == 2


@pytest.mark.slow
def test_two_hundred_guides_load_quickly_enough(content, capsys):
    """A benchmark, not a timed assertion: the figure goes into the issue note."""

    def body(guide: int) -> str:  # each guide's own words: the renderer keeps what it rendered before
        return "\n".join(
            f"## Bước {i}: Làm việc {i} của {guide}\n\nMột đoạn văn ngắn với [liên kết](/huong-dan/g-{i}) và **chữ đậm**.\n\n- mục một\n- mục hai\n"
            for i in range(12)
        )

    for i in range(200):
        write_guide(content, f"g-{i}", GOOD_FRONT.replace("title: T", f"title: Hướng dẫn {i}"), body(i))
    started = time.perf_counter()
    library = load_library(content)
    elapsed = time.perf_counter() - started
    assert len(library.guides["vi"]) == 202
    with capsys.disabled():
        print(f"\n[bench] loaded {len(library.guides['vi'])} guides in {elapsed * 1000:.0f} ms")
