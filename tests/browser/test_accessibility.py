"""Accessibility in a real browser: axe-core on every kind of page in both languages (no serious
or critical violation), a keyboard-only walk through a wizard, visible focus, reduced motion,
and reflow at 320 CSS pixels (a 360 px phone zoomed in)."""

from urllib.parse import urlencode

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from guide.wizards.model import all_paths

pytestmark = pytest.mark.browser
axe = Axe()


def pages_to_check(app) -> list[str]:
    """One page of every kind: home, commune, index, guide, search, 404, and each wizard step type."""
    library = app.extensions["guide.library"]
    guide = next(iter(library.guides["vi"]))
    urls = ["/", "/xa/ea-na/", "/huong-dan/", f"/huong-dan/{guide}", "/tim-kiem?q=ho+so", "/khong-co"]
    slug, wizard = sorted(app.extensions["guide.wizards"].items())[0]
    answers, _ = next(iter(all_paths(wizard)))
    query = urlencode(answers)
    urls += [
        f"/tu-van/{slug}/",
        f"/tu-van/{slug}/{wizard.start}",
        f"/tu-van/{slug}/{wizard.start}?tiep=1",
        f"/tu-van/{slug}/kiem-tra?{query}",
        f"/xa/ea-na/tu-van/{slug}/ket-qua?{query}",
    ]
    guide_kind = f"huong-dan/{guide}"
    urls += ["/xa/ea-na/chia-se", f"/xa/ea-na/chia-se/ap-phich/{guide_kind}", "/thong-ke/dang-nhap"]
    return urls


def sign_in(page: Page, live_server):
    from ..conftest import LIVE_USERS

    name, password = LIVE_USERS["district"]
    page.goto(live_server.url + "/thong-ke/dang-nhap")
    page.locator("#name").fill(name)
    page.locator("#password").fill(password)
    page.locator("form.login-form button").click()


@pytest.mark.parametrize("language", ["", "/en"])
def test_axe_finds_no_serious_or_critical_violation(live_server, page: Page, language):
    failures = []
    for url in pages_to_check(live_server.app):
        page.goto(live_server.url + language + url)
        results = axe.run(page)
        serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        failures += [
            f"{language}{url}: {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in serious
        ]
    sign_in(page, live_server)
    for url in ["/thong-ke/", "/thong-ke/xa/ea-na"]:
        page.goto(live_server.url + language + url)
        serious = [v for v in axe.run(page).response["violations"] if v["impact"] in ("serious", "critical")]
        failures += [f"{language}{url}: {v['id']} ({v['impact']}): {v['help']}" for v in serious]
    assert failures == [], "\n".join(failures)


def test_a_wizard_can_be_done_with_the_keyboard_alone(live_server, page: Page):
    slug, wizard = sorted(live_server.app.extensions["guide.wizards"].items())[0]
    page.goto(f"{live_server.url}/tu-van/{slug}/")
    page.locator("a.button-start").focus()
    page.keyboard.press("Enter")
    for _ in range(len(wizard.questions) + 1):
        region = page.locator("#wizard")
        step = region.get_attribute("data-step")
        if step == "kiem-tra":
            break
        page.locator("#wizard input[type=radio]").first.focus()
        page.keyboard.press("Space")  # choose the focused answer
        page.keyboard.press("Tab")
        while page.evaluate("document.activeElement.type") != "submit":
            page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        expect(page.locator("#wizard")).not_to_have_attribute("data-step", step)
    expect(page.locator("#wizard")).to_have_attribute("data-step", "kiem-tra")
    page.locator("#wizard a.button").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#wizard[data-outcome]")).to_be_visible()


def test_focus_is_visible_on_links_buttons_and_answers(live_server, page: Page):
    slug, wizard = sorted(live_server.app.extensions["guide.wizards"].items())[0]
    page.goto(f"{live_server.url}/tu-van/{slug}/{wizard.start}")
    for selector in ("a.lang-switch", "#wizard input[type=radio]", "#wizard button[type=submit]"):
        page.locator(selector).first.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
        # a radio is drawn by its label's ::before, so that is where its focus ring shows
        outline = page.evaluate("""() => {
            const el = document.activeElement;
            const drawn = el.type === 'radio' ? getComputedStyle(el.nextElementSibling, '::before') : getComputedStyle(el);
            return drawn.outlineStyle + ' ' + drawn.outlineWidth;
        }""")
        assert outline.startswith("solid") and outline != "solid 0px", f"{selector}: no visible focus ({outline})"


def test_reduced_motion_turns_transitions_off(live_server, browser):
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    page.goto(live_server.url + "/tim-kiem")
    duration = page.evaluate("getComputedStyle(document.querySelector('.search-form button')).transitionDuration")
    context.close()
    assert duration in ("0s", "")


@pytest.mark.parametrize("url", ["/", "/huong-dan/", "/tim-kiem?q=ho+so"])
def test_pages_reflow_at_320_css_pixels(live_server, browser, url):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(live_server.url + url)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    context.close()
    assert overflow <= 0
