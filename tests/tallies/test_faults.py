"""When the database cannot take a write (locked for longer than a write waits, read-only, its
folder gone, the server down), the page still answers 200 and the loss is counted: in memory for
/healthz, and in the table once the database answers again. No page touches the database
(test_buffered.py): here the recorder's flush, which the background thread would run a moment
later, meets the fault."""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from guide import create_app, db
from guide.tallies import recorder
from tests.conftest import FIXTURE_CONTENT

from .conftest import HOURS, ZALO_IN_APP, PostgresCluster, app_counters, free_port, need_postgres

PERSON = {"User-Agent": ZALO_IN_APP}


def make_app(url: str):
    """The app, its background writes out of the way: only the tests' flush() writes."""
    return create_app(
        {"TESTING": True, "CONTENT_DIR": FIXTURE_CONTENT, "DATABASE_URL": url, "TALLIES_FLUSH_SECONDS": HOURS}
    )


def get(client, url: str):
    return client.get(url, headers=PERSON)


def test_a_database_locked_by_another_connection(tmp_path, monkeypatch):
    monkeypatch.setattr(db, "LOCK_WAIT_MS", 200)  # a write gives up on the lock sooner
    path = tmp_path / "locked.sqlite3"
    app = make_app(f"sqlite:///{path}")
    client = app.test_client()
    assert client.get("/", headers=PERSON).status_code == 200
    assert recorder(app).flush()  # schema made, one view counted

    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # held for as long as the test likes
    try:
        assert get(client, "/xa/ea-na/").status_code == 200
        assert recorder(app).flush() is False
        assert client.get("/healthz").json["tallies"] == {
            "enabled": True,
            "dropped": 1,
            "dropped_by_reason": {"locked": 1},
            "last_error": "locked",
        }
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert client.get("/", headers=PERSON).status_code == 200
    found = app_counters(app)
    assert found[("", "dropped", "locked", "", "")] == 1
    assert found[("", "view", "home", "", "vi")] == 2 and found[("ea-na", "view", "commune", "", "vi")] == 0


def test_the_folder_of_the_database_gone(tmp_path):
    folder = tmp_path / "instance"
    app = make_app(f"sqlite:///{folder / 'guide.sqlite3'}")
    client = app.test_client()
    assert client.get("/", headers=PERSON).status_code == 200
    assert recorder(app).flush()
    shutil.rmtree(folder)
    for _ in range(2):
        assert get(client, "/").status_code == 200
    assert recorder(app).flush() is False
    assert recorder(app).status() == {"dropped": 2, "dropped_by_reason": {"missing": 2}, "last_error": "missing"}
    assert not folder.exists()  # nothing was written into a new, empty database behind anyone's back


def make_read_only(path: Path) -> None:
    """Root may write any file whatever its mode, so root makes it immutable instead."""
    if os.geteuid() == 0:
        made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
        if made.returncode != 0:  # a filesystem without the immutable flag (tmpfs, some overlays)
            pytest.skip(f"as root, a read-only file needs `chattr +i`, which failed here: {made.stderr.strip()}")
    else:
        path.chmod(0o444)


def make_writable(path: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(path)], check=False, capture_output=True)
    path.chmod(0o644)


def test_a_read_only_database_file(tmp_path):
    path = tmp_path / "guide.sqlite3"
    url = f"sqlite:///{path}"
    app = make_app(url)
    client = app.test_client()
    assert client.get("/", headers=PERSON).status_code == 200
    assert recorder(app).flush()
    db.engine_for(url).dispose()  # the file is reopened, as by a restarted app
    make_read_only(path)
    try:
        assert get(client, "/xa/ea-na/").status_code == 200
        assert recorder(app).flush() is False
        assert recorder(app).status() == {
            "dropped": 1,
            "dropped_by_reason": {"read-only": 1},
            "last_error": "read-only",
        }
    finally:
        make_writable(path)


@pytest.mark.postgres
@pytest.mark.slow
def test_postgresql_down_and_back():
    cluster = PostgresCluster(need_postgres())  # its own: this test stops it
    try:
        app = make_app(cluster.new_database())
        client = app.test_client()
        assert client.get("/", headers=PERSON).status_code == 200
        assert recorder(app).flush()
        cluster.stop()
        assert get(client, "/xa/ea-na/").status_code == 200
        assert get(client, "/xa/ea-na/").status_code == 200
        assert recorder(app).flush() is False  # both in one write, lost together
        assert recorder(app).status()["dropped_by_reason"] == {"unreachable": 2}
        assert client.get("/healthz").json["database"] == "unreachable"

        cluster.start()
        assert client.get("/", headers=PERSON).status_code == 200
        assert recorder(app).flush()
        found = app_counters(app)
        assert found[("", "view", "home", "", "vi")] == 2 and found[("", "dropped", "unreachable", "", "")] == 2
    finally:
        cluster.remove()


@pytest.mark.postgres
def test_postgresql_never_there():
    need_postgres()  # same rules as the other PostgreSQL tests, though no server is started
    app = make_app(f"postgresql://postgres@127.0.0.1:{free_port()}/guide")
    assert get(app.test_client(), "/").status_code == 200
    assert recorder(app).flush() is False
    assert recorder(app).status()["dropped_by_reason"] == {"unreachable": 1}
