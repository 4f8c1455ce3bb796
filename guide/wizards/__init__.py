"""Step-by-step wizards: one question per page, each step its own URL, a plan and a checklist at the end."""

from flask import Flask

from .model import load_wizards


def init_app(app: Flask) -> None:
    app.extensions["guide.wizards"] = load_wizards(app.config["CONTENT_DIR"], app.extensions["guide.library"])
