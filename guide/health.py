"""/healthz: is the app alive, and does its database answer (the site serves pages either way).
Also what the tallies lost in this worker process, if anything, and why."""

from flask import current_app, jsonify

from . import db, tallies
from .prefixes import Blueprint

bp = Blueprint("health", __name__)


@bp.route("/healthz", localized=False)
def healthz():
    database_ok = db.ping()
    library = current_app.extensions["guide.library"]
    recorder = tallies.recorder()
    return jsonify(
        status="ok",
        database="ok" if database_ok else "unreachable",
        guides={language: len(guides) for language, guides in library.guides.items()},
        tallies={"enabled": bool(current_app.config.get("TALLIES_ENABLED")), **(recorder.status() if recorder else {})},
    )
