"""The guides' illustrations (static/img/minh-hoa/*.svg): safe under the site's strict CSP, readable on
a 360 px phone, small over 3G, and every Vietnamese one with its English twin.

They are drawn by hand as SVG, so these checks are what keeps a later edit from pulling in a font,
a script, a raster image or a `style` attribute the Content-Security-Policy would block.
"""

import gzip
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

FOLDER = Path(__file__).resolve().parent.parent / "static" / "img" / "minh-hoa"
SVG_NS = "{http://www.w3.org/2000/svg}"
FILES = sorted(FOLDER.glob("*.svg"))
MAX_GZIPPED = 8 * 1024
PHONE_WIDTH = 360  # CSS pixels: the narrowest phone we design for
MIN_TEXT_PX = 14  # rendered size of the smallest text at that width
TEXT_COLOURS = {"#1b1b1b", "#fff", "#ffffff"}  # dark ink on light, or white on the dark badges
FORBIDDEN_ELEMENTS = {"script", "style", "image", "foreignObject", "iframe", "object", "embed", "audio", "video"}
LANGS = ("vi", "en")


def local(tag: str) -> str:
    return tag.rpartition("}")[2]


def parse(path: Path) -> ET.Element:
    return ET.fromstring(path.read_bytes())


def view_box(root: ET.Element) -> list[float]:
    return [float(v) for v in re.split(r"[\s,]+", root.get("viewBox", "").strip())]


def test_there_are_illustrations_for_at_least_six_subjects():
    subjects = {path.name.split(".")[0] for path in FILES}
    assert len(subjects) >= 6, sorted(subjects)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_root_is_an_accessible_scalable_svg(path):
    root = parse(path)
    assert root.tag == SVG_NS + "svg"
    box = view_box(root)
    assert len(box) == 4 and box[2] > 0 and box[3] > 0, "viewBox must be four numbers"
    assert root.get("width") is None and root.get("height") is None, "no fixed size: it scales to the phone"
    assert root.get("role") == "img"
    title = root.find(SVG_NS + "title")
    assert title is not None and (title.text or "").strip(), "a <title> inside the <svg>"
    assert root.get("font-family") == "sans-serif"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_nothing_a_strict_csp_would_block_or_that_fetches_anything(path):
    raw = path.read_text(encoding="utf-8")
    assert "<!DOCTYPE" not in raw and "<!ENTITY" not in raw
    assert "@import" not in raw and "url(" not in raw
    for element in parse(path).iter():
        assert local(element.tag) not in FORBIDDEN_ELEMENTS, element.tag
        for name, value in element.attrib.items():
            attr = local(name)
            assert attr != "style", f"style= on <{local(element.tag)}>: use presentation attributes"
            assert not attr.lower().startswith("on"), f"event handler {attr}= on <{local(element.tag)}>"
            if attr == "href":
                assert value.startswith("#"), f"external href {value!r}"
            assert "://" not in value and "javascript:" not in value.lower(), f"{attr}={value!r}"
        if local(element.tag) == "text" or element.get("font-family"):
            assert element.get("font-family") in (None, "sans-serif"), "system font only"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_small_enough_for_3g(path):
    size = len(gzip.compress(path.read_bytes(), compresslevel=9))
    assert size < MAX_GZIPPED, f"{size} bytes gzipped"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_text_is_big_enough_and_dark_enough_at_phone_width(path):
    root = parse(path)
    minimum = MIN_TEXT_PX * view_box(root)[2] / PHONE_WIDTH  # in viewBox units
    sizes = [root.get("font-size")] + [el.get("font-size") for el in root.iter() if el.get("font-size")]
    assert sizes[0] is not None, "a default font-size on the root"
    for size in sizes:
        assert float(size) >= minimum, f"font-size {size} renders below {MIN_TEXT_PX}px at {PHONE_WIDTH}px"
    assert root.get("fill", "").lower() == "#1b1b1b", "default text colour"
    for element in root.iter():
        if local(element.tag) in ("text", "tspan") and element.get("fill"):
            assert element.get("fill").lower() in TEXT_COLOURS, element.get("fill")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_worded_illustrations_come_in_both_languages(path):
    parts = path.name.split(".")
    has_words = any((el.text or "").strip() for el in parse(path).iter() if local(el.tag) in ("text", "tspan"))
    if len(parts) == 2:  # name.svg: numbers and icons only
        words = " ".join(el.text or "" for el in parse(path).iter() if local(el.tag) in ("text", "tspan"))
        assert not re.search(r"[^\W\d_]{2,}", words), f"{path.name} has words: make .vi.svg and .en.svg"
        return
    assert len(parts) == 3 and parts[1] in LANGS, f"{path.name}: name.vi.svg, name.en.svg or name.svg"
    assert has_words
    assert parse(path).get("lang") == parts[1]
    for lang in LANGS:
        assert (FOLDER / f"{parts[0]}.{lang}.svg").is_file(), f"{parts[0]}.{lang}.svg is missing"


@pytest.mark.parametrize("path", sorted(FOLDER.glob("*.vi.svg")), ids=lambda p: p.name)
def test_vietnamese_text_keeps_its_diacritics(path):
    words = " ".join(el.text or "" for el in parse(path).iter() if local(el.tag) in ("title", "text", "tspan"))
    assert re.search(r"[ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]", words.lower())


@pytest.mark.parametrize(("lang", "label"), [("vi", "ví dụ"), ("en", "example")])
def test_the_receipt_shows_which_string_is_the_dossier_code_with_a_marked_example(lang, label):
    texts = [el.text or "" for el in parse(FOLDER / f"phieu-hen.{lang}.svg").iter() if local(el.tag) == "text"]
    assert "H47.12-261203-0001" in texts, "a made-up code in the code's box, so a reader sees what one looks like"
    assert label in texts, "and it says it is an example"
    assert not any("XXX" in text for text in texts)
