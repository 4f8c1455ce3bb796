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


def make_app(url: str, state_dir=None):
    """The app, its background writes out of the way: only the tests' flush() writes. Its spool and
    markers in `state_dir` (a test's own folder), not the repository's instance folder."""
    config = {"TESTING": True, "CONTENT_DIR": FIXTURE_CONTENT, "DATABASE_URL": url, "TALLIES_FLUSH_SECONDS": HOURS}
    if state_dir is not None:
        config["TALLIES_STATE_DIR"] = str(state_dir)
    return create_app(config)


def get(client, url: str):
    return client.get(url, headers=PERSON)


def test_a_database_locked_by_another_connection(tmp_path, monkeypatch):
    monkeypatch.setattr(db, "LOCK_WAIT_MS", 200)  # a write gives up on the lock sooner
    path = tmp_path / "locked.sqlite3"
    app = make_app(f"sqlite:///{path}", tmp_path)
    client = app.test_client()
    assert client.get("/", headers=PERSON).status_code == 200
    assert recorder(app).flush()  # schema made, one view counted

    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # held for as long as the test likes
    try:
        assert get(client, "/xa/ea-na/").status_code == 200
        assert recorder(app).flush() is False
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json["database"] == "locked"
        assert health.json["tallies"] == {
            "enabled": True,
            "dropped": 0,  # kept for the next write, not dropped (issue 11, item 6)
            "dropped_by_reason": {},
            "last_error": "locked",
            "waiting": 1,  # the commune page's request, held unwritten: /healthz says counts are not written
            "lost_today": None,
        }
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert client.get("/", headers=PERSON).status_code == 200
    found = app_counters(app)
    assert found[("", "dropped", "locked", "", "")] == 0
    assert found[("", "view", "home", "", "vi")] == 2 and found[("ea-na", "view", "commune", "", "vi")] == 1
    assert client.get("/healthz").status_code == 200


def test_the_folder_of_the_database_gone(tmp_path):
    folder = tmp_path / "instance"
    app = make_app(f"sqlite:///{folder / 'guide.sqlite3'}", folder)
    client = app.test_client()
    assert client.get("/", headers=PERSON).status_code == 200
    assert recorder(app).flush()
    shutil.rmtree(folder)
    for _ in range(2):
        assert get(client, "/").status_code == 200
    assert recorder(app).flush() is False
    assert recorder(app).status() == {"dropped": 0, "dropped_by_reason": {}, "last_error": "missing", "waiting": 2}
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["database"] == "missing"
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
    app = make_app(url, tmp_path)
    client = app.test_client()
    assert client.get("/", headers=PERSON).status_code == 200
    assert recorder(app).flush()
    db.engine_for(url).dispose()  # the file is reopened, as by a restarted app
    make_read_only(path)
    try:
        assert get(client, "/xa/ea-na/").status_code == 200
        assert recorder(app).flush() is False
        assert recorder(app).status() == {
            "dropped": 0,  # kept for the next write (issue 11, item 6)
            "dropped_by_reason": {},
            "last_error": "read-only",
            "waiting": 1,
        }
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json["database"] == "read-only"
    finally:
        make_writable(path)
    # Writable again: found without a restart (issue 33: workers stayed "read-only" until one).
    assert client.get("/healthz").status_code == 200
    assert recorder(app).flush()
    assert recorder(app).status()["last_error"] is None
    assert app_counters(app)[("ea-na", "view", "commune", "", "vi")] == 1


@pytest.mark.postgres
@pytest.mark.slow
def test_postgresql_down_and_back(tmp_path):
    cluster = PostgresCluster(need_postgres())  # its own: this test stops it
    try:
        app = make_app(cluster.new_database(), tmp_path)
        client = app.test_client()
        assert client.get("/", headers=PERSON).status_code == 200
        assert recorder(app).flush()
        cluster.stop()
        assert get(client, "/xa/ea-na/").status_code == 200
        assert get(client, "/xa/ea-na/").status_code == 200
        assert recorder(app).flush() is False  # both in one write, kept together
        assert recorder(app).status()["dropped_by_reason"] == {}
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json["database"] == "unreachable"

        cluster.start()
        assert client.get("/", headers=PERSON).status_code == 200
        assert recorder(app).flush()
        found = app_counters(app)
        assert found[("", "view", "home", "", "vi")] == 2 and found[("", "dropped", "unreachable", "", "")] == 0
        assert found[("ea-na", "view", "commune", "", "vi")] == 2  # written when it came back, once
        assert client.get("/healthz").status_code == 200
    finally:
        cluster.remove()


@pytest.mark.postgres
def test_postgresql_never_there(tmp_path):
    need_postgres()  # same rules as the other PostgreSQL tests, though no server is started
    app = make_app(f"postgresql://postgres@127.0.0.1:{free_port()}/guide", tmp_path)
    assert get(app.test_client(), "/").status_code == 200
    assert recorder(app).flush() is False
    assert recorder(app).status()["dropped_by_reason"] == {}  # kept, for when it comes
    assert recorder(app).status()["last_error"] == "unreachable"
    health = app.test_client().get("/healthz")
    assert health.status_code == 503 and health.json["database"] == "unreachable"
