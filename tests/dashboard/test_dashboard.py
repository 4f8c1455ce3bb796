"""The dashboard over HTTP: login with rate limits, who sees what, figures, sorting, ranges, CSV."""

import csv
import datetime as dt
import io

import openpyxl
import pytest

from guide.dashboard import figures, gathering, present, workbook

from ..conftest import check_page
from .conftest import TODAY, add_tallies, refused, sign_in


def test_the_dashboard_needs_a_login(dashboard_app):
    client = dashboard_app.test_client()
    for url in ["/thong-ke/", "/thong-ke/xa/ea-na", "/thong-ke/?format=csv"]:
        response = client.get(url)
        assert response.status_code == 302 and "/thong-ke/dang-nhap" in response.headers["Location"]


def test_login_page_and_a_wrong_password(dashboard_app):
    client = dashboard_app.test_client()
    check_page(client.get("/thong-ke/dang-nhap").get_data(as_text=True), "login")
    response = sign_in(client, "huyen", "sai")
    assert response.status_code == 200 and "Tên hoặc mật khẩu không đúng." in response.get_data(as_text=True)


def test_a_post_without_the_csrf_token_is_refused_politely(dashboard_app):
    response = dashboard_app.test_client().post(
        "/thong-ke/dang-nhap", data={"name": "huyen", "password": "mat-khau-du-dai"}
    )
    assert response.status_code == 200 and "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)


def test_five_tries_a_minute_from_one_computer_then_a_polite_wait(dashboard_app):
    client = dashboard_app.test_client()
    for _ in range(5):
        assert sign_in(client, "huyen", "sai").status_code == 200
    response = sign_in(client, "huyen", "mat-khau-du-dai")
    assert response.status_code == 429 and "Vui lòng đợi vài phút" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    check_page(response.get_data(as_text=True), "too many")


def test_the_session_cookie_is_http_only_and_same_site(dashboard_app):
    response = sign_in(dashboard_app.test_client(), "huyen", "mat-khau-du-dai")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def shown_columns(app, soup) -> list[str]:
    """The district table's columns, by their keys, from its header."""
    with app.test_request_context():
        keys = {str(label): key for key, label in present.column_labels().items()}
    return [keys.get(th.get_text(" ", strip=True), "") for th in soup.select("thead th")[1:]]


def figure_of(cell) -> str:
    """A table cell's figure, without its label (for phones), the change beside it or the number of answers."""
    for extra in cell.select(".cell-label, .change, .answers"):
        extra.decompose()
    return cell.get_text(strip=True)


def test_district_view_shows_every_commune_with_its_figures(district_client, dashboard_app):
    add_tallies(
        dashboard_app,
        [
            (TODAY, "ea-na", "visitors", "", "", 40),
            (TODAY, "ea-na", "view", "dang-ky-khai-sinh", "", 70),
            (TODAY, "ea-na", "arrival", "home", "qr", 12),
            (TODAY, "ea-na", "outbound", "cong-dvc-quoc-gia", "", 5),
            (TODAY, "ea-na", "outbound", "vnpost", "", 3),
            (TODAY, "ea-na", "wizard_start", "cach-nop-ho-so", "", 8),
            (TODAY, "ea-na", "wizard_outcome", "cach-nop-ho-so:buu-dien", "", 2),
            (TODAY, "ea-na", "useful_yes", "guide:x", "", 9),
            (TODAY, "ea-na", "useful_no", "guide:x", "", 3),
            (TODAY, "dur-kmal", "visitors", "", "", 10),
            (TODAY, "dur-kmal", "useful_yes", "guide:x", "", 9),  # 9 answers: too few to show a share
            (TODAY - dt.timedelta(days=40), "dur-kmal", "visitors", "", "", 999),  # outside the default 30 days
        ],
    )
    soup = check_page(district_client.get("/thong-ke/?cot=tat-ca").get_data(as_text=True), "district")
    rows = {tr.th.get_text(strip=True): [figure_of(td) for td in tr.find_all("td")] for tr in soup.select("tbody tr")}
    assert set(rows) == {"Krông Ana", "Dur Kmăl", "Ea Na"}
    columns = shown_columns(dashboard_app, soup)
    assert "reach_per_1000" not in columns  # no commune has a population: the column is not shown
    ea_na = dict(zip(columns, rows["Ea Na"]))
    assert ea_na["visitors"] == "40" and ea_na["views"] == "70" and ea_na["qr"] == "12"
    assert ea_na["portal"] == "5"  # the post office is not the portal
    assert ea_na["completion"] == "25%" and ea_na["click_through"] == "12%"  # 2 of 8 finished; 5 of 40 on
    assert ea_na["useful_share"] == "75%"
    dur_kmal = dict(zip(columns, rows["Dur Kmăl"]))
    assert dur_kmal["visitors"] == "10" and dur_kmal["useful_share"] == ""
    assert [tr.th.get_text(strip=True) for tr in soup.select("tbody tr")][0] == "Ea Na"  # most visitors first
    main = check_page(district_client.get("/thong-ke/").get_data(as_text=True), "district, main columns")
    no_data = ("reach_per_1000", "online_share")  # no population, no dossier figures: not shown
    assert shown_columns(dashboard_app, main) == [c for c in gathering.COLUMNS[1:] if c not in no_data] + [""]
    assert main.select_one("details.ranking svg[role=img] title")  # every commune ranked, on demand
    assert main.select_one("tbody tr .answers").get_text(strip=True) == "trên 12"  # the share with its count


def test_sorting_and_ranges_stay_in_the_url(district_client, dashboard_app):
    soup = check_page(district_client.get("/thong-ke/?ky=7&sap-xep=name&chieu=tang").get_data(as_text=True), "sorted")
    assert [tr.th.get_text(strip=True) for tr in soup.select("tbody tr")] == ["Dur Kmăl", "Ea Na", "Krông Ana"]
    assert soup.select_one("th[aria-sort=ascending]")
    assert "ky=7" in soup.select_one("tbody a")["href"]


def test_a_bad_range_says_so_and_shows_30_days(district_client):
    body = district_client.get("/thong-ke/?tu=2026-13-01&den=hom-qua").get_data(as_text=True)
    assert "Không dùng được khoảng thời gian này" in body


def test_the_range_form_answers_htmx_with_the_table_alone(district_client):
    response = district_client.get("/thong-ke/?ky=90", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and 'id="district-figures"' in html


def test_csv_has_a_bom_and_neutralises_formulas(district_client, dashboard_app):
    add_tallies(dashboard_app, [(TODAY, "ea-na", "visitors", "", "", 3)])
    response = district_client.get("/thong-ke/?ky=7&format=csv")
    assert response.mimetype == "text/csv" and response.data.startswith("\ufeff".encode())
    text = response.data.decode("utf-8-sig")
    assert text.startswith("Từ ngày;Đến ngày;Xã;")  # Excel with Vietnamese settings splits on ";"
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Từ ngày", "Đến ngày", "Xã"] and len(rows) == 4  # headers in the interface's language
    assert rows[0][-1] == "Cần chú ý" and len(rows[1]) == len(rows[0])
    assert "3" in next(row for row in rows if "Ea Na" in row)  # a number stays one (the guard: test_bad_input.py)


def test_commune_view_has_charts_tops_and_the_median(district_client, dashboard_app):
    add_tallies(
        dashboard_app,
        [
            (TODAY, "ea-na", "view", "dang-ky-khai-sinh", "", 9),
            (TODAY, "ea-na", "wizard_outcome", "thu-nghiem:toan-trinh", "", 2),
            (TODAY, "ea-na", "wizard_outcome", "wizard-since-removed:outcome", "", 1),
        ],
    )
    soup = check_page(district_client.get("/thong-ke/xa/ea-na").get_data(as_text=True), "commune")
    assert len(soup.select("figure svg[role=img] title")) == 3
    library, wizards = dashboard_app.extensions["guide.library"], dashboard_app.extensions["guide.wizards"]
    guide_title = library.guide("dang-ky-khai-sinh", "vi")[0].title
    wizard = wizards["thu-nghiem"]
    outcome_title = f"{wizard.title['vi']}: {wizard.outcomes['toan-trinh'].title['vi']}"
    tops = [li.get_text() for li in soup.select("ol li")]
    assert tops == [
        f"{guide_title}: 9",
        f"{outcome_title}: 2",
        "wizard-since-removed:outcome (không còn trong hướng dẫn): 1",
    ]  # titles from the content, never ids (unless the content no longer has it)
    csv_text = district_client.get("/thong-ke/xa/ea-na?ky=7&format=csv").data.decode("utf-8-sig")
    assert len(csv_text.strip().splitlines()) == 8  # header and seven days


def test_a_former_slug_finds_todays_commune(district_client):
    assert district_client.get("/thong-ke/xa/dray-sap").status_code == 200


def test_a_commune_user_sees_only_their_own(dashboard_app, commune_client):
    signed_in = sign_in(dashboard_app.test_client(), "eana", "mat-khau-cua-xa")
    assert signed_in.headers["Location"].endswith("/thong-ke/xa/ea-na")  # their own page, not the district's
    assert commune_client.get("/thong-ke/xa/ea-na").status_code == 200
    assert commune_client.get("/thong-ke/xa/ea-na?format=csv").status_code == 200
    for url in ("/thong-ke/", "/thong-ke/?format=csv", "/thong-ke/xa/dur-kmal", "/thong-ke/xa/dur-kmal?format=csv"):
        response = commune_client.get(url)
        assert refused(response), url
        assert "Dur Kmăl" not in response.get_data(as_text=True) and "text/csv" not in response.content_type
    page = check_page(commune_client.get("/thong-ke/").get_data(as_text=True), "refused")
    assert page.find("a", string="Quay lại số liệu")["href"] == "/thong-ke/xa/ea-na"  # the way back to their own
    assert refused(commune_client.get("/en/thong-ke/xa/dur-kmal"), "You do not have access to this page")
    assert refused(commune_client.get("/thong-ke/xa/buon-trap"))  # a former name of another commune, too
    assert commune_client.get("/thong-ke/xa/dray-sap").status_code == 200  # and one of their own is theirs


def test_a_commune_that_does_not_exist_is_not_found_for_everyone(district_client, commune_client):
    for client in (district_client, commune_client):
        for url in ("/thong-ke/xa/khong-co-xa-nay", "/thong-ke/xa/khong-co-xa-nay/bao-cao"):
            response = client.get(url)
            assert response.status_code == 404 and response.headers["Cache-Control"] == "no-store", url


def test_a_district_user_signs_in_to_every_commune(dashboard_app):
    assert sign_in(dashboard_app.test_client(), "huyen", "mat-khau-du-dai").headers["Location"].endswith("/thong-ke/")


def test_logout_needs_the_form_and_ends_the_session(district_client):
    page = district_client.get("/thong-ke/").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    district_client.post("/thong-ke/dang-xuat", data={"csrf_token": token})
    assert district_client.get("/thong-ke/").status_code == 302


def test_sorting_puts_missing_values_last():
    rows = [
        figures.Figures("a", "A", population=None, visitors=5),
        figures.Figures("b", "B", population=1000, visitors=2),
    ]
    assert [r.slug for r in figures.sort_rows(rows, "reach_per_1000", True)] == ["b", "a"]
    assert [r.slug for r in figures.sort_rows(rows, "reach_per_1000", False)] == ["b", "a"]


def test_parse_range():
    today = dt.date(2026, 11, 25)
    assert figures.parse_range(today, "7", None, None) == (figures.DateRange(dt.date(2026, 11, 19), today), True)
    assert figures.parse_range(today, None, "2026-01-01", "2026-01-31")[0].days == 31
    assert figures.parse_range(today, None, "2026-02-01", "2026-01-01")[1] is False
    assert figures.parse_range(today, None, "2024-01-01", "2026-01-01")[1] is False
    assert figures.parse_range(today, "abc", None, None)[1] is False


def test_users_from_the_command_line(app_per_test):
    runner = app_per_test.test_cli_runner()

    def flask(*args, input_text=None):
        return runner.invoke(args=list(args), input=input_text)

    added = flask(
        "users", "add", "xa-ea-na", "--role", "commune", "--commune", "ea-na", input_text="mot-mat-khau-dai\n"
    )
    assert added.exit_code == 0, added.output
    assert "xa-ea-na\tcommune\tea-na\t0 failed sign-ins" in flask("users", "list").output
    assert flask("users", "password", "xa-ea-na", input_text="mot-mat-khau-moi\n").exit_code == 0
    assert flask("users", "password", "khong-ai", input_text="mot-mat-khau-moi\n").exit_code != 0
    assert flask("users", "password", "xa-ea-na", input_text="ngan\n").exit_code != 0
    refused = flask("users", "add", "x", "--role", "commune", "--commune", "khong-co", input_text="mot-mat-khau-dai\n")
    assert refused.exit_code != 0
    assert flask("users", "add", "y", "--role", "district", input_text="ngan\n").exit_code != 0
    assert flask("users", "remove", "xa-ea-na").exit_code == 0
    assert "xa-ea-na" not in flask("users", "list").output


def test_demo_data_fills_an_empty_database_marks_itself_and_refuses_real_tallies(dashboard_app, district_client):
    from guide.dashboard import demo

    with dashboard_app.app_context():
        written = demo.fill(30, TODAY)
        assert written > 0 and demo.is_marked()
        assert demo.fill(30, TODAY) == written  # demo over demo: replaced, not added
    body = district_client.get("/thong-ke/").get_data(as_text=True)
    assert "Dữ liệu mẫu" in body


def test_demo_refuses_when_real_tallies_exist(dashboard_app):
    from guide.dashboard import demo

    add_tallies(dashboard_app, [(TODAY, "ea-na", "visitors", "", "", 1)])
    with dashboard_app.app_context(), pytest.raises(ValueError, match="real tallies"):
        demo.fill(30, TODAY)


def test_staff_using_the_dashboard_are_not_counted(dashboard_app, district_client):
    import sqlalchemy as sa

    from guide import db
    from guide.dashboard.figures import tally

    def counted() -> int:
        dashboard_app.extensions["guide.tallies"].flush()
        with dashboard_app.app_context(), db.engine().connect() as connection:
            return connection.execute(sa.select(sa.func.sum(tally.c["count"]))).scalar() or 0

    person = {"User-Agent": "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36"}
    district_client.get("/thong-ke/", headers=person)
    district_client.get("/thong-ke/xa/ea-na", headers=person)
    assert counted() == 0
    district_client.get("/huong-dan/", headers=person)  # the same person reading a public page is counted
    assert counted() > 0


def test_a_deployed_users_table_gets_its_session_version(tmp_path):
    """A database made before sessions could be ended (schema 2) is brought up to date by init-db."""
    import sqlalchemy as sa

    from guide import create_app, db
    from guide.dashboard import users

    from ..conftest import FIXTURE_CONTENT

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE schema_version (version INTEGER PRIMARY KEY)")
        connection.exec_driver_sql("INSERT INTO schema_version VALUES (1), (2)")
        connection.exec_driver_sql(
            "CREATE TABLE dashboard_user (id INTEGER PRIMARY KEY, name VARCHAR(80) NOT NULL UNIQUE, "
            "password_hash VARCHAR(300) NOT NULL, role VARCHAR(20) NOT NULL, commune VARCHAR(80), "
            "failed_logins INTEGER DEFAULT 0 NOT NULL, locked_until DATETIME)"
        )
    engine.dispose()
    app = create_app({"TESTING": True, "CONTENT_DIR": FIXTURE_CONTENT, "DATABASE_URL": url})
    with app.app_context():
        db.create_schema()
        users.add("huyen", "mat-khau-du-dai", "district", None)
        user = users.authenticate("huyen", "mat-khau-du-dai")
        assert user.get_id() == "1:0" and users.get("1:0").name == "huyen"
        users.end_sessions(user.id)
        assert users.get("1:0") is None and users.get("1:1") is not None


def test_the_district_view_finds_a_commune_by_name_accents_aside(district_client):
    """102 communes: an officer types part of a name (with or without accents) and sees those rows,
    as a plain GET form and live with htmx; the sort links keep what was typed."""
    soup = check_page(district_client.get("/thong-ke/?xa=ea+n").get_data(as_text=True), "/thong-ke/?xa=ea+n")
    assert [th.get_text(strip=True) for th in soup.select("tbody th[scope=row]")] == ["Ea Na"]
    assert all("xa=ea+n" in a["href"] for a in soup.select("thead a"))
    assert soup.select_one("input#xa")["value"] == "ea n"
    partial = district_client.get("/thong-ke/?xa=KRÔNG", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Krông Ana" in partial and "Ea Na" not in partial and "<html" not in partial
    none = district_client.get("/thong-ke/?xa=khong-co-xa-nay").get_data(as_text=True)
    assert "Không có xã, phường nào khớp" in none


def test_with_secure_cookies_plain_http_says_why_no_one_can_sign_in(dashboard_app):
    """Production's cookie travels over https only: over http the page says so, not "form expired"."""
    dashboard_app.config["SESSION_COOKIE_SECURE"] = True
    page = dashboard_app.test_client().get("/thong-ke/dang-nhap")
    assert refused(page, "Cán bộ chỉ đăng nhập qua kết nối an toàn") and "https://" in page.get_data(as_text=True)
    assert 'name="password"' not in page.get_data(as_text=True)
    secure = dashboard_app.test_client().get("/thong-ke/dang-nhap", base_url="https://localhost")
    assert 'name="password"' in secure.get_data(as_text=True)


def test_the_xlsx_has_vietnamese_headers_typed_cells_and_a_frozen_header(district_client, dashboard_app):
    add_tallies(
        dashboard_app,
        [
            (TODAY, "ea-na", "visitors", "", "", 40),
            (TODAY, "ea-na", "wizard_start", "cach-nop-ho-so", "", 8),
            (TODAY, "ea-na", "wizard_outcome", "cach-nop-ho-so:buu-dien", "", 2),
        ],
    )
    response = district_client.get("/thong-ke/?ky=7&format=xlsx")
    assert response.mimetype == workbook.MIMETYPE and response.headers["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Từ ngày", "Đến ngày", "Xã"] and header[-1] == "Cần chú ý"
    assert sheet.freeze_panes == "A2" and sheet.max_row == 4  # the header and three communes
    ea_na = {
        header[i]: cell for i, cell in enumerate(next(r for r in sheet.iter_rows(min_row=2) if r[2].value == "Ea Na"))
    }
    assert ea_na["Người truy cập"].value == 40 and ea_na["Người truy cập"].data_type == "n"  # a number, not text
    assert (
        ea_na["Hoàn thành trên số bắt đầu"].value == 0.25 and ea_na["Hoàn thành trên số bắt đầu"].number_format == "0%"
    )
    assert ea_na["Từ ngày"].value.date() == TODAY - dt.timedelta(days=6)  # a date
    assert ea_na["Hồ sơ tiếp nhận"].value is None  # no figures: an empty cell, not 0
    days = openpyxl.load_workbook(io.BytesIO(district_client.get("/thong-ke/xa/ea-na?ky=7&format=xlsx").data)).active
    assert days.max_row == 8 and days["A1"].value == "Ngày" and days["B8"].value == 40  # today last
    assert workbook.cell_value("=HYPERLINK(1)", "text") == "'=HYPERLINK(1)"  # never run as a formula
