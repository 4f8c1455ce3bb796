"""The plan to carry and the plan to send, in a real browser (Debian's Chromium).

Every outcome of every shipped wizard prints on one A4 page at 12 pt or more, its checklist in one
column, for a commune whose offices are known (the longest plan there is): with the date, the
commune, the links' real addresses and a QR code that a real QR reader (zxing-cpp) reads back to
this very plan, tagged `src=plan`. "Send this plan" hands the plan's address to the phone's share
sheet, or copies it, and without JavaScript the plain link is there to copy by hand.
"""

from urllib.parse import urlencode

import pytest
import zxingcpp
from flask_babel import force_locale
from playwright.sync_api import Page, expect

from guide.clock import today
from guide.communes.details import Office
from guide.pages import local_date
from guide.wizards.engine import canonical
from guide.wizards.model import all_paths

from .conftest import print_to_pdf, serve_with_offices

pytestmark = pytest.mark.browser
PUBLIC = "https://huongdan.example.gov.vn"  # a QR code is made only for a public address (share.qr_url)

# Test data only (never shipped): both of Ea Na's offices, every field filled, as its staff would enter them.
OFFICES = {
    "ea-na": dict(
        centre=Office(
            name="Trung tâm Phục vụ hành chính công xã Ea Na (thử nghiệm)",
            address="Số 1 đường Thử Nghiệm, thôn 1, xã Ea Na",
            phones=("0262 3 000 000",),
            hours={day: ("7:00–11:30", "13:30–17:00") for day in ("mon", "tue", "wed", "thu", "fri")},
            map="https://maps.example.org/ea-na-trung-tam",
        ),
        post_offices=(
            Office(
                name="Bưu cục Ea Na (thử nghiệm)",
                address="Số 2 đường Thử Nghiệm, thôn 2, xã Ea Na",
                phones=("0262 3 000 001",),
                hours_text="Thứ Hai–Thứ Bảy, 7:00–17:00",
            ),
        ),
    )
}


@pytest.fixture(scope="module")
def plan_server(tmp_path_factory):
    server = serve_with_offices(tmp_path_factory.mktemp("plan"), OFFICES, PUBLIC)
    yield server
    server.stop()


# The smallest font size (CSS px; 16 px = 12 pt) of any text printed in the plan's body: everything
# but the small print beside the QR code and the date the offices were last updated.
SMALLEST_PRINTED_TEXT = """() => Math.min(...[...document.querySelectorAll(".outcome *")]
  .filter(e => !e.closest(".plan-stamp, .updated") && e.getClientRects().length
    && [...e.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim()))
  .map(e => parseFloat(getComputedStyle(e).fontSize)))"""


def every_outcome(app):
    """(wizard slug, answers, outcome id): the shortest path to each outcome of each wizard."""
    for slug, wizard in sorted(app.extensions["guide.wizards"].items()):
        found = {}
        for answers, outcome in sorted(all_paths(wizard), key=lambda path: len(path[0])):
            found.setdefault(outcome, answers)
        for outcome, answers in found.items():  # in the plan's own order, the wizard's question order
            yield slug, canonical(wizard, answers), outcome


@pytest.mark.parametrize("language", ["", "/en"])
def test_every_outcome_prints_on_one_a4_page_whose_qr_code_reopens_the_plan(
    plan_server, page: Page, tmp_path, language
):
    app = plan_server.app

    def the_day():
        with app.test_request_context(f"{language}/"), force_locale("en" if language else "vi"):
            return local_date(today())

    for slug, answers, outcome in every_outcome(app):
        plan = f"{language}/xa/ea-na/tu-van/{slug}/ket-qua?{urlencode(answers)}"
        made_on = {the_day()}  # the plan's date: the day it was asked on (midnight may pass meanwhile)
        page.goto(plan_server.url + plan + "&utm_source=zalo&fbclid=x")  # the visitor's tags stay out of the plan
        made_on.add(the_day())
        expect(page.locator("#wizard")).to_have_attribute("data-outcome", outcome)
        page.emulate_media(media="print")
        assert page.evaluate(SMALLEST_PRINTED_TEXT) >= 16, f"{slug}/{outcome}: text under 12 pt on paper"
        assert page.locator(".checklist").evaluate("list => getComputedStyle(list).columnCount") == "auto"
        pdf = print_to_pdf(page, tmp_path / f"{slug}-{outcome}.pdf")
        assert len(pdf) == 1, f"{slug}/{outcome} ({language or 'vi'}) prints on {len(pdf)} pages"
        width, height = pdf[0].get_size()
        assert abs(width - 595.3) < 1.5 and abs(height - 841.9) < 1.5  # A4 in points
        codes = zxingcpp.read_barcodes(pdf[0].render(scale=2).to_pil())
        assert [code.text for code in codes] == [PUBLIC + plan + "&src=plan"], f"{slug}/{outcome}"
        # pdfium marks a hyphen where a line breaks as U+FFFE
        text = " ".join(pdf[0].get_textpage().get_text_range().replace("\ufffe", "-").split())
        assert any(day in text for day in made_on) and ("Ea Na commune" if language else "Xã Ea Na") in text
        assert "Số 2 đường Thử Nghiệm" in text and "0262 3 000 000" in text  # the offices, as entered
        unbroken = "".join(text.split())  # an address may wrap at the end of a line
        assert "(maps.example.org/ea-na-trung-tam)" in unbroken  # a link's address, short
        links = app.extensions["guide.wizards"][slug].outcomes[outcome].links
        if links:
            host = app.extensions["guide.library"].links[links[0]].url.split("/")[2]
            assert f"({host})" in unbroken, f"{slug}/{outcome}: the first link's address is not printed"
        assert "/ra/" not in unbroken  # the destination's address, never our redirect
        heading = "Your answers" if language else "Câu trả lời của bạn"
        assert heading not in text  # the plan's first lines say the situation; the QR code opens the answers
        page.goto(codes[0].text.replace(PUBLIC, plan_server.url))  # scanned: the same plan opens
        expect(page.locator("#wizard")).to_have_attribute("data-outcome", outcome)


def plan_url(live_server, wizard_slug="nop-qua-buu-dien"):
    wizard = live_server.app.extensions["guide.wizards"][wizard_slug]
    answers, outcome = min(all_paths(wizard), key=lambda path: len(path[0]))
    return f"{live_server.url}/xa/ea-na/tu-van/{wizard_slug}/ket-qua?{urlencode(answers)}", answers


def reach_the_outcome_through_htmx(page: Page, url: str) -> None:
    """From the check-your-answers step, as a visitor does: htmx swaps the outcome in."""
    page.goto(url.replace("/ket-qua?", "/kiem-tra?"))
    page.evaluate("window.sameDocument = true")
    page.locator("#wizard a.button").click()
    expect(page.locator("#wizard.outcome")).to_be_visible()
    assert page.evaluate("window.sameDocument") is True and page.url == url


SHARE_STUB = """Object.defineProperty(navigator, "share", {configurable: true, value: function (data) {
  window.sharedWith = data; return Promise.resolve(); }});"""


def test_send_this_plan_hands_the_plans_address_to_the_share_sheet(live_server, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    context.add_init_script(SHARE_STUB)
    page = context.new_page()
    url, _ = plan_url(live_server)
    reach_the_outcome_through_htmx(page, url)
    button = page.get_by_role("button", name="Gửi kế hoạch này")
    expect(button).to_be_visible()
    expect(page.locator(".print-button")).to_be_visible()  # switched on after the swap too
    button.click()
    shared = page.wait_for_function("window.sharedWith").json_value()
    context.close()
    assert shared["url"] == url  # the plan itself: its answers, no tag, nothing about the visitor


def test_without_a_share_sheet_send_this_plan_copies_the_link_and_says_so(live_server, browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="vi-VN", permissions=["clipboard-read", "clipboard-write"]
    )
    context.add_init_script("delete Navigator.prototype.share; delete navigator.share;")
    page = context.new_page()
    url, _ = plan_url(live_server)
    page.goto(url)
    page.get_by_role("button", name="Gửi kế hoạch này").click()
    expect(page.locator(".send-status")).to_have_text("Đã sao chép đường dẫn.")
    copied = page.evaluate("navigator.clipboard.readText()")
    context.close()
    assert copied == url


def test_without_javascript_the_plain_link_is_there_and_no_dead_button(live_server, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    url, _ = plan_url(live_server)
    page.goto(url + "&src=qr")
    expect(page.locator(".send-plan-button")).to_be_hidden()
    expect(page.locator(".print-button")).to_be_hidden()
    link = page.locator(".plan-link a")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", url)
    expect(link).to_have_text(url)
    context.close()
