"""README's "Deploying for a province", followed for Thanh Hóa on a clone of this repository: as
root, the instance folder is given to a service user; as that user, `init-db`, `province set
"Thanh Hóa"` and `users add --role province`; gunicorn as that user with the service's settings
(GUIDE_ENV=production, GUIDE_PROXIES=1) on PostgreSQL; nginx with the shipped site and its TLS
lines filled in (a throwaway certificate). Then, through nginx over https: the province user signs
in, and no page names Đắk Lắk. Afterwards the clone's `git status` is clean: nothing the deployment
did touched a tracked file, so the README's `git pull` update applies.

The suite's own .venv stands in for the clone's `make install` (same packages). Run as root (CI),
the commands run as a system user made for this test; its way to the .venv and to the Python it
was made with is opened (o+x, traverse only, on the directories above them). Elsewhere they run as the current user; without nginx, PostgreSQL or
openssl, the test fails in CI and is skipped elsewhere."""

import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.tallies.conftest import PostgresCluster, free_port, need_postgres, wait_for
from tests.test_deploy import HOST, main_config, nginx_binary, nginx_check, site_config

pytestmark = pytest.mark.slow

SERVICE_USER = "guide-deploy-test"
PASSWORD = "mat-khau-cua-tinh-thanh-hoa"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
TLS = [  # the shipped site's TLS lines, uncommented, on a port of the test's and its certificate
    (r"# (listen 443 ssl)", r"\1"),
    (r"# (listen \[::\]:443 ssl)", r"# \1"),
    (r"# (ssl_\w+ )", r"\1"),
    (r"# (if \(\$scheme = http\))", r"\1"),
    (r"listen 443 ssl", "listen 127.0.0.1:{tls_port} ssl"),
    (r"/etc/letsencrypt/live/huongdan\.example\.gov\.vn/fullchain\.pem", "{cert}"),
    (r"/etc/letsencrypt/live/huongdan\.example\.gov\.vn/privkey\.pem", "{key}"),
]


def as_service_user() -> list[str]:
    """The prefix that runs a command as the service user (root only: made when missing)."""
    if os.geteuid() != 0:
        return []
    if subprocess.run(["id", SERVICE_USER], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        SERVICE_USER], check=True)  # fmt: skip
    interpreter = Path(os.path.realpath(PYTHON)).parent
    for place in (ROOT / ".venv", interpreter):  # the service user's way to the .venv and its Python
        for folder in [*reversed(place.parents), place]:
            folder.chmod(folder.stat().st_mode | 0o001)  # traverse only: nothing is listed or written
    return ["runuser", "-u", SERVICE_USER, "--"]


class ToLoopback(http.client.HTTPSConnection):
    """https://HOST/… (its name in the TLS handshake, as a browser sends it) on this machine's nginx."""

    def connect(self):
        self.sock = self._context.wrap_socket(
            socket.create_connection(("127.0.0.1", self.port), self.timeout), server_hostname=HOST
        )


class Site:
    def __init__(self, work: Path):
        self.binary = nginx_binary()
        if shutil.which("openssl") is None:
            pytest.fail("openssl is not installed") if os.environ.get("CI") == "true" else pytest.skip("no openssl")
        self.cluster = PostgresCluster(need_postgres())
        self.srv = work / "srv"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(self.srv)], check=True)
        subprocess.run(
            [PYTHON, "-m", "babel.messages.frontend", "compile", "-d", "guide/translations"],
            cwd=self.srv,
            check=True,
            capture_output=True,
        )  # fmt: skip  (make translations)
        self.prefix = as_service_user()
        instance = self.srv / "instance"
        instance.mkdir(mode=0o700)
        if self.prefix:
            shutil.chown(instance, SERVICE_USER, SERVICE_USER)
        self.env = {
            "PATH": os.environ["PATH"],
            "GUIDE_DATABASE_URL": self.cluster.new_database(),
            "GUIDE_PUBLIC_URL": f"https://{HOST}",
            "GUIDE_ENV": "production",
            "GUIDE_PROXIES": "1",
        }
        self.gunicorn = self.nginx = None

    def guide(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
        """The README's `guide` shell function: flask as the service user, with its settings."""
        command = [*self.prefix, PYTHON, "-m", "flask", "--app", "wsgi", *args]
        return subprocess.run(command, cwd=self.srv, env=self.env, input=stdin, capture_output=True, text=True)

    def serve(self, work: Path) -> None:
        self.app_port, self.tls_port = free_port(), free_port()
        self.log = open(work / "gunicorn.log", "w")
        self.gunicorn = subprocess.Popen(
            [*self.prefix, PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{self.app_port}",
             "wsgi:app"],
            cwd=self.srv, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        cert, key = work / "fullchain.pem", work / "privkey.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        f"/CN={HOST}", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)  # fmt: skip
        (work / "logs").mkdir()
        tls = [(pattern, value.format(tls_port=self.tls_port, cert=cert, key=key)) for pattern, value in TLS]
        site = work / "guide.conf"
        site.write_text(site_config(work, free_port(), self.app_port, extra=tls))
        (work / "nginx.conf").write_text(main_config(work, site))
        checked = nginx_check(work, self.binary)
        assert checked.returncode == 0, checked.stderr
        self.nginx = subprocess.Popen([self.binary, "-p", str(work), "-c", str(work / "nginx.conf"), "-e",
                                       str(work / "logs" / "error.log")], start_new_session=True)  # fmt: skip
        last = {}

        def answering() -> bool:
            try:
                last["answer"] = self.get("/healthz")[:2]
            except OSError as error:
                last["answer"] = repr(error)
                raise
            return last["answer"][0] == 200

        try:
            wait_for(answering, timeout=60)
        except TimeoutError:
            logs = [
                (work / name).read_text()[-2000:]
                for name in ("gunicorn.log", "logs/error.log")
                if (work / name).exists()
            ]
            raise AssertionError(f"{last} {self.nginx.poll()}\n" + "\n".join(logs)) from None

    def get(self, path: str, method: str = "GET", body: str | None = None, headers: dict | None = None):
        connection = ToLoopback(HOST, self.tls_port, context=ssl._create_unverified_context(), timeout=30)
        try:
            connection.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
            answer = connection.getresponse()
            return answer.status, answer.read().decode("utf-8", "replace"), answer.headers
        finally:
            connection.close()

    def stop(self) -> None:
        for process in (self.nginx, self.gunicorn):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=60)
        self.cluster.remove()


@pytest.fixture(scope="module")
def thanh_hoa_site():
    work = Path(tempfile.mkdtemp(prefix="guide-deploy-"))
    work.chmod(0o755)  # the service user reads the clone
    site = Site(work)
    try:
        made = site.guide("init-db")
        assert made.returncode == 0, made.stderr
        site.set_up = site.guide("province", "set", "Thanh Hóa")
        added = site.guide("users", "add", "tinh", "--role", "province", stdin=PASSWORD + "\n")
        assert added.returncode == 0, added.stderr
        site.added = added.stdout
        site.serve(work)
        yield site
    finally:
        site.stop()
        shutil.rmtree(work, ignore_errors=True)


def test_the_readme_steps_set_the_site_up_for_thanh_hoa_as_the_service_user(thanh_hoa_site):
    site = thanh_hoa_site
    assert site.set_up.returncode == 0, site.set_up.stderr
    assert "Tỉnh Thanh Hóa: 166 communes, 547 former units" in site.set_up.stdout
    assert "province user" in site.added
    written = site.srv / "instance" / "communes.yaml"
    assert written.exists() and (not site.prefix or written.owner() == SERVICE_USER)
    status = subprocess.run(["git", "status", "--porcelain"], cwd=site.srv, capture_output=True, text=True).stdout
    assert status == ""  # nothing tracked changed: `git pull` applies


def test_the_province_user_signs_in_through_nginx_over_https(thanh_hoa_site):
    site = thanh_hoa_site
    status, page, headers = site.get("/thong-ke/dang-nhap")
    assert status == 200 and headers["Cache-Control"] == "no-store"
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    cookie = headers["Set-Cookie"].split(";")[0]
    assert "Secure" in headers["Set-Cookie"]
    form = f"csrf_token={token}&name=tinh&password={PASSWORD}"
    status, _body, signed_in = site.get(
        "/thong-ke/dang-nhap", "POST", form, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    )
    assert status == 303, _body[:2000]
    session = next(c for c in signed_in.get_all("Set-Cookie") if c.startswith("session=")).split(";")[0]
    for path in ("/thong-ke/", "/thong-ke/bao-cao", "/thong-ke/thong-tin-xa", "/thong-ke/so-lieu-ho-so"):
        status, staff_page, answered = site.get(path, headers={"Cookie": session})
        assert status == 200 and answered["Cache-Control"] == "no-store", path
        assert "Đắk Lắk" not in staff_page and "Krông" not in staff_page, path
    assert "166" in site.get("/thong-ke/thong-tin-xa", headers={"Cookie": session})[1]  # "0 / 166 xã có …"


def test_no_public_page_names_the_shipped_example(thanh_hoa_site):
    site = thanh_hoa_site
    first_commune = re.search(r'href="/xa/([a-z0-9-]+)/"', site.get("/xa/")[1])[1]
    for path in ("/", "/en/", "/tim-xa", "/huong-dan/", "/huong-dan/nop-ho-so-truc-tuyen", "/tu-van/cach-nop-ho-so/",
                 f"/xa/{first_commune}/", f"/xa/{first_commune}/huong-dan/nop-qua-buu-dien"):  # fmt: skip
        status, page, _ = site.get(path)
        assert status == 200, path
        assert "Đắk Lắk" not in page and "daklak" not in page and "Krông" not in page, path
