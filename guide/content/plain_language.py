"""The plain-language check: warnings for what the style guide asks and a reader feels.

Plain functions over a guide's Markdown source (front matter included, so lines are the file's):

- a **sentence over 25 syllables**. Vietnamese: a syllable is a space-separated word. English: vowel
  groups in each word (Vietnamese words in an English text count one each, as they should), a final
  silent "e" dropped, at least one a word; a number counts one. Headings, images (their alt text is
  markup, not prose), link URLs, inline code, code blocks, list markers and attribute lists are left
  out. A sentence ends at ".", "!", "?" or "…" followed by a space or the end of a paragraph; a
  table cell is a paragraph of its own;
- an **acronym** (two or more capital letters, like TTHC, UBND, CCCD) not spelled out on its first use
  in the page. Spelled out means: its letters are the initials of words that come before it in the
  page ("Ủy ban nhân dân … UBND"), or it stands in a parenthesis after the words it shortens
  ("bưu chính công ích (BCCI)", "the citizen identity card (CCCD)"), or a parenthesis follows it
  ("BHYT (bảo hiểm y tế)"). Names are not acronyms: mixed-case ones (VNeID, VNPost, iGate) are never
  matched, and ALLOWED lists the all-capital names and everyday abbreviations. Document numbers
  (45/2016/QĐ-TTg) are left out;
- an **empty "how long" or "what it costs" section**: a heading starting with one of EMPTY_SECTIONS
  followed by nothing before the next heading of its level or higher.
"""

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .problems import Problem

MAX_SYLLABLES = 25
ALLOWED = frozenset({"QR", "PDF", "SMS", "OTP", "PIN", "ATM", "ID", "IP", "VNPT", "JPG", "PNG", "USB", "URL", "OK"})
EMPTY_SECTIONS = (
    "mất bao lâu",
    "xem mất bao lâu",
    "chi phí",
    "xem chi phí",
    "lệ phí",
    "xem lệ phí",
    "how long",
    "check how long",
    "what it costs",
    "cost",
    "check the cost",
)

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_TABLE_RULE = re.compile(r"^[\s|:-]+$")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_CODE = re.compile(r"`[^`]*`")
_TAG = re.compile(r"<[^>]+>")
_ATTRS = re.compile(r"\{\s*[#.:][^}]*\}")
_URL = re.compile(r"https?://\S+")
_DOCUMENT_NUMBER = re.compile(r"\S*\d+/\d{4}/\S*")  # 45/2016/QĐ-TTg, 203/2025/QH15
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’)\]]*(?=\s|$)")
_ACRONYM = re.compile(r"(?<![\w/.-])[A-ZĐ]{2,}(?![\w/-])")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_VOWELS = re.compile(r"[aeiouy]+")


@dataclass(frozen=True)
class Finding:
    line: int
    message: str


def plain(text: str) -> str:
    """A line of Markdown as a reader reads it: no images, URLs, code, tags, attributes or emphasis."""
    text = _IMAGE.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _CODE.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = _ATTRS.sub(" ", text)
    text = _URL.sub(" ", text)
    return text.replace("**", "").replace("*", "")


def _fold(text: str) -> str:
    """Lowercase ASCII letters with the marks taken off: 'Đường' → 'duong'."""
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


def english_syllables(word: str) -> int:
    if not any(c.isalpha() for c in word):
        return 1  # a number, however long
    folded = _fold(word)
    count = len(_VOWELS.findall(folded))
    if count > 1 and folded.endswith("e") and not folded.endswith(("le", "ee", "ye")):
        count -= 1
    return max(count, 1)


def syllables(sentence: str, language: str) -> int:
    tokens = [token for token in sentence.split() if any(c.isalnum() for c in token)]
    if language == "vi":
        return len(tokens)
    return sum(
        sum(english_syllables(word) for word in _WORD.findall(token)) if any(c.isalpha() for c in token) else 1
        for token in tokens
    )


@dataclass
class _Block:
    """A paragraph, a list item or a table cell: plain text with the file line of each piece."""

    pieces: list[tuple[int, str]]

    def sentences(self) -> list[tuple[int, str]]:
        text, starts = "", []
        for line, piece in self.pieces:
            if text:
                text += " "
            starts.append((len(text), line))
            text += piece
        found, begin = [], 0
        for end in [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text)]:
            sentence = text[begin:end].strip()
            if sentence:
                offset = begin + (len(text[begin:end]) - len(text[begin:end].lstrip()))
                line = max(line for start, line in starts if start <= offset) if starts else 0
                found.append((line, sentence))
            begin = end
        return found


def _body_start(lines: list[str]) -> int:
    """The index of the first body line, after the front matter (if any)."""
    if lines and lines[0].strip() == "---":
        for index in range(1, len(lines)):
            if lines[index].strip() == "---":
                return index + 1
    return 0


def _outside_prose(stripped: str) -> str | None:
    """For a line that is no paragraph (blank, a heading, an admonition's title, HTML): its text,
    "" if it has none. None for a line of prose."""
    heading = _HEADING.match(stripped)
    if heading:
        return plain(heading.group(2))
    if stripped.startswith("!!!"):
        return plain(stripped[3:])
    if stripped.startswith("<"):
        return plain(stripped)
    return None if stripped else ""


def _table_cells(stripped: str) -> list[str]:
    """The cells of a table row, none for the rule under the header."""
    return [] if _TABLE_RULE.match(stripped) else [plain(cell) for cell in stripped.strip("|").split("|")]


def _blocks(lines: list[str]) -> tuple[list[_Block], list[tuple[int, str]]]:
    """The prose blocks of the body, and every line of text (headings included) for acronyms."""
    blocks: list[_Block] = []
    texts: list[tuple[int, str]] = []
    current: _Block | None = None
    in_code = False
    for index in range(_body_start(lines), len(lines)):
        number, raw = index + 1, lines[index]
        if _FENCE.match(raw):
            in_code, current = not in_code, None
            continue
        stripped = raw.strip()
        if in_code:
            continue
        outside = _outside_prose(stripped)
        if outside is not None or stripped.startswith("|"):
            current = None
            if outside and outside.strip():
                texts.append((number, outside))
            for cell in _table_cells(stripped) if outside is None else ():
                texts.append((number, cell))
                blocks.append(_Block([(number, cell.strip())]))
            continue
        item = _LIST_ITEM.match(raw)
        text = plain(raw[item.end() :] if item else stripped).strip()
        texts.append((number, text))
        if item or current is None:
            current = _Block([(number, text)])
            blocks.append(current)
        else:
            current.pieces.append((number, text))
    return blocks, texts


def long_sentences(source: str, language: str) -> list[Finding]:
    findings = []
    for block in _blocks(source.split("\n"))[0]:
        for line, sentence in block.sentences():
            count = syllables(sentence, language)
            if count > MAX_SYLLABLES:
                words = sentence.split()
                start = " ".join(words[:8]) + (" …" if len(words) > 8 else "")
                findings.append(
                    Finding(line, f"a sentence of {count} syllables (more than {MAX_SYLLABLES}): “{start}”")
                )
    return findings


def _spelled_out_before(acronym: str, initials: list[str]) -> bool:
    letters = list(acronym.replace("Đ", "D"))
    size = len(letters)
    return any(initials[i : i + size] == letters for i in range(len(initials) - size + 1))


def unexplained_acronyms(source: str, language: str) -> list[Finding]:
    findings, seen = [], set()
    initials: list[str] = []  # the first letter of every word so far, folded and upper-case
    for line, text in _blocks(source.split("\n"))[1]:
        text = _DOCUMENT_NUMBER.sub(" ", text)
        position = 0
        for match in _ACRONYM.finditer(text):
            before = text[position : match.start()]
            initials += [_fold(word)[0].upper() for word in _WORD.findall(before)]
            position = match.start()
            acronym = match.group()
            if acronym in seen or acronym in ALLOWED:
                continue
            seen.add(acronym)
            in_parenthesis = text.rfind("(", 0, match.start()) > text.rfind(")", 0, match.start())
            followed_by_parenthesis = text[match.end() :].lstrip().startswith("(")
            if not (in_parenthesis or followed_by_parenthesis or _spelled_out_before(acronym, initials)):
                findings.append(Finding(line, f"acronym {acronym} is not spelled out on its first use in the page"))
        initials += [_fold(word)[0].upper() for word in _WORD.findall(text[position:])]
    return findings


def empty_sections(source: str, language: str) -> list[Finding]:
    lines = source.split("\n")
    findings = []
    headings = []  # (index, level, title)
    in_code = False
    for index in range(_body_start(lines), len(lines)):
        if _FENCE.match(lines[index]):
            in_code = not in_code
        heading = None if in_code else _HEADING.match(lines[index].strip())
        if heading:
            headings.append((index, len(heading.group(1)), _ATTRS.sub("", heading.group(2)).strip()))
    for position, (index, level, title) in enumerate(headings):
        if not title.casefold().startswith(EMPTY_SECTIONS):
            continue
        end = next((i for i, lv, _ in headings[position + 1 :] if lv <= level), len(lines))
        body = [line for line in lines[index + 1 : end] if line.strip() and not _HEADING.match(line.strip())]
        if not body:
            findings.append(
                Finding(index + 1, f"the section “{title}” is empty: say how long or what it costs, or where to check")
            )
    return findings


def check(source: str, language: str) -> list[Finding]:
    """Every plain-language finding in a guide's source, in line order."""
    found = long_sentences(source, language) + unexplained_acronyms(source, language) + empty_sections(source, language)
    return sorted(found, key=lambda finding: finding.line)


def warnings_for(path: Path, language: str) -> list[Problem]:
    """The findings for a guide file, as checker warnings."""
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [Problem(path, finding.message, finding.line, warning=True) for finding in check(source, language)]


def library_warnings(library) -> list[Problem]:
    """The findings for every guide in every language of a loaded Library."""
    return [
        problem
        for language, guides in library.guides.items()
        for guide in guides.values()
        for problem in warnings_for(guide.path, language)
    ]
