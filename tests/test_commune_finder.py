"""Which commune am I in now? /tim-xa, /xa/, the choice page and the redirect's sentence, on the
shipped registry (the whole province, from the official lists)."""

import random

import pytest

from guide.communes.model import split_kind
from guide.text import fold


@pytest.fixture
def registry(app):
    return app.extensions["guide.registry"]


def hrefs(soup, within="main"):
    return {a["href"] for a in soup.select(f"{within} a[href]")}


def sample_of_former_units(registry, size=60):
    """Former units taken from the data by a seeded draw, not a hand-picked list."""
    landings = sorted(registry.landings, key=lambda landing: landing.unit.code)
    return random.Random(16).sample(landings, size)


@pytest.mark.parametrize("form", ["plain", "with kind", "with district"])
def test_an_old_name_typed_without_accents_finds_todays_commune(client_request, registry, form):
    kinds = {"xa": "xa", "phuong": "phuong", "thi-tran": "thi tran", "huyen": "huyen"}
    for landing in sample_of_former_units(registry):
        unit = landing.unit
        query = fold(unit.name)
        if form == "with kind":
            query = f"{kinds[unit.kind]} {query}"
        elif form == "with district":
            query = f"{query}, {fold(unit.district or '')}"
        soup = client_request.get(f"/tim-xa?q={query}")
        wanted = {f"/xa/{commune.slug}/" for commune in landing.communes}
        assert wanted <= hrefs(soup, "#commune-results"), (query, wanted)


def test_the_district_narrows_a_name_several_units_had(client_request):
    both = hrefs(client_request.get("/tim-xa?q=hoa an"), "#commune-results")
    assert {"/xa/krong-pac/", "/xa/tuy-hoa/", "/xa/phu-hoa-1/"} <= both
    narrowed = hrefs(client_request.get("/tim-xa?q=Xã Hòa An, huyện Krông Pắc"), "#commune-results")
    assert narrowed == {"/xa/krong-pac/"}


def test_the_examples_on_the_page_work(client_request):
    for query in ("buon trap", "Thị trấn Buôn Trấp, Krông Ana", "BUÔN TRẤP", "buon-trap", "xã krông ana"):
        assert "/xa/krong-ana/" in hrefs(client_request.get(f"/tim-xa?q={query}"), "#commune-results"), query


def test_a_split_unit_is_offered_as_a_choice(client_request):
    soup = client_request.get("/tim-xa?q=ea bhok")
    assert {"/xa/dray-bhang/", "/xa/ea-ktur/"} <= hrefs(soup, "#commune-results")
    assert soup.select_one(".split")


def test_a_beginning_suggests_names(client_request):
    soup = client_request.get("/tim-xa?q=buon tr")
    assert "/xa/krong-ana/" in hrefs(soup, "#commune-results")


def test_no_match_says_so_in_the_visitors_language(client_request):
    vi = client_request.get("/tim-xa?q=zzzz")
    assert "Không có xã, phường nào" in vi.select_one("#commune-results").get_text()
    en = client_request.get("/en/tim-xa?q=zzzz")
    assert "No commune, ward or former unit is called" in en.select_one("#commune-results").get_text()


def test_live_search_answers_htmx_with_the_results_only(client_request):
    soup = client_request.get_partial("/tim-xa?q=buon+trap")
    assert "/xa/krong-ana/" in hrefs(soup, "body")
    page = client_request.get("/tim-xa")
    field = page.select_one("input[name=q]")
    assert field["hx-get"] == "/tim-xa" and field["hx-target"] == "#commune-results"
    assert page.select_one("form[action='/tim-xa'][method=get]")


def test_the_split_units_old_slug_answers_a_choice_page(client_request):
    soup = client_request.get("/xa/ea-bhok/")
    assert {"/xa/dray-bhang/", "/xa/ea-ktur/"} <= hrefs(soup)
    soup = client_request.get("/en/xa/ea-bhok/huong-dan/nop-qua-buu-dien?src=qr")
    assert {"/en/xa/dray-bhang/huong-dan/nop-qua-buu-dien", "/en/xa/ea-ktur/huong-dan/nop-qua-buu-dien"} <= hrefs(soup)
    assert "Ea BHốk commune (Cư Kuin district)" in soup.get_text(" ")  # the kind in English's order
    assert "xã Ea BHốk (huyện Cư Kuin)" in client_request.get("/xa/ea-bhok/").get_text(" ")


def test_a_shared_old_slug_lists_each_unit_with_its_district(client_request):
    soup = client_request.get("/xa/xuan-phu/")
    assert {"/xa/song-cau/", "/xa/ea-kar/"} <= hrefs(soup)
    text = soup.get_text()
    assert "thị xã Sông Cầu" in text and "huyện Ea Kar" in text


def test_a_redirect_lands_on_a_page_that_says_once_where_the_old_name_went(client):
    response = client.get("/xa/buon-trap/huong-dan/?src=qr")
    assert response.status_code == 301
    assert response.headers["Location"] == "/xa/krong-ana/huong-dan/?src=qr&tu=buon-trap"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.count("Buôn Trấp nay thuộc xã Krông Ana (từ 1/7/2025).") == 1
    english = client.get("/en/xa/krong-ana/?tu=buon-trap").get_data(as_text=True)
    assert "Buôn Trấp is now part of Krông Ana commune (since 1 July 2025)." in english
    # the sentence is only for a unit that went to this commune, and only where ?tu= says so
    assert "nay thuộc" not in client.get("/xa/ea-na/?tu=buon-trap").get_data(as_text=True)
    assert "nay thuộc" not in client.get("/xa/krong-ana/").get_data(as_text=True)


def test_the_index_lists_every_commune_grouped_by_letter(client_request, registry):
    soup = client_request.get("/xa/")
    listed = {a["href"] for a in soup.select("main ul.link-list a")}
    assert listed == {f"/xa/{commune.slug}/" for commune in registry.communes}
    letters = [a.get_text() for a in soup.select("nav.letters a")]
    assert letters.index("Đ") == letters.index("D") + 1
    assert soup.select_one("input[name=q][hx-get='/tim-xa']")


def test_home_and_the_unknown_commune_page_lead_to_the_finder(client_request):
    home = client_request.get("/")
    assert home.select_one("#xa ~ form[action='/tim-xa'], section form[action='/tim-xa']")
    assert "/xa/" in hrefs(home)
    missing = client_request.get("/en/xa/nowhere/", expected_status=404)
    assert missing.html["lang"] == "en" and missing.select_one("form[action='/en/tim-xa']")


def test_every_commune_has_its_page_and_share_kit(client, registry):
    for commune in registry.communes:
        assert client.get(f"/xa/{commune.slug}/").status_code == 200, commune.slug
    assert client.get("/xa/buon-ma-thuot/chia-se").status_code == 200
    assert client.get("/xa/buon-ma-thuot/chia-se/ap-phich/trang-chu/").status_code == 200


BAD_SLUGS = [
    "KRONG-ANA",
    "Krong-Ana",
    "kr%C3%B4ng-ana",
    "krông-ana",
    "a" * 3000,
    "%00",
    "ea-na%2F..",
    "-",
    "xa",
    "%25",
    "..",
]
BAD_QUERIES = [
    "",
    " ",
    "a" * 5000,
    "%",
    "%00",
    "\x00",
    "<script>alert(1)</script>",
    ",,,,",
    "xã",
    "'; --",
    "\ufffd" * 50,
]


# The named inputs that once broke something; tests/test_fuzz.py tries arbitrary ones on every route.
def test_a_bad_commune_slug_is_a_404_in_the_visitors_language(client):
    for prefix in ("", "/en"):
        for slug in BAD_SLUGS:
            response = client.get(f"{prefix}/xa/{slug}/huong-dan/")
            assert response.status_code in (404, 308), (prefix, slug)
            if response.status_code == 404:
                assert f'lang="{"en" if prefix else "vi"}"' in response.get_data(as_text=True), (prefix, slug)


def test_a_bad_query_never_fails(client):
    for prefix in ("", "/en", "/xa/ea-na"):
        for query in BAD_QUERIES:
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(f"{prefix}/tim-xa", query_string={"q": query, "tu": query}, headers=headers)
                assert response.status_code == 200, (prefix, query, headers)
            assert client.get(f"{prefix}/xa/", query_string={"tu": query}).status_code == 200, (prefix, query)
            assert client.get("/xa/krong-ana/", query_string={"tu": query}).status_code == 200, query


@pytest.mark.parametrize(
    "official, kind, name",
    [
        ("Huyện Krông A Na", "huyen", "Krông A Na"),
        ("Thị Xã Buôn Hồ", "thi-xa", "Buôn Hồ"),
        ("Thành phố Tuy Hòa", "thanh-pho", "Tuy Hòa"),
        ("Tỉnh Phú Yên", "tinh", "Phú Yên"),
        ("Phường 9", "phuong", "9"),
        ("Buôn Trấp", None, "Buôn Trấp"),
        ("Xuân Phú", None, "Xuân Phú"),  # "Xuân" is not "Xã"
        ("Huyện", None, "Huyện"),  # a kind and no name: as written
    ],
)
def test_an_official_name_splits_into_its_kind_and_its_name(official, kind, name):
    assert split_kind(official) == (kind, name)


@pytest.mark.parametrize(
    "url, bar, lead",
    [
        ("/xa/binh-kien/", "Phường Bình Kiến", "Tỉnh Đắk Lắk"),  # a ward is not "Xã Bình Kiến"
        ("/en/xa/binh-kien/", "Bình Kiến ward", "Đắk Lắk province"),
        ("/en/xa/ea-na/", "Ea Na commune", "Đắk Lắk province"),
    ],
)
def test_a_communes_page_names_it_and_its_province_in_the_pages_language(client_request, url, bar, lead):
    soup = client_request.get(url)
    assert soup.select_one(".commune-bar a").get_text(strip=True) == soup.h1.get_text(strip=True) == bar
    assert soup.select_one(".lead").get_text(strip=True) == lead


def test_english_names_a_numbered_ward_ward_9(client_request):
    soup = client_request.get("/en/xa/phuong-9/")
    assert soup.h1.get_text() == "Ward 9: which commune is yours now?"
    assert "Ward 9 (Tuy Hòa city, Phú Yên province)" in soup.select_one(".lead").get_text()
