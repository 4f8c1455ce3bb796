"""Reading in a real browser (Chromium at 360 px): guides fit the phone, the language switch keeps
the page, live search, the commune context survives clicks, and all of it with JavaScript off."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def first_guide(live_server, page: Page) -> str:
    page.goto(live_server.url + "/huong-dan/")
    return page.locator(".cards a").first.get_attribute("href")


def test_every_guide_fits_a_360px_phone_without_sideways_scrolling(live_server, page: Page):
    page.goto(live_server.url + "/huong-dan/")
    hrefs = page.locator(".cards a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs
    for href in hrefs:
        for prefix in ("", "/en"):
            page.goto(live_server.url + prefix + href)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{prefix}{href} scrolls sideways by {overflow}px"


def test_tap_targets_are_at_least_44px_tall(live_server, page: Page):
    page.goto(live_server.url + first_guide(live_server, page))
    for selector in (".site-nav a", ".lang-switch", ".breadcrumbs a", ".related a", "footer a"):
        for box in page.locator(selector).evaluate_all("els => els.map(e => e.getBoundingClientRect().height)"):
            assert box >= 44, f"{selector} is {box}px tall"


# A link or button that stands alone (the only thing in its line or list item, not a word in a
# sentence, which WCAG 2.5.8 exempts): its height, where it is under 44 px.
SMALL_STANDALONE_TARGETS = """() => [...document.querySelectorAll("a[href], button, summary, input[type=submit]")]
  .filter(e => e.offsetParent !== null && e.parentElement.textContent.trim() === e.textContent.trim())
  .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])
  .filter(([, height]) => height < 44)"""


# A field to type in or choose from (a radio or a check box is tapped through its label): its
# height, where it is under 44 px.
SMALL_FIELDS = """() => [...document.querySelectorAll(
    "input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, textarea")]
  .filter(e => e.offsetParent !== null)
  .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])
  .filter(([, height]) => height < 44)"""


def test_every_standalone_link_button_and_field_is_at_least_44px_tall(live_server, page: Page):
    guide = first_guide(live_server, page)
    for path in ("/", "/huong-dan/", guide, "/xa/ea-na/", "/tim-kiem?q=ho+so", "/tim-xa", "/en/"):
        page.goto(live_server.url + path)
        assert (page.evaluate(SMALL_STANDALONE_TARGETS), page.evaluate(SMALL_FIELDS)) == ([], []), path


def test_the_language_switch_keeps_the_page(live_server, page: Page):
    href = first_guide(live_server, page)
    page.goto(live_server.url + "/xa/ea-na" + href)
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(live_server.url + "/en/xa/ea-na" + href)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Tiếng Việt").click()
    expect(page).to_have_url(live_server.url + "/xa/ea-na" + href)


def test_live_search_shows_results_as_you_type(live_server, page: Page):
    page.goto(live_server.url + "/tim-kiem")
    page.evaluate("window.notReloaded = true")
    page.locator("#search-q").press_sequentially("buu dien", delay=30)
    expect(page.locator("#search-results .results li").first).to_be_visible()
    assert page.evaluate("window.notReloaded") is True  # swapped in place, no page load
    expect(page).to_have_url(re.compile(r"/tim-kiem\?q=buu(\+|%20)dien$"))
    expect(page.locator("#lang-switch a[hreflang=en]")).to_have_attribute("href", re.compile(r"^/en/tim-kiem\?q=buu"))


def test_the_commune_context_survives_clicks(live_server, page: Page):
    page.goto(live_server.url + "/xa/buon-trap/")  # an old poster's link
    expect(page).to_have_url(live_server.url + "/xa/krong-ana/?tu=buon-trap")
    expect(page.locator("main")).to_contain_text("Buôn Trấp")  # says, once, where the old name went
    page.locator(".cards a").first.click()
    assert page.url.startswith(live_server.url + "/xa/krong-ana/huong-dan/")
    page.get_by_role("link", name="Hướng dẫn", exact=True).click()
    expect(page).to_have_url(live_server.url + "/xa/krong-ana/huong-dan/")
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(live_server.url + "/en/xa/krong-ana/huong-dan/")


def test_the_same_walk_with_javascript_off(live_server, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/xa/ea-na/")
        page.locator("#search-q").fill("dang ky")
        page.locator(".search-form button").click()
        expect(page).to_have_url(re.compile(r"/xa/ea-na/tim-kiem\?q=dang\+ky$"))
        page.locator(".results a").first.click()
        assert page.url.startswith(live_server.url + "/xa/ea-na/huong-dan/")
        page.get_by_role("link", name="English").click()
        assert page.url.startswith(live_server.url + "/en/xa/ea-na/huong-dan/")
        expect(page.locator("h1")).to_have_count(1)
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [False, True])
def test_a_button_only_a_script_can_work_is_shown_only_when_it_works(live_server, browser, javascript):
    """Print on an outcome page: without JavaScript it would do nothing, so it is not there."""
    from urllib.parse import urlencode

    from guide.wizards.model import all_paths

    wizard = live_server.app.extensions["guide.wizards"]["cach-nop-ho-so"]
    answers, _ = next(iter(all_paths(wizard)))
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/tu-van/{wizard.slug}/ket-qua?{urlencode(answers)}")
        expect(page.locator("#wizard")).to_have_attribute("data-outcome", re.compile(".+"))
        if javascript:
            expect(page.locator(".print-button")).to_be_visible()
        else:
            expect(page.locator(".print-button")).to_be_hidden()
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False])
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/en/",
        "/xa/ea-na/",
        "/en/xa/ea-na/",
        "/xa/buon-trap/",  # an old poster's link: the "now part of" line stays above, short
    ],
)
def test_the_next_step_shows_without_scrolling_on_a_360_by_800_phone(live_server, browser, path, javascript):
    """The main wizard's button: on the home page, and first thing on a commune's page."""
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 360, "height": 800})
    page = context.new_page()
    try:
        page.goto(live_server.url + path)
        button = page.locator("main a.button-start")
        expect(button).to_have_attribute("href", re.compile(r"/tu-van/cach-nop-ho-so/$"))
        box = button.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 800, f"{path}: the button ends at {box}"
        if "/xa/" in path:  # what the resident can do comes before what the commune was formed from
            assert (
                page.locator("main a.button-start, main .place").first.get_attribute("class") == "button button-start"
            )
    finally:
        context.close()
