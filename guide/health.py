"""/healthz: is the app alive, and does its database answer (the site serves pages either way)."""

from flask import Blueprint, current_app, jsonify

from . import db

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    database_ok = db.ping()
    library = current_app.extensions["guide.library"]
    return jsonify(
        status="ok",
        database="ok" if database_ok else "unreachable",
        guides={language: len(guides) for language, guides in library.guides.items()},
    )
