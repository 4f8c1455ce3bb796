"""Which commune am I in now? An old or new name, typed any way, to today's commune (or a choice).

The query is read as words (`spelling`: accents, case, commas, apostrophes and spaces inside a
name do not matter), in any order: kind words, the unit's name, its former district, the province.
Each run of up to `MAX_NAME_WORDS` words that is a name the registry knows (today's communes and
every former unit) is one reading; the other words are read as places (former districts, provinces,
today's communes), and a place agrees with an answer when it is the answer's district, province or
commune. A reading scores the words it explains: its name's, and those of the places that agree,
read without overlap. The best score wins; answers that tie are all offered (a name several units
had, with nothing to tell them apart, is a choice). A run is looked up exactly first, and one
letter off only if that finds nothing, and a reading with fewer forgiven letters wins a tie. The
cost is bounded: at most `MAX_WORDS` words are read and `MAX_READINGS` readings scored.
Nothing found: the names that begin with the longest run of the words that begins one.
"""

import bisect
from dataclasses import dataclass

from .model import Commune, Landing, Registry
from .spelling import NearKeys, key_of, keys_of_name, kind_positions, without_kind, words_of

MAX_QUERY_LENGTH = 100
MAX_WORDS = 10
MAX_NAME_WORDS = 5  # "Cư Dliê M'nông" is four words
MAX_PLACE_WORDS = 4
MAX_READINGS = 300
MAX_SUGGESTIONS = 12


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
    readings: int = 0  # how many readings were scored (at most MAX_READINGS)

    @property
    def communes(self) -> tuple[Commune, ...]:
        """Today's communes the answers lead to, each once."""
        return tuple(dict.fromkeys(c for answer in self.answers for c in answer.communes))


@dataclass(frozen=True)
class Span:
    """Words start..end of the query, naming `found` (answers, or places), maybe one letter off."""

    start: int
    end: int
    found: tuple
    forgiven: bool

    @property
    def size(self) -> int:
        return self.end - self.start


class Finder:
    def __init__(self, registry: Registry):
        names: dict[str, list[Answer]] = {}
        for answer in [Answer(commune=c) for c in registry.communes] + [Answer(landing=x) for x in registry.landings]:
            for key in keys_of_name((answer.commune or answer.landing.unit).name):
                names.setdefault(key, []).append(answer)
        self.names = {key: tuple(found) for key, found in names.items()}
        self.keys = sorted(self.names)
        self.said = {answer: _places_of(answer) for found in self.names.values() for answer in found}
        places: dict[str, set[str]] = {}
        for said in self.said.values():
            for place, keys in said.items():
                for key in keys:
                    places.setdefault(key, set()).add(place)
        self.places = {key: tuple(sorted(found)) for key, found in places.items()}
        self.near_names, self.near_places = NearKeys(self.names), NearKeys(self.places)

    def find(self, query: str) -> Found:
        query = " ".join(query[:MAX_QUERY_LENGTH].split())
        words = words_of(query)[:MAX_WORDS]
        kinds = kind_positions(words)
        if len(kinds) == len(words):
            return Found(query)
        places = self._spans(words, self.places, self.near_places, MAX_PLACE_WORDS)
        best: dict[Answer, tuple] = {}
        readings = 0
        for name in self._spans(words, self.names, self.near_names, MAX_NAME_WORDS):
            for answer in name.found[: MAX_READINGS - readings]:
                readings += 1
                score = _score(name, self.said[answer], places)
                best[answer] = max(score, best.get(answer, score))
        if not best:
            return Found(query, self._beginning_with(words, kinds), suggestions=True)
        top = max(best.values())
        return Found(query, _ordered(a for a, score in best.items() if score == top), readings=readings)

    def _spans(self, words: list[str], known: dict, near: NearKeys, longest: int) -> list[Span]:
        """Every run of words that is a known key, or else one letter off one (the known keys' values)."""
        spans = []
        for start in range(len(words)):
            for end in range(start + 1, min(len(words), start + longest) + 1):
                key = "".join(words[start:end])
                if key in known:
                    spans.append(Span(start, end, known[key], False))
                else:
                    found = tuple(dict.fromkeys(value for near_key in near.near(key) for value in known[near_key]))
                    if found:
                        spans.append(Span(start, end, found, True))
        return spans

    def _beginning_with(self, words: list[str], kinds: frozenset[int]) -> tuple[Answer, ...]:
        """The names that begin with the longest run of the words (kind words left out) that begins any."""
        named = [word for index, word in enumerate(words) if index not in kinds]
        runs = sorted(
            ("".join(named[start:end]) for start in range(len(named)) for end in range(start + 1, len(named) + 1)),
            key=len,
            reverse=True,
        )
        for prefix in runs:
            found = self._prefixed(prefix) if len(prefix) >= 2 else ()
            if found:
                return found
        return ()

    def _prefixed(self, prefix: str) -> tuple[Answer, ...]:
        start = bisect.bisect_left(self.keys, prefix)
        answers = []
        for key in self.keys[start:]:
            if not key.startswith(prefix) or len(answers) >= MAX_SUGGESTIONS:
                break
            answers += self.names[key]
        return _ordered(answers[:MAX_SUGGESTIONS])


def _places_of(answer: Answer) -> dict[str, set[str]]:
    """The places that agree with an answer (its former district and province, today's commune and
    province), each with the keys it answers to."""
    named = []
    if answer.landing is not None:
        unit = answer.landing.unit
        named += [without_kind(unit.district or ""), without_kind(unit.province or "")]
    for commune in answer.communes:
        named += [commune.name, commune.province.short if commune.province else ""]
    return {key_of(name): keys_of_name(name) for name in named if key_of(name)}


def _score(name: Span, said: dict, places: list[Span]) -> tuple[int, int]:
    """(words explained, minus letters forgiven): the name's words, and the most words places that
    agree with the answer explain without overlapping it or each other."""
    outside = [p for p in places if p.end <= name.start or p.start >= name.end]
    agreeing = [p for p in outside if any(place in said for place in p.found)]
    end = max((p.end for p in agreeing), default=0)
    best = [(0, 0)] * (end + 1)  # best[i]: the best cover of words i..end
    for start in range(end - 1, -1, -1):
        best[start] = max(
            [best[start + 1]]
            + [(p.size + best[p.end][0], best[p.end][1] - p.forgiven) for p in agreeing if p.start == start]
        )
    covered, forgiven = best[0] if agreeing else (0, 0)
    return name.size + covered, forgiven - name.forgiven


def _ordered(answers) -> tuple[Answer, ...]:
    """Today's communes first, then former units; a former unit that kept its name and its place
    (Ea Na in Ea Na) says nothing the commune does not."""
    answers = list(answers)
    today = [a for a in answers if a.commune is not None]
    named = {(a.commune.slug, key_of(a.commune.name)) for a in today}
    former = [
        a
        for a in answers
        if a.landing is not None
        and not (len(a.landing.communes) == 1 and (a.landing.communes[0].slug, key_of(a.landing.unit.name)) in named)
    ]
    return tuple(today + former)
