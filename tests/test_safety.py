"""The red-team list of issue 11, rerun: the secret, the sign-in, and bad input on the two POSTs.

Each test is one line of what broke when the site was tried as an attacker would, and fails on
the code before the fix. (Host and SCRIPT_NAME, slow clients and health have their own tests.)
"""

import multiprocessing
import re
import subprocess
import threading
import types
from pathlib import Path
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import BadSignature

from guide import config, create_app, db
from guide.dashboard import signin, users
from guide.tallies import views as tallies_views

from .conftest import FIXTURE_CONTENT, ROOT, TEST_CONFIG, check_page
from .dashboard.conftest import sign_in

OFFICER = ("huyen", "mat-khau-du-dai")


@pytest.fixture
def fresh_clone_env(monkeypatch):
    """`make run` with no environment at all."""
    for name in ("GUIDE_ENV", "GUIDE_SECRET_KEY", "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)


def make_app(tmp_path, **settings):
    app = create_app(
        {
            **TEST_CONFIG,
            "CONTENT_DIR": FIXTURE_CONTENT,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'safety.sqlite3'}",
            **settings,
        }
    )
    with app.app_context():
        db.create_schema()
        users.add(*OFFICER, "district", None)
    return app


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path)


def client_from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


_FORGER = Flask("forger")  # one app, its secret changed per forgery (thousands are tried)


def forge(secret: str, data: dict) -> str:
    _FORGER.secret_key = secret
    return SecureCookieSessionInterface().get_signing_serializer(_FORGER).dumps(data)


def repository_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [ROOT / name for name in listed if (ROOT / name).is_file()]


# --- "Anyone can sign in as the district": no default secret anywhere ----------------------------


def test_with_no_environment_no_secret_in_the_repository_signs_a_cookie_the_app_accepts(tmp_path, fresh_clone_env):
    app = make_app(tmp_path, SECRET_KEY=None, SECRET_KEY_FILE=tmp_path / "instance" / "secret_key")
    texts = [path.read_bytes().decode("utf-8", "replace") for path in repository_files()]
    assert all(app.secret_key not in text for text in texts)  # nowhere, whole or in part
    literals = {m for text in texts for m in re.findall(r"""["'`]([^"'`\n]{1,120})["'`]""", text)}
    literals |= {"dev-only-not-secret", "secret", "changeme", "x" * 40}
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    for candidate in literals - {""}:  # (Flask signs nothing with an empty secret)
        with pytest.raises(BadSignature):
            serializer.loads(forge(candidate, {"_user_id": "1:0"}))
    # And over HTTP, the cookie that opened the district dashboard and its CSV.
    client = app.test_client()
    for user_id in ("1", "1:0"):
        client.set_cookie("session", forge("dev-only-not-secret", {"_user_id": user_id, "_fresh": True}))
        for url in ("/thong-ke/", "/thong-ke/?format=csv"):
            assert client.get(url).status_code == 302


def test_the_instance_secret_is_made_once_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "instance" / "secret_key"
    secret = config.instance_secret(path)
    assert len(secret.encode()) >= config.MIN_SECRET_BYTES
    assert path.stat().st_mode & 0o777 == 0o600
    assert config.instance_secret(path) == secret
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no candidate left behind


def test_the_secret_lives_in_the_instance_folder_unless_one_is_given(fresh_clone_env, monkeypatch):
    settings = config.from_environment("/srv/guide/instance")
    assert settings["SECRET_KEY"] is None and settings["SECRET_KEY_FILE"] == Path("/srv/guide/instance/secret_key")
    monkeypatch.setenv("GUIDE_SECRET_KEY", "s" * 40)
    assert config.from_environment("/srv/guide/instance")["SECRET_KEY"] == "s" * 40


def test_two_apps_on_one_instance_folder_share_the_secret_so_sessions_survive_a_restart(tmp_path, fresh_clone_env):
    instance = {"SECRET_KEY": None, "SECRET_KEY_FILE": tmp_path / "instance" / "secret_key"}
    first = make_app(tmp_path / "a", **instance)
    client = first.test_client()
    assert sign_in(client, *OFFICER).status_code == 303
    second = create_app(
        {"TESTING": True, "CONTENT_DIR": FIXTURE_CONTENT, "DATABASE_URL": first.config["DATABASE_URL"], **instance}
    )
    assert second.secret_key == first.secret_key
    restarted = second.test_client()
    restarted.set_cookie("session", client.get_cookie("session").value)
    assert restarted.get("/thong-ke/").status_code == 200


def _secret_when_told(path: Path, go, answers) -> None:
    go.wait()
    answers.put(config.instance_secret(path))


def test_workers_starting_together_agree_on_one_secret(tmp_path):
    """Eight processes (forked, as gunicorn makes its workers) ask for the secret at the same moment."""
    path = tmp_path / "instance" / "secret_key"
    fork = multiprocessing.get_context("fork")
    go, answers = fork.Event(), fork.Queue()
    workers = [fork.Process(target=_secret_when_told, args=(path, go, answers)) for _ in range(8)]
    for worker in workers:
        worker.start()
    go.set()
    secrets = {answers.get(timeout=60) for _ in workers}
    for worker in workers:
        worker.join(timeout=60)
    assert len(secrets) == 1 and secrets != {""}
    assert path.stat().st_mode & 0o777 == 0o600


def test_an_instance_secret_others_can_read_is_refused(tmp_path):
    path = tmp_path / "secret_key"
    config.instance_secret(path)
    path.chmod(0o644)
    with pytest.raises(config.ConfigError, match="chmod 600"):
        config.instance_secret(path)


@pytest.mark.parametrize("secret", ["", "x", "k" * 31])
def test_a_short_secret_is_refused_in_any_environment(tmp_path, monkeypatch, secret):
    for environment in ("development", "production"):
        monkeypatch.setenv("GUIDE_ENV", environment)
        monkeypatch.setenv("GUIDE_SECRET_KEY", secret)
        with pytest.raises(config.ConfigError, match="32 bytes"):
            create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})


@pytest.mark.parametrize("environment", ["Production", "prod", "PRODUCTION", "staging", "production "])
def test_an_unknown_environment_is_refused_not_taken_for_development(monkeypatch, environment):
    monkeypatch.setenv("GUIDE_ENV", environment)
    with pytest.raises(config.ConfigError, match="GUIDE_ENV"):
        create_app({"TESTING": True})


def test_production_is_production_and_refuses_debug(tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDE_ENV", "production")
    url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    settings = {"DATABASE_URL": url, "CONTENT_DIR": FIXTURE_CONTENT}
    assert create_app(settings).config["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(config.ConfigError, match="debug"):
        create_app(settings)


# --- "The lockout works against staff": limits per client and name, the same for every name -----


def test_unknown_and_known_names_get_the_same_answer_and_no_name_is_locked(app):
    answers = set()
    for attempt in range(12):  # more than the old lock's five, each from its own computer
        for name in (OFFICER[0], "khong-co-ai"):
            response = sign_in(client_from(app, f"198.51.100.{attempt}"), name, "sai-mat-khau")
            page = re.sub(r'value="[^"]*"', "", response.get_data(as_text=True))  # the CSRF token
            answers.add((response.status_code, page.replace(name, "NAME")))
    assert len(answers) == 1 and next(iter(answers))[0] == 200
    assert sign_in(client_from(app, "198.51.100.200"), *OFFICER).status_code == 303
    with app.app_context(), db.engine().connect() as connection:
        assert connection.execute(sa.select(users.users.c.failed_logins)).scalar() == 0  # reset by the success


def test_someone_guessing_elsewhere_does_not_lock_the_officer_out_of_their_own_computer(app):
    attacker = client_from(app, "203.0.113.66")
    answers = [sign_in(attacker, OFFICER[0], f"doan-{n}").status_code for n in range(40)]
    assert answers[:5] == [200] * 5 and set(answers[5:]) == {429}
    assert sign_in(attacker, *OFFICER).status_code == 429  # even the right password, from there, waits
    assert sign_in(client_from(app, "192.0.2.10"), *OFFICER).status_code == 303


def test_a_slow_steady_guesser_never_uses_up_the_officers_own_bound(app, monkeypatch):
    now = [1_000_000.0]
    clock = types.SimpleNamespace(time=lambda: now[0], monotonic=lambda: now[0], sleep=lambda _s: None)
    import limits.storage.memory
    import limits.strategies

    monkeypatch.setattr(limits.storage.memory, "time", clock)
    monkeypatch.setattr(limits.strategies, "time", clock)
    attacker = client_from(app, "203.0.113.77")
    blocked = 0
    for minute in range(59):  # five a minute for most of an hour: the most the per-minute limit allows
        for n in range(5):
            blocked += sign_in(attacker, OFFICER[0], f"doan-{minute}-{n}").status_code == 429
        now[0] += 60
    assert blocked > 200  # stopped by its own hourly limit after twenty
    assert sign_in(client_from(app, "192.0.2.10"), *OFFICER).status_code == 303


def test_one_computer_cannot_try_name_after_name(app):
    client = client_from(app, "203.0.113.88")
    answers = [sign_in(client, f"ten-{n}", "sai").status_code for n in range(35)]
    assert answers.count(200) == 30 and answers[30:] == [429] * 5


def test_parallel_guesses_get_no_more_tries_than_sequential_ones(app):
    clients = [client_from(app, "203.0.113.99") for _ in range(20)]
    tokens = [
        c.get("/thong-ke/dang-nhap").get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1][:200]
        for c in clients
    ]
    tokens = [t.split('"')[0] for t in tokens]
    statuses, start = [], threading.Barrier(len(clients))

    def guess(client, token, n):
        start.wait()
        data = {"csrf_token": token, "name": OFFICER[0], "password": f"doan-{n}"}
        statuses.append(client.post("/thong-ke/dang-nhap", data=data).status_code)

    threads = [threading.Thread(target=guess, args=(c, t, n)) for n, (c, t) in enumerate(zip(clients, tokens))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 5 + [429] * 15


def test_failures_are_counted_atomically(app):
    def fail(n):
        with app.app_context():
            for _ in range(5):
                assert users.authenticate(OFFICER[0], f"sai-{n}") is None

    threads = [threading.Thread(target=fail, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context(), db.engine().connect() as connection:
        assert connection.execute(sa.select(users.users.c.failed_logins)).scalar() == 30


# --- "Sessions cannot be revoked" ------------------------------------------------------------------


def signed_in(app, address="192.0.2.10"):
    client = client_from(app, address)
    assert sign_in(client, *OFFICER).status_code == 303
    return client


def copy_of(app, client):
    thief = client_from(app, "203.0.113.5")
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def csrf_token(page: str) -> str:
    return page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


def test_a_cookie_copied_before_logout_opens_nothing_after_it(app):
    officer = signed_in(app)
    thief = copy_of(app, officer)
    assert thief.get("/thong-ke/").status_code == 200
    page = officer.get("/thong-ke/").get_data(as_text=True)
    assert officer.post("/thong-ke/dang-xuat", data={"csrf_token": csrf_token(page)}).status_code == 303
    assert thief.get("/thong-ke/").status_code == 302
    assert thief.get("/thong-ke/?format=csv").status_code == 302


def test_a_new_password_ends_every_session(app):
    first, second = signed_in(app), signed_in(app, "192.0.2.11")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "password", OFFICER[0]], input="mot-mat-khau-moi\n")
    assert result.exit_code == 0, result.output
    assert first.get("/thong-ke/").status_code == 302 and second.get("/thong-ke/").status_code == 302
    assert sign_in(client_from(app, "192.0.2.12"), *OFFICER).status_code == 200  # the old one is gone
    assert sign_in(client_from(app, "192.0.2.13"), OFFICER[0], "mot-mat-khau-moi").status_code == 303


def test_a_session_from_before_versions_is_ended(app):
    client = app.test_client()
    client.set_cookie("session", forge(app.secret_key, {"_user_id": "1", "_fresh": True}))
    assert client.get("/thong-ke/").status_code == 302


def test_no_dashboard_page_csv_or_sign_in_form_is_stored(app):
    anonymous = app.test_client()
    officer = signed_in(app)
    responses = [
        anonymous.get("/thong-ke/dang-nhap"),
        anonymous.get("/en/thong-ke/dang-nhap"),
        anonymous.get("/thong-ke/"),
        sign_in(client_from(app, "192.0.2.50"), OFFICER[0], "sai"),
        officer.get("/thong-ke/"),
        officer.get("/thong-ke/?format=csv"),
        officer.get("/thong-ke/xa/ea-na"),
        officer.get("/thong-ke/xa/ea-na?format=csv"),
        officer.get("/thong-ke/", headers={"HX-Request": "true"}),
    ]
    for response in responses:
        assert response.headers.get("Cache-Control") == "no-store", response.request.url


# --- "500s": a database fault during sign-in, and bad input -----------------------------------------


def database_faults(tmp_path):
    """A locked, a read-only, a missing and an unreachable database, each as an app."""
    locked = make_app(tmp_path / "locked")
    holder = sqlite_hold_write_lock(tmp_path / "locked" / "safety.sqlite3")
    read_only = make_app(tmp_path / "ro")
    read_only.config["DATABASE_URL"] = f"sqlite:///file:{tmp_path / 'ro' / 'safety.sqlite3'}?mode=ro&uri=true"
    missing = create_app(
        {"TESTING": True, "CONTENT_DIR": FIXTURE_CONTENT, "DATABASE_URL": f"sqlite:///{tmp_path}/m.db"}
    )
    unreachable = create_app(
        {"TESTING": True, "CONTENT_DIR": FIXTURE_CONTENT, "DATABASE_URL": "postgresql://guide@127.0.0.1:9/guide"}
    )
    return {"locked": locked, "read-only": read_only, "missing": missing, "unreachable": unreachable}, holder


def sqlite_hold_write_lock(path: Path):
    import sqlite3

    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("BEGIN EXCLUSIVE")
    return connection


def test_a_database_fault_during_sign_in_is_a_polite_try_again_in_the_visitors_language(tmp_path, caplog):
    apps, holder = database_faults(tmp_path)
    try:
        for fault, app in apps.items():
            response = sign_in(client_from(app, "192.0.2.20"), OFFICER[0], "sai-mat-khau")
            body = response.get_data(as_text=True)
            assert response.status_code == 503, fault
            assert "Hiện chưa vào được trang thống kê" in body and response.headers["Cache-Control"] == "no-store"
            check_page(body, fault)
        english = client_from(apps["missing"], "192.0.2.21")
        page = english.get("/en/thong-ke/dang-nhap").get_data(as_text=True)
        response = english.post(
            "/en/thong-ke/dang-nhap", data={"csrf_token": csrf_token(page), "name": "x", "password": "y"}
        )
        assert response.status_code == 503 and "The dashboard cannot be reached just now" in response.get_data(
            as_text=True
        )
    finally:
        holder.rollback() if holder.in_transaction else None
        holder.close()
    assert "sai-mat-khau" not in caplog.text and OFFICER[0] not in caplog.text
    assert not [r for r in caplog.records if r.exc_info], "a traceback logged"


def test_a_database_gone_under_a_signed_in_officer_is_the_same_polite_page(app, tmp_path):
    officer = signed_in(app)
    app.config["DATABASE_URL"] = f"sqlite:///{tmp_path / 'gone' / 'safety.sqlite3'}"
    for url in ("/thong-ke/", "/thong-ke/?format=csv", "/thong-ke/dang-nhap"):
        response = officer.get(url)
        assert response.status_code == 503 and response.headers["Cache-Control"] == "no-store", url


@pytest.mark.parametrize(
    "body", ['{"name": 1}', '{"name": 1, "password": 2, "csrf_token": 3}', "[1]", '"x"', "null", "{", "1e999"]
)
def test_sign_in_posted_as_json_is_answered_not_a_500(app, body):
    client = client_from(app, "192.0.2.30")
    client.get("/thong-ke/dang-nhap")
    for url in ("/thong-ke/dang-nhap", "/thong-ke/dang-xuat"):
        response = client.post(url, data=body, content_type="application/json")
        assert response.status_code < 500, (url, body)


MALFORMED = ["http://[::1", "http://[", "//[::1]:x", "http://a:b:c", "\x00", "http://[::1]:99999", "::"]


@pytest.mark.parametrize("value", MALFORMED)
def test_malformed_origin_referer_and_htmx_headers_are_answered_not_a_500(app, value, caplog):
    client = client_from(app, "192.0.2.31")
    headers = {"Origin": value, "Referer": value, "HX-Request": "true", "HX-Current-URL": value}
    headers = {name: v for name, v in headers.items() if "\x00" not in v}  # Werkzeug refuses a NUL itself
    for base_url in ("http://localhost", "https://localhost"):  # over HTTPS a Referer is looked at more
        form = {"answer": "yes", "token": "x"}
        assert client.post("/phan-hoi", data=form, headers=headers, base_url=base_url).status_code < 500
        response = client.post("/thong-ke/dang-nhap", data={"name": "x"}, headers=headers, base_url=base_url)
        assert response.status_code < 500
    assert client.get("/huong-dan/", headers=headers).status_code == 200
    assert client.get("/thong-ke/dang-nhap", headers=headers).status_code == 200
    assert not [r for r in caplog.records if r.exc_info], "a traceback logged"


def test_an_origin_that_is_not_a_url_is_not_this_site(app):
    response = app.test_client().post("/phan-hoi", data={"answer": "yes"}, headers={"Origin": "http://[::1"})
    assert response.status_code == 403


CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=latin-1",
            "multipart/form-data",
            "multipart/form-data; boundary=x",
            'multipart/form-data; boundary="',
            "application/json",
            "application/json; charset=utf-16",
            "text/plain",
            "application/octet-stream",
            "",
        ]
    ),
    st.text(max_size=60).filter(lambda t: "\n" not in t and "\r" not in t and "\x00" not in t),
)
VALID = "VALIDTOKEN0"  # replaced by a real token (the useful widget's, or the sign-in form's CSRF token)
FORM_FIELDS = st.dictionaries(
    st.sampled_from(["name", "password", "csrf_token", "token", "answer", "x"]),
    st.one_of(st.text(max_size=100), st.sampled_from([VALID, "yes", "no", OFFICER[0]])),
    max_size=5,
)
RIGHT_FORM = {"token": VALID, "answer": "yes", "csrf_token": VALID, "name": OFFICER[0], "password": OFFICER[1]}
BODIES = st.one_of(
    st.binary(max_size=500),
    FORM_FIELDS.map(lambda extra: urlencode({**RIGHT_FORM, **extra}).encode()),  # an answer that stands, mostly
    FORM_FIELDS.map(lambda fields: "&".join(f"{k}={v}" for k, v in fields.items()).encode("utf-8", "surrogatepass")),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
        max_leaves=8,
    ).map(lambda value: __import__("json").dumps(value).encode()),
)
HEADER_VALUES = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    url=st.sampled_from(["/thong-ke/dang-nhap", "/en/thong-ke/dang-nhap", "/thong-ke/dang-xuat", "/phan-hoi"]),
    content_type=CONTENT_TYPES,
    body=BODIES,
    headers=st.dictionaries(
        st.sampled_from(["Origin", "Referer", "HX-Request", "HX-Current-URL", "HX-Target", "Sec-Fetch-Site"]),
        HEADER_VALUES,
        max_size=4,
    ),
)
def test_no_post_body_content_type_or_header_makes_a_5xx(app, url, content_type, body, headers):
    signin.limiter.reset()
    client = client_from(app, "192.0.2.40")
    page = client.get("/thong-ke/dang-nhap").get_data(as_text=True)  # a session and its CSRF token
    if url == "/phan-hoi":
        with app.test_request_context("/huong-dan/"):
            valid = tallies_views.useful_token("guide:x")
    else:
        valid = csrf_token(page)
    body = body.replace(VALID.encode(), valid.encode())
    response = client.post(url, data=body, headers={"Content-Type": content_type, **headers})
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
