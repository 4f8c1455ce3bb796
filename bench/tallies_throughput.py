"""A guide page's throughput with tallies on and off: the app under gunicorn (gunicorn.conf.py: 2 gthread workers, as `make run`) on
loopback, wrk as the load generator, a browser's user agent (without one, a request is a script's
and the tallies skip it, which would measure nothing). Measures; never asserts.

    .venv/bin/python bench/tallies_throughput.py            # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql://… .venv/bin/python bench/tallies_throughput.py

Knobs: BENCH_DURATION (10s), BENCH_CONNECTIONS (64), BENCH_WORKERS (2), BENCH_ROUNDS (2: off and on alternate, the
best of each is reported, so a noisy neighbour hurts both alike).
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "64"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
BROWSER = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, env: dict):
        self.url = f"http://127.0.0.1:{free_port()}"
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "-c",
                "gunicorn.conf.py",  # what `make run` and deploy/guide.service run
                "--workers",
                str(WORKERS),
                "--bind",
                self.url.removeprefix("http://"),
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            start_new_session=True,
        )
        for _ in range(200):
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def wrk(url: str) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", "-H", f"User-Agent: {BROWSER}", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def millis(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M)
        value, unit = float(match[1]), match[2]
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        "requests": int(re.search(r"(\d+) requests in", out)[1]),
        "p50": millis("50"),
        "p99": millis("99"),
        "non2xx": int(errors[1]) if errors else 0,
    }


def views(database_url: str, slug: str) -> int:
    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("tally"):
                return 0
            return connection.execute(
                sa.text("SELECT coalesce(sum(count), 0) FROM tally WHERE kind = 'view' AND subject = :slug"),
                {"slug": slug},
            ).scalar()
    finally:
        engine.dispose()


def main() -> int:
    if shutil.which("wrk") is None:
        print("wrk is missing (Debian package wrk; `scripts/system-deps.sh bench` installs it)", file=sys.stderr)
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="guide-bench-tallies-"))
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    sys.path.insert(0, str(ROOT))
    from guide import create_app

    slug = sorted(create_app().extensions["guide.library"].guides["vi"])[0]
    path = f"/huong-dan/{slug}"
    best: dict[str, dict] = {}
    counted_ok = True
    try:
        for _ in range(ROUNDS):
            for mode in ("off", "on"):
                server = Server({"GUIDE_DATABASE_URL": database_url, "GUIDE_TALLIES": mode})
                try:
                    before = views(database_url, slug)
                    result = wrk(server.url + path)
                finally:
                    server.stop()
                if mode == "on":  # every request wrk made was a person's view: all must be counted
                    counted = views(database_url, slug) - before
                    result["counted"] = counted
                    counted_ok &= counted >= result["requests"]  # wrk's count leaves out requests cut off at the end
                if mode not in best or result["rps"] > best[mode]["rps"]:
                    best[mode] = result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    on, off = best["on"], best["off"]
    backend = sa.engine.make_url(database_url).get_backend_name()
    lines = [
        f"Guide page `{path}`, gunicorn {WORKERS} gthread workers, {backend}, wrk 2 threads × {CONNECTIONS} connections × {DURATION}, best of {ROUNDS} rounds, {os.cpu_count()} CPUs:",
        "",
        "| tallies | requests/s | p50 ms | p99 ms | non-2xx | views counted |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        f"| off | {off['rps']:.0f} | {off['p50']:.2f} | {off['p99']:.2f} | {off['non2xx']} | – |",
        f"| on | {on['rps']:.0f} | {on['p50']:.2f} | {on['p99']:.2f} | {on['non2xx']} | {on['counted']} of {on['requests']} |",
        "",
        f"on/off: {on['rps'] / off['rps']:.2f}" + ("" if counted_ok else "  (**some views were not counted**)"),
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
