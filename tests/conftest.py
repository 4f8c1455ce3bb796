"""Shared fixtures: the app on the shipped content, a test client, and `client_request`, which checks
every page it fetches the way GOV.UK Notify's fixture does (one h1, title starts with it, no
duplicate ids, every form has an action)."""

import datetime as dt
import os
import re
import secrets
import threading
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from werkzeug.serving import make_server

from guide import create_app, db
from guide.communes import details

ROOT = Path(__file__).resolve().parent.parent
# Apps made by tests sign with this (random, of this run) rather than making the checkout's own
# instance/secret_key; tests/test_safety.py tries that default on a folder of its own.
os.environ.setdefault("GUIDE_SECRET_KEY", secrets.token_urlsafe(32))


def pytest_collection_modifyitems(items):
    """The files whose tests wait on real servers or drive the browser run first: in parallel
    (`pytest -n`, a file to a process) they then overlap the many short ones rather than end the run
    alone. Otherwise in file order, each file's tests in their own order."""

    def weight(item) -> int:
        return 0 if item.get_closest_marker("slow") else 1 if item.get_closest_marker("browser") else 2

    first = {}
    for item in items:
        first[item.path] = min(first.get(item.path, 2), weight(item))
    order = {item: index for index, item in enumerate(items)}
    items.sort(key=lambda item: (first[item.path], order[item]))


# What every test app gets beyond the shipped defaults: testing mode, and cheap password hashes
# (scrypt costs ~0.15 s a hash; tests/test_security.py checks the real method on its own).
TEST_CONFIG = {"TESTING": True, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
FIXTURE_CONTENT = ROOT / "tests" / "fixtures" / "content"


def make_app(folder: Path, **config):
    """An app with the test settings, its SQLite database in `folder` unless `config` names one."""
    return create_app(
        {**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{folder / 'test.sqlite3'}", "PROVINCE_DIR": folder, **config}
    )


def record_details(app, slug: str, **given) -> None:
    """Save a commune's office details as its staff would on the dashboard (test data only)."""
    with app.app_context():
        db.create_schema()
        details.save(db.engine(), slug, details.Details(**given), "test-staff", dt.datetime(2026, 12, 3, 9, 0))


# The apps are built once per test module (a module's tests read pages; none changes the app), and
# each test gets a client of its own (its own cookies). A module whose tests count tallies, change
# the app or need an empty database takes `app_per_test` / `fixture_app_per_test` instead:
# an `app` fixture of its own returning `app_per_test` (or `fixture_app_per_test`).
@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("app"))


@pytest.fixture
def app_per_test(tmp_path):
    return make_app(tmp_path)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def fixture_app(tmp_path_factory):
    """The app on a small, fixed content tree: for tests about the engine, not the shipped words."""
    return make_app(tmp_path_factory.mktemp("fixture"), CONTENT_DIR=FIXTURE_CONTENT)


@pytest.fixture
def fixture_app_per_test(tmp_path):
    return make_app(tmp_path, CONTENT_DIR=FIXTURE_CONTENT)


@pytest.fixture
def fixture_client(fixture_app):
    return fixture_app.test_client()


def check_page(html: str, url: str) -> BeautifulSoup:
    """The cheap accessibility checks every full page must pass."""
    soup = BeautifulSoup(html, "html5lib")
    h1s = soup.find_all("h1")
    assert len(h1s) == 1, f"{url}: expected one <h1>, found {len(h1s)}"
    h1 = " ".join(h1s[0].get_text().split())
    title = " ".join(soup.title.get_text().split()) if soup.title else ""
    assert title.startswith(h1), f"{url}: <title> {title!r} does not start with the h1 {h1!r}"
    ids = [tag["id"] for tag in soup.find_all(id=True)]
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates, f"{url}: duplicate ids {duplicates}"
    for form in soup.find_all("form"):
        assert form.get("action"), f"{url}: a form has no action"
    assert re.fullmatch(r"[a-z]{2,3}", soup.html.get("lang") or ""), f"{url}: <html lang> missing"
    return soup


class ClientRequest:
    def __init__(self, client):
        self.client = client

    def get(self, url: str, expected_status: int = 200, **kwargs) -> BeautifulSoup:
        response = self.client.get(url, **kwargs)
        assert response.status_code == expected_status, f"{url}: {response.status_code}"
        return check_page(response.get_data(as_text=True), url)

    def get_partial(self, url: str, expected_status: int = 200) -> BeautifulSoup:
        response = self.client.get(url, headers={"HX-Request": "true"})
        assert response.status_code == expected_status, f"{url}: {response.status_code}"
        assert "HX-Request" in response.headers.get("Vary", ""), f"{url}: no Vary: HX-Request"
        html = response.get_data(as_text=True)
        assert "<html" not in html, f"{url}: the htmx answer is a full page"
        return BeautifulSoup(html, "html5lib")


@pytest.fixture
def client_request(client):
    return ClientRequest(client)


@pytest.fixture
def fixture_request(fixture_client):
    return ClientRequest(fixture_client)


class LiveServer:
    """The app served by a real WSGI server in a thread, for the browser tests."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()


LIVE_USERS = {"district": ("huyen-live", "mat-khau-huyen-1"), "commune": ("ea-na-live", "mat-khau-ea-na-1")}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    from guide import db
    from guide.clock import today
    from guide.dashboard import demo, users

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('live') / 'live.sqlite3'}",
            **TEST_CONFIG,
            "TESTING": False,
        }
    )
    with app.app_context():
        db.create_schema()
        demo.fill(90, today())  # a living dashboard for the browser tests
        users.add(*LIVE_USERS["district"], "district", None)
        users.add(*LIVE_USERS["commune"], "commune", "ea-na")
    server = LiveServer(app)
    yield server
    server.stop()
