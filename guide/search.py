"""Search over guide titles, summaries and text, insensitive to case and Vietnamese accents.

A few hundred pages fit in memory: every text is folded once at start-up and each query is
folded the same way, so 'dang ky khai sinh' finds 'Đăng ký khai sinh'.
"""

import itertools
import re
from dataclasses import dataclass

from flask import Flask, current_app, render_template, request
from markupsafe import Markup, escape

from . import htmx
from .content import Guide, Library
from .prefixes import Blueprint, current_language
from .response_cache import shareable
from .text import fold, fold_with_positions

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
SNIPPET_CHARS = 160
TITLE_WEIGHT, SUMMARY_WEIGHT, TEXT_WEIGHT = 10, 4, 1
MAX_TEXT_MATCHES = 5
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class IndexedGuide:
    guide: Guide
    title: str
    summary: str
    text: str
    positions: list[int]


@dataclass(frozen=True)
class Result:
    guide: Guide
    score: int
    snippet: Markup


def terms_of(query: str) -> list[str]:
    return _WORD.findall(fold(query[:MAX_QUERY_LENGTH]))[:MAX_TERMS]


class SearchIndex:
    def __init__(self, library: Library):
        self.entries = {}
        for language in library.guides:
            entries = []
            for guide in library.all_in(language):
                text, positions = fold_with_positions(guide.text)
                entries.append(IndexedGuide(guide, fold(guide.title), fold(guide.summary), text, positions))
            self.entries[language] = entries

    def search(self, query: str, language: str, limit: int = 20) -> list[Result]:
        terms = terms_of(query)
        if not terms:
            return []
        phrase = " ".join(terms)
        patterns = [re.compile(rf"\b{re.escape(term)}") for term in terms]
        hits = []
        for entry in self.entries.get(language, ()):
            score = 0
            for pattern in patterns:
                in_title = bool(pattern.search(entry.title))
                in_summary = bool(pattern.search(entry.summary))
                # a few mentions say the page is about it; more say nothing new, so stop counting
                in_text = sum(1 for _ in itertools.islice(pattern.finditer(entry.text), MAX_TEXT_MATCHES))
                if not (in_title or in_summary or in_text):
                    break  # every word must be found somewhere
                score += TITLE_WEIGHT * in_title + SUMMARY_WEIGHT * in_summary + TEXT_WEIGHT * in_text
            else:
                if phrase in entry.title:
                    score += 2 * TITLE_WEIGHT
                hits.append((score, entry))
        hits.sort(key=lambda hit: (-hit[0], hit[1].guide.title))
        return [Result(entry.guide, score, snippet(entry, terms)) for score, entry in hits[:limit]]


def snippet(entry: IndexedGuide, terms: list[str]) -> Markup:
    """A short excerpt of the text around the first match, the matched words marked."""
    pattern = re.compile("|".join(rf"\b{re.escape(term)}\w*" for term in sorted(terms, key=len, reverse=True)))
    first = pattern.search(entry.text)
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
    hits = current_app.extensions["guide.search"].search(query, current_language()) if query.strip() else []
    template = "search/_results.html" if htmx and not htmx.history_restore_request else "search/search.html"
    return render_template(template, query=query, hits=hits, partial=template.startswith("search/_"))


def init_app(app: Flask) -> None:
    app.extensions["guide.search"] = SearchIndex(app.extensions["guide.library"])
