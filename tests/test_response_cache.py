"""The one cache (guide/response_cache.py): finished answers kept in memory and served without Flask,
the same bytes as Flask's, counted exactly as Flask would count them, and never for anyone who
might get a personal or different answer. The app runs with it, as in production."""

from collections import Counter

import pytest
from flask import request_started

from guide import create_app
from tests.conftest import FIXTURE_CONTENT
from tests.tallies.conftest import MACHINES, PEOPLE, another_visitor, app_counters

PERSON = PEOPLE["chrome"]


def make_app(tmp_path, name: str):
    return create_app({"TESTING": True, "CONTENT_DIR": FIXTURE_CONTENT, "DATABASE_URL": f"sqlite:///{tmp_path / name}"})


def counted(app):
    app.extensions["guide.tallies"].flush()
    return +app_counters(app)


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path, "kept.sqlite3")


@pytest.fixture
def answered_by_flask(app):
    """The requests Flask itself saw, by path."""
    seen = Counter()

    def note(sender, **_):
        from flask import request

        seen[request.path] += 1

    request_started.connect(note, app)
    yield seen
    request_started.disconnect(note, app)


def get(client, url, agent=PERSON, **headers):
    """Each request from someone else: what is counted here is every request, not one person's repeats."""
    return client.get(url, headers={"User-Agent": agent, **headers}, environ_base=another_visitor())


def test_a_second_request_for_a_page_is_answered_without_flask_with_the_same_bytes(app, answered_by_flask):
    client = app.test_client()
    first = get(client, "/huong-dan/nop-qua-buu-dien", **{"Accept-Encoding": "gzip"})
    again = get(client, "/huong-dan/nop-qua-buu-dien", **{"Accept-Encoding": "gzip"})
    assert answered_by_flask["/huong-dan/nop-qua-buu-dien"] == 1
    assert again.status == first.status and again.data == first.data
    without_date = lambda response: [(k, v) for k, v in response.headers if k != "Date"]
    assert without_date(again) == without_date(first)
    assert again.headers["Content-Encoding"] == "gzip" and "Content-Security-Policy" in again.headers


def test_answers_that_differ_by_a_header_are_kept_apart(app, answered_by_flask):
    client = app.test_client()
    page = "/tim-kiem"
    full, plain, partial = (
        get(client, page, **{"Accept-Encoding": "gzip"}),
        get(client, page),
        get(client, page, **{"HX-Request": "true"}),
    )
    assert full.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    assert b"<html" in plain.data and b"<html" not in partial.data
    assert answered_by_flask[page] == 3
    for headers in ({"Accept-Encoding": "gzip"}, {}, {"HX-Request": "true"}):
        get(client, page, **headers)
    assert answered_by_flask[page] == 3
    assert get(client, page, **{"HX-Request": "true", "HX-History-Restore-Request": "true"}).data.startswith(
        b"<!doctype"
    )
    assert answered_by_flask[page] == 4


@pytest.mark.parametrize(
    "headers",
    [
        {"Cookie": "session=abc"},  # staff signed in may see something else (set on the client, below)
        {"Authorization": "Basic eDp5"},
        {"If-Modified-Since": "Tue, 01 Dec 2026 00:00:00 GMT"},  # a precondition the cache does not judge
        {"Range": "bytes=0-10"},
    ],
)
def test_requests_that_may_need_another_answer_go_to_flask(app, answered_by_flask, headers):
    client = app.test_client()
    get(client, "/huong-dan/")
    if "Cookie" in headers:  # the test client sends its own cookie jar, not a Cookie header
        client.set_cookie("session", "abc")
        headers = {}
    get(client, "/huong-dan/", **headers)
    client.head("/huong-dan/", headers={"User-Agent": PERSON})
    assert answered_by_flask["/huong-dan/"] == 3


def test_an_unchanged_page_answers_304_from_the_cache_and_counts_as_a_view(app, answered_by_flask):
    client = app.test_client()
    for encoding in ("gzip", "identity"):
        etag = get(client, "/huong-dan/nop-qua-buu-dien", **{"Accept-Encoding": encoding}).headers["ETag"]
        again = get(client, "/huong-dan/nop-qua-buu-dien", **{"Accept-Encoding": encoding, "If-None-Match": etag})
        assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
        assert "Content-Encoding" not in again.headers and "HX-Request" in again.headers["Vary"]
        changed = get(client, "/huong-dan/nop-qua-buu-dien", **{"Accept-Encoding": encoding, "If-None-Match": '"x"'})
        assert changed.status_code == 200 and changed.headers["ETag"] == etag
    assert answered_by_flask["/huong-dan/nop-qua-buu-dien"] == 2  # once per encoding
    assert counted(app)[("", "view", "nop-qua-buu-dien", "", "vi")] == 6


def test_the_tags_chat_apps_add_share_one_answer_and_still_say_where_each_visitor_came_from(app, answered_by_flask):
    client = app.test_client()
    page = "/huong-dan/nop-qua-buu-dien"
    answers = {get(client, f"{page}?fbclid=click{n}").data for n in range(5)}
    answers |= {get(client, f"{page}?utm_source=zalo&zarsrc=30&src=qr").data, get(client, page).data}
    assert len(answers) == 1 and answered_by_flask[page] == 1
    counts = counted(app)
    assert counts[("", "view", "nop-qua-buu-dien", "", "vi")] == 7
    assert counts[("", "arrival", "nop-qua-buu-dien", "facebook", "vi")] == 5
    assert counts[("", "arrival", "nop-qua-buu-dien", "zalo", "vi")] == 1
    assert counts[("", "arrival", "nop-qua-buu-dien", "qr", "vi")] == 1


def test_a_page_renders_the_same_bytes_every_second_so_its_etag_holds(app, monkeypatch):
    """Across workers and restarts (a cache cleared), a reader coming back still gets a 304."""
    import time

    client = app.test_client()
    etag = get(client, "/huong-dan/nop-qua-buu-dien").headers["ETag"]
    later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: later)
    app.extensions["guide.response_cache"].clear()
    assert get(client, "/huong-dan/nop-qua-buu-dien", **{"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize(
    "url",
    [
        "/huong-dan/khong-co",  # 404
        "/xa/buon-trap/",  # 301 to today's commune
        "/tu-van/thu-nghiem/ket-qua",  # 303 to the first question
        "/healthz",  # not a page anyone shares
        "/ra/vneid",  # a click to count every time, through Flask
        "/thong-ke/dang-nhap",  # staff's, and it sets a cookie
    ],
)
def test_only_shareable_200s_are_kept(app, answered_by_flask, url):
    client = app.test_client()
    path = url.split("?")[0]
    for _ in range(2):
        get(client, url)
    assert answered_by_flask[path] == 2


def test_kept_answers_are_counted_exactly_as_flask_counts_them(tmp_path):
    """The same requests, to an app that keeps answers and to one whose cache is emptied before each
    request (so Flask answers every one): the same counters."""
    requests = []
    for agent in (
        PEOPLE["chrome"],
        PEOPLE["zalo-in-app"],
        MACHINES["facebook-preview"],
        MACHINES["curl"],
        MACHINES["zalo-preview"],
    ):
        for url in (
            "/",
            "/xa/ea-na/",
            "/en/huong-dan/nop-qua-buu-dien",
            "/huong-dan/nop-qua-buu-dien?src=qr&utm_source=zalo&zarsrc=30",
            "/xa/ea-na/huong-dan/nop-qua-buu-dien?src=poster",
            "/tim-kiem?q=buu+dien",
            "/tu-van/thu-nghiem/",
            "/tu-van/thu-nghiem/ket-qua?" + outcome_query(),
        ):
            for headers in (
                {},
                {"Accept-Encoding": "gzip"},
                {"Sec-Purpose": "prefetch"},
                {"HX-Request": "true", "HX-Current-URL": f"http://localhost{url}"},
            ):
                requests.append((url, agent, headers))
    found = []
    for name, keeps in (("kept.sqlite3", True), ("flask.sqlite3", False)):
        app = make_app(tmp_path, name)
        client = app.test_client()
        for _ in range(3):
            for url, agent, headers in requests:
                if not keeps:
                    app.extensions["guide.response_cache"].clear()
                assert get(client, url, agent, **headers).status_code == 200, url
        found.append(counted(app))
    kept, flask_only = found
    assert kept == flask_only
    assert (
        kept[("ea-na", "arrival", "nop-qua-buu-dien", "poster", "vi")] == 3 * 2 * 2
    )  # people only, not prefetches or previews


def outcome_query() -> str:
    from urllib.parse import urlencode

    from guide.content import load_library
    from guide.wizards.model import all_paths, load_wizards

    wizard = load_wizards(FIXTURE_CONTENT, load_library(FIXTURE_CONTENT))["thu-nghiem"]
    answers, _ = next(iter(all_paths(wizard)))
    return urlencode(answers)


def test_an_htmx_reload_of_a_tagged_page_from_the_cache_is_not_a_new_view(app, answered_by_flask):
    client = app.test_client()
    page = "/tim-kiem?q=buu"
    get(client, page)  # kept, then asked again with Facebook's tag by htmx from the same page
    tagged = f"{page}&fbclid=abc"
    get(client, tagged, **{"HX-Request": "true", "HX-Current-URL": f"http://localhost{tagged}"})
    get(client, tagged, **{"HX-Request": "true", "HX-Current-URL": f"http://localhost{tagged}"})
    assert answered_by_flask["/tim-kiem"] == 2  # the page, and its htmx answer once
    counts = counted(app)
    assert counts[("", "search", "", "", "vi")] == 1 and counts[("", "visitors", "", "", "vi")] == 1
    assert ("", "arrival", "search", "facebook", "vi") not in counts
