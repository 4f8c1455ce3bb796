"""How the commune finder reads what is typed: words (not punctuation), kind words, keys, and names
typed one letter off.

A query is folded (case and accents dropped, đ→d) and cut into words at anything that is not a
letter or a digit, so "M'Drắk", "Mdrak" and "M Drak" are the words "m drak" or "mdrak"; a run of
words is looked up by its key, the words joined with no space ("mdrak", "krongana" for "Krông A
Na" and "Krông Ana" alike). Kind words (xã, phường, thị trấn, tt, huyện, tp…, and their English
names) say what a name is; the finder need not read them. A name of three words or more also
answers to its initials ("bmt" for Buôn Ma Thuột). A key of `MIN_FORGIVEN` letters or more is still
found with one letter wrong, missing or added, or two neighbours swapped ("krongnan" finds
"krongana"): `NearKeys` indexes every key and every key with one letter left out, so a near key is
a few dictionary lookups away, not a scan of the registry.
"""

import re

from ..text import fold

MIN_FORGIVEN = 6  # letters in a key (spaces left out) before one wrong letter is forgiven
_WORD = re.compile(r"[a-z0-9]+")
TWO_WORD_KINDS = frozenset({"thi tran", "thi xa", "thanh pho", "dac khu"})
ONE_WORD_KINDS = frozenset(
    {"xa", "phuong", "huyen", "quan", "tinh", "tt", "tx", "tp"}
    | {"commune", "ward", "township", "district", "province", "city", "town"}
)


def words_of(text: str) -> list[str]:
    """'Thị trấn Buôn Trấp, Krông A Na' -> ['thi', 'tran', 'buon', 'trap', 'krong', 'a', 'na']."""
    return _WORD.findall(fold(text))


def key_of(text: str) -> str:
    return "".join(words_of(text))


def kind_positions(words: list[str]) -> frozenset[int]:
    """Which of the words are kind words ("thi tran" is two)."""
    kinds: set[int] = set()
    for index, word in enumerate(words):
        if " ".join(words[index : index + 2]) in TWO_WORD_KINDS:
            kinds |= {index, index + 1}
        elif word in ONE_WORD_KINDS and index not in kinds:
            kinds.add(index)
    return frozenset(kinds)


def without_kind(text: str) -> str:
    """'Huyện Krông A Na' -> 'krong a na' (folded words, the leading kind words dropped)."""
    words = words_of(text)
    kinds = kind_positions(words)
    start = next((index for index in range(len(words)) if index not in kinds), len(words))
    return " ".join(words[start:])


def keys_of_name(name: str) -> set[str]:
    """The keys a name answers to: its words joined, and its initials if it has three words or more."""
    words = words_of(name)
    keys = {"".join(words)}
    if len(words) >= 3:
        keys.add("".join(word[0] for word in words))
    return keys - {""}


def _one_letter_out(key: str) -> set[str]:
    return {key[:index] + key[index + 1 :] for index in range(len(key))}


def one_edit_apart(typed: str, known: str) -> bool:
    """One letter wrong, missing or added, or two neighbours swapped."""
    if abs(len(typed) - len(known)) > 1 or typed == known:
        return False
    same = next((i for i, (a, b) in enumerate(zip(typed, known)) if a != b), min(len(typed), len(known)))
    if len(typed) != len(known):
        shorter, longer = sorted((typed, known), key=len)
        return shorter[same:] == longer[same + 1 :]
    swapped = typed[same : same + 2] == known[same : same + 2][::-1] and typed[same + 2 :] == known[same + 2 :]
    return typed[same + 1 :] == known[same + 1 :] or swapped


class NearKeys:
    """The known keys one edit from a typed key (symmetric deletion: both sides lose a letter)."""

    def __init__(self, keys):
        self.by_variant: dict[str, set[str]] = {}
        for key in keys:
            if len(key) >= MIN_FORGIVEN:
                for variant in {key, *_one_letter_out(key)}:
                    self.by_variant.setdefault(variant, set()).add(key)

    def near(self, typed: str) -> list[str]:
        if len(typed) < MIN_FORGIVEN - 1:
            return []
        found = set().union(*(self.by_variant.get(v, ()) for v in {typed, *_one_letter_out(typed)}))
        return sorted(key for key in found if one_edit_apart(typed, key))
