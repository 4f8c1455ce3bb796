"""/healthz: is the app alive, and can its database be written (the site serves pages either way).

200 when a real write (one that changes nothing, `UPDATE alembic_version SET version_num = version_num`, in a
transaction that takes the write lock) succeeds; 503 when it cannot, with the reason in `database`:
"missing" (the SQLite file or its folder gone), "read-only", "locked" (past the wait a write allows),
"unreachable" (PostgreSQL), "error" (anything else; the log says what). Never a 500, never a
traceback: the details go to the log. Also, under `tallies`: what this worker process lost since it
started, and why (`dropped`, `dropped_by_reason`; counts kept for a later write while the database
is away are not lost, so not there), why its last write failed (`last_error`, None once a write
succeeds again), the requests it holds unwritten (`waiting`), and `lost_today`: today's losses as
the database has them, from every worker and server, a killed worker's among them.
"""

from flask import current_app, jsonify

from . import tallies
from .prefixes import Blueprint

bp = Blueprint("health", __name__)


@bp.route("/healthz", localized=False)
def healthz():
    recorder = tallies.recorder()
    try:
        database = recorder.database_state() if recorder is not None else "error"
        lost = recorder.status() if recorder is not None else {}
        if recorder is not None:  # read only from a database that answers, which a write just showed
            lost["lost_today"] = recorder.lost_today() if database == "ok" else None
    except Exception:  # database_state never raises; this is for anything else, never a 500
        current_app.logger.exception("healthz: could not check the database")
        database, lost = "error", {}
    library = current_app.extensions["guide.library"]
    return (
        jsonify(
            status="ok" if database == "ok" else "unavailable",
            database=database,
            guides={language: len(guides) for language, guides in library.guides.items()},
            tallies={"enabled": bool(current_app.config.get("TALLIES_ENABLED")), **lost},
        ),
        200 if database == "ok" else 503,
    )
