"""The province uploads its dossier figures on the dashboard (guide/dashboard/dossier_upload.py): a
file, a preview of what changes per commune and month, a confirmation that saves all of it; a file
with any bad line saves nothing and names each line; too large, not the province, or a preview
tampered with or expired: nothing saved."""

import datetime as dt
import io

import openpyxl
import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer

from guide import db, dossiers
from guide.dossiers import sealed

from ..conftest import check_page
from .conftest import LAST_MONTH, refused

MONTH_BEFORE = (LAST_MONTH - dt.timedelta(days=1)).replace(day=1)
URL = "/thong-ke/so-lieu-ho-so"
HEADER = "Tên đơn vị;Kỳ;Tổng số hồ sơ tiếp nhận;Trực tuyến;Bưu chính công ích\n"


def csrf(client, url: str = URL) -> str:
    page = client.get(url).get_data(as_text=True)
    return page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


def upload(client, data: bytes, name: str = "bao-cao.csv"):
    form = {"csrf_token": csrf(client), "file": (io.BytesIO(data), name)}
    return client.post(URL, data=form, content_type="multipart/form-data")


def confirm(client, preview_html: str):
    soup = check_page(preview_html, "preview")
    form = soup.find("form", action="/thong-ke/so-lieu-ho-so/luu")
    fields = {field["name"]: field["value"] for field in form.find_all("input")}
    return client.post("/thong-ke/so-lieu-ho-so/luu", data=fields)


def saved(app) -> set[tuple]:
    with app.app_context(), db.engine().connect() as connection:
        c = dossiers.dossier_month.c
        rows = connection.execute(sa.select(c.commune, c.month, c.received, c.online, c.postal))
        return {(row.commune, row.month, row.received, row.online, row.postal) for row in rows}


def problems(response) -> list[str]:
    soup = check_page(response.get_data(as_text=True), "upload")
    return [li.get_text(" ", strip=True) for li in soup.select(".error-summary li")]


def test_an_export_with_vietnamese_columns_is_previewed_confirmed_and_reported(district_client, dashboard_app):
    page = check_page(district_client.get("/thong-ke/").get_data(as_text=True), "district")
    assert page.find("a", href=URL)  # the way to it from the province's page
    form_page = check_page(district_client.get(URL).get_data(as_text=True), "upload form")
    assert "at most 2 MB" not in form_page.get_text() and "tối đa 2 MB" in form_page.get_text()
    month = f"{LAST_MONTH:%m/%Y}"
    first = upload(district_client, (HEADER + f"Xã Ea Na;{month};200;50;10\n").encode())
    assert first.status_code == 200 and saved(dashboard_app) == set()  # nothing before the confirmation
    preview = check_page(first.get_data(as_text=True), "preview")
    assert preview.select_one(".preview-counts").get_text(strip=True).startswith("1 tháng mới, 0 thay đổi")
    assert [td.get_text(strip=True) for td in preview.select("tbody tr")[0].find_all(["th", "td"])] == [
        "Xã Ea Na",
        month,
        "mới",
        "200",
        "50",
        "10",
    ]
    done = confirm(district_client, first.get_data(as_text=True))
    assert done.status_code == 303 and saved(dashboard_app) == {("ea-na", LAST_MONTH, 200, 50, 10)}
    after = check_page(district_client.get(done.headers["Location"]).get_data(as_text=True), "saved")
    assert after.select_one("[role=status]").get_text(" ", strip=True).startswith("Đã lưu: 1 tháng của 1 xã")
    report_url = after.select_one("[role=status] a")["href"]
    assert report_url == f"/thong-ke/bao-cao?thang={LAST_MONTH:%Y-%m}"
    report = check_page(district_client.get(report_url).get_data(as_text=True), "report")
    rows = {tr.th.get_text(strip=True): tr.find_all("td") for tr in report.select("tbody tr")}
    assert rows["Nộp trực tuyến"][0].get_text(strip=True) == "25%"  # 50 of 200, in the month uploaded
    # The same file again, with one month changed: the preview says old → new.
    again = upload(district_client, (HEADER + f"Xã Ea Na;{month};200;60;10\n").encode())
    cells = [td.get_text(strip=True) for td in check_page(again.get_data(as_text=True), "p").select("tbody td")]
    assert cells == [month, "thay đổi", "200", "50 → 60", "10"]


def test_an_xlsx_export_is_previewed_and_saved(district_client, dashboard_app):
    book = openpyxl.Workbook()
    book.active.append(["Xã/Phường", "Tháng", "Tiếp nhận", "Trực tuyến", "Bưu chính"])
    book.active.append(["Xã Ea Na", f"T{LAST_MONTH:%m/%Y}", 120, 30, 6])
    book.active.append(["Krông Ana", dt.datetime(MONTH_BEFORE.year, MONTH_BEFORE.month, 1), 80, 8, 0])
    data = io.BytesIO()
    book.save(data)
    preview = upload(district_client, data.getvalue(), "bao-cao.xlsx")
    assert preview.status_code == 200, problems(preview)
    assert confirm(district_client, preview.get_data(as_text=True)).status_code == 303
    assert saved(dashboard_app) == {("ea-na", LAST_MONTH, 120, 30, 6), ("krong-ana", MONTH_BEFORE, 80, 8, 0)}


def test_a_file_with_one_bad_line_saves_nothing_and_names_each_line(district_client, dashboard_app):
    month = f"{LAST_MONTH:%m/%Y}"
    text = HEADER + f"Xã Ea Na;{month};200;50;10\nXã Không Có;{month};10;1;1\nKrông Ana;{month};１２;1;1\n"
    response = upload(district_client, text.encode())
    assert response.status_code == 200 and saved(dashboard_app) == set()
    soup = check_page(response.get_data(as_text=True), "refused")
    assert soup.select_one(".error-summary h2").get_text(strip=True).startswith("Chưa lưu gì")
    assert problems(response) == [
        "Dòng 3: trong tỉnh không có xã “Xã Không Có”: hãy ghi tên xã, slug hoặc mã đơn vị hành chính",
        "Dòng 4: tiếp nhận “１２” không phải số nguyên: chỉ ghi chữ số, ví dụ 120",
    ]
    assert not soup.find("form", action="/thong-ke/so-lieu-ho-so/luu")  # nothing to confirm


def test_a_200000_character_value_is_a_problem_at_its_line(district_client, dashboard_app):
    response = upload(district_client, (HEADER + "x" * 200_000 + f";{LAST_MONTH:%m/%Y};1;0;0\n").encode())
    assert response.status_code == 200 and saved(dashboard_app) == set()
    assert problems(response) == ["Dòng 2: một ô không có điểm kết thúc: phần còn lại của tệp chưa được đọc"]


TOO_LARGE = "tệp lớn hơn 2 MB: hãy nhập ít tháng hơn mỗi lần"


def test_a_file_over_2_mb_is_refused_and_not_read(district_client, dashboard_app):
    response = upload(district_client, HEADER.encode() + b"x" * (dossiers.MAX_BYTES + 70 * 1024))
    assert response.status_code == 413 and saved(dashboard_app) == set()
    assert problems(response) == [TOO_LARGE]
    just_over = upload(district_client, HEADER.encode() + b"x" * dossiers.MAX_BYTES)  # within the body's margin
    assert just_over.status_code == 200 and problems(just_over) == [TOO_LARGE]


def test_a_file_that_is_not_csv_or_xlsx_is_refused(district_client):
    response = upload(district_client, b"%PDF-1.7\n\x00\x01\x02", "bao-cao.pdf")
    assert problems(response) == [
        "Dòng 2: đây không phải văn bản UTF-8: trong Excel, hãy lưu thành .xlsx hoặc “CSV UTF-8 (Comma delimited)”"
    ]


def test_an_upload_without_its_csrf_token_is_not_read(district_client, dashboard_app):
    data = {"file": (io.BytesIO((HEADER + f"Xã Ea Na;{LAST_MONTH:%m/%Y};200;50;10\n").encode()), "bao-cao.csv")}
    response = district_client.post(URL, data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and problems(response) == ["Biểu mẫu đã hết hạn. Hãy chọn lại tệp."]


def test_commune_staff_may_not_upload_or_confirm(commune_client, district_client, dashboard_app):
    assert refused(commune_client.get(URL))
    token = csrf(district_client)
    assert refused(commune_client.post(URL, data={"csrf_token": token}, content_type="multipart/form-data"))
    assert refused(commune_client.post("/thong-ke/so-lieu-ho-so/luu", data={"months": "x"}))
    assert saved(dashboard_app) == set()


def test_a_preview_changed_expired_or_without_its_token_saves_nothing(district_client, dashboard_app):
    preview = upload(district_client, (HEADER + f"Xã Ea Na;{LAST_MONTH:%m/%Y};200;50;10\n").encode())
    soup = check_page(preview.get_data(as_text=True), "preview")
    fields = {field["name"]: field["value"] for field in soup.find_all("input") if field.get("name")}
    forged = URLSafeTimedSerializer("not the secret", salt="guide.dossiers.upload").dumps(
        {"months": "ea-na 2026-01 9 9 9"}
    )
    for changed in (
        {**fields, "months": fields["months"][:-3] + "AAA"},
        {**fields, "months": forged},
        {k: v for k, v in fields.items() if k != "csrf_token"},
    ):
        response = district_client.post("/thong-ke/so-lieu-ho-so/luu", data=changed)
        assert response.status_code == 400 and "Bản xem trước này đã hết hạn" in response.get_data(as_text=True)
    assert saved(dashboard_app) == set()
    with dashboard_app.app_context():
        user = "1:0"
        token = sealed.seal([dossiers.DossierMonth("ea-na", LAST_MONTH, 1, 0, 0)], "s" * 32, user)
        assert sealed.unseal(token, "s" * 32, user) == [dossiers.DossierMonth("ea-na", LAST_MONTH, 1, 0, 0)]
        for secret, who in (("t" * 32, user), ("s" * 32, "2:0")):
            try:
                sealed.unseal(token, secret, who)
            except sealed.Expired:
                continue
            raise AssertionError("unsealed with another secret or for another user")
