"""/healthz tells the truth (issue 11, item 6): 200 only when the database takes a real write;
503 with the reason when it cannot (its folder or file gone, read-only, locked past the wait,
PostgreSQL unreachable or read-only), on SQLite and PostgreSQL; never a 500, never a traceback."""

import os
import shutil
import sqlite3

import pytest
import sqlalchemy as sa

from guide import create_app, db
from tests.conftest import FIXTURE_CONTENT

from .conftest import HOURS, PostgresCluster, need_postgres
from .test_faults import make_read_only, make_writable


def make_app(url: str, state_dir):
    return create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": FIXTURE_CONTENT,
            "DATABASE_URL": url,
            "TALLIES_FLUSH_SECONDS": HOURS,
            "TALLIES_STATE_DIR": str(state_dir),
        }
    )


def health(app) -> tuple[int, str]:
    response = app.test_client().get("/healthz")
    assert response.is_json and "Traceback" not in response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == ("ok" if response.status_code == 200 else "unavailable")
    return response.status_code, body["database"]


def admin_engine(url: str) -> sa.Engine:
    """The PostgreSQL cluster's own database, to change the test's database from outside."""
    parsed = sa.engine.make_url(url.replace("postgresql://", "postgresql+psycopg://"))
    return sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")


def test_healthz_is_200_when_the_database_takes_a_write(database_url, tmp_path):
    app = make_app(database_url, tmp_path)
    assert health(app) == (200, "ok")
    assert health(app) == (200, "ok")


def test_healthz_says_locked_when_a_write_waits_past_its_bound(database_url, tmp_path, monkeypatch):
    monkeypatch.setattr(db, "LOCK_WAIT_MS", 200)  # before the engine is made: SQLite's busy timeout
    app = make_app(database_url, tmp_path)
    assert health(app) == (200, "ok")
    holder = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://")).connect()
    if holder.dialect.name == "sqlite":
        holder.exec_driver_sql("BEGIN IMMEDIATE")
        holder.exec_driver_sql("UPDATE alembic_version SET version_num = version_num")
    else:
        holder.exec_driver_sql("LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE")
    try:
        assert health(app) == (503, "locked")
    finally:
        holder.rollback()
        holder.close()
        holder.engine.dispose()
    assert health(app) == (200, "ok")


def test_healthz_says_missing_when_the_folder_of_the_database_is_gone(tmp_path):
    folder = tmp_path / "instance"
    app = make_app(f"sqlite:///{folder / 'guide.sqlite3'}", folder)
    assert health(app) == (200, "ok")
    shutil.rmtree(folder)
    assert health(app) == (503, "missing")
    assert not folder.exists()  # the check made nothing anew


def test_healthz_says_missing_when_the_file_is_gone_while_held_open(tmp_path):
    path = tmp_path / "guide.sqlite3"
    app = make_app(f"sqlite:///{path}", tmp_path)
    assert health(app) == (200, "ok")  # a connection to the file is now in the pool
    for name in ("guide.sqlite3", "guide.sqlite3-wal", "guide.sqlite3-shm"):
        if (tmp_path / name).exists():
            os.unlink(tmp_path / name)
    assert health(app) == (503, "missing")
    assert not path.exists()  # not an empty database made in its place


def test_healthz_says_read_only_for_a_read_only_file(tmp_path):
    path = tmp_path / "guide.sqlite3"
    url = f"sqlite:///{path}"
    app = make_app(url, tmp_path)
    assert health(app) == (200, "ok")
    db.engine_for(url).dispose()
    with sqlite3.connect(path) as connection:  # the write-ahead log folded in, so the file alone is the database
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    make_read_only(path)
    try:
        assert health(app) == (503, "read-only")
    finally:
        make_writable(path)
    db.engine_for(url).dispose()
    assert health(app) == (200, "ok")


@pytest.mark.postgres
def test_healthz_says_read_only_for_a_read_only_postgresql(postgres_url, tmp_path):
    app = make_app(postgres_url, tmp_path)
    assert health(app) == (200, "ok")
    name = sa.engine.make_url(postgres_url).database
    admin = admin_engine(postgres_url)
    with admin.connect() as connection:
        connection.exec_driver_sql(f"ALTER DATABASE {name} SET default_transaction_read_only = on")
    db.engine_for(postgres_url).dispose()  # new sessions take the database's setting
    try:
        assert health(app) == (503, "read-only")
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"ALTER DATABASE {name} SET default_transaction_read_only = off")
        admin.dispose()
    db.engine_for(postgres_url).dispose()
    assert health(app) == (200, "ok")


@pytest.mark.postgres
@pytest.mark.slow
def test_healthz_says_unreachable_while_postgresql_is_stopped(tmp_path):
    cluster = PostgresCluster(need_postgres())  # its own: this test stops it
    try:
        app = make_app(cluster.new_database(), tmp_path)
        assert health(app) == (200, "ok")
        cluster.stop()
        assert health(app) == (503, "unreachable")
        assert health(app) == (503, "unreachable")
        cluster.start()
        assert health(app) == (200, "ok")
    finally:
        cluster.remove()
