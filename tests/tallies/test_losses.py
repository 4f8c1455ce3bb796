"""Issue 33, "losses are under-reported": a killed worker's loss was counted as a guess (3 where 82
were lost; tests/test_deploy.py now kills one under load and finds them all), /healthz said 0 on
every server, and the dashboard said nothing. Now /healthz tells today's losses as the database has
them, from every worker, and the province dashboard has one line per day of the last 30 with any."""

import pytest
import sqlalchemy as sa

from guide import db
from guide.clock import today
from guide.dashboard import users
from guide.tallies.store import tally

from ..dashboard.conftest import sign_in


@pytest.fixture
def province(fixture_app_per_test):
    with fixture_app_per_test.app_context():
        db.create_schema()
        users.add("huyen", "mat-khau-du-dai", "district", None)
    return fixture_app_per_test


def add_losses(app, day, **reasons):
    with app.app_context(), db.engine().begin() as connection:
        connection.execute(
            sa.insert(tally),
            [
                {
                    "day": day,
                    "commune": "",
                    "kind": "dropped",
                    "subject": reason.replace("_", "-"),
                    "source": "",
                    "locale": "",
                    "count": n,
                }
                for reason, n in reasons.items()
            ],
        )


def test_the_province_dashboard_tells_of_lost_visits_in_one_line(province):
    district_client = province.test_client()
    assert sign_in(district_client, "huyen", "mat-khau-du-dai").status_code == 303
    page = district_client.get("/thong-ke/").get_data(as_text=True)
    assert "không ghi được" not in page  # nothing lost: no line
    day = today()
    add_losses(province, day, killed=82, killed_processes=1, visitors_unwritten=1)
    page = district_client.get("/thong-ke/").get_data(as_text=True)
    assert f"82 lượt truy cập không ghi được ngày {day:%d/%m/%Y}." in page  # requests, not processes
    assert page.count('id="tallies-lost"') == 1


def test_healthz_tells_todays_losses_from_every_worker(province):
    add_losses(province, today(), killed=82, killed_processes=1, locked=4)
    tallies = province.test_client().get("/healthz").json["tallies"]
    assert tallies["dropped"] == 0  # this worker lost nothing itself
    assert tallies["lost_today"] == {
        "day": today().isoformat(),
        "requests": 86,
        "by_reason": {"killed": 82, "killed-processes": 1, "locked": 4},
    }
