"""The dashboard judges: rates beside the previous period's, communes far behind the province's
median flagged in words, the inspection's online share beside the reach, and a monthly report."""

import datetime as dt

import pytest

from guide.dashboard import figures, judge

from ..conftest import check_page
from .conftest import TODAY, add_tallies, refused

LAST_PERIOD = TODAY - dt.timedelta(days=30)  # inside the 30 days before the default 30


def communes_with(**rates) -> list[figures.Figures]:
    rows = []
    for slug, (starts, outcomes) in rates.items():
        rows.append(figures.Figures(slug, slug, visitors=100, wizard_starts=starts, outcomes=outcomes))
    return rows


def test_the_previous_period_is_as_long_and_just_before():
    period = figures.DateRange(dt.date(2026, 3, 1), dt.date(2026, 3, 30))
    assert figures.previous(period) == figures.DateRange(dt.date(2026, 1, 30), dt.date(2026, 2, 28))


def test_a_count_moves_in_per_cent_and_a_rate_in_points():
    assert judge.change("visitors", 60, 40) == judge.Change("up", 50.0, False)
    assert judge.change("completion", 0.2, 0.5) == judge.Change("down", pytest.approx(30), True)
    assert judge.change("visitors", 40, 40).direction == "same"
    assert judge.change("visitors", 5, 0) is None  # from nothing: no percentage says anything
    assert judge.change("useful_share", 0.9, None) is None


def test_a_commune_far_below_the_median_is_flagged_and_only_where_enough_people_make_the_rate():
    rows = communes_with(a=(40, 20), b=(40, 22), c=(40, 18), d=(40, 4), e=(5, 0))
    judged = {row.now.slug: row for row in judge.judge(rows, [])}
    assert judged["d"].flags == ["completion"]  # 10 % where the median commune finishes 50 %
    assert judged["d"].reasons == ["Many start a wizard, few finish it"]
    assert judged["e"].flags == []  # 0 of 5: too few starts to judge
    assert not any(judged[slug].flags for slug in "abc")
    assert "counter" in judged["d"].advice and judged["a"].advice == str(judge.KEEP_GOING)


def test_found_useful_is_hidden_below_the_minimum_number_of_answers():
    few = figures.Figures("a", "a", useful_yes=figures.MIN_USEFUL_ANSWERS - 1)
    enough = figures.Figures("a", "a", useful_yes=figures.MIN_USEFUL_ANSWERS - 1, useful_no=1)
    assert few.useful_share is None and enough.useful_share == 0.9


def test_the_district_view_says_why_a_commune_needs_attention_and_how_each_figure_moved(district_client, dashboard_app):
    tallies = []
    for slug, outcomes in (("ea-na", 2), ("dur-kmal", 30), ("krong-ana", 25)):
        tallies += [
            (TODAY, slug, "visitors", "", "", 100),
            (TODAY, slug, "wizard_start", "thu-nghiem", "", 60),
            (TODAY, slug, "wizard_outcome", "thu-nghiem:toan-trinh", "", outcomes),
            (LAST_PERIOD, slug, "visitors", "", "", 50),
        ]
    add_tallies(dashboard_app, tallies)
    soup = check_page(district_client.get("/thong-ke/").get_data(as_text=True), "district, judged")
    rows = {tr.th.get_text(strip=True): tr for tr in soup.select("tbody tr")}
    assert rows["Ea Na"].select_one(".reasons").get_text(strip=True) == "Nhiều người bắt đầu, ít người hoàn thành"
    assert "flagged" in rows["Ea Na"]["class"] and not rows["Dur Kmăl"].get("class")
    visitors = rows["Dur Kmăl"].find_all("td")[0]  # the first column (no population: no reach per 1,000)
    assert visitors.select_one(".change").get_text(" ", strip=True) == "▲ tăng 100%"  # 100 now, 50 before


def test_imported_dossiers_show_on_the_commune_page_beside_the_reach(district_client, dashboard_app, tmp_path):
    months = [(TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)]
    months.insert(0, (months[0] - dt.timedelta(days=1)).replace(day=1))
    lines = ["commune,month,received,online,postal"]
    lines += [f"ea-na,{months[0]:%Y-%m},200,20,10", f"ea-na,{months[1]:%Y-%m},200,50,10"]
    (tmp_path / "dossiers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = dashboard_app.test_cli_runner().invoke(args=["dossiers", "import", str(tmp_path / "dossiers.csv")])
    assert result.exit_code == 0, result.output
    soup = check_page(district_client.get("/thong-ke/xa/ea-na?ky=90").get_data(as_text=True), "commune, dossiers")

    def rows_of(region: str) -> list[list[str]]:
        table = soup.find(attrs={"role": "region", "aria-label": region})
        return [
            [cell.get_text(" ", strip=True) for cell in tr.find_all(["th", "td"])] for tr in table.select("tbody tr")
        ]

    assert rows_of("Hồ sơ nộp trực tuyến và qua bưu chính") == [  # each month beside the calendar month before
        [f"{months[1]:%m/%Y}", "200 = không đổi", "25% ▲ tăng 15 điểm", "5% = không đổi"],
        [f"{months[0]:%m/%Y}", "200", "10%", "5%"],
    ]
    assert rows_of("Tháng mới nhất, so với tháng trước và cùng tháng năm trước") == [
        ["Hồ sơ tiếp nhận", "200", "= không đổi (200)", "không có số liệu"],
        ["Nộp trực tuyến", "25%", "▲ tăng 15 điểm (10%)", "không có số liệu"],
        ["Nộp qua bưu chính", "5%", "= không đổi (5%)", "không có số liệu"],
    ]
    assert soup.select_one("svg[aria-labelledby=chart-shares]")  # the share month by month
    district = check_page(district_client.get("/thong-ke/?ky=90").get_data(as_text=True), "district, dossiers")
    ea_na = next(tr for tr in district.select("tbody tr") if tr.th.get_text(strip=True) == "Ea Na")
    assert ea_na.select_one("td.online_share").get_text(" ", strip=True).startswith("Nộp trực tuyến 18%")  # 70 of 400


def test_the_monthly_reports_of_the_province_and_of_a_commune(district_client, dashboard_app, commune_client):
    last_month = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    month_before = (last_month - dt.timedelta(days=1)).replace(day=1)
    add_tallies(
        dashboard_app,
        [
            (last_month, "ea-na", "visitors", "", "", 30),
            (last_month, "ea-na", "view", "dang-ky-khai-sinh", "", 12),
            (month_before, "ea-na", "visitors", "", "", 20),
        ],
    )
    province = check_page(district_client.get("/thong-ke/bao-cao").get_data(as_text=True), "province report")
    assert province.h1.get_text(strip=True) == f"Báo cáo tháng {last_month:%m/%Y}: Tất cả các xã"
    first_row = [cell.get_text(" ", strip=True) for cell in province.select("tbody tr")[0].find_all(["th", "td"])]
    assert first_row == ["Người truy cập", "30", "20", "▲ tăng 50%"]
    assert province.select("ol li")[0].get_text().endswith(": 12") and province.find(string="Nên thử")
    commune = check_page(
        district_client.get(f"/thong-ke/xa/ea-na/bao-cao?thang={month_before:%Y-%m}").get_data(as_text=True),
        "commune report",
    )
    assert commune.h1.get_text(strip=True) == f"Báo cáo tháng {month_before:%m/%Y}: Xã Ea Na"
    bad = district_client.get("/thong-ke/bao-cao?thang=2026-13").get_data(as_text=True)
    assert "Không dùng được tháng này" in bad
    assert commune_client.get("/thong-ke/xa/ea-na/bao-cao").status_code == 200
    for url in ("/thong-ke/bao-cao", "/thong-ke/xa/dur-kmal/bao-cao"):  # the province's, another commune's
        assert refused(commune_client.get(url)), url
    assert district_client.get("/thong-ke/bao-cao").headers["Cache-Control"] == "no-store"


def csrf_token(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


def test_a_district_user_sets_targets_and_the_pages_show_progress(district_client, dashboard_app, tmp_path):
    last_month = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    (tmp_path / "dossiers.csv").write_text(
        f"commune,month,received,online,postal\nea-na,{last_month:%Y-%m},100,20,5\ndur-kmal,{last_month:%Y-%m},100,40,5\n",
        encoding="utf-8",
    )
    assert (
        dashboard_app.test_cli_runner().invoke(args=["dossiers", "import", str(tmp_path / "dossiers.csv")]).exit_code
        == 0
    )
    token = csrf_token(district_client, "/thong-ke/")
    response = district_client.post("/thong-ke/muc-tieu", data={"csrf_token": token, "commune": "", "percent": "30"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/thong-ke/")
    response = district_client.post(
        "/thong-ke/muc-tieu", data={"csrf_token": token, "commune": "ea-na", "percent": "25 %"}
    )
    assert response.headers["Location"].endswith("/thong-ke/xa/ea-na")

    soup = check_page(district_client.get("/thong-ke/?ky=90").get_data(as_text=True), "district, targets")
    targets_shown = {tr.th.get_text(strip=True): tr.select_one(".target") for tr in soup.select("tbody tr")}
    assert targets_shown["Ea Na"].get_text(strip=True) == "mục tiêu 25%"  # its own target
    assert (
        targets_shown["Dur Kmăl"].get_text(strip=True) == "mục tiêu 30%"
        and "reached" in targets_shown["Dur Kmăl"]["class"]
    )
    assert soup.select_one("#target-percent")["value"] == "30"
    commune = check_page(district_client.get("/thong-ke/xa/ea-na?ky=90").get_data(as_text=True), "commune, target")
    assert "Còn thiếu 5 điểm trong kỳ này." in commune.select_one(".target-line").get_text(" ", strip=True)

    response = district_client.post(
        "/thong-ke/muc-tieu", data={"csrf_token": token, "commune": "ea-na", "percent": "150"}
    )
    page = district_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mục tiêu là một số phần trăm nguyên từ 1 đến 100" in page  # said, and nothing changed
    assert "mục tiêu 25%" in district_client.get("/thong-ke/?ky=90").get_data(as_text=True)
    district_client.post("/thong-ke/muc-tieu", data={"csrf_token": token, "commune": "ea-na", "percent": ""})
    assert "mục tiêu 25%" not in district_client.get("/thong-ke/?ky=90").get_data(as_text=True)  # removed
    assert (
        district_client.post(
            "/thong-ke/muc-tieu", data={"csrf_token": token, "commune": "nowhere", "percent": "3"}
        ).status_code
        == 400
    )
    assert (
        district_client.post("/thong-ke/muc-tieu", data={"commune": "", "percent": "3"}).status_code == 400
    )  # no token


def test_a_commune_user_cannot_set_targets(commune_client):
    token = csrf_token(commune_client, "/thong-ke/xa/ea-na")
    response = commune_client.post(
        "/thong-ke/muc-tieu", data={"csrf_token": token, "commune": "ea-na", "percent": "90"}
    )
    assert refused(response)
    assert "target-percent" not in commune_client.get("/thong-ke/xa/ea-na").get_data(as_text=True)


def test_the_commune_page_says_why_readers_found_pages_not_useful(district_client, dashboard_app):
    add_tallies(
        dashboard_app,
        [
            (TODAY, "ea-na", "useful_reason", "guide:nop-qua-buu-dien", "missing", 4),
            (TODAY, "ea-na", "useful_reason", "wizard:thu-nghiem:toan-trinh", "missing", 1),
            (TODAY, "ea-na", "useful_reason", "guide:nop-qua-buu-dien", "hard", 2),
            (TODAY, "dur-kmal", "useful_reason", "guide:nop-qua-buu-dien", "wrong", 9),  # another commune's
        ],
    )
    soup = check_page(district_client.get("/thong-ke/xa/ea-na").get_data(as_text=True), "commune, reasons")
    heading = soup.find("h2", string="Vì sao người đọc thấy trang chưa hữu ích")
    rows = [
        [cell.get_text(strip=True) for cell in tr.find_all(["th", "td"])]
        for tr in heading.find_next("table").select("tr")
    ]
    assert [count for _label, count in rows] == ["2", "5", "0", "0"]  # hard, missing, wrong, other


def test_the_pages_render_with_csrf_switched_off_as_the_bench_runs_them(district_client, dashboard_app):
    dashboard_app.config["WTF_CSRF_ENABLED"] = False
    assert district_client.get("/thong-ke/").status_code == 200
    assert district_client.get("/thong-ke/xa/ea-na").status_code == 200
