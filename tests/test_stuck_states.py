"""Issue 33, "stuck states", retried: a sign-out the database could not write cleared the browser's
cookie while a copy still opened the dashboard; a worker kept a once read-only SQLite read-only
until a restart (tests/tallies/test_faults.py); a lock on the users table held a staff request 24 s;
/healthz said ok while the tallies' table was locked; last_error stayed after recovery
(tests/tallies/test_durable.py, test_store.py)."""

import pytest
import sqlalchemy as sa

from guide import create_app, db
from guide.dashboard import users

from .conftest import FIXTURE_CONTENT, TEST_CONFIG
from .dashboard.conftest import sign_in
from .tallies.conftest import postgres_cluster, postgres_url  # noqa: F401 (fixtures)
from .tallies.test_faults import make_read_only, make_writable

OFFICER = ("huyen", "mat-khau-du-dai")


def officer_app(url: str):
    app = create_app({**TEST_CONFIG, "CONTENT_DIR": FIXTURE_CONTENT, "DATABASE_URL": url})
    with app.app_context():
        db.create_schema()
        users.add(*OFFICER, "district", None)
    return app


def csrf_token(client) -> str:
    page = client.get("/thong-ke/").get_data(as_text=True)
    return page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


def test_a_sign_out_the_database_cannot_write_fails_visibly_and_a_copied_cookie_ends_with_the_next(tmp_path):
    path = tmp_path / "guide.sqlite3"
    url = f"sqlite:///{path}"
    app = officer_app(url)
    officer = app.test_client()
    assert sign_in(officer, *OFFICER).status_code == 303
    thief = app.test_client()
    thief.set_cookie("session", officer.get_cookie("session").value)
    token = csrf_token(officer)
    db.engine_for(url).dispose()  # the file is reopened, as by a restarted app
    make_read_only(path)
    try:
        refused = officer.post("/thong-ke/dang-xuat", data={"csrf_token": token})
        assert refused.status_code == 503 and "thử lại" in refused.get_data(as_text=True).lower()
        assert officer.get("/thong-ke/").status_code == 200  # not signed out, and the officer was told so
    finally:
        make_writable(path)
    db.engine_for(url).dispose()
    assert officer.post("/thong-ke/dang-xuat", data={"csrf_token": token}).status_code == 303
    assert thief.get("/thong-ke/").status_code == 302  # the copy ended with the sign-out that was written


@pytest.mark.postgres
def test_a_lock_on_the_users_table_is_waited_out_briefly_then_the_staff_page_says_try_again(
    postgres_url,  # noqa: F811
    monkeypatch,
):
    app = officer_app(postgres_url)
    client = app.test_client()
    assert sign_in(client, *OFFICER).status_code == 303
    monkeypatch.setattr(db, "LOCK_WAIT_MS", 500)
    holder = sa.create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://"))
    with holder.connect() as locking:
        # The server ends the holder's session after 20 s idle: a request that waited for the lock
        # instead of giving up at the bound would get it then, and answer 200, not 503.
        locking.exec_driver_sql("SET idle_in_transaction_session_timeout = '20s'")
        locking.exec_driver_sql("LOCK TABLE dashboard_user IN ACCESS EXCLUSIVE MODE")
        held = client.get("/thong-ke/")
    holder.dispose()
    assert held.status_code == 503
    assert client.get("/thong-ke/").status_code == 200  # the lock gone, the page is back


@pytest.mark.postgres
def test_healthz_says_when_the_tallies_table_alone_is_locked(postgres_url, monkeypatch):  # noqa: F811
    app = officer_app(postgres_url)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    monkeypatch.setattr(db, "LOCK_WAIT_MS", 500)
    holder = sa.create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://"))
    with holder.connect() as locking:
        locking.exec_driver_sql("LOCK TABLE tally IN SHARE MODE")  # no count can be written; other tables can
        health = client.get("/healthz")
    holder.dispose()
    assert health.status_code == 503 and health.json["database"] == "locked"
    assert client.get("/healthz").status_code == 200
