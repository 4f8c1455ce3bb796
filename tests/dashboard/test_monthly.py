"""Dossier figures compared like with like: a calendar month beside the month before and a year
before, the province only over the same communes, shares in points, no figures never shown as 0."""

import datetime as dt

from guide.dashboard import figures, judge, monthly
from guide.dossiers import MonthShare, Totals

from ..conftest import check_page
from .test_summary import LAST_MONTH, import_dossiers

MONTH_BEFORE = monthly.months_back(LAST_MONTH, 1)


def moved(change: judge.Change | None):
    return None if change is None else (change.direction, round(change.amount, 6), change.points)


def month(first, **communes) -> monthly.Month:
    rows = [figures.Figures(slug, "", dossiers=Totals(*counts, False)) for slug, counts in communes.items()]
    return monthly.Month(first, figures.total(rows), frozenset(communes))


def test_months_are_compared_only_over_the_same_communes_and_shares_in_points():
    now = month(LAST_MONTH, a=(100, 30, 5), b=(100, 10, 5))
    same = month(MONTH_BEFORE, a=(100, 20, 10), b=(100, 10, 10))
    assert moved(now.change("online_share", same)) == ("up", 5.0, True)  # 20 % from 15 %: 5 points
    assert moved(now.change("postal_share", same)) == ("down", 5.0, True)  # a share, in points too
    assert moved(now.change("received", same)) == ("same", 0.0, False)
    fewer = month(MONTH_BEFORE, a=(100, 20, 10))
    assert now.change("received", fewer) is None  # 200 beside 100 would be a rise that never happened
    assert month(LAST_MONTH).figures.received is None  # no figures: not 0 dossiers


def test_monthly_changes_skip_a_missing_month():
    shares = [
        MonthShare(dt.date(2026, 8, 1), 100, 10, 5),
        MonthShare(dt.date(2026, 10, 1), 100, 30, 5),
        MonthShare(dt.date(2026, 11, 1), 100, 40, 5),
    ]
    changes = [moved(changed["online_share"]) for _month, changed in monthly.with_changes(shares)]
    assert changes == [None, None, ("up", 10.0, True)]  # October's month before is missing


def test_the_province_report_says_its_coverage_and_does_not_compare_other_communes(
    district_client, dashboard_app, tmp_path
):
    import_dossiers(
        dashboard_app,
        tmp_path,
        f"ea-na,{LAST_MONTH:%Y-%m},100,10,5\ndur-kmal,{LAST_MONTH:%Y-%m},100,40,5\n"
        + "".join(f"{slug},{MONTH_BEFORE:%Y-%m},100,20,5\n" for slug in ("ea-na", "dur-kmal", "krong-ana")),
    )
    report = check_page(district_client.get("/thong-ke/bao-cao").get_data(as_text=True), "province report")
    assert "2 / 3 xã có số liệu tháng này." in report.select_one(".coverage").get_text(" ", strip=True)
    received = next(
        tr for tr in report.select("table.dossier-months tbody tr") if tr.th.get_text() == "Hồ sơ tiếp nhận"
    )
    cells = [td.get_text(" ", strip=True) for td in received.find_all("td")]
    assert cells == ["200", "không so được: khi đó 3 xã có số liệu", "không có số liệu"]

    commune = check_page(district_client.get("/thong-ke/xa/krong-ana/bao-cao").get_data(as_text=True), "no figures")
    assert f"Chưa có số liệu hồ sơ tháng {LAST_MONTH:%m/%Y}." in commune.select_one(".coverage").get_text()
    assert not commune.select("table.dossier-months")  # no table of zeros
    assert "Người truy cập trên 1.000 dân" not in commune.get_text()  # no population either month: no row


def test_over_a_window_of_days_the_online_share_has_no_change_beside_it(district_client, dashboard_app, tmp_path):
    import_dossiers(
        dashboard_app, tmp_path, f"ea-na,{LAST_MONTH:%Y-%m},100,10,5\nea-na,{MONTH_BEFORE:%Y-%m},100,50,5\n"
    )
    page = check_page(district_client.get("/thong-ke/?ky=90").get_data(as_text=True), "window")
    ea_na = next(tr for tr in page.select("tbody tr") if tr.th.get_text(strip=True) == "Ea Na")
    assert ea_na.select_one("td.online_share").get_text(" ", strip=True).startswith("Nộp trực tuyến 30%")
    assert not ea_na.select_one("td.online_share .change")  # the same months' figures against themselves: none
