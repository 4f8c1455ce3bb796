"""The dashboard in a real browser: sign in, change the date range (htmx, no reload, URL kept),
sort, open a commune, download a CSV; a commune user is refused other communes."""

import re

import pytest
from playwright.sync_api import Page, expect

from ..conftest import LIVE_USERS

pytestmark = pytest.mark.browser


def sign_in(page: Page, live_server, role: str) -> None:
    name, password = LIVE_USERS[role]
    page.goto(live_server.url + "/thong-ke/dang-nhap")
    page.get_by_label("Tên").fill(name)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


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
    expect(page.locator("th[aria-sort]")).to_have_count(1)

    with page.expect_download() as download:
        page.get_by_role("link", name="Tải về dạng CSV").click()
    content = open(download.value.path(), "rb").read()
    assert content.startswith(b"\xef\xbb\xbf") and "Xã".encode() in content

    page.get_by_role("link", name="Ea Na").click()
    expect(page.locator("h1")).to_have_text("Xã Ea Na: mức độ tiếp cận")
    expect(page.locator("figure svg")).to_have_count(3)
    context.close()


def test_commune_user_is_kept_to_their_commune(live_server, browser):
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live_server, "commune")
    expect(page).to_have_url(re.compile(r"/thong-ke/xa/ea-na$"))
    response = page.goto(live_server.url + "/thong-ke/xa/dur-kmal")
    assert response.status == 404
    response = page.goto(live_server.url + "/thong-ke/xa/krong-ana?format=csv")
    assert response.status == 404
    context.close()
