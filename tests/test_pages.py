"""Every page of the URL map, in both languages and under a commune prefix."""

import datetime as dt

import pytest

from guide.communes.details import Office

from .conftest import FIXTURE_CONTENT, ClientRequest, record_details

PREFIXES = ["", "/en", "/xa/ea-na", "/en/xa/ea-na"]


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/huong-dan/",
        "/huong-dan/nop-qua-buu-dien",
        "/huong-dan/dang-ky-khai-sinh",
        "/tim-kiem",
        "/tim-kiem?q=buu+dien",
        "/tu-van/thu-nghiem/",
    ],
)
def test_every_page_answers_in_every_prefix(fixture_request, prefix, path):
    soup = fixture_request.get(prefix + path)
    assert soup.html["lang"] == ("en" if prefix.startswith("/en") else "vi")


@pytest.mark.parametrize("prefix", PREFIXES)
def test_links_rendered_in_a_context_stay_in_it(fixture_request, prefix):
    soup = fixture_request.get(prefix + "/huong-dan/nop-qua-buu-dien")
    internal = [a["href"] for a in soup.select("main a[href^='/'], nav a[href^='/']")]
    assert internal
    for href in internal:
        assert href.startswith(prefix + "/"), href


def test_the_footer_offers_a_way_out_of_the_commune_context(fixture_request):
    soup = fixture_request.get("/xa/ea-na/")
    assert soup.select_one("footer a[href='/#xa']")


def test_guide_page_has_breadcrumbs_updated_date_toc_related_and_sources(fixture_request):
    soup = fixture_request.get("/huong-dan/nop-qua-buu-dien")
    assert [a.get_text() for a in soup.select(".breadcrumbs a")] == ["Trang chủ", "Nộp và nhận qua bưu điện"]
    assert "Cập nhật ngày 20/11/2026" in soup.select_one(".meta").get_text()
    assert [a["href"] for a in soup.select(".toc a")][:2] == ["#buoc-1-chuan-bi-giay-to", "#goi-buu-dien"]
    assert soup.select_one(".related a")["href"] == "/huong-dan/dang-ky-khai-sinh"
    assert "Quyết định 45/2016/QĐ-TTg" in soup.select_one(".sources").get_text()


def test_english_dates_and_interface(fixture_request):
    soup = fixture_request.get("/en/huong-dan/nop-qua-buu-dien")
    assert "Updated on 20 November 2026" in soup.select_one(".meta").get_text()
    assert soup.select_one(".lang-switch")["href"] == "/huong-dan/nop-qua-buu-dien"


def test_english_guides_say_once_near_the_top_that_the_portal_is_in_vietnamese(fixture_request):
    """Issue 31: an English reader is told which Vietnamese labels to look for; a Vietnamese one is not."""
    english = fixture_request.get("/en/huong-dan/nop-qua-buu-dien")
    notes = english.select(".portal-language")
    assert len(notes) == 1
    assert "Vietnamese only" in notes[0].get_text() and "“Tra cứu hồ sơ”" in notes[0].get_text()
    assert notes[0].find_previous("h1") is not None and notes[0].find_next(class_="prose") is not None
    assert fixture_request.get("/huong-dan/nop-qua-buu-dien").select(".portal-language") == []


def test_a_guide_without_english_falls_back_with_a_visible_notice(fixture_request):
    soup = fixture_request.get("/en/huong-dan/dang-ky-khai-sinh")
    assert "not yet available in your language. Here it is in Tiếng Việt." in soup.select_one(".fell-back").get_text()
    assert soup.select_one("article")["lang"] == "vi"
    assert soup.html["lang"] == "en"


def test_language_switch_keeps_the_page_the_commune_and_the_query(fixture_request):
    soup = fixture_request.get("/xa/ea-na/tim-kiem?q=khai+sinh&utm_source=zalo&fbclid=x")
    assert soup.select_one(".lang-switch")["href"] == "/en/xa/ea-na/tim-kiem?q=khai+sinh"


def test_commune_landing_shows_what_the_registry_knows(fixture_request):
    soup = fixture_request.get("/xa/dur-kmal/")
    assert soup.h1.get_text() == "Xã Dur Kmăl"
    assert "Băng A Drênh" in soup.get_text()
    help_sections = soup.select("section.place")
    assert len(help_sections) == 1  # one short line, never the same apology twice
    assert "chưa có địa chỉ và số điện thoại của xã này" in help_sections[0].get_text()
    # no invented address or phone: only the routes that work anywhere, the portal and VNPost's hotline
    assert [a["href"] for a in soup.select("a[href^='tel:']")] == ["tel:1900545481"]
    assert soup.select_one("section.place a[href$='/ra/cong-dvc-quoc-gia']")


@pytest.mark.parametrize(
    "url, caveat",
    [
        ("/xa/dur-kmal/", "(hãy kiểm tra số này trên vnpost.vn trước khi gọi)"),
        ("/en/xa/dur-kmal/", "(check this number on vnpost.vn before you call)"),
        ("/ngoai-tuyen", "(hãy kiểm tra số này trên vnpost.vn trước khi gọi)"),
        ("/tu-van/thu-nghiem/ket-qua?thu-tuc=ket-hon", "(hãy kiểm tra số này trên vnpost.vn trước khi gọi)"),
    ],
)
def test_the_hotline_always_comes_with_its_check_it_first(fixture_request, url, caveat):
    """Its only source is vnpost.vn pages of 2019–2020 (domain-facts §4, "check before printing")."""
    soup = fixture_request.get(url)
    (number,) = soup.select("a[href='tel:1900545481']")
    said = number.parent.get_text(" ", strip=True)
    assert said.endswith(caveat)


def test_a_commune_page_and_an_outcome_show_its_offices_once_its_staff_entered_them(fixture_app_per_test):
    app = fixture_app_per_test
    week = {day: ("7:00–11:30", "13:30–17:00") for day in ("mon", "tue", "wed", "thu", "fri")}
    record_details(app, "dur-kmal", centre=Office(address="Thôn 1", phones=("0262 3 123 456",), hours=week))
    client = app.test_client()
    page = client.get("/xa/dur-kmal/").get_data(as_text=True)
    assert "Thôn 1" in page and 'href="tel:02623123456"' in page
    assert "Thứ Hai–Thứ Sáu: 7:00–11:30, 13:30–17:00" in page and "Cập nhật ngày 3/12/2026" in page
    assert "chưa có địa chỉ" not in page and "1900 54 54 81" not in page  # its own number, not the hotline
    english = client.get("/en/xa/dur-kmal/").get_data(as_text=True)
    assert "Monday–Friday: 7:00–11:30, 13:30–17:00" in english and "Updated on 3 December 2026" in english
    outcome = client.get("/xa/dur-kmal/tu-van/thu-nghiem/ket-qua?thu-tuc=ket-hon").get_data(as_text=True)
    assert 'href="tel:02623123456"' in outcome
    elsewhere = client.get("/tu-van/thu-nghiem/ket-qua?thu-tuc=ket-hon").get_data(as_text=True)
    assert "tel:1900545481" in elsewhere and "tel:02623123456" not in elsewhere
    assert "tel:02623123456" not in client.get("/xa/ea-na/").get_data(as_text=True)


def test_open_now_follows_the_weekly_hours():
    centre = Office(hours={"mon": ("7:00–11:30", "13:30–17:00"), "sat": ("7:30–11:00", "")})
    monday, saturday = dt.datetime(2026, 12, 7), dt.datetime(2026, 12, 12)
    assert centre.open_at(monday.replace(hour=8)) and centre.open_at(monday.replace(hour=14))
    assert not centre.open_at(monday.replace(hour=12)) and not centre.open_at(monday.replace(hour=17))
    assert centre.open_at(saturday.replace(hour=10)) and not centre.open_at(saturday.replace(hour=14))
    assert not centre.open_at(dt.datetime(2026, 12, 13, 9))  # Sunday: no hours
    assert Office().open_at(monday) is None  # no hours on record: nothing said


def app_with_trouble_sections(tmp_path):
    """The fixture content with a "what to do when something goes wrong" section in the postal
    guide (Vietnamese and English)."""
    import shutil

    from guide import create_app

    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    for language, heading, line in (
        ("vi", "Khi gặp trục trặc", "Mất giấy biên nhận: hỏi bưu cục."),
        ("en", "If something goes wrong", "Lost receipt: ask the post office."),
    ):
        guide = content / language / "guides" / "nop-qua-buu-dien.md"
        text = guide.read_text(encoding="utf-8")
        guide.write_text(text + f"\n## {heading}\n\n{line}\n\n## Last {language}\n\nThe end.\n", encoding="utf-8")
    return create_app({"TESTING": True, "CONTENT_DIR": content, "DATABASE_URL": f"sqlite:///{tmp_path / 't.sqlite3'}"})


def places_after_trouble(soup, trouble_id: str):
    """The sections of help between a guide's trouble section and its next heading."""
    heading = soup.find("h2", id=trouble_id)
    assert heading is not None
    found = []
    for sibling in heading.find_next_siblings():
        if sibling.name == "h2":
            break
        if sibling.name == "section":
            found.append(sibling)
    return found


@pytest.mark.parametrize("prefix, trouble_id", [("", "khi-gap-truc-trac"), ("/en", "if-something-goes-wrong")])
def test_a_guide_in_a_communes_context_puts_its_offices_right_after_what_to_do_when_something_goes_wrong(
    tmp_path, prefix, trouble_id
):
    app = app_with_trouble_sections(tmp_path)
    record_details(
        app, "dur-kmal", post_offices=(Office(name="Bưu cục thử", address="Thôn 2", phones=("0262.3.654.321",)),)
    )
    client_request = ClientRequest(app.test_client())

    known = client_request.get(f"{prefix}/xa/dur-kmal/huong-dan/nop-qua-buu-dien")
    [post_office] = places_after_trouble(known, trouble_id)
    assert "Bưu cục thử" in post_office.get_text() and "Thôn 2" in post_office.get_text()
    assert [a["href"] for a in post_office.select("a[href^='tel:']")] == ["tel:02623654321"]
    assert len(known.select("section.place")) == 1  # nowhere else on the page

    unknown = client_request.get(f"{prefix}/xa/ea-na/huong-dan/nop-qua-buu-dien")
    [anywhere] = places_after_trouble(unknown, trouble_id)
    assert len(unknown.select("section.place")) == 1
    apology = "chưa có địa chỉ" if prefix == "" else "do not have this commune's office details"
    assert unknown.get_text().count(apology) == 1  # one short line, never twice
    assert [a["href"] for a in anywhere.select("a[href^='tel:']")] == ["tel:1900545481"]
    assert anywhere.select_one(f"a[href='{prefix}/xa/ea-na/ra/cong-dvc-quoc-gia']")

    # Outside a commune's context the guide is as written; a guide with no such section ends with them.
    assert not client_request.get(f"{prefix}/huong-dan/nop-qua-buu-dien").select("section.place")
    other = client_request.get("/xa/dur-kmal/huong-dan/dang-ky-khai-sinh")
    assert len(other.select(".prose section.place")) == 1
    assert other.select(".prose > *")[-2].name == "section"  # the offices, then the date they were updated


def test_a_guide_is_cut_after_its_trouble_section_only():
    from markupsafe import Markup

    from guide.pages import TROUBLE_SECTIONS, split_after_section

    html = '<h2 id="a">A</h2><p>a</p><h2 id="khi-gap-truc-trac">K</h2><p>k</p><h2 id="b">B</h2><p>b</p>'
    assert split_after_section(html, TROUBLE_SECTIONS) == (
        Markup('<h2 id="a">A</h2><p>a</p><h2 id="khi-gap-truc-trac">K</h2><p>k</p>'),
        Markup('<h2 id="b">B</h2><p>b</p>'),
    )
    last = '<h2 id="if-something-goes-wrong">W</h2><p>w</p>'
    assert split_after_section(last, TROUBLE_SECTIONS) == (Markup(last), Markup(""))
    assert split_after_section('<h2 id="a">A</h2>', TROUBLE_SECTIONS) is None


@pytest.mark.parametrize(
    "old, new",
    [
        ("/xa/buon-trap/", "/xa/krong-ana/?tu=buon-trap"),
        (
            "/xa/dray-sap/huong-dan/nop-qua-buu-dien?src=qr&utm_source=zalo",
            "/xa/ea-na/huong-dan/nop-qua-buu-dien?src=qr&utm_source=zalo&tu=dray-sap",
        ),
        (
            "/en/xa/bang-a-drenh/tu-van/thu-nghiem/vneid?thu-tuc=khai-sinh",
            "/en/xa/dur-kmal/tu-van/thu-nghiem/vneid?thu-tuc=khai-sinh&tu=bang-a-drenh",
        ),
    ],
)
def test_a_former_commune_slug_redirects_permanently_keeping_page_and_query(fixture_client, old, new):
    response = fixture_client.get(old)
    assert response.status_code == 301
    assert response.headers["Location"] == new


def test_an_unknown_commune_is_a_404_offering_the_commune_finder(fixture_request):
    soup = fixture_request.get("/xa/khong-co/huong-dan/", expected_status=404)
    assert soup.select_one("main form[action='/tim-xa'] input[name=q]")["value"] == "khong co"
    assert "/xa/" in {a["href"] for a in soup.select("main a")}


@pytest.mark.parametrize(
    "path, lang",
    [("/khong-co", "vi"), ("/en/khong-co", "en"), ("/huong-dan/khong-co", "vi"), ("/en/huong-dan/khong-co", "en")],
)
def test_not_found_pages_speak_the_visitors_language(fixture_request, path, lang):
    soup = fixture_request.get(path, expected_status=404)
    assert soup.html["lang"] == lang
    assert soup.h1.get_text() == ("Không tìm thấy trang" if lang == "vi" else "Page not found")


def test_an_unexpected_error_is_a_friendly_500_without_a_trace(fixture_app_per_test):
    fixture_app = fixture_app_per_test  # it adds a route, which only a new app takes

    @fixture_app.route("/hong")
    def broken():
        raise RuntimeError("secret detail")

    response = fixture_app.test_client().get("/hong")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Đã có lỗi xảy ra" in body and "secret detail" not in body and "Traceback" not in body


def test_outbound_links_go_only_to_the_allow_list(fixture_client):
    assert fixture_client.get("/ra/cong-dvc-quoc-gia").headers["Location"] == "https://dichvucong.gov.vn"
    assert fixture_client.get("/xa/ea-na/ra/vnpost").headers["Location"] == "https://vnpost.vn"
    assert fixture_client.get("/ra/https:%2F%2Fevil.example").status_code == 404
    assert fixture_client.get("/ra/khong-co").status_code == 404


def test_healthz_reports_the_app_and_its_database(fixture_client):
    data = fixture_client.get("/healthz").get_json()
    assert data["status"] == "ok" and data["database"] == "ok"


def test_healthz_says_when_the_database_is_unreachable():
    from guide import create_app

    app = create_app(
        {"TESTING": True, "DATABASE_URL": "sqlite:////proc/nope/db.sqlite3"}
    )  # no folder can be made there
    response = app.test_client().get("/healthz")
    # Its folder cannot be made: nothing can be written, so not healthy (issue 11, item 6)
    assert response.status_code == 503 and response.get_json()["database"] == "missing"


def test_html_answers_vary_on_htmx(fixture_client):
    assert "HX-Request" in fixture_client.get("/huong-dan/").headers["Vary"]


def test_behind_a_proxy_the_forwarded_scheme_is_trusted_only_when_configured(tmp_path):
    from guide import create_app

    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    plain = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite3'}"})
    assert "Strict-Transport-Security" not in plain.test_client().get("/", headers=headers).headers
    proxied = create_app({"TESTING": True, "PROXIES": 1, "DATABASE_URL": f"sqlite:///{tmp_path / 'b.sqlite3'}"})
    assert "Strict-Transport-Security" in proxied.test_client().get("/", headers=headers).headers


def test_the_service_worker_is_served_at_the_root_and_always_revalidated(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"  # a new version reaches the next visit
    assert client.get("/sw.js", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert client.get("/en/sw.js").status_code == 404  # one worker, whose scope is the whole site


@pytest.mark.parametrize("prefix, lang, title", [("", "vi", "Không có mạng"), ("/en", "en", "No connection")])
def test_pages_name_the_worker_and_the_offline_notice_in_their_language(fixture_request, prefix, lang, title):
    url = prefix + "/xa/ea-na/huong-dan/nop-qua-buu-dien"
    page = fixture_request.get(url)
    assert page.html["data-service-worker"] == "/sw.js"
    assert page.html["data-offline"] == prefix + "/ngoai-tuyen"
    # the words the worker switches on in a kept copy, exactly as it looks for them
    assert 'id="stale-notice" hidden' in fixture_request.client.get(url).get_data(as_text=True)
    assert page.select_one("#stale-notice").has_attr("hidden")

    notice = fixture_request.get(page.html["data-offline"])
    assert notice.h1.get_text() == title and notice.html["lang"] == lang
    assert notice.select_one("meta[name=robots]")["content"] == "noindex"
    assert notice.select_one("main a[href='tel:1900545481']")  # a call needs no internet
