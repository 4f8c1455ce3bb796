"""Offline after one visit (issue 12, item 9): the service worker (static/js/sw.js) keeps what the
visitor opened, and shows it again with the network cut, saying it may be out of date; a page
never opened shows the offline notice in the page's language; the dashboard is never kept."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

KEPT = "href => caches.match(new URL(href, location.href).href, {ignoreVary: true}).then(found => !!found)"


def eventually(page: Page, predicate: str, arg=None) -> None:
    """Wait in the page until the async `predicate` holds (polled there: the pages' CSP forbids the
    eval that page.wait_for_function would use)."""
    assert page.evaluate(
        """async ([predicate, arg]) => {
        const holds = eval(predicate);
        for (let i = 0; i < 300; i++) {
          if (await holds(arg)) return true;
          await new Promise(resolve => setTimeout(resolve, 50));
        }
        return false;
    }""",
        [predicate, arg],
    ), predicate


def wait_until_kept(page: Page, href: str) -> None:
    eventually(page, KEPT, href)


def open_under_the_worker(page: Page, url: str, kept_as: str | None = None) -> None:
    """Open `url`, wait for the worker to control the page and to have kept it (as `kept_as`: the
    address without the tags a link carries) and the offline notice."""
    page.goto(url)
    eventually(page, "() => navigator.serviceWorker.controller !== null")
    wait_until_kept(page, kept_as or page.url)
    wait_until_kept(page, page.evaluate("document.documentElement.dataset.offline"))


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="vi-VN")
    yield context
    context.close()


def test_a_guide_opened_once_opens_again_without_a_network(live_server, context):
    page = context.new_page()
    guide = live_server.url + "/xa/ea-na/huong-dan/nop-qua-buu-dien"
    open_under_the_worker(page, guide + "?src=qr&utm_source=zalo", kept_as=guide)  # one copy, whatever the tags
    title = page.locator("h1").inner_text()
    expect(page.locator("#stale-notice")).to_be_hidden()  # online: the page as it is

    context.set_offline(True)
    page.reload()
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("#stale-notice")).to_be_visible()
    expect(page.locator("#stale-notice")).to_contain_text("Trang này có thể đã cũ")
    expect(page.locator(".prose")).to_be_visible()  # the style sheet came from the phone too
    assert page.locator("body").evaluate("b => getComputedStyle(b).fontFamily").startswith("system-ui")

    page.goto(guide)  # the same page without the tags
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("#stale-notice")).to_be_visible()

    page.goto(live_server.url + "/huong-dan/dang-ky-khai-sinh")  # never opened
    expect(page.locator("h1")).to_have_text("Không có mạng")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("main a[href='tel:1900545481']")).to_be_visible()  # a call needs no internet
    # Issue 31: it lists what this phone has kept, and links to nothing else (that would lead back here)
    expect(page.locator("#saved-pages a")).to_have_count(1)
    expect(page.locator("#saved-pages a")).to_have_attribute("href", "/xa/ea-na/huong-dan/nop-qua-buu-dien")
    expect(page.locator("#saved-pages a")).to_have_text(re.compile(title))
    expect(page.locator(".saved-none")).to_be_hidden()
    assert page.locator("a:not(#saved-pages a):not([href^='tel:'])").count() == 0  # the header's too: no loop

    context.set_offline(False)
    page.goto(live_server.url + "/huong-dan/dang-ky-khai-sinh")
    expect(page.locator("h1")).not_to_have_text("Không có mạng")
    expect(page.locator("#stale-notice")).to_be_hidden()


def test_the_offline_notice_speaks_the_pages_language(live_server, context):
    page = context.new_page()
    open_under_the_worker(page, live_server.url + "/en/huong-dan/nop-qua-buu-dien")
    context.set_offline(True)
    page.goto(live_server.url + "/en/xa/ea-na/huong-dan/dang-ky-khai-sinh")
    expect(page.locator("h1")).to_have_text("No connection")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_a_plan_reached_through_the_wizard_opens_again_without_a_network(live_server, context):
    """The steps htmx swaps in are not pages the worker fetched: site.js hands each one over."""
    page = context.new_page()
    open_under_the_worker(page, live_server.url + "/tu-van/cach-nop-ho-so/")
    page.locator("main a.button-start").click()
    for _ in range(12):
        if page.locator("#wizard form input[type=radio]").count() == 0:
            break
        step = page.url
        page.locator("#wizard form .radio label").first.click()
        page.locator("#wizard form button[type=submit]").click()
        expect(page).not_to_have_url(step)
    if "/kiem-tra" in page.url:
        page.locator("#wizard a.button").first.click()
    expect(page.locator("#wizard")).to_have_attribute("data-outcome", re.compile(".+"))
    assert "/ket-qua?" in page.url
    wait_until_kept(page, page.url)

    context.set_offline(True)
    page.reload()
    expect(page.locator("#wizard")).to_have_attribute("data-outcome", re.compile(".+"))
    expect(page.locator("#stale-notice")).to_be_visible()

    page.goto(live_server.url + "/huong-dan/dang-ky-khai-tu")  # never opened: the plan is listed first
    expect(page.locator("h1")).to_have_text("Không có mạng")
    expect(page.locator("#saved-pages a").first).to_have_attribute("href", re.compile("/ket-qua\\?"))


def test_the_dashboard_sign_in_and_search_are_never_kept(live_server, context):
    page = context.new_page()
    open_under_the_worker(page, live_server.url + "/")
    for path in ("/thong-ke/dang-nhap", "/tim-kiem?q=buu+dien", "/en/xa/ea-na/tim-xa?q=ea"):
        page.goto(live_server.url + path)
        expect(page.locator("h1")).to_have_count(1)
        page.goto(live_server.url + "/")  # a kept page, so the next check waits for nothing pending
        wait_until_kept(page, page.url)
        assert page.evaluate(f"({KEPT})({(live_server.url + path)!r})") is False, path
    context.set_offline(True)
    page.goto(live_server.url + "/thong-ke/dang-nhap")
    expect(page.locator("h1")).to_have_text("Không có mạng")


def test_a_page_handed_to_the_worker_is_still_counted_once(live_server, browser):
    """The first page is fetched again for the worker to keep, as a prefetch: the tallies see one view."""
    from tests.tallies.conftest import PEOPLE, app_counters

    def views(slug):
        return sum(
            n
            for (_, kind, subject, _, _), n in app_counters(live_server.app).items()
            if (kind, subject) == ("view", slug)
        )

    context = browser.new_context(user_agent=PEOPLE["chrome"], viewport={"width": 360, "height": 800})  # a person
    try:
        before = views("tra-cuu-ho-so")
        page = context.new_page()
        open_under_the_worker(page, live_server.url + "/xa/ea-na/huong-dan/tra-cuu-ho-so")
        assert views("tra-cuu-ho-so") == before + 1
    finally:
        context.close()
