"""Latency of ordinary pages with and without 20 slow clients held (bench/README.md, "Slow clients").

Starts gunicorn as `make run` does (gunicorn.conf.py, SQLite in a temporary folder) and Debian's
nginx with deploy/nginx.conf in front of it (the same helpers as tests/test_deploy.py), then for
each path: VISITORS people reading pages one after the other for SECONDS, first alone, then
while 20 connections each send a request a byte every two seconds (reconnecting when cut off).
Prints p50, p99 and the slowest answer, and any failures. `--sync` adds the old `make run`
(`--workers 2`, sync workers) for comparison.

    .venv/bin/python bench/slow_clients.py [--seconds 20] [--visitors 4] [--sync]
"""

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_deploy import SLOW_CLIENTS, Gunicorn, Nginx, SlowClients, visit_for, wait_for  # noqa: E402


def measure(port: int, seconds: float, visitors: int, slow: bool) -> str:
    clients = SlowClients(port) if slow else None
    try:
        if clients:
            wait_for(lambda: clients.connected >= SLOW_CLIENTS, timeout=30)
        visits = visit_for(port, seconds, visitors=visitors, pause=0, keep_alive=True)
    finally:
        if clients:
            clients.stop()
    times = sorted(visits.seconds)
    ok = sum(1 for _, status in visits.statuses if status == 200)
    if not times:
        return f"no answer at all; {len(visits.failures)} failures"
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    line = (
        f"{ok}/{len(visits.statuses) + len(visits.failures)} answered 200, "
        f"p50 {statistics.median(times) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, max {times[-1] * 1000:.0f} ms"
    )
    if visits.failures:
        line += f"; {len(visits.failures)} failed ({visits.failures[0]})"
    return line


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--visitors", type=int, default=4)
    parser.add_argument("--sync", action="store_true", help="also the old `--workers 2` sync workers")
    options = parser.parse_args()
    from tests.test_deploy import nginx_binary

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        gunicorn = Gunicorn(folder / "gunicorn")
        try:
            nginx = Nginx(folder / "nginx", gunicorn.port, nginx_binary())
            try:
                for name, port in (("make run's gunicorn", gunicorn.port), ("through nginx", nginx.port)):
                    for slow in (False, True):
                        label = f"{name}, {'20 slow clients' if slow else 'alone'}"
                        print(f"{label:45} {measure(port, options.seconds, options.visitors, slow)}", flush=True)
            finally:
                nginx.stop()
        finally:
            gunicorn.stop()
        if options.sync:
            old = Gunicorn(folder / "sync", args=("--workers", "2"))
            try:
                for slow in (False, True):
                    label = f"old sync workers, {'20 slow clients' if slow else 'alone'}"
                    print(f"{label:45} {measure(old.port, options.seconds, options.visitors, slow)}", flush=True)
            finally:
                old.stop()


if __name__ == "__main__":
    main()
