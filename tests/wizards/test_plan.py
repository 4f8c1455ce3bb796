"""The plan on paper and to send: the addresses links print, and what the outcome page carries
(its own absolute address, a QR code, the date), as plain functions and over HTTP. The printed
page itself (one A4 page, the QR read back) is tested in Chromium: tests/browser/test_plan.py."""

import datetime as dt
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup

from guide import clock, create_app
from guide.wizards.plan import printed_address, short_destination, with_printed_addresses

from ..conftest import FIXTURE_CONTENT, check_page

LINKS = {"cong-dvc-quoc-gia": SimpleNamespace(url="https://dichvucong.gov.vn")}
OUTCOME = "/tu-van/thu-nghiem/ket-qua?thu-tuc=khai-sinh&vneid=co"


@pytest.mark.parametrize(
    ("url", "short"),
    [
        ("https://dichvucong.gov.vn", "dichvucong.gov.vn"),
        ("https://www.vnpost.vn/", "vnpost.vn"),
        ("https://maps.example.org/ea-na", "maps.example.org/ea-na"),
        (
            "https://dichvucong.gov.vn/p/home/dvc-chi-tiet-thu-tuc-hanh-chinh.html?ma_thu_tuc=2.000815",
            "dichvucong.gov.vn",
        ),
    ],
)
def test_a_short_destination_keeps_the_host_and_a_short_path(url, short):
    assert short_destination(url) == short


@pytest.mark.parametrize(
    ("href", "printed"),
    [
        ("/ra/cong-dvc-quoc-gia", "dichvucong.gov.vn"),  # the destination, never our redirect
        ("/en/xa/ea-na/ra/cong-dvc-quoc-gia", "dichvucong.gov.vn"),
        ("/ra/not-on-the-list", None),
        ("/xa/ea-na/huong-dan/nop-qua-buu-dien", "site.example/xa/ea-na/huong-dan/nop-qua-buu-dien"),
        ("https://maps.example.org/x?a=1&amp;b=2", "maps.example.org/x?a=1&b=2"),
        ("tel:1900545481", None),  # the link's text is the number
        ("#cach-lam", None),
        ("//elsewhere.example/x", None),
    ],
)
def test_what_a_link_prints(href, printed):
    assert printed_address(href, LINKS, site_address) == printed


def site_address(path: str) -> str:
    return "site.example" + path


def test_every_link_in_rendered_html_gets_its_printed_address():
    html = '<p><a href="/ra/cong-dvc-quoc-gia">Cổng</a> <a class="button" href="/huong-dan/x">x</a> <a href="tel:1">1</a></p>'
    assert str(with_printed_addresses(html, LINKS, site_address)) == (
        '<p><a href="/ra/cong-dvc-quoc-gia" data-print="dichvucong.gov.vn">Cổng</a> '
        '<a class="button" href="/huong-dan/x" data-print="site.example/huong-dan/x">x</a> <a href="tel:1">1</a></p>'
    )


PUBLIC = "https://huongdan.example.gov.vn"


@pytest.fixture
def public_client(tmp_path):
    """The fixture content, served with GUIDE_PUBLIC_URL set to a public host."""
    config = {"TESTING": True, "CONTENT_DIR": FIXTURE_CONTENT, "PUBLIC_URL": PUBLIC}
    return create_app({**config, "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}"}).test_client()


def test_the_outcome_carries_its_own_public_address_without_the_visitors_tags(public_client):
    url = "/xa/ea-na" + OUTCOME + "&src=qr&utm_source=zalo&fbclid=abc&zarsrc=30"
    soup = check_page(public_client.get(url, base_url="http://127.0.0.1:8000").get_data(as_text=True), url)
    plan = PUBLIC + "/xa/ea-na" + OUTCOME  # never the host the request named
    button = soup.select_one(".send-plan-button")
    assert button["data-url"] == plan and button.has_attr("hidden")  # a script switches it on where it works
    assert soup.select_one(".plan-link a")["href"] == plan and soup.select_one(".plan-link a").get_text() == plan
    assert soup.select_one(".plan-stamp svg.qr") is not None
    assert soup.select_one(".link-buttons a")["data-print"] == "dichvucong.gov.vn"
    assert soup.select_one(".prose a")["data-print"] == "huongdan.example.gov.vn/xa/ea-na/huong-dan/nop-qua-buu-dien"
    assert "127.0.0.1" not in str(soup)


def test_the_htmx_outcome_carries_them_too(public_client):
    soup = BeautifulSoup(public_client.get(OUTCOME, headers={"HX-Request": "true"}).get_data(as_text=True), "html5lib")
    assert soup.select_one(".send-plan-button")["data-url"] == PUBLIC + OUTCOME
    assert soup.select_one(".plan-stamp svg.qr") is not None


def test_without_a_public_address_the_plan_has_no_qr_code_and_no_site_addresses_but_its_link(fixture_request):
    soup = fixture_request.get(OUTCOME)
    assert soup.select_one(".plan-stamp svg") is None  # a QR code of http://localhost opens nothing elsewhere
    assert soup.select_one(".plan-link a")["href"] == "http://localhost" + OUTCOME
    assert not soup.select_one(".prose a").has_attr("data-print")
    assert soup.select_one(".link-buttons a")["data-print"] == "dichvucong.gov.vn"  # outside pages still say theirs


@pytest.mark.parametrize(("prefix", "date"), [("", "Kế hoạch lập ngày 1/7/2025"), ("/en", "Plan made on 1 July 2025")])
def test_the_plan_says_the_day_it_was_made_in_the_pages_language(fixture_request, monkeypatch, prefix, date):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2025, 7, 1))
    soup = fixture_request.get(prefix + "/xa/ea-na" + OUTCOME)
    stamp = " ".join(soup.select_one(".plan-stamp").get_text().split())
    assert date in stamp and ("Xã Ea Na" if not prefix else "Ea Na commune") in stamp
