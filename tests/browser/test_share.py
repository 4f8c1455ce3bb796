"""The share kit in a real browser, as commune staff use it: a poster prints on one A4 page with large
steps, the desk's phone and hours, and a QR code that a real reader (zxing-cpp) decodes to the public
address; the kit's QR codes load only when asked for and none encodes a loopback address; "copied"
shows beside the button pressed; without JavaScript the links are text and no button shows; and
without a public address no QR code is made at all."""

import io
import ipaddress
from urllib.parse import urlsplit

import pytest
import zxingcpp
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import Page, expect

from guide.communes.details import Office

from .conftest import print_to_pdf, serve_with_offices

pytestmark = pytest.mark.browser
PUBLIC = "https://huongdan.example.gov.vn"
OFFICES = {  # test data only
    "krong-ana": dict(
        centre=Office(
            name="Trung tâm Phục vụ hành chính công xã Krông Ana (thử nghiệm)",
            address="Số 1 đường Thử Nghiệm, thôn Một",
            phones=("0262 3 123 456",),
            hours={day: ("7:00–11:30", "13:30–17:00") for day in ("mon", "tue", "wed", "thu", "fri")},
        ),
        post_offices=(Office(name="Bưu cục thử nghiệm", address="Số 2 đường Thử Nghiệm", phones=("0262 3 000 000",)),),
    )
}


@pytest.fixture(scope="module")
def public_server(tmp_path_factory):
    """The app with GUIDE_PUBLIC_URL set to a public host, and one commune's offices entered."""
    server = serve_with_offices(tmp_path_factory.mktemp("share"), OFFICES, PUBLIC)
    yield server
    server.stop()


def is_loopback_or_private(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return host == "localhost" or host.endswith(".localhost")


def read_screenshot(png: bytes) -> list:
    return zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))


@pytest.mark.parametrize(
    "path, target",
    [
        ("/xa/krong-ana/chia-se/ap-phich/trang-chu/", "/xa/krong-ana/"),
        ("/xa/krong-ana/chia-se/ap-phich/tu-van/nop-qua-buu-dien", "/xa/krong-ana/tu-van/nop-qua-buu-dien/"),
        ("/en/xa/krong-ana/chia-se/ap-phich/huong-dan/tro-cap-xa-hoi", "/en/xa/krong-ana/huong-dan/tro-cap-xa-hoi"),
        ("/xa/ea-na/chia-se/ap-phich/huong-dan/nop-qua-buu-dien", "/xa/ea-na/huong-dan/nop-qua-buu-dien"),
    ],
)
def test_the_poster_prints_on_one_a4_page_whose_qr_code_opens_the_public_address(
    public_server, page: Page, tmp_path, path, target
):
    page.goto(public_server.url + path)
    pdf = print_to_pdf(page, tmp_path / "poster.pdf")
    assert len(pdf) == 1, f"{path} prints on {len(pdf)} pages"
    width, height = pdf[0].get_size()
    assert abs(width - 595.3) < 1.5 and abs(height - 841.9) < 1.5  # A4 in points
    codes = zxingcpp.read_barcodes(pdf[0].render(scale=3).to_pil())
    assert [code.text for code in codes] == [f"{PUBLIC}{target}?src=poster"]
    text = " ".join(pdf[0].get_textpage().get_text_range().replace("\ufffe", "-").split())  # pdfium: a hyphen
    english = path.startswith("/en/")
    assert ("No need to go to the commune" if english else "Không cần đến xã") in text
    commune = target.split("/xa/")[1].split("/")[0]
    assert f"huongdan.example.gov.vn{'/en' if english else ''}/xa/{commune}" in text  # short, scheme-less
    if commune == "krong-ana":  # the overlay knows its desk
        assert "0262 3 123 456" in text and ("Monday–Friday" if english else "Thứ Hai–Thứ Sáu") in text
    else:  # it knows nothing of Ea Na's: nothing invented, only the hotline that works anywhere
        assert "0262" not in text and "1900 54 54 81" in text


def test_the_posters_steps_read_from_two_metres_and_its_colours_hold_in_greyscale(public_server, page: Page):
    page.goto(public_server.url + "/xa/krong-ana/chia-se/ap-phich/tu-van/nop-qua-buu-dien")
    page.emulate_media(media="print")
    sizes = page.locator(".poster-steps li").evaluate_all(
        "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert len(sizes) == 3 and min(sizes) >= 32  # CSS pixels: 24 pt
    assert float(page.locator(".poster-headline").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 37
    # Printed in grey, a colour keeps its luminance: white on the band, and the headline on white,
    # must stay as far apart as black text needs (4.5:1).
    colours = page.evaluate(
        """() => {
      const style = (selector) => getComputedStyle(document.querySelector(selector));
      return [[style(".poster-commune").color, style(".poster-commune").backgroundColor],
              [style(".poster-headline").color, "rgb(255, 255, 255)"],
              ["rgb(255, 255, 255)", getComputedStyle(document.querySelector(".poster-steps li"), "::before").backgroundColor]];
    }"""
    )
    for foreground, background in colours:
        assert contrast(foreground, background) >= 4.5, (foreground, background)
    assert page.locator(".poster-commune").evaluate("e => getComputedStyle(e).printColorAdjust") == "exact"


def contrast(first: str, second: str) -> float:
    def luminance(rgb: str) -> float:
        channels = [int(part) / 255 for part in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_kit_loads_a_qr_code_only_when_asked_and_none_encodes_a_loopback_address(public_server, page: Page):
    fetched = []
    page.on("request", lambda request: fetched.append(request.url) if "/chia-se/qr/" in request.url else None)
    page.goto(public_server.url + "/xa/krong-ana/chia-se")
    page.wait_for_load_state("networkidle")
    assert fetched == [], "a closed QR code was fetched"
    first = page.locator(".share-item").first
    expect(first.locator("h3")).to_have_text("Xã Krông Ana")
    first.locator("summary").click()
    image = first.locator("details.share-qr img")
    expect(image).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert len(fetched) == 1
    codes = read_screenshot(image.screenshot())
    assert [code.text for code in codes] == [f"{PUBLIC}/xa/krong-ana/?src=qr"]
    # every other one, opened: each decodes to the public address of its own link
    items = page.locator(".share-item")
    for index in range(items.count()):
        item = items.nth(index)
        if index:
            item.locator("summary").click()
        image = item.locator("details.share-qr img")
        image.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        decoded = [code.text for code in read_screenshot(image.screenshot())]
        link = item.locator(".share-link").inner_text()
        assert decoded == [link.replace("?src=link", "?src=qr")]
        assert decoded[0].startswith(PUBLIC + "/") and not is_loopback_or_private(decoded[0])


def test_copied_shows_beside_the_button_pressed(public_server, browser):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(public_server.url + "/xa/krong-ana/chia-se")
    buttons = page.locator(".copy-button")
    expect(buttons.first).to_be_visible()
    buttons.nth(5).click()
    statuses = page.locator(".copy-status")
    expect(statuses.nth(5)).to_have_text("Đã chép")
    assert page.evaluate("navigator.clipboard.readText()") == page.locator(".share-link").nth(5).inner_text()
    # beside it: on the same line, just right of the button
    button, status = buttons.nth(5).bounding_box(), statuses.nth(5).bounding_box()
    assert abs(status["y"] + status["height"] / 2 - (button["y"] + button["height"] / 2)) < 4
    assert 0 <= status["x"] - (button["x"] + button["width"]) < 24
    buttons.first.click()
    expect(statuses.first).to_have_text("Đã chép")
    expect(statuses.nth(5)).to_have_text("")  # only the last copy is in the clipboard
    assert page.evaluate("navigator.clipboard.readText()") == f"{PUBLIC}/xa/krong-ana/?src=link"
    context.close()


def test_without_javascript_the_links_are_text_to_select_and_no_button_shows(public_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(public_server.url + "/xa/krong-ana/chia-se")
    assert page.locator("button:visible").count() == 0
    link = page.locator(".share-link").first
    expect(link).to_be_visible()
    expect(link).to_have_text(f"{PUBLIC}/xa/krong-ana/?src=link")
    assert link.evaluate("e => getComputedStyle(e).userSelect") == "all"  # one tap selects all of it
    page.locator("summary").first.click()  # <details> needs no script
    expect(page.locator("details.share-qr img").first).to_be_visible()
    page.goto(public_server.url + "/xa/krong-ana/chia-se/ap-phich/trang-chu/")
    assert page.locator("button:visible").count() == 0
    context.close()


def test_without_a_public_address_the_kit_and_the_poster_make_no_qr_code(live_server, page: Page, tmp_path):
    assert not live_server.app.config["PUBLIC_URL"]  # the session's server: this machine's address only
    page.goto(live_server.url + "/xa/ea-na/chia-se")
    expect(page.locator(".share-no-qr")).to_contain_text("GUIDE_PUBLIC_URL")
    assert page.locator("details.share-qr, img[src*='/chia-se/qr/']").count() == 0
    page.goto(live_server.url + "/xa/ea-na/chia-se/ap-phich/trang-chu/")
    expect(page.locator(".poster .share-no-qr")).to_contain_text("Chưa có mã QR")
    pdf = print_to_pdf(page, tmp_path / "poster.pdf")
    assert len(pdf) == 1
    assert zxingcpp.read_barcodes(pdf[0].render(scale=3).to_pil()) == []
    assert "127.0.0.1" not in pdf[0].get_textpage().get_text_range()


@pytest.mark.parametrize("language", ["", "/en"])
def test_axe_finds_no_serious_violation_in_the_kit_with_its_qr_codes_or_on_a_poster(
    public_server, page: Page, language
):
    failures = []
    for path in ["/xa/krong-ana/chia-se", "/xa/krong-ana/chia-se/ap-phich/tu-van/nop-qua-buu-dien"]:
        page.goto(public_server.url + language + path)
        page.locator("details.share-qr").evaluate_all("els => els.forEach(e => e.open = true)")
        violations = Axe().run(page).response["violations"]
        failures += [f"{path}: {v['id']}: {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]
    assert failures == []


KIT_AND_POSTERS = (
    "/xa/ea-na/chia-se",
    "/xa/ea-na/chia-se/ap-phich/trang-chu/",
    "/xa/ea-na/chia-se/ap-phich/tu-van/nop-qua-buu-dien",
    "/en/xa/ea-na/chia-se/ap-phich/huong-dan/nop-qua-buu-dien",
)


def test_the_kit_and_its_posters_fit_a_phone_with_or_without_a_qr_code(live_server, public_server, browser):
    """Staff open them on their phones to share: no sideways scrolling at 360 px, whether the site
    has a public address for the QR codes (public_server) or not yet (live_server, whose notice
    spells out a long address)."""
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    for server in (live_server, public_server):
        for path in KIT_AND_POSTERS:
            page.goto(server.url + path)
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= 360, (
                f"{path} is {wide} px wide on a 360 px phone (public address: {server is public_server})"
            )
    context.close()
