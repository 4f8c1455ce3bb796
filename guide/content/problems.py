"""Problems found in content/: each names its file (and line, where known).

An error stops the app from starting and fails `flask content check`; a warning (something not yet
translated, say) is reported by the checker and the site works around it.
"""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str
    line: int | None = None
    warning: bool = False

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {'warning: ' if self.warning else ''}{self.message}"


def line_in_file(path: Path, needle: str) -> int | None:
    """The line where `needle` (a link or a name, as written) first appears in the file at `path`."""
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError:
        return None
    at = raw.find(needle)
    return raw.count("\n", 0, at) + 1 if at >= 0 else None


class ContentError(Exception):
    """Content that the app cannot start with. Carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))
