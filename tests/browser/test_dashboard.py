"""The dashboard in a real browser: sign in, change the date range (htmx, no reload, URL kept),
sort, open a commune, download a CSV; a commune user is refused other communes."""

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from guide import db
from guide.dashboard import targets

from ..conftest import LIVE_USERS, record_details
from .conftest import print_to_pdf
from .test_reading import SMALL_FIELDS, SMALL_STANDALONE_TARGETS

pytestmark = pytest.mark.browser


def sign_in(page: Page, live_server, role: str) -> None:
    name, password = LIVE_USERS[role]
    page.goto(live_server.url + "/thong-ke/dang-nhap")
    page.get_by_label("Tên").fill(name)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


@pytest.fixture(scope="module")
def district_session(live_server, browser, tmp_path_factory):
    """A district user's signed-in browser state, signed in once: the sign-in form allows five tries
    a minute from one computer and name, and the tests here would otherwise sign in more often."""
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live_server, "district")
    expect(page).to_have_url(live_server.url + "/thong-ke/")
    path = tmp_path_factory.mktemp("district") / "state.json"
    context.storage_state(path=str(path))
    context.close()
    return str(path)


def test_district_user_walk(live_server, browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    page = context.new_page()
    sign_in(page, live_server, "district")
    expect(page).to_have_url(live_server.url + "/thong-ke/")
    communes = live_server.app.extensions["guide.registry"].communes
    expect(page.locator("tbody tr")).to_have_count(len(communes))  # every commune of the province
    expect(page.locator(".notice")).to_contain_text("Dữ liệu mẫu")

    page.evaluate("window.sameDocument = true")
    page.get_by_role("link", name="7 ngày qua").click()
    expect(page).to_have_url(live_server.url + "/thong-ke/?ky=7")
    expect(page.locator("#district-figures")).to_contain_text("(7 ngày)")
    assert page.evaluate("window.sameDocument") is True  # swapped by htmx, no reload

    page.locator("#tu").fill("2026-01-01")
    page.locator("#den").fill("2026-01-31")
    page.get_by_role("button", name="Xem").click()
    expect(page).to_have_url(re.compile(r"tu=2026-01-01&den=2026-01-31"))
    expect(page.locator("#district-figures")).to_contain_text("(31 ngày)")

    page.get_by_role("link", name="Xã", exact=True).click()  # sort by name
    # The sorted table is swapped in: wait for it, or the next click lands on the table it replaces.
    expect(page.locator("th[aria-sort]")).to_have_count(1)
    expect(page.locator("th[aria-sort]")).to_contain_text("Xã")

    with page.expect_download() as download:
        page.get_by_role("link", name="Tải về dạng CSV").click()
    content = open(download.value.path(), "rb").read()
    assert content.startswith(b"\xef\xbb\xbf") and "Xã".encode() in content

    page.get_by_role("link", name="Ea Na").click()
    expect(page.locator("h1")).to_have_text("Xã Ea Na: mức độ tiếp cận")
    expect(page.locator("figure svg")).to_have_count(4)  # days, sources, funnel, and the demo's online share
    context.close()


def test_commune_user_is_kept_to_their_commune(live_server, browser):
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live_server, "commune")
    expect(page).to_have_url(re.compile(r"/thong-ke/xa/ea-na$"))
    response = page.goto(live_server.url + "/thong-ke/xa/dur-kmal")
    assert response.status == 403  # another commune's page: said so, not "not found"
    expect(page.locator("h1")).not_to_contain_text("Dur Kmăl")
    response = page.goto(live_server.url + "/thong-ke/xa/krong-ana?format=csv")
    assert response.status == 403
    assert "text/csv" not in response.headers.get("content-type", "")
    context.close()


def test_the_district_view_judges_at_a_glance_on_an_officers_screen(live_server, browser, district_session):
    """1366×768, the shipped province's 102 communes: the commune, reach per 1,000, completion,
    click-through and each figure's change are all in view across, with no sideways scrolling."""
    communes = live_server.app.extensions["guide.registry"].communes
    for number, commune in enumerate(communes):
        record_details(
            live_server.app, commune.slug, population=5_000 + 97 * number
        )  # test data: reach per 1,000 shows
    try:
        officers_screen(live_server, browser, district_session)
    finally:  # the other tests on this server see the shipped state: no population
        for commune in communes:
            record_details(live_server.app, commune.slug)


def officers_screen(live_server, browser, district_session):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, storage_state=district_session)
    page = context.new_page()
    page.goto(live_server.url + "/thong-ke/")
    expect(page.locator("tbody tr")).to_have_count(len(live_server.app.extensions["guide.registry"].communes))
    table = page.locator("table.district")
    for header in (
        "Xã",
        "Người truy cập trên 1.000 dân",
        "Hoàn thành trên số bắt đầu",
        "Người truy cập đã vào Cổng dịch vụ công",
    ):
        cell = table.get_by_role("columnheader", name=header)
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1366, (header, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert (
        page.evaluate(
            "(() => { const box = document.querySelector('.table-scroll'); return box.scrollWidth - box.clientWidth; })()"
        )
        <= 0
    )
    first_row = page.locator("tbody tr").first
    expect(first_row.locator(".change").first).to_be_visible()  # the change from the previous 30 days
    expect(page.locator("details.ranking svg")).to_be_hidden()  # the ranking waits until asked for
    page.get_by_text("Biểu đồ: các xã xếp theo").click()
    expect(page.locator("details.ranking svg")).to_be_visible()
    context.close()


@pytest.mark.parametrize("target", [None, 60])
@pytest.mark.parametrize("path", ["/thong-ke/bao-cao", "/thong-ke/xa/krong-ana/bao-cao"])
def test_a_monthly_report_prints_on_one_a4_page(live_server, browser, district_session, tmp_path, path, target):
    """With no target, and with one most communes are below (each flagged with its distance)."""
    with live_server.app.app_context():
        targets.set_target(db.engine(), targets.EVERY_COMMUNE, target)
    try:
        context = browser.new_context(storage_state=district_session)
        page = context.new_page()
        page.goto(live_server.url + path)
        expect(page.locator("h1")).to_contain_text("Báo cáo tháng")
        expect(page.get_by_role("button", name="In", exact=True)).to_be_visible()  # shown once it works
        pdf = print_to_pdf(page, tmp_path / "report.pdf")
        assert len(pdf) == 1, f"{path} prints on {len(pdf)} pages"
        text = " ".join(pdf[0].get_textpage().get_text_range().split())
        assert "Nên thử" in text and "Nộp trực tuyến" in text  # what to try, and the online share
        assert "So với tháng trước" in text and "So với" in text.split("Nộp trực tuyến")[0]  # no column cut off
        if path == "/thong-ke/bao-cao":
            communes = len(live_server.app.extensions["guide.registry"].communes)
            assert f"{communes} / {communes} xã có số liệu tháng này." in text  # the demo fills every commune
        if target:
            assert "Dưới mục tiêu: tại quầy" in text  # the advice follows the target (the demo stays under 60 %)
        context.close()
    finally:
        with live_server.app.app_context():
            targets.set_target(db.engine(), targets.EVERY_COMMUNE, None)


def test_an_officer_imports_the_online_shares_and_sees_them_on_the_communes_page(browser, tmp_path, monkeypatch):
    """The province's own CSV through `flask dossiers import`: a malformed file is refused line by
    line and imports nothing; a good one shows on the commune's page, month by month."""
    from guide import clock, create_app, db
    from guide.dashboard import users

    from ..conftest import LiveServer

    today = clock.today()
    monkeypatch.setattr(clock, "today", lambda: today)  # "last month" stays the same month all through

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'import.sqlite3'}"})
    with app.app_context():
        db.create_schema()
        users.add("huyen-import", "mat-khau-nhap-so-lieu", "district", None)  # its own name: its own sign-in limit
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"commune,month,received,online,postal\nkrong-ana,{last_month:%Y-%m},100,90,20\nnowhere,{last_month:%Y-%m},5,1,1\n",
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(args=["dossiers", "import", str(bad)])
    assert result.exit_code != 0 and f"{bad}:2:" in result.output and f"{bad}:3:" in result.output
    good = tmp_path / "good.csv"
    good.write_text(f"commune,month,received,online,postal\nkrong-ana,{last_month:%Y-%m},120,42,6\n", encoding="utf-8")
    assert app.test_cli_runner().invoke(args=["dossiers", "import", str(good)]).exit_code == 0
    server = LiveServer(app)
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(server.url + "/thong-ke/dang-nhap")
        page.get_by_label("Tên").fill("huyen-import")
        page.get_by_label("Mật khẩu").fill("mat-khau-nhap-so-lieu")
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page).to_have_url(server.url + "/thong-ke/")
        page.goto(server.url + "/thong-ke/xa/krong-ana?ky=90")
        table = page.get_by_role("region", name="Hồ sơ nộp trực tuyến và qua bưu chính")
        expect(table.locator("tbody tr")).to_have_count(1)  # the bad file left nothing behind
        expect(table.locator("tbody tr").first).to_contain_text(f"{last_month:%m/%Y}")
        expect(table.locator("tbody tr").first).to_contain_text("35%")  # 42 of 120 online
        expect(table.locator("tbody tr").first).to_contain_text("5%")  # 6 of 120 by post
        context.close()
    finally:
        server.stop()


DASHBOARD_PAGES = (
    "/thong-ke/",
    "/thong-ke/xa/ea-na",
    "/thong-ke/bao-cao",
    "/thong-ke/xa/ea-na/bao-cao",
    "/thong-ke/xa/ea-na/thong-tin",
    "/thong-ke/thong-tin-xa",
    "/thong-ke/so-lieu-ho-so",
)


@pytest.mark.parametrize("language", ["", "/en"])
@pytest.mark.parametrize("path", DASHBOARD_PAGES)
def test_every_dashboard_page_fits_a_phone_and_is_easy_to_tap(live_server, browser, district_session, path, language):
    """No sideways scrolling at 360 px, in either language (English's words are longer); every
    field, and every link or button that stands alone (a commune's name in a table among them), at
    least 44 px tall."""
    context = browser.new_context(viewport={"width": 360, "height": 800}, storage_state=district_session)
    page = context.new_page()
    path = language + path
    assert page.goto(live_server.url + path).status == 200
    wide, screen = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert wide <= screen, f"{path} is {wide} px wide on a {screen} px screen"
    assert page.evaluate(SMALL_FIELDS) == []
    assert page.evaluate(SMALL_STANDALONE_TARGETS) == []
    context.close()


def test_on_a_phone_each_commune_is_a_card_with_its_online_share_first(live_server, browser, district_session):
    context = browser.new_context(viewport={"width": 360, "height": 800}, storage_state=district_session)
    page = context.new_page()
    page.goto(live_server.url + "/thong-ke/")
    card = page.locator("table.district tbody tr").first
    name, share = card.locator("th"), card.locator("td.online_share")
    share.scroll_into_view_if_needed()  # below the summary: scrolled to downwards, never sideways
    expect(share).to_be_in_viewport()
    name_box, share_box = name.bounding_box(), share.bounding_box()
    assert page.evaluate("window.scrollX") == 0
    assert share_box["y"] < name_box["y"] + name_box["height"] + 60  # right under the commune's name
    assert share_box["x"] + share_box["width"] <= 360
    expect(share).to_contain_text("Nộp trực tuyến")  # each figure says what it is, with no header row in view
    context.close()
