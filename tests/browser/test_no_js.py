"""Controls honest without JavaScript (issue 12, item 5): a resident's walk with JavaScript off, from
the home page through a guide, the main wizard to its outcome, a commune's page, search and the
commune finder, finds no visible control that does nothing. The rule is checked on whatever each
page shows, not on particular markup: a visible button must submit a form that goes somewhere; a
visible link must lead somewhere."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

# Every visible control that cannot work without a script: a button that is not a form's submit
# button, or whose form has no action; a link without an address (or a script for one).
DEAD_CONTROLS = """() => {
  const shown = el => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  const describe = el => el.outerHTML.slice(0, 160);
  const dead = [];
  for (const el of document.querySelectorAll("button, input[type=button], input[type=submit], input[type=image], [role=button]")) {
    if (!shown(el)) continue;
    const submits = (el.type === "submit" || el.type === "image") && el.form !== null;
    const action = submits && (el.getAttribute("formaction") || el.form.getAttribute("action"));
    if (!action) dead.push(describe(el));
  }
  for (const el of document.querySelectorAll("a")) {
    if (!shown(el)) continue;
    const href = (el.getAttribute("href") || "").trim();
    if (!href || href === "#" || href.toLowerCase().startsWith("javascript:")) dead.push(describe(el));
  }
  return dead;
}"""


def assert_no_dead_controls(page: Page, visited: list[str]) -> None:
    visited.append(page.url)
    dead = page.evaluate(DEAD_CONTROLS)
    assert not dead, f"{page.url}: controls that do nothing without JavaScript: {dead}"


@pytest.fixture
def page_without_javascript(browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 800})
    yield context.new_page()
    context.close()


def test_a_walk_with_javascript_off_finds_no_control_that_does_nothing(live_server, page_without_javascript):
    page, visited = page_without_javascript, []

    page.goto(live_server.url + "/")
    assert_no_dead_controls(page, visited)

    page.locator("main .cards a").first.click()  # a guide
    expect(page).to_have_url(re.compile(r"/huong-dan/[a-z0-9-]+$"))
    assert_no_dead_controls(page, visited)

    page.goto(live_server.url + "/")
    page.locator("main a.button-start").click()  # the main wizard: its start page, then each question
    assert_no_dead_controls(page, visited)
    page.locator("main a.button-start").click()
    for _ in range(12):
        if page.locator("#wizard form input[type=radio]").count() == 0:
            break
        assert_no_dead_controls(page, visited)
        page.locator("#wizard form .radio label").first.click()
        page.locator("#wizard form button[type=submit]").click()
    if "/kiem-tra" in page.url:  # "check your answers"
        assert_no_dead_controls(page, visited)
        page.locator("#wizard a.button").first.click()
    expect(page.locator("#wizard")).to_have_attribute("data-outcome", re.compile(".+"))  # the plan
    assert_no_dead_controls(page, visited)

    page.goto(live_server.url + "/xa/ea-na/")  # a commune's page
    assert_no_dead_controls(page, visited)
    page.locator("main .search-form input[type=search]").fill("buu dien")  # search, from there
    page.locator("main .search-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/xa/ea-na/tim-kiem\?q=buu\+dien$"))
    expect(page.locator(".results li").first).to_be_visible()
    assert_no_dead_controls(page, visited)

    page.goto(live_server.url + "/")  # the commune finder, by a former commune's name
    page.locator("#home-find-q").fill("buon trap")
    page.locator("#home-find-q").press("Enter")
    expect(page).to_have_url(re.compile(r"/tim-xa\?q=buon\+trap$"))
    assert_no_dead_controls(page, visited)

    assert len(visited) >= 8, visited


def test_the_check_catches_a_button_that_does_nothing(live_server, page_without_javascript):
    """The rule itself: a shown script-only button, or a link without an address, is reported; a
    hidden one, and a form's submit button, are not."""
    page = page_without_javascript
    page.goto(live_server.url + "/")
    page.evaluate(
        """() => {
        const main = document.querySelector("main");
        main.insertAdjacentHTML("beforeend",
          '<button type="button" id="dead">Print</button><button type="button" hidden>Copy</button>' +
          '<a id="nowhere">Share</a><form action="/tim-kiem"><button>Go</button></form>');
    }"""
    )
    dead = page.evaluate(DEAD_CONTROLS)
    assert len(dead) == 2 and 'id="dead"' in dead[0] and 'id="nowhere"' in dead[1], dead
