"""Content: what editors change without touching Python, read from content/ once at start-up.

`languages` (content/languages.yaml), `library` (topics, the outbound-link allow-list, search words
and every guide), `guides` (one guide), `journeys` (guides in steps), `schema` (the one way a YAML
file is read and checked, each problem with its line), `problems` (what is wrong, with file and
line) and `checker` (`flask content check`). Wizards and the commune registry have rooms of their
own and use these.
"""

from .guides import Guide, render, with_prefix
from .languages import Language, Languages, load_languages
from .library import Library, Link, load_library
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
    "render",
    "with_prefix",
]
