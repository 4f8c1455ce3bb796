"""CSV for spreadsheets: the one guard against cells a spreadsheet would run as a formula, for
every export (the dashboard's tables, `flask tallies export`, and any other that writes CSV).

A spreadsheet runs a cell as a formula when it starts with =, +, - or @, and Excel and LibreOffice
look past what comes first: spaces, a tab or a line break, control and zero-width characters, and
take a fullwidth ＝ or a small ﹦ for the sign itself. Such a cell gets a leading apostrophe (the
OWASP advice), so it is shown as the text it is. A real number stays a number: 5, -5, "-5", "2.5".
"""

import csv
import re
import unicodedata
from decimal import Decimal
from typing import Any, TextIO

FORMULA_SIGNS = frozenset("=+-@")
# Characters a spreadsheet may skip before the sign: whitespace, control (Cc) and format (Cf:
# zero-width space and joiners, byte-order mark, direction marks) characters.
_SKIPPED_CATEGORIES = ("Cc", "Cf", "Zs", "Zl", "Zp")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def _skipped(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in _SKIPPED_CATEGORIES


def runs_as_formula(text: str) -> bool:
    """Whether a spreadsheet could take this text for a formula: a sign first, past whatever it
    skips, or a control character (tab, line break…) first, as OWASP lists them."""
    if not text or _NUMBER.fullmatch(text):
        return False
    if unicodedata.category(text[0]) == "Cc":
        return True
    first = next((char for char in text if not _skipped(char)), "")
    return unicodedata.normalize("NFKC", first)[:1] in FORMULA_SIGNS  # ＝ and ﹦ are =, ＋ is +, ＠ is @


def cell(value: Any) -> Any:
    """A value as written to a CSV cell: a number as it is, None as empty, text guarded."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if runs_as_formula(text) else text


def unguarded(text: str) -> str:
    """A cell read back from a file this app wrote: without the apostrophe `cell` put before it."""
    return text[1:] if text.startswith("'") and runs_as_formula(text[1:]) else text


class Writer:
    """csv.writer whose every cell goes through `cell`."""

    def __init__(self, file: TextIO, **options):
        self._writer = csv.writer(file, **options)

    def writerow(self, row) -> None:
        self._writer.writerow([cell(value) for value in row])
