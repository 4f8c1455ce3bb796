"""The database: SQLite in the instance folder by default, PostgreSQL when GUIDE_DATABASE_URL names one.

One engine per process, for everything (the dashboard's reads and users, the tallies' writer
thread), made on first use so a forked gunicorn worker never shares its parent's connections.
SQLite gets WAL, synchronous=NORMAL and a busy timeout: several workers write counters at once
(../shared/reference/library-notes.md); and secure_delete, so that what is deleted (yesterday's salt
and visitor hashes) is overwritten with zeros rather than left in a free part of a page. Its
transactions are SQLite's own, begun by us (pysqlite's BEGIN handling is switched off, as
SQLAlchemy's pysqlite notes advise): BEGIN for most, BEGIN IMMEDIATE for those `begin_immediate`
opens, which read before they write: in a deferred transaction that fails with "database is
locked" whatever the timeout.

The schema: tables live on `metadata`; `create_schema()` makes a fresh database at the newest
version and brings an older one up to date with MIGRATIONS, under a lock, so several workers
starting at once do it once.
"""

import os
import threading
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app

metadata = sa.MetaData()
_engines: dict[tuple[int, str], sa.Engine] = {}
_lock = threading.Lock()

# How long a write waits for another's lock before it fails: SQLite's busy timeout, on every
# connection; on PostgreSQL the tallies' writer bounds its own transactions by it.
LOCK_WAIT_MS = 5000
PG_CONNECT_TIMEOUT_S = 2  # libpq's and psycopg's minimum
_SCHEMA_LOCK_KEY = 0x6775_6964  # any constant: the advisory lock PostgreSQL migrations run under
_IMMEDIATE = "guide_begin_immediate"  # an execution option our SQLite "begin" listener reads

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True),
)

# Changes to tables that already exist, in order: MIGRATIONS[n - 1] brings a database from version
# n - 1 to n. A fresh database gets every table from `metadata` as it is now and is stamped with
# the newest version, so a migration only ever has to change an older database. Append, never edit.
MIGRATIONS: list[Callable[[sa.Connection], None]] = [
    lambda connection: None,  # 1: the first schema (tally, visitor, salt; created from metadata)
    # 2: the dashboard's covering index on SQLite (guide/tallies/store.py says why)
    lambda connection: (
        connection.exec_driver_sql(
            'CREATE INDEX IF NOT EXISTS tally_by_what ON tally (commune, kind, subject, source, day, "count")'
        )
        if connection.dialect.name == "sqlite"
        else None
    ),
    # 3: dashboard users' sessions can be ended (guide/dashboard/users.py); the unused locked_until stays
    lambda connection: (
        connection.exec_driver_sql("ALTER TABLE dashboard_user ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0")
        if sa.inspect(connection).has_table("dashboard_user")
        else None
    ),
    # 4: the tallies' month sums, from the days counted so far (guide/tallies/store.py)
    lambda connection: _tally_store().rebuild_months(connection) if sa.inspect(connection).has_table("tally") else None,
    # 5: on SQLite, the dashboard's index by commune and day in place of 2's (guide/tallies/store.py says why)
    lambda connection: _index_by_commune_day(connection),
]


def _index_by_commune_day(connection: sa.Connection) -> None:
    if connection.dialect.name == "sqlite" and sa.inspect(connection).has_table("tally"):
        connection.exec_driver_sql("DROP INDEX IF EXISTS tally_by_what")
        connection.exec_driver_sql(
            'CREATE INDEX IF NOT EXISTS tally_by_commune_day ON tally (commune, day, kind, subject, source, "count")'
        )


def _tally_store():
    from .tallies import store  # here, not at the top: the tallies' tables are built on this module

    return store


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None (PostgreSQL, in-memory)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    if parsed.query.get("uri") == "true":  # sqlite:///file:/path?mode=ro&uri=true: SQLite's own URI form
        return Path(parsed.database.removeprefix("file:"))
    return Path(parsed.database)


def make_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        # `timeout` is pysqlite's name for SQLite's busy timeout.
        engine = sa.create_engine(url, connect_args={"timeout": LOCK_WAIT_MS / 1000, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _tune_sqlite(dbapi_connection, _record):
            dbapi_connection.isolation_level = None  # pysqlite says no BEGIN of its own: _begin says it
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA secure_delete=ON")  # a deleted row (yesterday's salt) is overwritten, not left
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(connection):
            connection.exec_driver_sql(
                "BEGIN IMMEDIATE" if connection.get_execution_options().get(_IMMEDIATE) else "BEGIN"
            )

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return sa.create_engine(
        url, pool_pre_ping=True, pool_size=2, max_overflow=2, connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S}
    )


def begin_immediate(bind: sa.Engine):
    """`bind.begin()` for a transaction that reads, then writes: on SQLite it takes the write lock
    at BEGIN (waiting for it up to the busy timeout), so its reads stay true until it commits.
    PostgreSQL's row locks need nothing of the sort."""
    return bind.execution_options(**{_IMMEDIATE: True}).begin()


def engine_for(url: str) -> sa.Engine:
    """This process's engine for a database URL (made on first use, kept for the process's life)."""
    key = (os.getpid(), url)
    with _lock:
        if key not in _engines:
            _engines[key] = make_engine(url)
        return _engines[key]


def engine() -> sa.Engine:
    """This process's engine for the app's database."""
    return engine_for(current_app.config["DATABASE_URL"])


def create_schema(bind: sa.Engine | None = None) -> int:
    """Create the tables, or bring them up to date; safe to run again, and from several processes
    at once. Returns the schema version."""
    bind = bind if bind is not None else engine()
    newest = len(MIGRATIONS)
    # One process at a time from here: SQLite's write lock, taken at BEGIN; PostgreSQL's advisory lock.
    with begin_immediate(bind) as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_SCHEMA_LOCK_KEY)))
        _migrate(connection, newest)
    return newest


def _migrate(connection: sa.Connection, newest: int) -> None:
    if sa.inspect(connection).has_table(schema_version.name):
        current = connection.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0
        for number in range(current + 1, newest + 1):
            MIGRATIONS[number - 1](connection)
            connection.execute(schema_version.insert().values(version=number))
    else:
        connection.execute(sa.schema.CreateTable(schema_version, if_not_exists=True))
        connection.execute(schema_version.insert().values(version=newest))
    # Tables added to `metadata` since (a new capability's) are simply created.
    metadata.create_all(connection, checkfirst=True)


def init_app(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db_command():
        """Create the database tables, or bring them up to date (safe to run again)."""
        version = create_schema()
        print(
            f"database ready (schema version {version}): "
            f"{sa.engine.make_url(app.config['DATABASE_URL']).render_as_string(hide_password=True)}"
        )
