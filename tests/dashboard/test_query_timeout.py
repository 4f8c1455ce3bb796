"""A dashboard query held up on PostgreSQL is cancelled after its bound, and the officer gets the
"try again" page (503), not a worker held for as long as the lock lasts."""

import pytest
import sqlalchemy as sa

from guide import create_app, db
from guide.dashboard import figures, users
from tests.conftest import FIXTURE_CONTENT
from tests.tallies.conftest import postgres_cluster, postgres_url  # noqa: F401 (fixtures)

from .conftest import sign_in


@pytest.mark.postgres
def test_a_query_held_up_by_a_lock_is_cancelled_and_the_page_says_try_again(postgres_url, monkeypatch):  # noqa: F811
    app = create_app({"TESTING": True, "CONTENT_DIR": FIXTURE_CONTENT, "DATABASE_URL": postgres_url})
    with app.app_context():
        db.create_schema()
        users.add("huyen", "mat-khau-du-dai", "district", None)
    client = app.test_client()
    assert sign_in(client, "huyen", "mat-khau-du-dai").status_code == 303
    assert client.get("/thong-ke/").status_code == 200
    monkeypatch.setattr(figures, "QUERY_TIMEOUT_MS", 300)
    holder = sa.create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://"))
    with holder.connect() as locking:
        locking.exec_driver_sql("LOCK TABLE tally IN ACCESS EXCLUSIVE MODE")  # held until this block ends
        held = client.get("/thong-ke/")
    holder.dispose()
    assert held.status_code == 503 and held.headers["Cache-Control"] == "no-store"
    assert "thử lại" in held.get_data(as_text=True).lower()
    assert client.get("/thong-ke/").status_code == 200  # the lock gone, the page is back
