"""A single client cannot inflate a commune's counts (guide/tallies/repeats.py): a loop of a thousand
requests adds at most the cap, from one browser or from one address rotating its user agent, while
many people, and people sharing one address, are all counted."""

import datetime as dt
import threading

import pytest

from guide import create_app
from guide.tallies.classify import VISITOR, Event
from guide.tallies.repeats import ADDRESS_CAP, REPEAT_CAP, RepeatCap, address_of
from tests.conftest import FIXTURE_CONTENT

from .conftest import HOURS, PEOPLE, ZALO_IN_APP, app_counters

LOOP = 1_000
VIEW = Event("view", "commune")
DAY = dt.date(2026, 3, 1)


@pytest.fixture
def app(tmp_path):
    return create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": FIXTURE_CONTENT,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'repeats.sqlite3'}",
            "TALLIES_FLUSH_SECONDS": HOURS,  # only flush() writes
        }
    )


def ea_na(counts) -> dict:
    return {key: n for key, n in counts.items() if key[0] == "ea-na"}


def test_a_loop_of_a_thousand_requests_from_one_client_adds_at_most_the_cap(app):
    client = app.test_client()
    pages = ["/xa/ea-na/", "/en/xa/ea-na/", "/xa/ea-na/?src=qr", "/xa/ea-na/?fbclid=IwAR{n}"]
    for n in range(LOOP):  # the page in both languages and with tags: still the same counters
        page = client.get(pages[n % len(pages)].format(n=n), headers={"User-Agent": ZALO_IN_APP})
        assert page.status_code == 200
    counts = ea_na(app_counters(app))
    views = sum(n for key, n in counts.items() if key[1:3] == ("view", "commune"))
    assert views == REPEAT_CAP
    assert sum(n for key, n in counts.items() if key[1] == "visitors") == 1
    assert sum(n for key, n in counts.items() if key[1:4] == ("arrival", "commune", "qr")) == REPEAT_CAP
    assert sum(n for key, n in counts.items() if key[1:4] == ("arrival", "commune", "facebook")) == REPEAT_CAP
    assert sum(counts.values()) == 3 * REPEAT_CAP + 1


def test_rotating_the_user_agent_from_one_address_adds_at_most_the_address_cap(app):
    client = app.test_client()
    for n in range(LOOP):  # a new "browser" each time: each one a new visitor by the visitor hash
        agent = f"{PEOPLE['chrome']} build/{n}"
        assert client.get("/xa/ea-na/", headers={"User-Agent": agent}).status_code == 200
    counts = ea_na(app_counters(app))
    assert counts == {
        ("ea-na", "view", "commune", "", "vi"): ADDRESS_CAP,
        ("ea-na", "visitors", "", "", "vi"): ADDRESS_CAP,
    }


def test_an_ipv6_client_rotating_its_address_within_its_network_is_one_address(app):
    client = app.test_client()
    for n in range(200):
        address = f"2001:db8:1234:5678::{n:x}"
        agent = f"{PEOPLE['chrome']} build/{n}"
        client.get("/xa/ea-na/", headers={"User-Agent": agent}, environ_base={"REMOTE_ADDR": address})
    assert app_counters(app)[("ea-na", "view", "commune", "", "vi")] == ADDRESS_CAP
    assert address_of("2001:db8:1234:5678:aaaa::1") == address_of("2001:db8:1234:5678::2") == "2001:db8:1234:5678::"
    assert address_of("203.0.113.7") == "203.0.113.7"


def test_many_people_are_all_counted_and_so_are_people_sharing_one_address(app):
    client = app.test_client()
    for n in range(LOOP):  # a thousand people, each from their own address, reading twice
        for _ in range(2):
            client.get(
                "/xa/ea-na/",
                headers={"User-Agent": ZALO_IN_APP},
                environ_base={"REMOTE_ADDR": f"10.0.{n // 250}.{n % 250}"},
            )
    for n in range(ADDRESS_CAP):  # a meeting on the commune's Wi-Fi: one address, each their own phone
        client.get("/xa/krong-ana/", headers={"User-Agent": f"{PEOPLE['chrome']} phone/{n}"})
        client.get("/xa/krong-ana/huong-dan/nop-qua-buu-dien", headers={"User-Agent": f"{PEOPLE['chrome']} phone/{n}"})
    counts = app_counters(app)
    assert counts[("ea-na", "view", "commune", "", "vi")] == 2 * LOOP
    assert counts[("ea-na", "visitors", "", "", "vi")] == LOOP
    assert counts[("krong-ana", "visitors", "", "", "vi")] == ADDRESS_CAP  # their second pages took no share
    assert counts[("krong-ana", "view", "commune", "", "vi")] == ADDRESS_CAP
    assert counts[("krong-ana", "view", "nop-qua-buu-dien", "", "vi")] == ADDRESS_CAP


class Clock:
    def __init__(self):
        self.now = 1_000.0

    def __call__(self):
        return self.now


def test_the_cap_holds_for_any_minute_and_frees_up_after_it():
    clock = Clock()
    cap = RepeatCap(clock=clock)
    counted = []
    for second in (0, 1, 2, 30, 59.9, 60.5, 61.5, 62.5, 63.5):
        clock.now = 1_000.0 + second
        counted += [second] * len(cap.admit([VIEW], (DAY, "ea-na"), "203.0.113.7", ZALO_IN_APP))
    # never more than three in any sixty seconds: each new one once the oldest is a minute old
    assert counted == [0, 1, 2, 60.5, 61.5, 62.5]


def test_each_counter_and_each_commune_and_day_has_its_own_cap():
    cap = RepeatCap(clock=Clock())
    other_page, other_commune, next_day = Event("view", "guides"), (DAY, "krong-ana"), (DAY + dt.timedelta(1), "ea-na")
    for _ in range(10):
        cap.admit([VIEW, other_page], (DAY, "ea-na"), "203.0.113.7", ZALO_IN_APP)
    assert cap.admit([VIEW, other_page], (DAY, "ea-na"), "203.0.113.7", ZALO_IN_APP) == []
    assert cap.admit([VIEW], other_commune, "203.0.113.7", ZALO_IN_APP) == [VIEW]
    assert cap.admit([VISITOR, VIEW], next_day, "203.0.113.7", ZALO_IN_APP) == [VISITOR, VIEW]  # after midnight


def test_memory_is_bounded_and_forgotten_after_the_minute():
    clock = Clock()
    cap = RepeatCap(clock=clock, max_tracked=100)
    for n in range(LOOP):
        assert cap.admit([VIEW], (DAY, "ea-na"), f"10.0.{n // 250}.{n % 250}", ZALO_IN_APP) == [
            VIEW
        ]  # forgetting only lets one in
        assert cap.tracked() <= 100
    clock.now += 61
    cap.admit([], (DAY, "ea-na"), "10.9.9.9", ZALO_IN_APP)
    assert cap.tracked() == 0


def test_threads_at_once_admit_no_more_than_the_cap():
    cap = RepeatCap()
    admitted, start = [], threading.Barrier(8)

    def loop():
        start.wait()
        for _ in range(500):
            admitted.extend(cap.admit([VIEW, VISITOR], (DAY, "ea-na"), "203.0.113.7", ZALO_IN_APP))

    threads = [threading.Thread(target=loop) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(admitted) == sorted([VIEW] * REPEAT_CAP + [VISITOR])


def test_what_it_holds_says_nothing_about_who_asked():
    cap = RepeatCap()
    cap.admit([VIEW, VISITOR], (DAY, "ea-na"), "203.0.113.7", ZALO_IN_APP)
    held = repr(vars(cap))
    for secret in ("203.0.113.7", "203.0.113", "Zalo", "Android", "SM-A125F"):
        assert secret not in held


@pytest.mark.parametrize("page", ["/thong-ke-an-danh", "/en/thong-ke-an-danh"])
def test_what_we_count_says_the_caps(app, page):
    text = " ".join(app.test_client().get(page).get_data(as_text=True).split())
    assert f" {REPEAT_CAP} " in text and f" {ADDRESS_CAP} " in text and ("phút" in text or "minute" in text)
