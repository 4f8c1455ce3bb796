"""Folding Vietnamese text for search and anchors.

NFD does not decompose đ/Đ, and letters with two marks need every combining mark dropped,
so folding is: lowercase, đ→d, NFD, drop combining marks (../shared/reference/library-notes.md).
"""

import re
import unicodedata

# A slug, in URLs and content file names and keys: lowercase ASCII words joined by hyphens.
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_NON_SLUG = re.compile(r"[^a-z0-9]+")


class _FoldTable(dict):
    """Each character's folded form, worked out the first time it is met (for str.translate)."""

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFD", chr(code).lower().replace("đ", "d"))
        self[code] = folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        return folded


# Folding character by character is folding the text: NFD never composes, and every combining
# mark it yields is dropped, so no character's result depends on its neighbours.
_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lowercase, accent-free text: 'Đăng ký khai sinh' -> 'dang ky khai sinh'."""
    return text.lower().translate(_FOLD)


def fold_with_positions(text: str) -> tuple[str, list[int]]:
    """Fold `text` and say, for each folded character, where it came from in `text`.

    Used to cut a search snippet out of the original text at the place the folded match was found.
    """
    folded = text.translate(_FOLD)
    if len(folded) == len(text) and all(len(_FOLD[ord(char)]) == 1 for char in set(text)):
        return folded, list(range(len(text)))  # one folded character for each: the usual case
    origin = [index for index, char in enumerate(text) for _piece in _FOLD[ord(char)]]
    return folded, origin


def slugify(text: str, separator: str = "-") -> str:
    """An ASCII anchor or slug: 'Bước 2: Chụp ảnh giấy tờ' -> 'buoc-2-chup-anh-giay-to'."""
    return _NON_SLUG.sub(separator, fold(text)).strip(separator)


_ASCII_DIGITS = re.compile(r"[0-9]+")


def whole_number(text: str, most_digits: int = 18) -> int | None:
    """A whole number typed by a person, in ASCII digits only ('30', ' 30 '), else None.

    Not `str.isdigit()` then `int()`: those take '³', '①', Arabic-Indic and fullwidth digits, and
    `int` raises on some of what `isdigit` accepts. `most_digits` bounds the work on a long field."""
    text = text.strip()
    if not text or len(text) > most_digits or not _ASCII_DIGITS.fullmatch(text):
        return None
    return int(text)
