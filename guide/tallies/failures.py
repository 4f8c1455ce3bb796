"""Why a write of the tallies failed, as a short stable name (locked, read-only, missing,
unreachable or error): from the driver's error class or code, never its message, which changes with
versions and languages. The details go to the log; /healthz and the `dropped` counters show these
names, and the `Recorder` keeps the counts of a write that failed for a reason in KEPT_ON."""

import sqlite3

import psycopg
import sqlalchemy as sa
from psycopg import errors as pg

# Why a write failed that says the database is away, not that these counts are wrong: kept for the next write.
KEPT_ON = frozenset({"locked", "read-only", "missing", "unreachable"})


class DatabaseMissing(Exception):
    """The SQLite file is gone while we hold it open: writes would land in a deleted file."""


_SQLITE_REASONS = {
    sqlite3.SQLITE_BUSY: "locked",
    sqlite3.SQLITE_LOCKED: "locked",
    sqlite3.SQLITE_READONLY: "read-only",
    sqlite3.SQLITE_CANTOPEN: "missing",
}
_PG_REASONS = (
    ((pg.LockNotAvailable, pg.DeadlockDetected, pg.QueryCanceled), "locked"),  # lock_timeout, statement_timeout
    ((pg.ReadOnlySqlTransaction,), "read-only"),
    ((pg.ConnectionException, pg.AdminShutdown, pg.CrashShutdown, pg.CannotConnectNow), "unreachable"),
)


def reason_for(error: BaseException) -> str:
    """A short, stable name for why a write failed: locked, read-only, missing, unreachable or error."""
    if isinstance(error, (DatabaseMissing, FileNotFoundError)):  # (the folder of a SQLite file, on connecting)
        return "missing"
    if isinstance(error, PermissionError):
        return "read-only"
    cause = error.orig if isinstance(error, sa.exc.DBAPIError) else error
    if isinstance(cause, sqlite3.Error):
        code = getattr(cause, "sqlite_errorcode", None)
        return _SQLITE_REASONS.get(code & 0xFF, "error") if code is not None else "error"  # the primary code
    for classes, reason in _PG_REASONS:
        if isinstance(cause, classes):
            return reason
    if isinstance(cause, psycopg.OperationalError) and cause.sqlstate is None:
        return "unreachable"  # no answer from a server at all: refused, timed out, the line cut
    if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
        return "unreachable"
    return "error"
