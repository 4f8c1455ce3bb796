"""Exact under load: the app under real gunicorn with four workers, a known mix of concurrent
requests across communes, pages, sources, languages and user agents (people and machines, from
several IP addresses), and every counter checked exactly afterwards; on SQLite and on PostgreSQL.
Then the privacy check: no IP address or user-agent text anywhere in the database."""

import http.client
import os
import random
import re
import signal
import subprocess
import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest

from guide.content import ContentError, load_library
from guide.wizards.model import all_paths, load_wizards
from tests.conftest import FIXTURE_CONTENT, ROOT

from .conftest import FACEBOOK_IN_APP, MACHINES, PEOPLE, ZALO_IN_APP, counters, free_port, wait_for
from .test_privacy import dump_every_table

WORKERS = 4
THREADS = 16
REPEAT = 2
PEOPLE_IPS = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"]
MACHINE_IP = "127.0.0.9"
PERSON_AGENTS = [PEOPLE["chrome"], ZALO_IN_APP, FACEBOOK_IN_APP]
MACHINE_AGENTS = [
    MACHINES[name] for name in ("facebook-preview", "zalo-preview", "telegram", "coccocbot", "curl", "python-requests")
]
COMMUNES = ["", "ea-na", "krong-ana"]
FORMER = ("buon-trap", "krong-ana")  # an old poster's commune and where it lives today


class Gunicorn:
    def __init__(self, database_url: str, content_dir, log_path):
        self.port = free_port()
        self.log_path = log_path
        self.log = open(log_path, "wb")
        env = {
            **os.environ,
            "GUIDE_DATABASE_URL": database_url,
            "GUIDE_CONTENT_DIR": str(content_dir),
            "GUIDE_TALLIES": "on",
            "GUIDE_TALLIES_FLUSH_SECONDS": "1",
        }  # the app's default: counts written every second, and at a graceful stop
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for(self.is_up, timeout=60)
        except BaseException:
            self.stop()
            raise

    def is_up(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {self.log_path.read_text()[-2000:]}")
        return self.request("GET", "/healthz", MACHINES["curl"])[0] == 200

    def request(
        self,
        method: str,
        path: str,
        agent: str,
        ip: str = "127.0.0.1",
        headers: dict | None = None,
        body: str | None = None,
    ):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=(ip, 0))
        try:
            all_headers = {"User-Agent": agent, **(headers or {})}
            if body is not None:
                all_headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            return response.status, response.getheader("Location"), response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        self.log.close()


@dataclass
class Visit:
    """One planned request, what it should answer, and what it should count."""

    ip: str
    agent: str
    method: str
    path: str
    status: int
    counts: list = field(default_factory=list)  # (commune, kind, subject, source, locale)
    headers: dict = field(default_factory=dict)
    body: str | None = None
    then: "Visit | None" = None  # follow the redirect with this


def content_dir():
    """The shipped content, which other people are writing right now; if it does not load at
    this moment, the fixture tree (this test is about counting, not about the words)."""
    try:
        return ROOT / "content", load_wizards(ROOT / "content", load_library(ROOT / "content"))
    except ContentError as error:
        warnings.warn(f"the shipped content does not load ({len(error.problems)} problems): using the fixture content")
        return FIXTURE_CONTENT, load_wizards(FIXTURE_CONTENT, load_library(FIXTURE_CONTENT))


def a_wizard_path(wizards) -> tuple[str, str, str, str] | None:
    """(wizard, its first question, the query string of a path to an outcome, that outcome)."""
    for slug, wizard in sorted(wizards.items()):
        for answers, outcome in all_paths(wizard):
            return slug, wizard.start, urlencode(answers), outcome
    return None


def guide_slugs(server, content) -> list[str]:
    """Guides being written right now: take the first two that exist and answer (asked as a script)."""
    found = []
    for path in sorted((content / "vi" / "guides").glob("*.md")):
        if server.request("GET", f"/huong-dan/{path.stem}", MACHINES["curl"])[0] == 200:
            found.append(path.stem)
        if len(found) == 2:
            break
    return found


def prefix(locale: str, commune: str) -> str:
    return ("/en" if locale == "en" else "") + (f"/xa/{commune}" if commune else "")


def plan(server, slugs: list[str], wizard: tuple | None) -> tuple[list[Visit], Counter]:
    visits, expected = [], Counter()
    tokens = {}
    for locale in ("vi", "en"):
        for commune in COMMUNES:
            if slugs:
                html = server.request("GET", f"{prefix(locale, commune)}/huong-dan/{slugs[0]}", MACHINES["curl"])[2]
                tokens[locale, commune] = re.search(r'name="token" value="([^"]+)"', html)[1]

    identities = [(ip, agent) for ip in PEOPLE_IPS for agent in PERSON_AGENTS]
    for number, (ip, agent) in enumerate(identities):
        locale = ("vi", "en")[number % 2]  # one language per person: their visitor row's locale is then certain
        for commune in COMMUNES:
            p = prefix(locale, commune)
            expected[(commune, "visitors", "", "", locale)] += 1
            for again in range(REPEAT):
                home = "commune" if commune else "home"
                visits.append(Visit(ip, agent, "GET", p + "/", 200, [(commune, "view", home, "", locale)]))
                for slug in slugs:
                    view = (commune, "view", slug, "", locale)
                    page = f"{p}/huong-dan/{slug}"
                    arrivals = [
                        Visit(ip, agent, "GET", page, 200, [view]),
                        Visit(
                            ip,
                            agent,
                            "GET",
                            f"{page}?src=qr&utm_source=zalo&utm_medium=zalo&zarsrc=30",
                            200,
                            [
                                view,
                                (commune, "arrival", slug, "qr", locale),
                                (commune, "arrival", slug, "zalo", locale),
                            ],
                        ),
                        Visit(
                            ip,
                            agent,
                            "GET",
                            f"{page}?src=poster",
                            200,
                            [view, (commune, "arrival", slug, "poster", locale)],
                        ),
                        Visit(
                            ip,
                            agent,
                            "GET",
                            f"{page}?fbclid=IwAR0abc",
                            200,
                            [view, (commune, "arrival", slug, "facebook", locale)],
                        ),
                    ]
                    # One way in each time, as a person reads a guide twice (more times a minute than
                    # REPEAT_CAP is a loop, not counted: test_repeat_cap.py); every way by someone.
                    visits += [
                        arrivals[(number + again) % len(arrivals)],
                        Visit(ip, agent, "HEAD", page, 200),
                        Visit(ip, agent, "GET", page, 200, headers={"Sec-Purpose": "prefetch"}),
                        Visit(
                            ip,
                            agent,
                            "GET",
                            page,
                            200,
                            headers={"HX-Request": "true", "HX-Current-URL": f"http://127.0.0.1{page}"},
                        ),
                    ]
                if wizard:
                    name, first, answers, outcome = wizard
                    visits += [
                        Visit(
                            ip,
                            agent,
                            "GET",
                            f"{p}/tu-van/{name}/{first}",
                            200,
                            [(commune, "wizard_start", name, "", locale)],
                        ),
                        Visit(
                            ip,
                            agent,
                            "GET",
                            f"{p}/tu-van/{name}/ket-qua?{answers}",
                            200,
                            [(commune, "wizard_outcome", f"{name}:{outcome}", "", locale)],
                        ),
                    ]
                visits += [
                    Visit(ip, agent, "GET", f"{p}/huong-dan/khong-co-trang-nay", 404),
                    Visit(ip, agent, "GET", f"{p}/tim-kiem?q=ho+so", 200, [(commune, "search", "", "", locale)]),
                    Visit(ip, agent, "GET", f"{p}/ra/vneid", 302, [(commune, "outbound", "vneid", "", locale)]),
                ]
                if slugs:
                    answer = ("yes", "no")[number % 2]
                    visits.append(
                        Visit(
                            ip,
                            agent,
                            "POST",
                            f"{p}/phan-hoi",
                            303,
                            [(commune, f"useful_{answer}", f"guide:{slugs[0]}", "", locale)],
                            headers={"Sec-Fetch-Site": "same-origin"},
                            body=f"token={tokens[locale, commune]}&answer={answer}",
                        )
                    )
        # An old poster, once: one redirect, then one view under today's commune (viewed twice above).
        old, today = FORMER
        landing = Visit(
            ip,
            agent,
            "GET",
            prefix(locale, today) + f"/?src=poster&tu={old}",
            200,
            [(today, "view", "commune", "", locale), (today, "arrival", "commune", "poster", locale)],
        )
        visits.append(Visit(ip, agent, "GET", prefix(locale, old) + "/?src=poster", 301, then=landing))

    for agent in MACHINE_AGENTS:
        for commune in COMMUNES:
            visits.append(Visit(MACHINE_IP, agent, "GET", prefix("vi", commune) + "/", 200))
            visits.append(Visit(MACHINE_IP, agent, "GET", prefix("vi", commune) + "/ra/vneid", 302))
            for slug in slugs:
                visits.append(
                    Visit(
                        MACHINE_IP,
                        agent,
                        "GET",
                        f"{prefix('vi', commune)}/huong-dan/{slug}?src=qr&utm_source=zalo",
                        200,
                    )
                )
            if wizard:
                visits.append(
                    Visit(
                        MACHINE_IP, agent, "GET", f"{prefix('vi', commune)}/tu-van/{wizard[0]}/ket-qua?{wizard[2]}", 200
                    )
                )

    for visit in visits:
        for step in (visit, visit.then):
            for key in step.counts if step else ():
                expected[key] += 1
    random.Random(5).shuffle(visits)
    return visits, expected


def run(server, visit: Visit) -> list[str]:
    """Make the request (and follow its redirect, if planned); say what did not go as planned."""
    problems = []
    status, location, _ = server.request(visit.method, visit.path, visit.agent, visit.ip, visit.headers, visit.body)
    if status != visit.status:
        problems.append(f"{visit.method} {visit.path}: {status}, expected {visit.status}")
    if visit.then is not None:
        assert location and location.startswith("/"), location
        status, _, _ = server.request("GET", location, visit.agent, visit.ip)
        if location != visit.then.path or status != visit.then.status:
            problems.append(f"{visit.path} -> {location}: {status}, expected {visit.then.path}: {visit.then.status}")
    return problems


@pytest.mark.slow
def test_every_counter_is_exact_under_gunicorn_with_several_workers(database_url, tmp_path):
    content, wizards = content_dir()
    server = Gunicorn(database_url, content, tmp_path / "gunicorn.log")
    try:
        slugs = guide_slugs(server, content)
        visits, expected = plan(server, slugs, a_wizard_path(wizards))
        with ThreadPoolExecutor(THREADS) as pool:
            problems = [problem for found in pool.map(lambda visit: run(server, visit), visits) for problem in found]
    finally:
        server.stop()
    assert problems == []
    assert len(visits) > 500
    found = +counters(database_url)
    assert not [key for key in found if key[1] == "dropped"], (tmp_path / "gunicorn.log").read_text()
    assert found == +expected, (
        {key: (found[key], expected[key]) for key in set(found) | set(expected) if found[key] != expected[key]},
        (tmp_path / "gunicorn.log").read_text()[-3000:],
    )

    # Privacy: after all that, nothing in any table says who asked.
    everything = dump_every_table(database_url)
    for secret in [*PEOPLE_IPS, MACHINE_IP, *PERSON_AGENTS, *MACHINE_AGENTS[:-1], "Zalo android", "FB4A", "Chrome/1"]:
        assert secret not in everything, secret


@pytest.mark.slow
def test_each_worker_writes_its_counts_every_second_while_it_runs(tmp_path):
    url = f"sqlite:///{tmp_path / 'running.sqlite3'}"
    server = Gunicorn(url, FIXTURE_CONTENT, tmp_path / "gunicorn.log")
    try:
        for number in range(40):  # spread over the four workers by the kernel; twenty people, twice each
            agent = f"{PEOPLE['chrome']} phone/{number % 5}"
            assert server.request("GET", "/", agent, PEOPLE_IPS[number % 4])[0] == 200
        # the server still running, so these come from the workers' flusher threads, not their exit
        wait_for(lambda: counters(url)[("", "view", "home", "", "vi")] == 40, timeout=30)
        assert counters(url)[("", "visitors", "", "", "vi")] == 20
    finally:
        server.stop()
