"""The Flask extensions every capability shares, made here so that no module imports the app's
package to reach them (which made a ring through guide/__init__.py)."""

from flask_htmx import HTMX

htmx = HTMX()


def is_partial() -> bool:
    """Does this request want only the region htmx swaps? Not when htmx restores history after a
    cache miss: that asks for the whole page (../shared/reference/library-notes.md)."""
    return bool(htmx) and not htmx.history_restore_request
