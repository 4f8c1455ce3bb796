"""Content: what editors change without touching Python, read from content/ once at start-up.

`languages` (content/languages.yaml), `library` (guides, topics, the outbound-link allow-list),
`positions` (the line of anything in a YAML file), `problems` (what is wrong, with file and line)
and `checker` (`flask content check`). Wizards and the commune registry have rooms of their own
and use these.
"""

from .languages import Language, Languages, load_languages
from .library import Guide, Library, Link, load_library, make_markdown, with_prefix
from .problems import ContentError, Problem

__all__ = [
    "ContentError",
    "Guide",
    "Language",
    "Languages",
    "Library",
    "Link",
    "Problem",
    "load_languages",
    "load_library",
    "make_markdown",
    "with_prefix",
]
