"""What the dashboard's pages show, gathered without a request: plain functions over a connection
(guide/dashboard/gathering.py)."""

import datetime as dt

from guide.dashboard import figures, gathering, monthly

from .conftest import TODAY, add_tallies

PORTAL = frozenset({"cong-dvc-quoc-gia"})
LAST_30_DAYS = figures.DateRange(TODAY - dt.timedelta(days=29), TODAY)


def gathered(app, gather, *args, **kwargs):
    with app.app_context(), figures.reading() as connection:
        return gather(connection, *args, **kwargs)


def test_the_district_is_every_commune_named_and_sorted_as_asked(dashboard_app):
    communes = dashboard_app.extensions["guide.registry"].communes
    add_tallies(dashboard_app, [(TODAY, "ea-na", "visitors", "", "", 40), (TODAY, "dur-kmal", "visitors", "", "", 10)])
    found = gathered(
        dashboard_app,
        gathering.district,
        LAST_30_DAYS,
        communes,
        PORTAL,
        name_filter="",
        column="visitors",
        descending=True,
    )
    assert [row.now.slug for row in found.rows] == ["ea-na", "dur-kmal", "krong-ana"]
    by_name = gathered(
        dashboard_app,
        gathering.district,
        LAST_30_DAYS,
        communes,
        PORTAL,
        name_filter="",
        column="name",
        descending=False,
    )
    assert [row.now.name for row in by_name.rows] == ["Dur Kmăl", "Ea Na", "Krông Ana"]
    assert [row.now.slug for row in gathering.named(found.rows, "KMĂL")] == ["dur-kmal"]  # accents and case aside
    assert gathering.named(found.rows, "") == found.rows


def test_a_commune_has_its_days_tops_reasons_and_the_medians(dashboard_app):
    communes = dashboard_app.extensions["guide.registry"].communes
    add_tallies(
        dashboard_app,
        [
            (TODAY, "ea-na", "visitors", "", "", 40),
            (TODAY, "ea-na", "view", "dang-ky-khai-sinh", "", 9),
            (TODAY, "ea-na", "outbound", "cong-dvc-quoc-gia", "", 4),
            (TODAY, "ea-na", "useful_reason", "guide:x", "hard", 2),
            (TODAY, "dur-kmal", "visitors", "", "", 10),
        ],
    )
    found = gathered(dashboard_app, gathering.commune, "ea-na", LAST_30_DAYS, communes, PORTAL, TODAY)
    assert len(found.days) == 30 and found.days[-1][0] == TODAY and found.days[-1][1].visitors == 40
    assert found.mine.now.slug == "ea-na" and found.mine.now.portal == 4
    assert found.top_guides == [("dang-ky-khai-sinh", 9)] and found.not_useful == {"hard": 2}
    assert set(found.medians) == set(gathering.REPORTED) and found.medians["visitors"] == 10  # of 40, 10 and 0
    assert found.months == [] and found.own_target is None  # nothing imported, no target set


def test_the_monthly_report_of_the_province_adds_up_and_of_a_commune_is_its_own(dashboard_app):
    communes = dashboard_app.extensions["guide.registry"].communes
    month, _ok = figures.parse_month(TODAY, None)
    before = figures.month_range(monthly.months_back(month.start, 1), TODAY)
    add_tallies(
        dashboard_app,
        [(month.start, "ea-na", "visitors", "", "", 30), (month.start, "dur-kmal", "visitors", "", "", 5)],
    )
    province = gathered(dashboard_app, gathering.report, None, month, before, communes, PORTAL)
    assert province.shown.now.visitors == 35 and province.shown.before.visitors == 0 and province.advice
    assert all(row.flags for row in province.flagged)
    commune = gathered(dashboard_app, gathering.report, "ea-na", month, before, communes, PORTAL)
    assert commune.shown.now.slug == "ea-na" and commune.shown.now.visitors == 30 and commune.flagged == []


def test_months_back_is_the_first_day_of_an_earlier_month():
    assert monthly.months_back(dt.date(2026, 1, 15), 1) == dt.date(2025, 12, 1)
    assert monthly.months_back(dt.date(2026, 3, 31), 11) == dt.date(2025, 4, 1)
    assert monthly.months_back(dt.date(2026, 3, 31), 0) == dt.date(2026, 3, 1)
