"""The database: SQLite in the instance folder by default, PostgreSQL when GUIDE_DATABASE_URL names one.

One engine per worker process, created on first use (so a forked gunicorn worker never shares its
parent's connections). SQLite gets WAL, a busy timeout and synchronous=NORMAL: several workers
write counters at once (../shared/reference/library-notes.md).
"""

import os
import threading
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app

metadata = sa.MetaData()
_engines: dict[tuple[int, str], sa.Engine] = {}
_lock = threading.Lock()

SQLITE_BUSY_TIMEOUT_MS = 2000


def make_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _tune_sqlite(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return sa.create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=2, connect_args={"connect_timeout": 2})


def engine() -> sa.Engine:
    """This process's engine for the app's database."""
    url = current_app.config["DATABASE_URL"]
    key = (os.getpid(), url)
    with _lock:
        if key not in _engines:
            _engines[key] = make_engine(url)
        return _engines[key]


def ping() -> bool:
    try:
        with engine().connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return True
    except Exception:  # any failure means "not reachable"; /healthz reports it, never raises
        current_app.logger.warning("database not reachable", exc_info=True)
        return False


def create_schema() -> None:
    metadata.create_all(engine())


def init_app(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db_command():
        """Create the database tables (safe to run again)."""
        create_schema()
        print(f"database ready: {sa.engine.make_url(app.config['DATABASE_URL']).render_as_string(hide_password=True)}")
