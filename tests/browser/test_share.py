"""The share kit in a real browser: the poster prints on one A4 page and its QR code, read by a
real QR reader (zxing-cpp), opens the commune's page tagged as a poster arrival."""

import pypdfium2
import pytest
import zxingcpp
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    "path",
    [
        "/xa/ea-na/chia-se/ap-phich/trang-chu/",
        "/xa/dur-kmal/chia-se/ap-phich/tu-van/{wizard}",
        "/en/xa/krong-ana/chia-se/ap-phich/huong-dan/{guide}",
    ],
)
def test_the_poster_prints_on_one_a4_page_with_a_qr_code_that_reads(live_server, page: Page, tmp_path, path):
    guide = next(iter(live_server.app.extensions["guide.library"].guides["vi"]))
    wizard = sorted(live_server.app.extensions["guide.wizards"])[0]
    path = path.format(guide=guide, wizard=wizard)
    page.goto(live_server.url + path)
    pdf_path = tmp_path / "poster.pdf"
    page.pdf(path=str(pdf_path), format="A4", print_background=True)
    pdf = pypdfium2.PdfDocument(str(pdf_path))
    assert len(pdf) == 1, f"{path} prints on {len(pdf)} pages"
    width, height = pdf[0].get_size()
    assert abs(width - 595.3) < 1.5 and abs(height - 841.9) < 1.5  # A4 in points
    image = pdf[0].render(scale=3).to_pil()
    codes = zxingcpp.read_barcodes(image)
    assert len(codes) == 1, "expected exactly one readable QR code"
    commune = path.split("/xa/")[1].split("/")[0]
    language = "/en" if path.startswith("/en/") else ""
    target = {"trang-chu": "/", "tu-van": f"/tu-van/{wizard}/", "huong-dan": f"/huong-dan/{guide}"}[
        path.split("/ap-phich/")[1].split("/")[0]
    ]
    assert codes[0].text == f"{live_server.url}{language}/xa/{commune}{target}?src=poster"


def test_the_kit_offers_a_tagged_link_and_a_qr_for_every_guide_and_wizard(live_server, page: Page):
    app = live_server.app
    page.goto(live_server.url + "/xa/ea-na/chia-se")
    expected = 1 + len(app.extensions["guide.wizards"]) + len(app.extensions["guide.library"].guides["vi"])
    expect(page.locator(".share-item")).to_have_count(expected)
    links = page.locator(".share-link").evaluate_all("els => els.map(e => e.value)")
    assert all(link.startswith(live_server.url + "/xa/ea-na/") and link.endswith("?src=link") for link in links)
    assert page.locator(".share-qr svg").count() == expected


def test_the_copy_button_copies_the_link(live_server, browser):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(live_server.url + "/xa/ea-na/chia-se")
    page.locator(".copy-button").first.click()
    expect(page.locator(".copy-status").first).to_have_text("Đã sao chép đường dẫn.")
    copied = page.evaluate("navigator.clipboard.readText()")
    context.close()
    assert copied == live_server.url + "/xa/ea-na/?src=link"
