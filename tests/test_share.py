"""The share kit over HTTP: grouped, one title per item, each QR code on demand and only for a public
address; posters with the benefit headline, the commune's desk as far as its staff entered it, a
short printed address and a QR code with its quiet zone. The browser side is tests/browser/test_share.py."""

import io

import pytest
import zxingcpp
from PIL import Image

from guide import create_app
from guide.communes.details import Office
from guide.pages import MAIN_WIZARD
from guide.share import is_public_address

from .conftest import ClientRequest, record_details

WORKING_WEEK = {day: ("7:00–11:30", "13:30–17:00") for day in ("mon", "tue", "wed", "thu", "fri")}

PUBLIC = "https://huongdan.example.gov.vn"
NOT_PUBLIC = ["", "http://127.0.0.1:8000", "http://localhost:5000", "http://192.168.1.10", "http://[::1]:8000"]
HEADLINE = {"": "Không cần đến xã: nộp hồ sơ bằng điện thoại hoặc qua bưu điện",
            "/en": "No need to go to the commune: submit by phone or through the post office"}  # fmt: skip
QUIET_ZONE = 4  # modules, as ISO/IEC 18004 asks: the test says it, not the code under test
NO_QR = {"": "Chưa có mã QR: chưa đặt địa chỉ công khai của trang.",
         "/en": "No QR code: this site's public address is not set."}  # fmt: skip


def make_app(tmp_path, public_url: str, content=None):
    config = {"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'share.sqlite3'}", "PUBLIC_URL": public_url}
    return create_app({**config, "CONTENT_DIR": content} if content else config)


@pytest.fixture
def public_request(tmp_path):
    return ClientRequest(make_app(tmp_path, PUBLIC).test_client())


def decode_png(data: bytes) -> str:
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))
    assert len(codes) == 1
    return codes[0].text


@pytest.mark.parametrize(
    "url",
    [PUBLIC, "http://huongdan.example.gov.vn:8080/guide", "https://8.8.8.8", "http://[2001:4860:4860::8888]"],
)
def test_a_public_host_is_one_a_phone_can_reach(url):
    assert is_public_address(url)


@pytest.mark.parametrize(
    "url",
    [
        *NOT_PUBLIC,
        "http://LOCALHOST",
        "http://kit.localhost:8000",
        "http://10.1.2.3",
        "http://172.16.0.1",
        "http://169.254.10.1",
        "http://[fe80::1]",
        "http://0.0.0.0:8000",
        "http://127.1:8000",  # short forms a browser reads as 127.0.0.1
        "http://2130706433",
        "http://[::ffff:127.0.0.1]",
        "huongdan.example.gov.vn",  # no scheme: not an address a QR code can carry
        "ftp://huongdan.example.gov.vn",
        "http://[::1",
    ],
)
def test_loopback_private_link_local_and_malformed_addresses_are_not_public(url):
    assert not is_public_address(url)


def test_the_kit_starts_with_the_commune_page_and_the_main_wizard_then_guides_by_topic(public_request, app):
    soup = public_request.get("/xa/ea-na/chia-se")
    groups = soup.select("section.share-group")
    first = groups[0].select(".share-item")
    assert groups[0].h2.get_text() == "Bắt đầu từ đây"
    assert [item.h3.get_text() for item in first] == ["Xã Ea Na", "Trả lời vài câu hỏi: Nên nộp hồ sơ bằng cách nào?"]
    assert first[0].select_one(".share-link").get_text() == f"{PUBLIC}/xa/ea-na/?src=link"
    assert first[1].select_one(".share-link").get_text() == f"{PUBLIC}/xa/ea-na/tu-van/{MAIN_WIZARD}/?src=link"
    library = app.extensions["guide.library"]
    topics = library.by_topic("vi")
    topic_groups = groups[-len(topics) :]
    assert [group.h2.get_text() for group in topic_groups] == [name for _key, name, _guides in topics]
    for group, (_key, _name, guides) in zip(topic_groups, topics, strict=True):
        links = [item.select_one(".share-link").get_text() for item in group.select(".share-item")]
        assert links == [f"{PUBLIC}/xa/ea-na/huong-dan/{guide.slug}?src=link" for guide in guides]
    # every guide and every wizard is there once, under one title of its own
    titles = [h3.get_text() for h3 in soup.select(".share-item h3")]
    assert len(titles) == 1 + len(app.extensions["guide.wizards"]) + len(library.guides["vi"])
    assert len(set(titles)) == len(titles), f"titled the same: {sorted(t for t in titles if titles.count(t) > 1)}"
    assert [a.get_text() for a in soup.select(".share-contents a")] == [g.h2.get_text() for g in groups]


def test_the_kit_holds_no_qr_code_until_one_is_asked_for_and_each_opens_the_public_address(public_request):
    soup = public_request.get("/xa/ea-na/chia-se")
    assert not soup.select("svg"), "the kit itself draws no QR code"
    items = soup.select(".share-item")
    for item in items:
        details = item.select_one("details.share-qr")
        assert details is not None and not details.has_attr("open")
        image = details.select_one("img[loading=lazy]")
        assert "src=qr" in image["src"] and image["alt"].startswith("Mã QR của: ")
        link = item.select_one(".share-link").get_text()
        png = public_request.client.get(image["src"].replace(".svg", ".png"))
        assert png.status_code == 200 and png.mimetype == "image/png"
        assert decode_png(png.data) == link.replace("src=link", "src=qr")
        svg = public_request.client.get(image["src"])
        assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
        assert svg.headers["Content-Disposition"].startswith("inline")
    assert NO_QR[""] not in soup.get_text()


@pytest.mark.parametrize("public_url", NOT_PUBLIC)
@pytest.mark.parametrize("language", ["", "/en"])
def test_without_a_public_address_no_qr_code_is_made_and_staff_are_told_what_to_set(tmp_path, public_url, language):
    request = ClientRequest(make_app(tmp_path, public_url).test_client())
    kit = request.get(f"{language}/xa/ea-na/chia-se")
    assert not kit.select("details.share-qr, img, svg")
    message = kit.select_one(".share-no-qr").get_text()
    assert NO_QR[language] in message and "GUIDE_PUBLIC_URL" in message
    assert kit.select(".share-link"), "the links are still there to copy"
    for path in ["/xa/ea-na/chia-se/ap-phich/trang-chu/", "/xa/ea-na/chia-se/ap-phich/huong-dan/nop-qua-buu-dien"]:
        poster = request.get(language + path)
        assert not poster.select("svg, .poster-qr, .poster-address")
        assert not poster.select("a[href*='/chia-se/qr/']")
        assert "GUIDE_PUBLIC_URL" in poster.select_one(".poster .share-no-qr").get_text()
        assert poster.h1.get_text() == HEADLINE[language]
    for path in ["/xa/ea-na/chia-se/qr/trang-chu.png", "/xa/ea-na/chia-se/qr/huong-dan/nop-qua-buu-dien.svg?src=qr"]:
        assert request.client.get(path).status_code == 404


@pytest.mark.parametrize("language", ["", "/en"])
def test_the_poster_says_what_people_gain_and_prints_a_short_address(public_request, language):
    soup = public_request.get(f"{language}/xa/krong-ana/chia-se/ap-phich/tu-van/nop-qua-buu-dien")
    assert soup.h1.get_text() == HEADLINE[language]
    assert soup.select_one(".poster-address strong").get_text() == f"huongdan.example.gov.vn{language}/xa/krong-ana"
    assert len(soup.select(".poster-steps li")) == 3
    downloads = [a["href"] for a in soup.select("a[href*='/chia-se/qr/']")]
    assert len(downloads) == 2
    png = public_request.client.get(downloads[1])
    assert png.headers["Content-Disposition"].startswith("attachment")
    expected = f"{PUBLIC}{language}/xa/krong-ana/tu-van/nop-qua-buu-dien/?src=poster"
    assert decode_png(png.data) == expected


def test_every_qr_code_has_a_quiet_zone_of_four_modules(public_request):
    png = public_request.client.get("/xa/ea-na/chia-se/qr/trang-chu.png")
    image = Image.open(io.BytesIO(png.data)).convert("L")
    scale = 20  # pixels per module in the PNG download
    left, top, right, bottom = Image.eval(image, lambda v: 255 - v).getbbox()  # the dark modules' box
    assert (left, top) == (QUIET_ZONE * scale, QUIET_ZONE * scale)
    assert (image.width - right, image.height - bottom) == (QUIET_ZONE * scale, QUIET_ZONE * scale)
    poster = public_request.get("/xa/ea-na/chia-se/ap-phich/trang-chu/")
    # the symbol's top-left finder pattern (its first dark modules) starts after the quiet zone
    dark = poster.select_one(".poster-qr svg path.qrline")["d"]
    assert dark.startswith(f"M{QUIET_ZONE} {QUIET_ZONE + 0.5}h7")


def test_the_poster_gives_the_desk_phone_and_hours_its_staff_entered(tmp_path):
    app = make_app(tmp_path, PUBLIC)
    record_details(
        app,
        "dur-kmal",
        centre=Office(address="Thôn 1", phones=("0262 3 123 456",), hours=WORKING_WEEK),
        post_offices=(Office(name="Bưu cục Dur Kmăl", address="Thôn 2"),),
    )  # test data only
    request = ClientRequest(app.test_client())
    help_box = request.get("/xa/dur-kmal/chia-se/ap-phich/trang-chu/").select_one(".poster-help")
    assert help_box.select_one(".poster-phone").get_text() == "Điện thoại: 0262 3 123 456"
    hours = " ".join(help_box.select_one(".poster-hours").get_text().split())
    assert hours == "Giờ làm việc: Thứ Hai–Thứ Sáu: 7:00–11:30, 13:30–17:00"
    assert "Trung tâm Phục vụ hành chính công: Thôn 1" in help_box.get_text()
    assert "Cập nhật ngày 3/12/2026" in help_box.get_text()
    assert "Bưu cục Dur Kmăl: Thôn 2" in help_box.get_text()
    assert "1900" not in help_box.get_text()
    english = request.get("/en/xa/dur-kmal/chia-se/ap-phich/trang-chu/").select_one(".poster-help")
    hours = " ".join(english.select_one(".poster-hours").get_text().split())
    assert hours == "Opening hours: Monday–Friday: 7:00–11:30, 13:30–17:00"


def test_the_poster_invents_nothing_its_staff_did_not_enter(tmp_path):
    app = make_app(tmp_path, PUBLIC)
    record_details(app, "dur-kmal", centre=Office(address="Thôn 1"))
    request = ClientRequest(app.test_client())
    known = request.get("/xa/dur-kmal/chia-se/ap-phich/trang-chu/").select_one(".poster-help")
    assert not known.select(".poster-phone, .poster-hours") and "Thôn 1" in known.get_text()
    unknown = request.get("/xa/ea-na/chia-se/ap-phich/trang-chu/").select_one(".poster-help")
    assert not unknown.select(".poster-phone, .poster-hours, .poster-office")
    assert unknown.get_text(" ", strip=True) == (
        # the hotline's only source is from 2019–2020 (domain-facts §4): a poster says to check it
        "Cần giúp đỡ? Gửi hoặc nhận qua bưu điện: tổng đài VNPost 1900 54 54 81 "
        "(hãy kiểm tra số này trên vnpost.vn trước khi gọi)"
    )


def test_without_javascript_the_link_is_text_and_no_button_shows(public_request):
    soup = public_request.get("/xa/ea-na/chia-se")
    for item in soup.select(".share-item"):
        assert item.select_one("code.share-link").get_text().startswith(PUBLIC + "/xa/ea-na/")
        buttons = item.select("button")
        assert buttons and all(button.has_attr("hidden") for button in buttons)
        assert item.select_one("a.button")["href"].startswith("/xa/ea-na/chia-se/ap-phich/")
    poster = public_request.get("/xa/ea-na/chia-se/ap-phich/trang-chu/")
    assert all(button.has_attr("hidden") for button in poster.select("button"))


def test_a_poster_for_what_is_not_there_is_not_found(public_request):
    for path in ["/xa/ea-na/chia-se/ap-phich/huong-dan/khong-co", "/xa/ea-na/chia-se/ap-phich/khac/",
                 "/xa/ea-na/chia-se/qr/huong-dan/khong-co.svg", "/xa/ea-na/chia-se/qr/trang-chu.gif",
                 "/xa/ea-na/chia-se/qr/trang-chu.svg?src=link"]:  # fmt: skip
        assert public_request.client.get(path).status_code == 404, path
