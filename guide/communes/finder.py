"""Which commune am I in now? An old or new name, typed any way, to today's commune (or a choice).

A query is split at commas ("Thị trấn Buôn Trấp, Krông Ana"); each part is folded (case and
accents dropped, đ→d, spaces and punctuation removed) and looked up as it is and without a leading
kind word (xã, phường, thị trấn, huyện…), in a dictionary of every name the registry knows: today's
communes and every former unit. The first part that names something is what is asked about; the
other parts, where they name a former district, a province or a commune, narrow the answer down.
Nothing found: the names that begin with what was typed, found by bisection in the sorted keys.
"""

import bisect
import re
from dataclasses import dataclass

from ..text import fold
from .model import Commune, Landing, Registry

MAX_QUERY_LENGTH = 100
MAX_PARTS = 4
MAX_SUGGESTIONS = 12
# Leading words that say what kind of unit a name is (folded, longest first).
KIND_WORDS = tuple(
    sorted(
        ("xa", "phuong", "thi tran", "huyen", "thi xa", "thanh pho", "quan", "tinh", "dac khu", "tt", "tx", "tp"),
        key=len,
        reverse=True,
    )
)
_NOT_KEY = re.compile(r"[^a-z0-9]+")


def key_of(text: str) -> str:
    return _NOT_KEY.sub("", fold(text))


def without_kind(text: str) -> str:
    """'thi tran buon trap' -> 'buon trap' (the folded text, its leading kind word dropped)."""
    words = " ".join(_NOT_KEY.sub(" ", fold(text)).split())
    for kind in KIND_WORDS:
        if words.startswith(kind + " "):
            return words[len(kind) + 1 :]
    return words


@dataclass(frozen=True)
class Answer:
    """One thing the query may mean: today's commune, or a former unit and where it went."""

    commune: Commune | None = None
    landing: Landing | None = None

    @property
    def communes(self) -> tuple[Commune, ...]:
        return (self.commune,) if self.commune is not None else self.landing.communes


@dataclass(frozen=True)
class Found:
    query: str
    answers: tuple[Answer, ...] = ()
    suggestions: bool = False  # the answers only begin with what was typed

    @property
    def communes(self) -> tuple[Commune, ...]:
        """Today's communes the answers lead to, each once."""
        return tuple(dict.fromkeys(c for answer in self.answers for c in answer.communes))


class Finder:
    def __init__(self, registry: Registry):
        names: dict[str, list[Answer]] = {}
        for commune in registry.communes:
            names.setdefault(key_of(commune.name), []).append(Answer(commune=commune))
        for landing in registry.landings:
            names.setdefault(key_of(landing.unit.name), []).append(Answer(landing=landing))
        self.names = {key: tuple(found) for key, found in names.items()}
        self.keys = sorted(self.names)

    def _exact(self, part: str) -> tuple[Answer, ...]:
        found = self.names.get(key_of(part), ())
        return found or self.names.get(key_of(without_kind(part)), ())

    def find(self, query: str) -> Found:
        query = " ".join(query[:MAX_QUERY_LENGTH].split())
        parts = [part for part in query.split(",") if key_of(part)][:MAX_PARTS]
        for index, part in enumerate(parts):
            answers = self._exact(part)
            if answers:
                context = {key_of(without_kind(other)) for other in parts[:index] + parts[index + 1 :]}
                return Found(query, _narrowed(_ordered(answers), context))
        if not parts:
            return Found(query)
        return Found(query, self._beginning_with(key_of(without_kind(parts[0]))), suggestions=True)

    def _beginning_with(self, prefix: str) -> tuple[Answer, ...]:
        if len(prefix) < 2:
            return ()
        start = bisect.bisect_left(self.keys, prefix)
        answers = []
        for key in self.keys[start:]:
            if not key.startswith(prefix) or len(answers) >= MAX_SUGGESTIONS:
                break
            answers += self.names[key]
        return _ordered(answers[:MAX_SUGGESTIONS])


def _ordered(answers) -> tuple[Answer, ...]:
    """Today's communes first, then former units; a former unit that kept its name and its place
    (Ea Na in Ea Na) says nothing the commune does not."""
    today = [a for a in answers if a.commune is not None]
    named = {(a.commune.slug, key_of(a.commune.name)) for a in today}
    former = [
        a
        for a in answers
        if a.landing is not None
        and not (len(a.landing.communes) == 1 and (a.landing.communes[0].slug, key_of(a.landing.unit.name)) in named)
    ]
    return tuple(today + former)


def _narrowed(answers: tuple[Answer, ...], context: set[str]) -> tuple[Answer, ...]:
    """The answers the rest of the query agrees with (a former district, a province, a commune),
    or all of them if it agrees with none."""
    context.discard("")
    if not context:
        return answers

    def agrees(answer: Answer) -> bool:
        said = set()
        if answer.landing is not None:
            unit = answer.landing.unit
            said |= {key_of(without_kind(unit.district or "")), key_of(without_kind(unit.province or ""))}
        for commune in answer.communes:
            said.add(key_of(commune.name))
            if commune.province:
                said.add(key_of(commune.province.short))
        return bool(said & context)

    agreeing = tuple(answer for answer in answers if agrees(answer))
    return agreeing or answers
