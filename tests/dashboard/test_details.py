"""Commune details kept by the people who know them: commune staff enter their centre's address,
phones and hours on the dashboard; residents then see them, dated, wherever the site sends them
somewhere; every change is kept; the province sees what is missing and imports populations."""

import io

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from guide import db
from guide.communes import details
from guide.dashboard import users

from ..conftest import check_page
from .conftest import refused, sign_in

FORM = "/thong-ke/xa/ea-na/thong-tin"
# Test data only: never shipped, never shown outside these tests.
ENTERED = {
    "centre-address": "Số 1 đường Thử Nghiệm, thôn 1",
    "centre-phone": ["0262 3 000 000", ""],
    "hours-weekdays-morning": "7h-11h30",
    "hours-weekdays-afternoon": "13:30 - 17:00",
    "hours-sat-morning": "7:30–11:00",
}


def token(client, url: str = FORM) -> str:
    page = client.get(url).get_data(as_text=True)
    return page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


def post_form(client, data: dict, url: str = FORM):
    return client.post(url, data={"csrf_token": token(client, url), **data})


def on_record(app, slug: str = "ea-na") -> details.Details:
    with app.app_context(), db.engine().connect() as connection:
        return details.read(connection, slug)


def changes_kept(app, slug: str = "ea-na") -> list[details.Change]:
    with app.app_context(), db.engine().connect() as connection:
        return details.history(connection, slug)


def test_commune_staff_enter_their_centre_and_residents_see_it_dated_with_a_tel_link(dashboard_app, commune_client):
    saved = post_form(commune_client, ENTERED)
    assert saved.status_code == 303
    after = commune_client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Đã lưu 8 thay đổi" in after  # address, phone, five weekdays, Saturday
    kept = on_record(dashboard_app)
    assert kept.centre.phones == ("0262 3 000 000",)
    assert kept.centre.hours["fri"] == ("7:00–11:30", "13:30–17:00") and kept.centre.hours["sat"] == ("7:30–11:00", "")
    assert "sun" not in kept.centre.hours
    today = kept.updated_on
    resident = dashboard_app.test_client()  # no cookie: what a resident gets, through the response cache
    for url in ("/xa/ea-na/", "/xa/ea-na/huong-dan/nop-qua-buu-dien", "/xa/ea-na/chia-se/ap-phich/trang-chu/"):
        page = resident.get(url).get_data(as_text=True)
        assert "Số 1 đường Thử Nghiệm" in page, url
        assert f"Cập nhật ngày {today.day}/{today.month}/{today.year}" in page, url
    home = BeautifulSoup(resident.get("/xa/ea-na/").get_data(as_text=True), "html.parser")
    assert [a["href"] for a in home.select("section.place a[href^='tel:']")] == ["tel:02623000000"]
    assert "Thứ Hai–Thứ Sáu: 7:00–11:30, 13:30–17:00" in home.get_text() and "Thứ Bảy: 7:30–11:00" in home.get_text()
    assert "tel:1900545481" not in str(home.select("section.place"))  # its own number, not the hotline
    plan = resident.get("/xa/ea-na/tu-van/thu-nghiem/ket-qua?thu-tuc=ket-hon").get_data(as_text=True)
    assert 'href="tel:02623000000"' in plan
    assert "Số 1 đường Thử Nghiệm" not in resident.get("/xa/krong-ana/").get_data(as_text=True)


def test_every_change_is_kept_and_still_correct_moves_the_date_on(dashboard_app, commune_client):
    post_form(commune_client, ENTERED)
    post_form(commune_client, {**ENTERED, "centre-phone": ["0262 3 000 000", "0912 345 678"]})
    newest = changes_kept(dashboard_app)[0]
    assert (newest.staff, newest.field) == ("eana", "centre.phones")
    assert (newest.old, newest.new) == ("0262 3 000 000", "0262 3 000 000, 0912 345 678")
    page = BeautifulSoup(commune_client.get(FORM).get_data(as_text=True), "html.parser")
    history = page.find("h2", string="Các lần thay đổi").find_next("table").get_text(" ", strip=True)
    assert "Trung tâm Phục vụ hành chính công: số điện thoại" in history and "0912 345 678" in history
    confirmed = commune_client.post(
        "/thong-ke/xa/ea-na/van-dung", data={"csrf_token": token(commune_client)}, follow_redirects=True
    )
    assert "Đã ghi nhận hôm nay: thông tin vẫn đúng." in confirmed.get_data(as_text=True)
    assert changes_kept(dashboard_app)[0].field == details.CONFIRMED
    assert on_record(dashboard_app).centre.phones == ("0262 3 000 000", "0912 345 678")  # nothing else changed


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("centre-phone", "gọi cho chúng tôi", "Số điện thoại bắt đầu bằng 0 hoặc +84"),
        ("centre-phone", "12345", "Số điện thoại bắt đầu bằng 0 hoặc +84"),
        ("centre-phone", "0262 3 000 000 000 000", "Số điện thoại bắt đầu bằng 0 hoặc +84"),
        ("hours-weekdays-morning", "11:30-7:00", "giờ kết thúc phải sau giờ bắt đầu"),
        ("hours-sun-afternoon", "buổi chiều", "Ghi khoảng giờ"),
        ("centre-map", "http://maps.example.org/x", "phải bắt đầu bằng https://"),
        ("centre-address", "x" * 201, "tối đa 200 ký tự"),
        ("post-1-phone", "0262", "Số điện thoại bắt đầu bằng 0 hoặc +84"),
    ],
)
def test_a_wrong_field_is_named_beside_it_and_nothing_is_saved(dashboard_app, commune_client, field, value, message):
    answer = post_form(commune_client, {**ENTERED, field: value})
    assert answer.status_code == 400
    soup = check_page(answer.get_data(as_text=True), FORM)
    assert message in soup.find(id=f"{field}-error").get_text()
    assert soup.find(id=field)["aria-invalid"] == "true"
    assert soup.find(id="centre-address")["value"] == ENTERED["centre-address"][:200] or field == "centre-address"
    assert on_record(dashboard_app) == details.NOTHING and changes_kept(dashboard_app) == []


def test_another_communes_staff_cannot_change_it(dashboard_app, commune_client):
    with dashboard_app.app_context():
        users.add("krongana", "mat-khau-krong-ana", "commune", "krong-ana")
    other = dashboard_app.test_client()
    sign_in(other, "krongana", "mat-khau-krong-ana")
    csrf = token(other, "/thong-ke/xa/krong-ana/thong-tin")
    assert refused(other.get(FORM))
    assert refused(other.post(FORM, data={"csrf_token": csrf, **ENTERED}))
    assert refused(other.post("/thong-ke/xa/ea-na/van-dung", data={"csrf_token": csrf}))
    assert on_record(dashboard_app) == details.NOTHING
    assert refused(other.get("/thong-ke/thong-tin-xa"))  # the province's table: province users only


def test_without_the_form_token_nothing_is_saved(dashboard_app, commune_client):
    answer = commune_client.post(FORM, data=ENTERED)
    assert answer.status_code == 303 and on_record(dashboard_app) == details.NOTHING


def test_commune_staff_cannot_set_the_population_the_province_can(dashboard_app, commune_client, district_client):
    post_form(commune_client, {**ENTERED, "population": "99999"})
    assert on_record(dashboard_app).population is None
    assert 'name="population"' not in commune_client.get(FORM).get_data(as_text=True)
    wrong = post_form(district_client, {**ENTERED, "population": "٣٤٥", "population-year": "25"})
    assert wrong.status_code == 400
    assert on_record(dashboard_app).population is None
    post_form(
        district_client,
        {**ENTERED, "population": "12.345", "population-source": "Nghị quyết (thử)", "population-year": "2025"},
    )
    kept = on_record(dashboard_app)
    assert (kept.population, kept.population_source, kept.population_year) == (12345, "Nghị quyết (thử)", 2025)
    post_form(commune_client, ENTERED)  # staff saving their own form keep the province's figure
    assert on_record(dashboard_app).population == 12345


def test_the_province_sees_what_is_missing_and_imports_every_population_at_once(dashboard_app, district_client):
    post_form(district_client, ENTERED)
    reach = "Người truy cập trên 1.000 dân"
    assert reach not in district_client.get("/thong-ke/").get_data(as_text=True)  # no commune has a population
    table = BeautifulSoup(district_client.get("/thong-ke/thong-tin-xa").get_data(as_text=True), "html.parser")
    assert "1 / 3 xã có: điện thoại" in table.get_text() and "0 / 3 xã có: bưu điện" in table.get_text()
    assert "0 / 3 xã có: dân số" in table.get_text()
    exported = district_client.get("/thong-ke/thong-tin-xa?format=csv").get_data(as_text=True)
    lines = exported.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("commune;name;address;phone") and len(lines) == 4
    csv = "commune;name;population;population_source;population_year\nea-na;;12000;NQ thử;2025\n24538;;8000;;\nXã Dur Kmăl;;9500;;\n"
    imported = import_csv(district_client, csv)
    assert imported.status_code == 303
    people = {slug: on_record(dashboard_app, slug).population for slug in ("ea-na", "krong-ana", "dur-kmal")}
    assert people == {"ea-na": 12000, "krong-ana": 8000, "dur-kmal": 9500}
    assert on_record(dashboard_app).centre.address == ENTERED["centre-address"]  # an empty cell keeps what is there
    assert reach in district_client.get("/thong-ke/").get_data(as_text=True)


def test_the_downloaded_file_imports_back_unchanged(dashboard_app, district_client):
    post_form(district_client, {**ENTERED, "centre-phone": ["+84 262 3 000 000", ""], "population": "12000"})
    before = on_record(dashboard_app)
    exported = district_client.get("/thong-ke/thong-tin-xa?format=csv").get_data(as_text=True)
    assert "'+84 262 3 000 000" in exported  # guarded against spreadsheet formulas
    assert import_csv(district_client, exported).status_code == 303
    assert on_record(dashboard_app) == before  # the guard's apostrophe is not taken for part of the number


def test_an_import_with_one_bad_line_imports_nothing_and_names_the_line(dashboard_app, district_client):
    csv = "commune,population\nea-na,12000\nkrong-ana,nhiều\nnowhere,5\n"
    answer = import_csv(district_client, csv)
    assert answer.status_code == 400
    text = BeautifulSoup(answer.get_data(as_text=True), "html.parser").get_text()
    assert "Dòng 3: dân số phải là số nguyên." in text and "Dòng 4: không có xã nowhere." in text
    with dashboard_app.app_context(), db.engine().connect() as connection:
        assert connection.execute(sa.select(details.commune_detail)).all() == []


def import_csv(client, text: str):
    file = (io.BytesIO(text.encode("utf-8")), "thong-tin.csv")
    return client.post(
        "/thong-ke/thong-tin-xa",
        data={"csrf_token": token(client, "/thong-ke/thong-tin-xa"), "file": file},
        content_type="multipart/form-data",
    )
