"""Shared helpers for the tallies tests: real user-agent strings, reading the counters back (an app's
once its recorder has written what it noted), and a throwaway PostgreSQL cluster (Debian's
binaries; run as the `postgres` user when tests run as root).
In CI (CI=true) a missing PostgreSQL fails the PostgreSQL tests; elsewhere they are skipped."""

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from guide import db
from guide.tallies.store import visitor_key

# People: ordinary browsers and the in-app browsers of Zalo and Facebook (links opened from chats).
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36"
)
ZALO_IN_APP = (
    "Mozilla/5.0 (Linux; Android 12; SM-A125F Build/SP1A.210812.016; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/120.0.6099.144 Mobile Safari/537.36 Zalo android/12100718 ZaloTheme/light ZaloLanguage/vi"
)
ZALO_IN_APP_IOS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 Zalo iOS/474 ZaloTheme/light ZaloLanguage/vi"
)
FACEBOOK_IN_APP = (
    "Mozilla/5.0 (Linux; Android 13; SM-A145F Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/120.0.6099.144 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/446.0.0.31.111;]"
)
FACEBOOK_IN_APP_IOS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 [FBAN/FBIOS;FBDV/iPhone12,1;FBMD/iPhone;FBSN/iOS;FBSV/17.1;FBSS/2;FBID/phone;FBLC/vi_VN;FBOP/5]"
)
COC_COC = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) coc_coc_browser/117.0.236 "
    "Chrome/111.0.0.0 Safari/537.36"
)
KAIOS = (
    "Mozilla/5.0 (Mobile; LYF/F300B/LYF-F300B-001-01-15-130718-i;Android; rv:48.0) Gecko/48.0 Firefox/48.0 KAIOS/2.5"
)
OPERA_MINI = "Opera/9.80 (J2ME/MIDP; Opera Mini/4.2.14912/870; U; vi) Presto/2.4.15"
PEOPLE = {
    "chrome": CHROME_ANDROID,
    "zalo-in-app": ZALO_IN_APP,
    "zalo-in-app-ios": ZALO_IN_APP_IOS,
    "facebook-in-app": FACEBOOK_IN_APP,
    "facebook-in-app-ios": FACEBOOK_IN_APP_IOS,
    "coc-coc": COC_COC,
    "kaios": KAIOS,
    "opera-mini": OPERA_MINI,
}

# Machines: crawlers, the link-preview fetchers chat apps send when a link is pasted, scripts.
FACEBOOK_PREVIEW = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"
# Zalo does not publish its link-preview fetcher's string. Fetchers name their app in this form,
# never in the in-app browser's ("Zalo android/…"); both spellings of Zalo's are checked.
ZALO_PREVIEW = "Mozilla/5.0 (compatible; Zalo/1.0; +https://zalo.me)"
ZALO_PREVIEW_BOT = "Mozilla/5.0 (compatible; Zalobot/1.0; +https://zalo.me)"
MACHINES = {
    "facebook-preview": FACEBOOK_PREVIEW,
    "zalo-preview": ZALO_PREVIEW,
    "zalo-preview-bot": ZALO_PREVIEW_BOT,
    "telegram": "TelegramBot (like TwitterBot)",
    "twitter": "Twitterbot/1.0",
    "whatsapp": "WhatsApp/2.23.20.0 A",
    "coccocbot": "Mozilla/5.0 (compatible; coccocbot-web/1.0; +http://help.coccoc.com/searchengine)",
    "googlebot": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "headless-chrome": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
    "curl": "curl/8.5.0",
    "python-requests": "python-requests/2.31.0",
    "nothing": "",
}


def counters(url: str) -> Counter:
    """Every counter in the database, summed over days: (commune, kind, subject, source, locale) -> count."""
    engine = db.make_engine(url)
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("tally"):
            return Counter()  # nothing was ever written
        rows = connection.execute(sa.text("SELECT commune, kind, subject, source, locale, count FROM tally")).all()
    engine.dispose()
    totals = Counter()
    for commune, kind, subject, source, locale, count in rows:
        totals[(commune, kind, subject, source, locale)] += count
    return totals


def app_counters(app) -> Counter:
    """The app's counters once its recorder has written everything noted so far (as its
    background thread would within a second)."""
    recorder = app.extensions.get("guide.tallies")
    if recorder is not None:
        recorder.flush()
    return counters(app.config["DATABASE_URL"])


_addresses = itertools.count(1)


def another_visitor() -> dict:
    """`environ_base` for a request from someone not seen before (an address of their own): for
    tests that count many requests and are not about one client repeating itself, which
    guide/tallies/repeats.py caps."""
    n = next(_addresses)
    return {"REMOTE_ADDR": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"}


# The visitor hash's key in tests that make a Recorder themselves (the app makes its own from its secret).
KEY = visitor_key("the tests' instance secret")
HOURS = 3600.0  # a flush interval no test waits out: only flush() or the process's exit writes


PORTS_PER_WORKER = 1500
_worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
# Below the kernel's ephemeral ports (32768 up): no client connection's own port, nor a port another
# test asked the kernel for, can take one of these between the check below and the server's bind;
# and each xdist worker has its own, so two tests at once never pick the same.
_ports = itertools.cycle(range(10_000 + PORTS_PER_WORKER * _worker, 10_000 + PORTS_PER_WORKER * (_worker + 1)))


def free_port() -> int:
    """A port nothing listens on, for a server a test starts (gunicorn, nginx, PostgreSQL)."""
    for port in itertools.islice(_ports, PORTS_PER_WORKER):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue  # in use, or a closed connection's TIME_WAIT: the next
            return port
    raise OSError(f"every port of this worker's {PORTS_PER_WORKER} is in use")


# --- a throwaway PostgreSQL -------------------------------------------------------------------


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def need_postgres() -> Path:
    """Debian's PostgreSQL binaries, or fail (CI) / skip (elsewhere) saying why."""
    bindir = postgres_bin()
    reason = None
    if bindir is None:
        reason = "PostgreSQL is not installed (Debian package postgresql; `make test` installs it as root)"
    elif os.geteuid() == 0 and shutil.which("runuser") is None:
        reason = "running as root needs runuser to start PostgreSQL as the postgres user"
    if reason is None and os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            reason = "running as root needs the `postgres` OS user to start PostgreSQL"
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return bindir


class PostgresCluster:
    """initdb into a temporary directory, listen on 127.0.0.1 at a free port; stop() and remove()."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.directory = Path(tempfile.mkdtemp(prefix="guide-pg-"))
        self.data = self.directory / "data"
        self.port = free_port()
        as_root = os.geteuid() == 0
        self.prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
        if as_root:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        self.start()

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self.prefix, str(self.bindir / tool), *args], check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.directory} -c fsync=off"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.directory / "log"), "-w", "-t", "30", "start"
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.directory, ignore_errors=True)

    def new_database(self) -> str:
        name = f"guide_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(
            f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres", isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
        admin.dispose()
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"


@pytest.fixture(scope="session")
def postgres_cluster():
    cluster = PostgresCluster(need_postgres())
    yield cluster
    cluster.remove()


@pytest.fixture
def postgres_url(postgres_cluster):
    """A fresh, empty database on the session's throwaway cluster."""
    return postgres_cluster.new_database()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """Each test that takes this runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tallies.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def engine(database_url):
    """An engine on a fresh database with the schema made (SQLite, then PostgreSQL)."""
    engine = db.make_engine(database_url)
    db.create_schema(engine)
    yield engine
    engine.dispose()


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except OSError:
            pass
        time.sleep(interval)
    raise TimeoutError("gave up waiting")


@pytest.fixture
def app(app_per_test):
    """Tally tests count from an empty database: one app each."""
    return app_per_test


@pytest.fixture
def fixture_app(fixture_app_per_test):
    return fixture_app_per_test
