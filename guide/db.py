"""The database: SQLite in the instance folder by default, PostgreSQL when GUIDE_DATABASE_URL names one.

One engine per worker process, created on first use (so a forked gunicorn worker never shares its
parent's connections). SQLite gets WAL, a busy timeout and synchronous=NORMAL: several workers
write counters at once (../shared/reference/library-notes.md).

Two engines per process: `engine()` for reads and ordinary work, and `writer()` for short write
transactions that must give up quickly rather than hold up a page (the tallies): its SQLite
transactions begin IMMEDIATE (a read-then-write in a deferred transaction fails with "database is
locked" whatever the timeout) and every wait is bounded by WRITE_TIMEOUT_MS.

The schema: tables live on `metadata`; `create_schema()` makes a fresh database at the newest
version and brings an older one up to date with MIGRATIONS, under a lock, so several workers
starting at once do it once.
"""

import os
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app

metadata = sa.MetaData()
_engines: dict[tuple[int, str, bool], sa.Engine] = {}
_lock = threading.Lock()

SQLITE_BUSY_TIMEOUT_MS = 2000
WRITE_TIMEOUT_MS = 250
SQLITE_WRITER_BUSY_MS = 5  # see make_engine
PG_CONNECT_TIMEOUT_S = 2  # libpq's and psycopg's minimum
_SCHEMA_LOCK_KEY = 0x6775_6964  # any constant: the advisory lock PostgreSQL migrations run under

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
]


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None (PostgreSQL, in-memory)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def make_engine(url: str, *, writer: bool = False) -> sa.Engine:
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        # The writer waits for the write lock in _begin_immediate (below), not in SQLite's busy
        # handler: that one sleeps longer and longer (up to 100 ms a time) while others take the
        # lock, so under steady load a waiter can starve for its whole timeout.
        timeout_ms = SQLITE_WRITER_BUSY_MS if writer else SQLITE_BUSY_TIMEOUT_MS
        engine = sa.create_engine(url, connect_args={"timeout": timeout_ms / 1000, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _tune_sqlite(dbapi_connection, _record):
            if writer:
                dbapi_connection.isolation_level = None  # we say BEGIN ourselves, below
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={timeout_ms}")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        if writer:

            @sa.event.listens_for(engine, "begin")
            def _begin_immediate(connection):
                # Take the write lock now, trying every millisecond or so until WRITE_TIMEOUT_MS.
                deadline = time.monotonic() + WRITE_TIMEOUT_MS / 1000
                while True:
                    try:
                        connection.exec_driver_sql("BEGIN IMMEDIATE")
                        return
                    except sa.exc.OperationalError as error:
                        if "locked" not in str(error) or time.monotonic() >= deadline:
                            raise
                    time.sleep(random.uniform(0.0005, 0.0015))

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    connect_args = {"connect_timeout": PG_CONNECT_TIMEOUT_S}
    if writer:
        # A statement or a row lock that takes longer than this fails, and the caller gives up.
        connect_args["options"] = f"-c statement_timeout={WRITE_TIMEOUT_MS} -c lock_timeout={WRITE_TIMEOUT_MS}"
    return sa.create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=2, connect_args=connect_args)


def engine_for(url: str, *, writer: bool = False) -> sa.Engine:
    """This process's engine for a database URL (made on first use, kept for the process's life)."""
    key = (os.getpid(), url, writer)
    with _lock:
        if key not in _engines:
            _engines[key] = make_engine(url, writer=writer)
        return _engines[key]


def engine() -> sa.Engine:
    """This process's engine for the app's database."""
    return engine_for(current_app.config["DATABASE_URL"])


def writer() -> sa.Engine:
    """This process's engine for short write transactions that give up within WRITE_TIMEOUT_MS."""
    return engine_for(current_app.config["DATABASE_URL"], writer=True)


def ping() -> bool:
    try:
        with engine().connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return True
    except Exception:  # any failure means "not reachable"; /healthz reports it, never raises
        current_app.logger.warning("database not reachable", exc_info=True)
        return False


def create_schema(bind: sa.Engine | None = None) -> int:
    """Create the tables, or bring them up to date; safe to run again, and from several processes
    at once. Returns the schema version."""
    bind = bind if bind is not None else writer()
    newest = len(MIGRATIONS)
    # The writer's transactions hold the write lock from their start on SQLite (BEGIN IMMEDIATE);
    # PostgreSQL gets an advisory lock: either way one process at a time from here.
    with bind.begin() as connection:
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
        print(f"database ready (schema version {version}): {sa.engine.make_url(app.config['DATABASE_URL']).render_as_string(hide_password=True)}")
