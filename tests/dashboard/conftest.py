import datetime as dt

import pytest
import sqlalchemy as sa

from guide import clock, db
from guide.dashboard import users
from guide.tallies.store import rebuild_months, tally

from ..conftest import check_page

# The day the tests' dates are counted from, all through a run. The dashboard asks clock.today() at
# each request: a run that passed midnight in the province would otherwise find what a test wrote
# for "today" in yesterday, and pass or fail by the second it ran in.
TODAY = clock.today()
LAST_MONTH = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@pytest.fixture(autouse=True)
def one_day_all_along(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def dashboard_app(fixture_app_per_test):
    """The fixture content's app with a district and a commune user, on a database of its own."""
    with fixture_app_per_test.app_context():
        db.create_schema()
        users.add("huyen", "mat-khau-du-dai", "district", None)
        users.add("eana", "mat-khau-cua-xa", "commune", "ea-na")
    return fixture_app_per_test


def add_tallies(app, rows):
    with app.app_context(), db.engine().begin() as connection:
        connection.execute(
            sa.insert(tally),
            [
                {
                    "day": day,
                    "commune": commune,
                    "kind": kind,
                    "subject": subject,
                    "source": source,
                    "locale": "vi",
                    "count": count,
                }
                for day, commune, kind, subject, source, count in rows
            ],
        )
        rebuild_months(connection)  # written straight into the days, as the demo does


def sign_in(client, name, password):
    page = client.get("/thong-ke/dang-nhap").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    return client.post("/thong-ke/dang-nhap", data={"csrf_token": token, "name": name, "password": password})


def refused(response, message: str = "Bạn không có quyền xem trang này") -> bool:
    """The one answer to someone signed in but not allowed: a 403 page that says so, never stored."""
    soup = check_page(response.get_data(as_text=True), response.request.path)
    return (
        response.status_code == 403
        and soup.h1.get_text(strip=True) == message
        and response.headers["Cache-Control"] == "no-store"
    )


@pytest.fixture
def district_client(dashboard_app):
    client = dashboard_app.test_client()
    assert sign_in(client, "huyen", "mat-khau-du-dai").status_code == 303
    return client


@pytest.fixture
def commune_client(dashboard_app):
    client = dashboard_app.test_client()
    assert sign_in(client, "eana", "mat-khau-cua-xa").status_code == 303
    return client
