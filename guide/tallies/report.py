"""How a view reports what happened (an outbound link followed, a wizard started, a page found useful):
`count()`, which only notes the event on `flask.g`. After the response, the package's
`count_this_request` reads the events back (`hit_of`) and counts them if the request was a person's."""

from flask import g

from .classify import Event


def count(kind: str, subject: str = "", source: str = "") -> None:
    """Report an event from a view. It is counted after the response, if the request turns out
    to be a person's and the view did not fail."""
    g.setdefault("tally_events", []).append(Event(kind, subject, source))
