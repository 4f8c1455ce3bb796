"""The database: SQLite in the instance folder by default, PostgreSQL when GUIDE_DATABASE_URL names one.

One engine per worker process, created on first use (so a forked gunicorn worker never shares its
parent's connections). SQLite gets WAL, a busy timeout and synchronous=NORMAL: several workers
write counters at once (../shared/reference/library-notes.md).

Two engines per process: `engine()` for reads and ordinary work, and `writer()` for short write
transactions that must give up quickly rather than hold up a page (the tallies): its SQLite
transactions begin IMMEDIATE (a read-then-write in a deferred transaction fails with "database is
locked" whatever the timeout) and every wait is bounded by WRITE_TIMEOUT_MS. `write_transaction`
and `Prepared` run such a transaction on the driver's connection, for the per-request hot path.

The schema: tables live on `metadata`; `create_schema()` makes a fresh database at the newest
version and brings an older one up to date with MIGRATIONS, under a lock, so several workers
starting at once do it once.
"""

import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app

metadata = sa.MetaData()
_engines: dict[tuple[int, str, bool], sa.Engine] = {}
_lock = threading.Lock()

SQLITE_BUSY_TIMEOUT_MS = 2000
WRITE_TIMEOUT_MS = 250
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
    # 2: the dashboard's covering index on SQLite (guide/tallies/store.py says why)
    lambda connection: (
        connection.exec_driver_sql(
            'CREATE INDEX IF NOT EXISTS tally_by_what ON tally (commune, kind, subject, source, day, "count")'
        )
        if connection.dialect.name == "sqlite"
        else None
    ),
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
        # Opening may wait for another process that is creating the file. After that the writer
        # waits for its write lock in _begin_immediate_within_bound, never in SQLite's busy
        # handler: that one sleeps a millisecond at least, then longer and longer (up to 100 ms a
        # time) while others take the lock, so under steady load a waiter can starve for its whole
        # timeout while the lock is free most of the time.
        open_wait_ms = WRITE_TIMEOUT_MS if writer else SQLITE_BUSY_TIMEOUT_MS
        busy_ms = 0 if writer else SQLITE_BUSY_TIMEOUT_MS
        # The writer always ends its transactions itself (write_transaction), so the pool need not.
        engine = sa.create_engine(
            url,
            connect_args={"timeout": open_wait_ms / 1000, "check_same_thread": False},
            pool_reset_on_return=None if writer else "rollback",
        )

        @sa.event.listens_for(engine, "connect")
        def _tune_sqlite(dbapi_connection, _record):
            if writer:
                dbapi_connection.isolation_level = None  # we say BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
            cursor.close()

        if writer:

            @sa.event.listens_for(engine, "begin")
            def _begin_immediate(connection):
                _begin_immediate_within_bound(connection.exec_driver_sql)

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    connect_args = {"connect_timeout": PG_CONNECT_TIMEOUT_S}
    if writer:
        # A statement or a row lock that takes longer than this fails, and the caller gives up.
        connect_args["options"] = f"-c statement_timeout={WRITE_TIMEOUT_MS} -c lock_timeout={WRITE_TIMEOUT_MS}"
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        pool_size=2,
        max_overflow=2,
        connect_args=connect_args,
        pool_reset_on_return=None if writer else "rollback",
    )


def _begin_immediate_within_bound(execute: Callable[[str], object]) -> None:
    """Take SQLite's write lock now, trying every millisecond or so until WRITE_TIMEOUT_MS."""
    deadline = time.monotonic() + WRITE_TIMEOUT_MS / 1000
    pause = 0.00005  # a transaction holds the lock for a tenth of a millisecond or so: look again soon
    while True:
        try:
            execute("BEGIN IMMEDIATE")
            return
        except (sa.exc.OperationalError, sqlite3.OperationalError) as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
        time.sleep(random.uniform(pause / 2, pause))
        pause = min(pause * 2, 0.002)


@contextmanager
def write_transaction(engine: sa.Engine) -> Iterator:
    """A DBAPI cursor in one short write transaction on a writer engine, committed at the end.

    For the hot path (a few counters per page view): SQLAlchemy's per-statement machinery costs
    several times what the statements do, so they run, as `Prepared`, on the pooled driver
    connection. On any error the transaction is rolled back and the connection thrown away."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        if engine.dialect.name == "sqlite":
            _begin_immediate_within_bound(cursor.execute)  # PostgreSQL's driver begins by itself
        yield cursor
        if engine.dialect.name == "sqlite":
            cursor.execute("COMMIT")  # the same, with less ceremony than sqlite3's commit()
        else:
            connection.commit()
    except BaseException:
        connection.invalidate()  # a broken or half-used connection is not worth keeping
        raise
    finally:
        connection.close()


class Prepared:
    """A Core statement compiled once for a dialect, then run on a DBAPI cursor with plain dicts
    (converted the way SQLAlchemy would: SQLite gets dates as ISO text, for instance)."""

    def __init__(self, statement, dialect: sa.Dialect):
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self.names = tuple(compiled.positiontup) if compiled.positional else None
        self.processors = {}
        for name, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.processors[name] = processor

    def parameters(self, values: dict):
        converted = {
            name: self.processors[name](value) if name in self.processors else value for name, value in values.items()
        }
        return tuple(converted[name] for name in self.names) if self.names is not None else converted

    def execute(self, cursor, values: dict):
        cursor.execute(self.sql, self.parameters(values))
        return cursor

    def execute_many(self, cursor, rows: list[dict]) -> None:
        cursor.executemany(self.sql, [self.parameters(row) for row in rows])


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
        print(
            f"database ready (schema version {version}): "
            f"{sa.engine.make_url(app.config['DATABASE_URL']).render_as_string(hide_password=True)}"
        )
