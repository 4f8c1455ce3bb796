"""Whether a request is a person's, and what it counts for: plain functions, no app."""

import pytest

from guide.tallies.classify import (
    VISITOR,
    Event,
    PageRequest,
    arrival_sources,
    classify,
    is_machine,
    is_person,
    subject_of,
)

from .conftest import MACHINES, PEOPLE, ZALO_IN_APP


def hit(**changes) -> PageRequest:
    """A person's GET of a guide page that answered 200; change what a test is about."""
    values = dict(
        method="GET",
        endpoint="pages.guide",
        status=200,
        path="/huong-dan/nop-qua-buu-dien",
        view_args={"slug": "nop-qua-buu-dien"},
        headers={"user-agent": PEOPLE["chrome"]},
    )
    headers = {**values["headers"], **changes.pop("headers", {})}
    return PageRequest(**{**values, **changes, "headers": headers})


@pytest.mark.parametrize("name", sorted(PEOPLE))
def test_people_are_counted_including_the_zalo_and_facebook_in_app_browsers(name):
    assert not is_machine(PEOPLE[name])
    assert classify(hit(headers={"user-agent": PEOPLE[name]})) == [VISITOR, Event("view", "nop-qua-buu-dien")]


@pytest.mark.parametrize("name", sorted(MACHINES))
def test_crawlers_preview_fetchers_and_scripts_are_not(name):
    assert is_machine(MACHINES[name])
    assert classify(hit(headers={"user-agent": MACHINES[name]})) is None


def test_the_verdict_per_user_agent_is_cached_in_a_bounded_cache():
    is_machine(ZALO_IN_APP)
    info = is_machine.cache_info()
    is_machine(ZALO_IN_APP)
    assert is_machine.cache_info().hits == info.hits + 1
    assert info.maxsize is not None


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"method": "HEAD"}, id="HEAD"),
        pytest.param({"method": "OPTIONS"}, id="OPTIONS"),
        pytest.param({"headers": {"sec-purpose": "prefetch"}}, id="Sec-Purpose prefetch"),
        pytest.param({"headers": {"sec-purpose": "prefetch;prerender"}}, id="Sec-Purpose prerender"),
        pytest.param({"headers": {"purpose": "prefetch"}}, id="Purpose prefetch"),
        pytest.param({"headers": {"x-moz": "prefetch"}}, id="X-Moz prefetch"),
        pytest.param({"endpoint": "static", "path": "/static/css/site.css"}, id="static file"),
        pytest.param({"endpoint": "health.healthz", "path": "/healthz"}, id="healthz"),
        pytest.param({"endpoint": None}, id="no route (404)"),
        pytest.param(
            {"headers": {"hx-request": "true", "hx-current-url": "http://example.org/huong-dan/nop-qua-buu-dien"}},
            id="htmx reload of the same page",
        ),
        pytest.param(
            {
                "headers": {
                    "hx-request": "true",
                    "hx-history-restore-request": "true",
                    "hx-current-url": "http://example.org/",
                }
            },
            id="htmx history restore",
        ),
    ],
)
def test_requests_that_are_not_a_person_reading_count_nothing(changes):
    assert classify(hit(**changes)) is None


@pytest.mark.parametrize("status", [301, 302, 303, 400, 404, 500, 503])
def test_pages_that_did_not_answer_2xx_count_nothing(status):
    assert classify(hit(status=status)) == []


def test_a_304_is_a_person_seeing_the_page_again():
    assert Event("view", "nop-qua-buu-dien") in classify(hit(status=304))


def test_an_htmx_request_for_another_page_is_a_view():
    changes = {"hx-request": "true", "hx-current-url": "http://example.org/huong-dan/"}
    assert classify(hit(headers=changes)) == [VISITOR, Event("view", "nop-qua-buu-dien")]


def test_what_the_view_reported_counts_unless_it_failed():
    outbound = Event("outbound", "vneid")
    assert classify(hit(endpoint="outbound.follow", status=302, is_page=False, reported=(outbound,))) == [outbound]
    assert classify(hit(endpoint="outbound.follow", status=404, reported=(outbound,))) == []
    assert (
        classify(
            hit(
                endpoint="outbound.follow",
                status=302,
                is_page=False,
                reported=(outbound,),
                headers={"user-agent": MACHINES["curl"]},
            )
        )
        is None
    )


def test_a_post_counts_what_it_reported_and_is_not_a_page_view():
    useful = Event("useful_yes", "guide:nop-qua-buu-dien")
    assert classify(hit(method="POST", endpoint="tallies.useful", status=303, is_page=False, reported=(useful,))) == [
        useful
    ]
    assert classify(hit(method="POST", endpoint="tallies.useful", status=200, reported=(useful,))) == [useful]


def test_coming_back_after_answering_useful_is_not_a_new_view():
    assert classify(hit(args={"cam-on": "1"}, query="cam-on=1")) == []


@pytest.mark.parametrize(
    ("endpoint", "view_args", "commune", "subject"),
    [
        ("pages.guide", {"slug": "nop-qua-buu-dien"}, "", "nop-qua-buu-dien"),
        ("pages.home", {}, "", "home"),
        ("pages.home", {}, "ea-na", "commune"),
        ("pages.guide_index", {}, "", "guides"),
        ("wizards.step", {"wizard_slug": "cach-nop-ho-so", "step": "x"}, "", "wizard:cach-nop-ho-so"),
        ("search.search_page", {}, "", "search"),
    ],
)
def test_subjects(endpoint, view_args, commune, subject):
    assert subject_of(endpoint, view_args, commune) == subject


def test_home_and_a_commune_landing_are_views():
    assert Event("view", "home") in classify(hit(endpoint="pages.home", view_args={}, path="/"))
    assert Event("view", "commune") in classify(
        hit(endpoint="pages.home", view_args={}, path="/xa/ea-na/", commune="ea-na")
    )


@pytest.mark.parametrize("endpoint", ["share.kit", "share.poster", "dashboard.district"])
def test_staff_pages_are_not_a_reach(endpoint):
    assert classify(hit(endpoint=endpoint, view_args={"commune": "ea-na"}, args={"src": "qr"})) == []


def test_other_pages_count_the_visitor_only():
    assert classify(hit(endpoint="pages.guide_index", view_args={}, path="/huong-dan/")) == [VISITOR]


@pytest.mark.parametrize(
    ("args", "sources"),
    [
        ({}, []),
        ({"src": "qr"}, ["qr"]),
        ({"src": "poster"}, ["poster"]),
        ({"src": "link"}, ["link"]),
        ({"src": "elsewhere"}, []),  # only our own tags: nothing a stranger types reaches the database
        ({"utm_source": "zalo", "utm_medium": "zalo", "zarsrc": "30"}, ["zalo"]),
        ({"zarsrc": "31"}, ["zalo"]),
        ({"utm_source": "Zalo"}, ["zalo"]),
        ({"fbclid": "IwAR0abc"}, ["facebook"]),
        ({"src": "qr", "utm_source": "zalo"}, ["qr", "zalo"]),
        ({"src": "link", "fbclid": "IwAR0abc"}, ["link", "facebook"]),
    ],
)
def test_arrival_sources(args, sources):
    assert arrival_sources(args) == sources


def test_a_qr_link_opened_in_zalo_is_one_qr_arrival_one_zalo_arrival_and_one_view():
    counted = classify(
        hit(args={"src": "qr", "utm_source": "zalo"}, headers={"user-agent": ZALO_IN_APP}, commune="ea-na")
    )
    assert sorted(counted) == sorted(
        [
            VISITOR,
            Event("view", "nop-qua-buu-dien"),
            Event("arrival", "nop-qua-buu-dien", "qr"),
            Event("arrival", "nop-qua-buu-dien", "zalo"),
        ]
    )


def test_a_search_counts_once_per_full_page_not_per_live_result():
    search = dict(endpoint="search.search_page", view_args={}, path="/tim-kiem")
    assert Event("search") in classify(hit(**search, args={"q": "hộ khẩu"}, query="q=h%E1%BB%99+kh%E1%BA%A9u"))
    assert Event("search") not in classify(hit(**search, args={"q": "  "}))
    live = {"hx-request": "true", "hx-current-url": "http://example.org/tim-kiem?q=h"}
    assert classify(hit(**search, args={"q": "ho"}, query="q=ho", headers=live)) == [VISITOR]


def test_the_same_page_is_compared_by_path_and_query_whatever_the_host():
    same = hit(
        path="/tim-kiem",
        query="q=h%E1%BB%99",
        headers={"hx-request": "true", "hx-current-url": "https://example.org/tim-kiem?q=h%E1%BB%99"},
    )
    assert not is_person(same)
