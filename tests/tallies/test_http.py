"""Through the app: what real requests count for, the outbound redirect, the useful widget, the
page that says what we count, the wizards' starts and outcomes, the commands and /healthz."""

import datetime as dt
import re
from collections import Counter

import pytest
import sqlalchemy as sa

from guide import create_app, db, tallies
from guide.tallies import recorder
from guide.tallies.store import salt, visitor

from .conftest import FACEBOOK_IN_APP, FACEBOOK_PREVIEW, MACHINES, ZALO_IN_APP, app_counters

PERSON = {"User-Agent": ZALO_IN_APP}


@pytest.fixture
def slug(fixture_app):
    """A guide that exists in Vietnamese in the fixture content."""
    return sorted(fixture_app.extensions["guide.library"].guides["vi"])[0]


def counted(app) -> Counter:
    return +app_counters(app)


def test_a_zalo_in_app_visit_through_a_qr_link_counts_once_as_a_qr_arrival_and_once_as_a_view(
    fixture_client, fixture_app, slug
):
    response = fixture_client.get(
        f"/xa/ea-na/huong-dan/{slug}?src=qr&utm_source=zalo&utm_medium=zalo&zarsrc=30", headers=PERSON
    )
    assert response.status_code == 200
    assert counted(fixture_app) == Counter(
        {
            ("ea-na", "view", slug, "", "vi"): 1,
            ("ea-na", "arrival", slug, "qr", "vi"): 1,
            ("ea-na", "arrival", slug, "zalo", "vi"): 1,
            ("ea-na", "visitors", "", "", "vi"): 1,
        }
    )


def test_a_facebook_in_app_visit_in_english(fixture_client, fixture_app, slug):
    fixture_client.get(f"/en/huong-dan/{slug}?src=link&fbclid=IwAR0abc", headers={"User-Agent": FACEBOOK_IN_APP})
    assert counted(fixture_app) == Counter(
        {
            ("", "view", slug, "", "en"): 1,
            ("", "arrival", slug, "link", "en"): 1,
            ("", "arrival", slug, "facebook", "en"): 1,
            ("", "visitors", "", "", "en"): 1,
        }
    )


def test_a_former_commune_slug_counts_once_under_todays_commune(fixture_client, fixture_app, slug):
    response = fixture_client.get(f"/xa/ea-bong/huong-dan/{slug}?src=poster", headers=PERSON)
    assert response.status_code == 301 and counted(fixture_app) == Counter()  # the redirect is not counted
    landed = fixture_client.get(response.headers["Location"], headers=PERSON)
    assert landed.status_code == 200
    assert counted(fixture_app) == Counter(
        {
            ("ea-na", "view", slug, "", "vi"): 1,
            ("ea-na", "arrival", slug, "poster", "vi"): 1,
            ("ea-na", "visitors", "", "", "vi"): 1,
        }
    )


def test_home_and_commune_landing_pages(fixture_client, fixture_app):
    fixture_client.get("/", headers=PERSON)
    fixture_client.get("/xa/krong-ana/", headers=PERSON)
    assert counted(fixture_app) == Counter(
        {
            ("", "view", "home", "", "vi"): 1,
            ("", "visitors", "", "", "vi"): 1,
            ("krong-ana", "view", "commune", "", "vi"): 1,
            ("krong-ana", "visitors", "", "", "vi"): 1,
        }
    )


@pytest.mark.parametrize(
    "name",
    [
        "facebook-preview",
        "zalo-preview",
        "telegram",
        "twitter",
        "whatsapp",
        "coccocbot",
        "headless-chrome",
        "curl",
        "python-requests",
    ],
)
def test_crawlers_and_link_preview_fetchers_are_not_counted(fixture_client, fixture_app, slug, name):
    assert (
        fixture_client.get(
            f"/xa/ea-na/huong-dan/{slug}?src=qr&utm_source=zalo", headers={"User-Agent": MACHINES[name]}
        ).status_code
        == 200
    )
    assert fixture_client.get("/ra/vneid", headers={"User-Agent": MACHINES[name]}).status_code == 302
    assert counted(fixture_app) == Counter()


@pytest.mark.parametrize(
    "how",
    [
        {"method": "HEAD"},
        {"headers": {"Sec-Purpose": "prefetch"}},
        {"headers": {"Purpose": "prefetch"}},
        {
            "headers": {
                "HX-Request": "true",
                "HX-History-Restore-Request": "true",
                "HX-Current-URL": "http://localhost/",
            }
        },
    ],
    ids=["HEAD", "Sec-Purpose", "Purpose", "htmx history restore"],
)
def test_head_prefetch_and_history_restores_are_not_counted(fixture_client, fixture_app, slug, how):
    response = fixture_client.open(
        f"/huong-dan/{slug}", method=how.get("method", "GET"), headers={**PERSON, **how.get("headers", {})}
    )
    assert response.status_code == 200
    assert counted(fixture_app) == Counter()


def test_an_htmx_reload_of_the_same_page_is_not_counted_but_htmx_navigation_is(fixture_client, fixture_app, slug):
    here = f"http://localhost/huong-dan/{slug}"
    fixture_client.get(f"/huong-dan/{slug}", headers={**PERSON, "HX-Request": "true", "HX-Current-URL": here})
    assert counted(fixture_app) == Counter()
    fixture_client.get(
        f"/huong-dan/{slug}", headers={**PERSON, "HX-Request": "true", "HX-Current-URL": "http://localhost/huong-dan/"}
    )
    assert counted(fixture_app)[("", "view", slug, "", "vi")] == 1


def test_the_share_kit_is_staff_work_not_a_reach(fixture_client, fixture_app):
    assert fixture_client.get("/xa/ea-na/chia-se", headers=PERSON).status_code == 200
    assert counted(fixture_app) == Counter()


def test_errors_static_files_and_healthz_are_not_counted(fixture_client, fixture_app):
    assert fixture_client.get("/huong-dan/khong-co-trang-nay?src=qr", headers=PERSON).status_code == 404
    assert fixture_client.get("/xa/khong-co-xa-nay/", headers=PERSON).status_code == 404
    assert fixture_client.get("/static/css/site.css", headers=PERSON).status_code == 200
    assert fixture_client.get("/healthz", headers=PERSON).status_code == 200
    assert counted(fixture_app) == Counter()


def test_search_counts_full_pages_only_and_never_stores_the_words(fixture_client, fixture_app):
    fixture_client.get("/tim-kiem?q=bưu+điện", headers=PERSON)
    fixture_client.get(
        "/tim-kiem?q=b", headers={**PERSON, "HX-Request": "true", "HX-Current-URL": "http://localhost/tim-kiem"}
    )
    fixture_client.get("/tim-kiem?q=", headers=PERSON)
    assert counted(fixture_app) == Counter({("", "search", "", "", "vi"): 1, ("", "visitors", "", "", "vi"): 1})


def test_outbound_counts_and_redirects_to_the_allow_listed_address_only(fixture_client, fixture_app):
    response = fixture_client.get("/xa/ea-na/ra/vneid", headers=PERSON)
    assert response.status_code == 302 and response.headers["Location"] == "https://vneid.gov.vn"
    for key in ("khong-co", "https:%2F%2Fevil.example", "..%2F..%2Fevil"):
        assert fixture_client.get(f"/ra/{key}", headers=PERSON).status_code == 404
    assert fixture_client.get("/ra/https://evil.example", headers=PERSON).status_code == 404
    assert counted(fixture_app) == Counter({("ea-na", "outbound", "vneid", "", "vi"): 1})


# --- the wizards' starts and outcomes ------------------------------------------------------------------------


def test_wizard_starts_and_outcomes_are_counted(fixture_client, fixture_app):
    assert fixture_client.get("/xa/ea-na/tu-van/thu-nghiem/thu-tuc", headers=PERSON).status_code == 200
    assert (
        fixture_client.get("/xa/ea-na/tu-van/thu-nghiem/ket-qua?thu-tuc=khai-sinh&vneid=co", headers=PERSON).status_code
        == 200
    )
    found = counted(fixture_app)
    assert found[("ea-na", "wizard_start", "thu-nghiem", "", "vi")] == 1
    assert found[("ea-na", "wizard_outcome", "thu-nghiem:toan-trinh", "", "vi")] == 1


def test_a_preview_fetcher_on_a_wizard_result_counts_no_outcome(fixture_client, fixture_app):
    fixture_client.get(
        "/tu-van/thu-nghiem/ket-qua?thu-tuc=khai-sinh&vneid=co", headers={"User-Agent": FACEBOOK_PREVIEW}
    )
    fixture_client.head("/tu-van/thu-nghiem/thu-tuc", headers=PERSON)
    assert counted(fixture_app) == Counter()


def test_a_reported_event_waits_for_the_response(fixture_app):
    with fixture_app.test_request_context("/xa/ea-na/tu-van/thu-nghiem/thu-tuc"):
        tallies.count("wizard_start", "thu-nghiem")  # no response made: nothing is counted
    assert counted(fixture_app) == Counter()


def test_a_wizard_start_in_another_app_is_not_counted_here(fixture_app, tmp_path):
    other = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'other.sqlite3'}",
            "CONTENT_DIR": fixture_app.config["CONTENT_DIR"],
        }
    )
    assert other.test_client().get("/tu-van/thu-nghiem/thu-tuc", headers=PERSON).status_code == 200
    assert counted(fixture_app) == Counter() and counted(other)[("", "wizard_start", "thu-nghiem", "", "vi")] == 1


# --- was this page useful? ---------------------------------------------------------------------


def useful_form(client, url: str) -> tuple[str, str]:
    """The widget's form action and token on a page (fetched as a script, so not counted)."""
    html = client.get(url, headers={"User-Agent": "curl/8.5.0"}).get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+)"', html)[1]
    token = re.search(r'name="token" value="([^"]+)"', html)[1]
    return action, token


def test_useful_as_a_plain_form_comes_back_to_the_page_with_a_thank_you(fixture_client, fixture_app, slug):
    action, token = useful_form(fixture_client, f"/xa/ea-na/huong-dan/{slug}?src=qr")
    assert action == "/xa/ea-na/phan-hoi"
    response = fixture_client.post(
        action,
        data={"token": token, "answer": "yes"},
        headers={**PERSON, "Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/xa/ea-na/huong-dan/{slug}?cam-on=1#huu-ich"  # our tags stay behind
    back = fixture_client.get(response.headers["Location"], headers=PERSON)
    assert "Cảm ơn" in back.get_data(as_text=True) or "Thank you" in back.get_data(as_text=True)
    assert 'name="token"' not in back.get_data(as_text=True)
    assert counted(fixture_app) == Counter({("ea-na", "useful_yes", f"guide:{slug}", "", "vi"): 1})  # not a second view


def test_useful_with_htmx_swaps_in_a_thank_you(fixture_client, fixture_app, slug):
    action, token = useful_form(fixture_client, f"/en/huong-dan/{slug}")
    response = fixture_client.post(
        action,
        data={"token": token, "answer": "no"},
        headers={**PERSON, "HX-Request": "true", "HX-Current-URL": f"http://localhost/en/huong-dan/{slug}"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and "Thank you" in html
    assert counted(fixture_app) == Counter({("", "useful_no", f"guide:{slug}", "", "en"): 1})


def test_useful_on_a_wizard_outcome_comes_back_to_the_same_answers(fixture_client, fixture_app):
    page = "/tu-van/thu-nghiem/ket-qua?thu-tuc=khai-sinh&vneid=co"
    action, token = useful_form(fixture_client, page)
    response = fixture_client.post(action, data={"token": token, "answer": "yes"}, headers=PERSON)
    assert response.headers["Location"] == page + "&cam-on=1#huu-ich"
    fixture_client.get(response.headers["Location"], headers=PERSON)
    assert counted(fixture_app) == Counter(
        {("", "useful_yes", "wizard:thu-nghiem:toan-trinh", "", "vi"): 1}
    )  # no second outcome


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"answer": "yes"},
        {"token": "rubbish", "answer": "yes"},
        {"token": "TOKEN", "answer": "maybe"},
        {"token": "TOKEN-tampered", "answer": "yes"},
    ],
    ids=["nothing", "no token", "bad token", "bad answer", "tampered token"],
)
def test_a_bad_or_missing_token_is_a_400_page_in_the_visitors_language(fixture_client, fixture_app, slug, data):
    _, token = useful_form(fixture_client, f"/en/huong-dan/{slug}")
    data = {key: value.replace("TOKEN", token) for key, value in data.items()}
    response = fixture_client.post("/en/phan-hoi", data=data, headers=PERSON)
    assert response.status_code == 400
    assert "This request could not be answered" in response.get_data(as_text=True)
    assert counted(fixture_app) == Counter()


def test_a_form_left_open_for_weeks_still_works(fixture_client, fixture_app, slug, monkeypatch):
    """The token carries no time (a page is the same bytes every second, so its ETag holds)."""
    import time

    _, token = useful_form(fixture_client, f"/huong-dan/{slug}")
    later = time.time() + 30 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    assert fixture_client.post("/phan-hoi", data={"token": token, "answer": "yes"}, headers=PERSON).status_code == 303
    forged = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    assert fixture_client.post("/phan-hoi", data={"token": forged, "answer": "yes"}, headers=PERSON).status_code == 400


@pytest.mark.parametrize(
    "headers", [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}], ids=["Sec-Fetch-Site", "Origin"]
)
def test_a_cross_site_post_is_refused(fixture_client, fixture_app, slug, headers):
    action, token = useful_form(fixture_client, f"/huong-dan/{slug}")
    response = fixture_client.post(action, data={"token": token, "answer": "yes"}, headers={**PERSON, **headers})
    assert response.status_code == 403
    assert counted(fixture_app) == Counter()


def test_the_widget_sets_no_cookie(fixture_client, slug):
    response = fixture_client.get(f"/huong-dan/{slug}", headers=PERSON)
    assert "Set-Cookie" not in response.headers
    action, token = useful_form(fixture_client, f"/huong-dan/{slug}")
    assert (
        "Set-Cookie" not in fixture_client.post(action, data={"token": token, "answer": "yes"}, headers=PERSON).headers
    )


# --- saying what we count --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/thong-ke-an-danh", "Những gì không bao giờ được lưu"),
        ("/en/xa/ea-na/thong-ke-an-danh", "What is never stored"),
    ],
)
def test_the_what_we_count_page_in_both_languages(fixture_request, url, words):
    page = fixture_request.get(url)
    text = page.get_text()
    assert words in text and "91/2025/QH15" in text and "356/2025/NĐ-CP" in text


def test_every_footer_links_to_it(fixture_request):
    for url, link in (("/", "/thong-ke-an-danh"), ("/en/xa/ea-na/huong-dan/", "/en/xa/ea-na/thong-ke-an-danh")):
        assert fixture_request.get(url).select_one(f'footer a[href="{link}"]') is not None


def test_a_guide_page_with_the_widget_passes_the_page_checks(fixture_request, slug):
    page = fixture_request.get(f"/xa/ea-na/huong-dan/{slug}")
    form = page.select_one("#huu-ich form")
    assert form["action"] == "/xa/ea-na/phan-hoi" and form["hx-post"] == "/xa/ea-na/phan-hoi"
    assert [button["value"] for button in form.select("button[name=answer]")] == ["yes", "no"]


# --- switches, health, commands ----------------------------------------------------------------


def test_tallies_off_counts_nothing(tmp_path, slug):
    from tests.conftest import FIXTURE_CONTENT

    from .conftest import app_counters as read

    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": FIXTURE_CONTENT,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'off.sqlite3'}",
            "TALLIES_ENABLED": False,
        }
    )
    client = app.test_client()
    assert client.get(f"/huong-dan/{slug}", headers=PERSON).status_code == 200
    assert client.get("/healthz").json["tallies"]["enabled"] is False
    from guide import db

    with app.app_context():
        db.create_schema()
    assert read(app) == Counter()


def test_healthz_says_what_was_dropped(fixture_client):
    tallies = fixture_client.get("/healthz").json["tallies"]
    lost_today = {"day": tallies["lost_today"]["day"], "requests": 0, "by_reason": {}}
    assert tallies == {
        "enabled": True,
        "dropped": 0,
        "dropped_by_reason": {},
        "last_error": None,
        "waiting": 0,
        "lost_today": lost_today,
    }


def test_export_writes_csv_with_filters(fixture_client, fixture_app, slug):
    fixture_client.get(f"/xa/ea-na/huong-dan/{slug}?src=qr", headers=PERSON)
    fixture_client.get("/en/", headers=PERSON)
    assert recorder(fixture_app).flush()  # what the background thread would write a moment later
    runner = fixture_app.test_cli_runner()
    everything = runner.invoke(args=["tallies", "export"])
    lines = everything.output.splitlines()
    assert everything.exit_code == 0 and lines[0] == "day,commune,kind,subject,source,locale,count" and len(lines) == 6
    today = lines[1].split(",")[0]
    only = runner.invoke(
        args=["tallies", "export", "--commune", "ea-bong", "--from", today, "--to", today]
    ).output.splitlines()  # a former slug
    assert only[1:] == [
        f"{today},ea-na,arrival,{slug},qr,vi,1",
        f"{today},ea-na,view,{slug},,vi,1",
        f"{today},ea-na,visitors,,,vi,1",
    ]
    assert runner.invoke(args=["tallies", "export", "--to", "2000-01-01"]).output.splitlines() == lines[:1]
    assert runner.invoke(args=["tallies", "export", "--commune", "khong-co"]).exit_code != 0


def test_purge_command(fixture_app):
    long_ago, far_ahead = dt.date(2000, 1, 1), dt.date(2999, 1, 1)  # whatever today is
    with fixture_app.app_context():
        db.create_schema()
        with db.engine().begin() as connection:
            connection.execute(salt.insert(), [{"day": long_ago, "salt": "old"}, {"day": far_ahead, "salt": "later"}])
            connection.execute(
                visitor.insert(),
                [
                    {"day": day, "commune": "ea-na", "hash": name * 16}
                    for day, name in ((long_ago, "a"), (far_ahead, "b"))
                ],
            )
    result = fixture_app.test_cli_runner().invoke(args=["tallies", "purge"])
    assert result.exit_code == 0 and "purged 1 visitor hashes and 1 salts of earlier days" in result.output
    with fixture_app.app_context(), db.engine().connect() as connection:
        assert connection.execute(sa.select(visitor.c.hash)).scalars().all() == ["b" * 16]
        salts = dict(connection.execute(sa.select(salt.c.day, salt.c.salt)).all())
    assert long_ago not in salts and salts[far_ahead] == "later" and len(salts) == 2  # and today's, made


def test_init_db_creates_the_schema(fixture_app):
    result = fixture_app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0 and f"database ready (revision {db.head()})" in result.output
