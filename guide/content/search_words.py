"""content/search-words.yaml: the words the site search needs to know beyond the guides' own.

- `synonyms`: groups of words for one thing (căn cước, CCCD); a search for one finds the others.
- `ignore`: per language, words that say nothing about what is sought (làm, thế nào).
- `everyday`: words people still use for what the guides call otherwise (CMND, hộ khẩu, ĐKKD):
  a query's word is searched as `means`, the guides' word, in each language; `answer`, where
  given, is one line shown above the results ("the card is now the căn cước").
The file is optional; every problem stops the app and `flask content check` names its line.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..text import fold
from .languages import Languages
from .problems import Problem
from .schema import AnyOf, ListOf, MapOf, Record, Test, Text, read_yaml

FILE_NAME = "search-words.yaml"
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Everyday:
    words: tuple[str, ...]  # as people type them: "CMND", "chứng minh nhân dân"
    means: dict[str, str]  # language -> the guides' word: "căn cước"
    answer: dict[str, str] = field(default_factory=dict)  # language -> a line above the results


@dataclass(frozen=True)
class SearchWords:
    synonyms: tuple[tuple[str, ...], ...] = ()
    ignored: dict[str, tuple[str, ...]] = field(default_factory=dict)  # language -> words
    everyday: tuple[Everyday, ...] = ()


def _is_group(words: tuple[str, ...]) -> bool:
    return len(words) >= 2 and all(_WORD.search(word) for word in words)


def _has_a_word(words: tuple[str, ...]) -> bool:
    return len(words) >= 1 and all(_WORD.search(word) for word in words)


def search_words_shape(languages: Languages) -> Record:
    group = Test(
        ListOf(Text()), _is_group, message="a synonym group lists two or more words, `[căn cước, CCCD]`, not {value!r}"
    )
    per_language = Text(pattern=re.compile(f"^(?:{'|'.join(languages.codes)})$"))
    ignore = MapOf(
        ListOf(Text()),
        key=per_language,
        message=f"`ignore` lists words per language: `{{{{vi: [làm, …]}}}}` (languages: {', '.join(languages.codes)})",
    )
    in_each = AnyOf(Text(), MapOf(Text(numbers=True), key=per_language, at_least=1))
    everyday = Record(
        {
            "words": Test(ListOf(Text()), _has_a_word, message="`words` lists what people type: `[CMND, …]`"),
            "means": in_each,
            "answer": in_each,
        },
        required=("words", "means"),
        called="an everyday entry",
    )
    return Record(
        {"synonyms": ListOf(group), "ignore": ignore, "everyday": ListOf(everyday)},
        unknown="expected `synonyms: [[word, word, …], …]`, `ignore: {vi: [word, …]}`"
        " and `everyday: [{words: […], means: …}, …]`",
    )


def _key(word: str) -> str:
    return " ".join(_WORD.findall(fold(word)))  # as the search cuts it into words


def load_search_words(path: Path, languages: Languages, problems: list[Problem]) -> SearchWords:
    if not path.exists():
        return SearchWords()
    document = read_yaml(path, search_words_shape(languages))
    data = document.data or {}
    _complain_of_doubles(document, data)
    problems.extend(document.problems())
    if not document.ok:
        return SearchWords()

    def in_each(given) -> dict[str, str]:
        given = given or {}
        return languages.in_every_language(given if isinstance(given, dict) else {languages.default: given})

    everyday = tuple(
        Everyday(tuple(entry["words"]), in_each(entry["means"]), in_each(entry["answer"]) if entry["answer"] else {})
        for entry in data["everyday"] or ()
    )
    return SearchWords(tuple(data["synonyms"] or ()), data["ignore"] or {}, everyday)


def _complain_of_doubles(document, data: dict) -> None:
    """A word in two synonym groups, or both a synonym and an everyday word, would mean two things."""
    seen: dict[str, str] = {}
    for index, group in enumerate(data.get("synonyms") or ()):
        for word in group:
            if _key(word) in seen:
                document.complain(f"{word!r} is already in the group of {seen[_key(word)]!r}", "synonyms", index)
            seen.setdefault(_key(word), group[0])
    for index, entry in enumerate(data.get("everyday") or ()):
        for word in entry["words"]:
            if _key(word) in seen:
                document.complain(f"{word!r} is already a synonym or an everyday word", "everyday", index, "words")
            seen.setdefault(_key(word), word)
