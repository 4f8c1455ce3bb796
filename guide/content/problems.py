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


class ContentError(Exception):
    """Content that the app cannot start with. Carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))
