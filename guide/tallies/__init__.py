"""Per-commune usage tallies (being built: see issue 5)."""

from flask import Flask


def init_app(app: Flask) -> None:
    pass
