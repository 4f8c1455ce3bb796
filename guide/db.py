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

The schema: tables live on `metadata`; Alembic migrates the database (guide/migrations/;
`flask db-revision` writes a new revision). `create_schema()` runs `alembic upgrade head` under a lock, so
several workers starting at once do it once; a database made before Alembic (its `schema_version`
table) is taken over by the baseline revision.
"""

import os
import threading
from pathlib import Path

import click
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Flask, current_app

metadata = sa.MetaData()
_engines: dict[tuple[int, str], sa.Engine] = {}
_lock = threading.Lock()
# Alembic keeps its running context in module globals (alembic.context, alembic.op): one upgrade at
# a time in this process, whatever the database (the tallies' writer thread makes its schema too).
_upgrading = threading.Lock()

# How long a write waits for another's lock before it fails: SQLite's busy timeout, on every
# connection; on PostgreSQL the tallies' writer bounds its own transactions by it.
LOCK_WAIT_MS = 5000
PG_CONNECT_TIMEOUT_S = 2  # libpq's and psycopg's minimum
_SCHEMA_LOCK_KEY = 0x6775_6964  # any constant: the advisory lock PostgreSQL migrations run under
_IMMEDIATE = "guide_begin_immediate"  # an execution option our SQLite "begin" listener reads

# Alembic's scripts ship inside the package (pyproject.toml's package-data), beside the code whose
# tables they make. Alembic itself, not Flask-Migrate: that wraps Flask-SQLAlchemy's `db` object,
# and this app uses SQLAlchemy Core's `metadata` with an engine of its own.
MIGRATIONS = Path(__file__).parent / "migrations"

# Alembic's own table: the revision the database is at. Off `metadata` (Alembic makes it). The
# health check's write that changes nothing updates it (guide/tallies/writer.py, `database_state`).
alembic_version = sa.Table(
    "alembic_version",
    sa.MetaData(),
    sa.Column("version_num", sa.String(32), primary_key=True, key="version"),
)


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


def create_schema(bind: sa.Engine | None = None) -> str:
    """Create the tables, or bring them up to date (`alembic upgrade head`); safe to run again, and
    from several processes at once. Returns the revision the database is at."""
    bind = bind if bind is not None else engine()
    config = alembic_config()
    # One process at a time from here: SQLite's write lock, taken at BEGIN; PostgreSQL's advisory
    # lock. Alembic runs in this transaction (env.py), so a failed upgrade leaves nothing half done.
    with _upgrading, begin_immediate(bind) as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_SCHEMA_LOCK_KEY)))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        return connection.execute(sa.select(alembic_version.c.version)).scalar_one()


def alembic_config(url: str | None = None) -> Config:
    """Alembic's configuration, made in code (there is no alembic.ini): where the scripts are, and
    the database for commands that connect themselves (`flask db-revision`)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(rev)s")  # 0002_what_it_does.py: the revision id says it all
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def made_on(dialect: str):
    """Autogenerate's filter (include_object): an index made for one dialect only (`ddl_if`, as
    tally_by_commune_day is SQLite's, guide/tallies/store.py) is not missing from another's database."""

    def include(item, _name, kind, _reflected, _compare_to) -> bool:
        only_on = getattr(getattr(item, "_ddl_if", None), "dialect", None)  # where SQLAlchemy keeps ddl_if
        return kind != "index" or only_on in (None, dialect)

    return include


def head() -> str:
    """The newest revision in guide/migrations/versions/."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def init_app(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db_command():
        """Create the database tables, or bring them up to date (safe to run again)."""
        revision = create_schema()
        print(
            f"database ready (revision {revision}): "
            f"{sa.engine.make_url(app.config['DATABASE_URL']).render_as_string(hide_password=True)}"
        )

    @app.cli.command("db-revision")
    @click.argument("message")
    def db_revision_command(message: str):
        """Write the next revision into guide/migrations/versions/: what `metadata` has that the
        database (at the newest revision: run init-db first) lacks. Read it through before committing."""
        config = alembic_config(app.config["DATABASE_URL"])
        number = sum(1 for _ in ScriptDirectory.from_config(config).walk_revisions()) + 1
        slug = "_".join(message.lower().split())[:40]
        with _upgrading:  # Alembic's running context is global: not while a thread makes a schema
            script = command.revision(config, message=message, autogenerate=True, rev_id=f"{number:04d}_{slug}")
        print(f"written: {script.path}")
