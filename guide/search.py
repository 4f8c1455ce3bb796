"""Search over the guides, ranked, insensitive to case and Vietnamese accents.

A few hundred pages fit in memory, so everything is prepared by a process's first search (not at
start-up: most apps, and tests make hundreds, never search): each guide's title,
summary and text are folded ('Đăng ký' -> 'dang ky'), cut into syllables, and a query word is scored
with BM25 in each of the three, weighted by field: a word in few titles counts more than one in
every text, a title match more than a body match. For Vietnamese, whose words are mostly two
syllables, and for people typing on a phone:
- pairs of adjacent terms are terms too, so "căn cước" outranks a page with "cần" here, "cước" there;
- content/search-words.yaml: words for one thing (căn cước, CCCD) become one term, words that
  say nothing (làm, thế nào) are left out of a query that has other words, and the everyday words
  people still use (CMND, hộ khẩu) are searched as the guides' word, with a line to say so;
- a query word matches a whole syllable; only the last, maybe still being typed, may also match the
  start of one, for a fraction of the score.
Guides are ranked by how many of the query's words they have, then by score. A result has all the
words, or more than half and one of them in its title or summary; when the first one has the
whole query as a phrase, the query names it, and the others must have all its words; one scoring
far below the first is noise, not shown.
"""

import bisect
import math
import re
import threading
from collections import Counter
from dataclasses import dataclass

from flask import Flask, current_app, render_template, request
from markupsafe import Markup, escape

from .content import Guide, Library
from .content.search_words import Everyday, SearchWords
from .extensions import is_partial
from .pages import MAIN_WIZARD
from .prefixes import Blueprint, current_language
from .response_cache import shareable
from .text import fold, fold_with_positions

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
SNIPPET_CHARS = 160
FIELD_WEIGHTS = (6.0, 3.0, 1.0)  # title, summary, text
K1, B = 1.2, 0.75  # BM25's usual saturation and length normalisation
PREFIX_WEIGHT = 0.3  # the last word found only as the start of a syllable
MIN_SHARE = 0.5  # of the query's words a result must have (more than)
RELATIVE_CUTOFF = 0.2  # of the first result's score, under which a result is noise
_WORD = re.compile(r"\w+")
_IGNORED = None


def syllables(text: str) -> list[str]:
    return _WORD.findall(fold(text))


class Vocabulary:
    """content/search-words.yaml, folded: each synonym group as one concept; the ignored words; the
    everyday words, each searched as the guides' word."""

    def __init__(self, words: SearchWords):
        self.members: dict[str, list[tuple[str, ...]]] = {}
        self.phrases: dict[tuple[str, ...], str] = {}  # a synonym's syllables -> its concept
        for group in words.synonyms:
            concept = "=" + " ".join(syllables(group[0]))  # "=" never occurs in a syllable
            self.members[concept] = [tuple(syllables(word)) for word in group]
            self.phrases.update((words, concept) for words in self.members[concept])
        self.ignored = {lang: {tuple(syllables(w)): _IGNORED for w in listed} for lang, listed in words.ignored.items()}
        # an everyday word's folded syllables -> (its syllables as written, lowercase; the entry)
        self.everyday: dict[tuple[str, ...], list[tuple[tuple[str, ...], Everyday]]] = {}
        for entry in words.everyday:
            for word in entry.words:
                written = tuple(_WORD.findall(word.lower()))
                self.everyday.setdefault(tuple(map(fold, written)), []).append((written, entry))
        known = [*self.phrases, *self.everyday, *(p for w in self.ignored.values() for p in w)]
        self.longest = max(map(len, known), default=1)

    def terms_of_text(self, words: list[str]) -> Counter:
        """A text's terms: its syllables, the concepts of its synonyms, and each adjacent pair of these."""
        edges = [[(start + 1, word)] for start, word in enumerate(words)] + [[]]  # at each start: (end, term)
        for start in range(len(words)):
            for end in range(start + 1, min(start + self.longest, len(words)) + 1):
                if (concept := self.phrases.get(tuple(words[start:end]))) is not None:
                    edges[start].append((end, concept))
        counts = Counter()
        for outgoing in edges:
            for end, term in outgoing:
                counts[term] += 1
                counts.update(f"{term} {following}" for _, following in edges[end])
        return counts

    def _everyday_at(self, typed: list[str], start: int, end: int) -> Everyday | None:
        """The everyday word typed[start:end] is, if any: with its accents, or with none at all
        ("thue" is thuế, but "thuê", to rent, is not)."""
        window = typed[start:end]
        for written, entry in self.everyday.get(tuple(map(fold, window)), ()):
            if all(word in (said, fold(word)) for word, said in zip(window, written)):
                return entry
        return None

    def read(self, query: str, language: str) -> tuple[list[str], list[Everyday]]:
        """The query's folded syllables, each everyday word replaced by the guides' word; and those entries."""
        typed = _WORD.findall(query[:MAX_QUERY_LENGTH].lower())[:MAX_TERMS]
        words, entries, start = [], [], 0
        while start < len(typed):
            ends = range(min(len(typed), start + self.longest), start, -1)
            end, entry = next(((e, found) for e in ends if (found := self._everyday_at(typed, start, e))), (0, None))
            if entry is None:
                words.append(fold(typed[start]))
                start += 1
            else:
                words += syllables(entry.means.get(language) or " ".join(typed[start:end]))
                entries.append(entry)
                start = end
        return words[:MAX_TERMS], [e for i, e in enumerate(entries) if e not in entries[:i]]

    def query_terms(self, query: str, language: str) -> list[str]:
        """The query's words, each synonym as its concept; ignored words go unless nothing else is left."""
        words = self.read(query, language)[0]
        table = {**self.phrases, **self.ignored.get(language, {})}
        terms, start = [], 0
        while start < len(words):
            end = next(
                (e for e in range(min(len(words), start + self.longest), start, -1) if tuple(words[start:e]) in table),
                start + 1,
            )
            terms.append(table.get(tuple(words[start:end]), words[start]))
            start = end
        return [term for term in terms if term is not _IGNORED] or words

    def answers(self, query: str, language: str) -> list[str]:
        """What the everyday words in the query need said first ("the card is now the căn cước")."""
        return [entry.answer[language] for entry in self.read(query, language)[1] if entry.answer.get(language)]

    def surfaces(self, term: str) -> list[str]:
        """What a term looks like in folded text, as regular expressions: a word, or a concept's members."""
        return [r"\W+".join(map(re.escape, words)) for words in self.members.get(term, [(term,)])]


@dataclass(frozen=True)
class IndexedGuide:
    guide: Guide
    fields: tuple[Counter, ...]  # the terms of the title, the summary, the text
    norms: tuple[float, ...]  # BM25's length normalisation of each field
    text: str  # folded, for the snippet
    positions: list[int]


@dataclass(frozen=True)
class Hit:
    entry: IndexedGuide
    share: float  # of the query's terms the guide has
    score: float
    phrase: bool  # it has every adjacent pair of the query's terms: the query as a phrase


@dataclass(frozen=True)
class Result:
    guide: Guide
    score: float
    snippet: Markup


class SearchIndex:
    def __init__(self, library: Library):
        self.vocabulary = Vocabulary(library.search_words)
        self.entries: dict[str, list[IndexedGuide]] = {}
        self.idf: dict[str, list[dict[str, float]]] = {}  # per field
        self.syllables: dict[str, list[str]] = {}  # sorted, to complete the word being typed
        for language in library.guides:
            entries = self.indexed(library.all_in(language))
            found_in = document_frequencies(entries)
            self.idf[language] = [inverse_frequencies(field, len(entries)) for field in found_in]
            self.syllables[language] = completable_terms(found_in)
            self.entries[language] = entries

    def indexed(self, guides: list[Guide]) -> list[IndexedGuide]:
        """Each guide's fields as terms, each field's length normalised against its language's average."""
        words = [[syllables(text) for text in (g.title, g.summary, g.text)] for g in guides]
        averages = [max(1, sum(len(w[field]) for w in words) / len(words)) for field in range(3)]
        return [
            IndexedGuide(
                guide,
                tuple(self.vocabulary.terms_of_text(field) for field in fields),
                tuple(1 - B + B * len(field) / average for field, average in zip(fields, averages)),
                *fold_with_positions(guide.text),
            )
            for guide, fields in zip(guides, words)
        ]

    def bm25(self, entry: IndexedGuide, term: str, idf: list[dict[str, float]]) -> float:
        """The term's BM25 in each field, weighted by the field: a title word counts more than a body word."""
        score = 0.0
        for weight, field, norm, field_idf in zip(FIELD_WEIGHTS, entry.fields, entry.norms, idf):
            if tf := field[term]:
                score += weight * field_idf[term] * tf * (K1 + 1) / (tf + K1 * norm)
        return score

    def completions(self, term: str, language: str) -> list[str]:
        known = self.syllables.get(language, [])
        start = bisect.bisect_right(known, term)
        return known[start : bisect.bisect_left(known, term + "\uffff", start)]

    def search(self, query: str, language: str, limit: int = 20) -> list[Result]:
        terms = self.vocabulary.query_terms(query, language)
        if not terms:
            return []
        idf = self.idf.get(language, [{}] * 3)
        typing = self.completions(terms[-1], language) if query[-1:].isalnum() else []  # no space after it yet
        hits = [hit for entry in self.entries.get(language, ()) if (hit := self.matched(entry, terms, typing, idf))]
        words = self.highlighted(terms, typing)
        return [
            Result(hit.entry.guide, hit.score, snippet(hit.entry, words, typing=bool(typing))) for hit in ranked(hits)
        ][:limit]

    def matched(
        self, entry: IndexedGuide, terms: list[str], typing: list[str], idf: list[dict[str, float]]
    ) -> Hit | None:
        """The guide as a result, or None if it is not one: it needs all the terms, or more than half
        and one in its title or summary. The last term, when still being typed, may be found as the
        start of a syllable, for a fraction of the score."""
        found = [self.bm25(entry, term, idf) for term in terms]
        if typing and not found[-1]:
            found[-1] = PREFIX_WEIGHT * max(self.bm25(entry, word, idf) for word in typing)
        share = sum(1 for score in found if score) / len(terms)
        headline = any(entry.fields[0][term] or entry.fields[1][term] for term in terms)
        if not (share == 1 or (share > MIN_SHARE and headline)):
            return None
        pairs = [f"{a} {b}" for a, b in zip(terms, terms[1:])]
        scores = [self.bm25(entry, pair, idf) for pair in pairs]
        return Hit(entry, share, sum(found) + sum(scores), phrase=bool(pairs) and all(scores))

    def highlighted(self, terms: list[str], typing: list[str]) -> list[str]:
        """A regular expression for each term, to mark in the snippet: its surfaces as whole words, or
        for a word still being typed, any word it begins."""
        words = [rf"\b(?:{'|'.join(self.vocabulary.surfaces(term))})\b" for term in terms]
        if typing:
            words[-1] = rf"\b{re.escape(terms[-1])}\w*"
        return words


def document_frequencies(entries: list[IndexedGuide]) -> list[Counter]:
    """For each field, in how many guides each term occurs."""
    return [Counter(term for entry in entries for term in entry.fields[field]) for field in range(3)]


def inverse_frequencies(found_in: Counter, n: int) -> dict[str, float]:
    """BM25's idf of each term of a field, over n guides: a term in few guides weighs more."""
    return {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t, df in found_in.items()}


def completable_terms(found_in: list[Counter]) -> list[str]:
    """The single syllables of every field (no pairs, no concepts), sorted: a word being typed is completed to these."""
    return sorted(t for t in set().union(*found_in) if " " not in t and "=" not in t)


def ranked(hits: list[Hit]) -> list[Hit]:
    """By the share of the query's words, then by score. Where the first guide has the whole query
    as a phrase ("đăng ký hộ kinh doanh"), the query names it: the others must have every word of
    it, not a common one or two ("đăng ký"). Those scoring far below the first are noise."""
    hits = sorted(hits, key=lambda h: (-h.share, -h.score, h.entry.guide.title))
    if hits and hits[0].phrase:
        hits = [h for h in hits if h.share == 1]
    return [h for h in hits if h.score >= RELATIVE_CUTOFF * hits[0].score]  # hits[0]: read only if there are hits


def snippet(entry: IndexedGuide, words: list[str], typing: bool) -> Markup:
    """A short excerpt of the text around the query's words, together if they are, the words marked.

    A word still being typed is marked only as part of the phrase: its start alone is in many words."""
    phrase = r"\W+".join(words)
    pattern = re.compile("|".join([phrase, *sorted(words[:-1] if typing else words, key=len, reverse=True)]))
    first = re.search(phrase, entry.text) or pattern.search(entry.text)
    if first is None:
        return Markup(escape(entry.guide.summary))
    start = max(0, first.start() - SNIPPET_CHARS // 3)
    if start > 0:  # begin at a word, not in the middle of one
        space = entry.text.find(" ", start, first.start())
        start = space + 1 if space >= 0 else first.start()
    end = min(len(entry.text), start + SNIPPET_CHARS)
    original = entry.guide.text
    parts, cursor = [], start
    for match in pattern.finditer(entry.text, start, end):
        parts.append(
            escape(original[entry.positions[cursor] : entry.positions[match.start()]]) if match.start() > cursor else ""
        )
        parts.append(
            Markup("<mark>%s</mark>") % original[entry.positions[match.start()] : entry.positions[match.end() - 1] + 1]
        )
        cursor = match.end()
    if cursor < end:
        parts.append(escape(original[entry.positions[cursor] : entry.positions[end - 1] + 1]))
    return Markup("…" if start > 0 else "") + Markup("").join(parts) + Markup("…" if end < len(entry.text) else "")


bp = Blueprint("search", __name__)


@bp.route("/tim-kiem")
@shareable
def search_page():
    query = request.args.get("q", "")[:MAX_QUERY_LENGTH]
    hits, answers = [], []
    if query.strip():  # the index is built by the first real search
        index, language = current_app.extensions["guide.search"].index, current_language()
        hits, answers = index.search(query, language), index.vocabulary.answers(query, language)
    template = "search/_results.html" if is_partial() else "search/search.html"
    return render_template(
        template,
        query=query,
        hits=hits,
        answers=answers,
        partial=template.startswith("search/_"),
        main_wizard=current_app.extensions["guide.wizards"].get(MAIN_WIZARD),
    )


class PreparedOnFirstSearch:
    def __init__(self, library: Library):
        self._library, self._index, self._lock = library, None, threading.Lock()

    @property
    def index(self) -> SearchIndex:
        with self._lock:  # one thread builds it; the others wait rather than build their own
            if self._index is None:
                self._index = SearchIndex(self._library)
            return self._index


def init_app(app: Flask) -> None:
    app.extensions["guide.search"] = PreparedOnFirstSearch(app.extensions["guide.library"])
