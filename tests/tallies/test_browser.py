""" "Was this page useful?" in a real browser (Debian's Chromium): with JavaScript the thank-you is
swapped in place and the page stays; without it the form posts and comes back to the page. Both
count once. The browser says it is a phone's Chrome: headless Chromium's own name is a machine's."""

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import browser_context_args, browser_type_launch_args  # noqa: F401  (Chromium, 360 px)

from .conftest import CHROME_ANDROID, app_counters

pytestmark = pytest.mark.browser


def open_guide(browser: Browser, live_server, javascript: bool):
    context = browser.new_context(
        user_agent=CHROME_ANDROID,
        java_script_enabled=javascript,
        viewport={"width": 360, "height": 740},
        locale="vi-VN",
    )
    page = context.new_page()
    complaints = []
    # Errors such as a CSP refusal; not the missing /favicon.ico a fresh browser asks for.
    page.on(
        "console",
        lambda message: (
            complaints.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text
            else None
        ),
    )
    slug = sorted(live_server.app.extensions["guide.library"].guides["vi"])[0]
    page.goto(f"{live_server.url}/xa/ea-na/huong-dan/{slug}")
    return context, page, slug, complaints


def useful(live_server, slug: str, answer: str) -> int:
    return app_counters(live_server.app)[("ea-na", f"useful_{answer}", f"guide:{slug}", "", "vi")]


def test_with_javascript_the_thank_you_is_swapped_in_place(browser: Browser, live_server):
    context, page, slug, complaints = open_guide(browser, live_server, javascript=True)
    before, address = useful(live_server, slug, "yes"), page.url
    page.locator("#huu-ich").get_by_role("button", name="Có").click()
    expect(page.locator("#huu-ich")).to_contain_text("Cảm ơn")
    assert page.url == address and page.locator("#huu-ich form").count() == 0
    assert useful(live_server, slug, "yes") == before + 1
    assert complaints == [], complaints
    context.close()


def test_without_javascript_the_form_posts_and_comes_back(browser: Browser, live_server):
    context, page, slug, _ = open_guide(browser, live_server, javascript=False)
    before, address = useful(live_server, slug, "yes"), page.url
    page.locator("#huu-ich").get_by_role("button", name="Có").click()
    expect(page).to_have_url(f"{address}?cam-on=1#huu-ich")
    expect(page.locator("#huu-ich")).to_contain_text("Cảm ơn")
    assert useful(live_server, slug, "yes") == before + 1
    context.close()


def reason_count(live_server, slug: str, reason: str) -> int:
    return app_counters(live_server.app)[("ea-na", "useful_reason", f"guide:{slug}", reason, "vi")]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_no_asks_why_then_offers_the_communes_help(browser: Browser, live_server, javascript):
    context, page, slug, complaints = open_guide(browser, live_server, javascript=javascript)
    before, why_before, address = useful(live_server, slug, "no"), reason_count(live_server, slug, "hard"), page.url
    widget = page.locator("#huu-ich")
    widget.get_by_role("button", name="Không").click()
    widget.get_by_role("button", name="Khó hiểu").click()
    expect(widget).to_contain_text("Cảm ơn")
    expect(widget.get_by_role("link", name="Nơi hỗ trợ tại Ea Na")).to_have_attribute("href", "/xa/ea-na/")
    expect(page).to_have_url(address if javascript else f"{address}?cam-on=ly-do#huu-ich")
    assert useful(live_server, slug, "no") == before + 1
    assert reason_count(live_server, slug, "hard") == why_before + 1
    assert complaints == [], complaints
    context.close()
