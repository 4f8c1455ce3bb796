"""Folding Vietnamese text for search and anchors.

NFD does not decompose đ/Đ, and letters with two marks need every combining mark dropped,
so folding is: lowercase, đ→d, NFD, drop combining marks (../shared/reference/library-notes.md).
"""

import re
import unicodedata

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lowercase, accent-free text: 'Đăng ký khai sinh' -> 'dang ky khai sinh'."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_with_positions(text: str) -> tuple[str, list[int]]:
    """Fold `text` and say, for each folded character, where it came from in `text`.

    Used to cut a search snippet out of the original text at the place the folded match was found.
    """
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for piece in fold(char):
            folded.append(piece)
            origin.append(index)
    return "".join(folded), origin


def slugify(text: str, separator: str = "-") -> str:
    """An ASCII anchor or slug: 'Bước 2: Chụp ảnh giấy tờ' -> 'buoc-2-chup-anh-giay-to'."""
    return _NON_SLUG.sub(separator, fold(text)).strip(separator)
