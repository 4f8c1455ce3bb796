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

from collections import Counter

from flask import current_app, jsonify

from . import db, tallies
from .prefixes import Blueprint
from .tallies.store import losses, requests_lost

bp = Blueprint("health", __name__)


@bp.route("/healthz", localized=False)
def healthz():
    recorder = tallies.recorder()
    try:
        database = recorder.database_state() if recorder is not None else "error"
        lost = recorder.status() if recorder is not None else {}
        if recorder is not None:  # read only from a database that answers, which a write just showed
            lost["lost_today"] = lost_today(recorder) if database == "ok" else None
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


def lost_today(recorder) -> dict | None:
    """Today's losses as the database has them, from every process and server (a killed worker's
    among them, once another has written them); None when they cannot be read."""
    day = recorder.today()
    try:
        with db.engine().connect() as connection:
            if connection.dialect.name == "postgresql":  # a lock never holds the health check long
                connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(db.LOCK_WAIT_MS)}")
            found = losses(connection, day, day).get(day, Counter())
    except Exception as error:
        current_app.logger.warning("healthz: could not read today's losses: %s", error)
        return None
    return {"day": day.isoformat(), "requests": requests_lost(found), "by_reason": dict(found)}
