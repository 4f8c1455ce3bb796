"""The district view with demo tallies for every commune of a registry: how long it takes to answer.

Builds a throwaway content tree with the shipped registry (Đắk Lắk's 102 communes) or, with
BENCH_PROVINCE=<code>, one imported for that province (38, Thanh Hóa: 166, the largest), and
made-up populations in its overlay (bench data only: the shipped overlay has none); fills a
throwaway SQLite database with `flask tallies demo`-style data for BENCH_DAYS days (365), signs
in, and times the district view (last 30 days, and the last year) and its CSV. Prints the medians;
`bench/run.py` adds them to bench/results.md. `BENCH_DATABASE_URL=postgresql://…` (an empty
database) measures PostgreSQL instead.
"""

import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DAYS = int(os.environ.get("BENCH_DAYS", "365"))
PROVINCE = os.environ.get("BENCH_PROVINCE")
RUNS = 15


def build_content(target: Path) -> None:
    shutil.copytree(ROOT / "content", target)
    if PROVINCE:
        from guide.communes import importer

        importer.write(target / "communes.yaml", (PROVINCE,), False)
    registry = yaml.safe_load((target / "communes.yaml").read_text(encoding="utf-8"))
    slugs = [commune["slug"] for province in registry["provinces"] for commune in province["communes"]]
    overlay = {"communes": {slug: {"population": 5000 + 173 * i} for i, slug in enumerate(slugs)}}
    (target / "communes-local.yaml").write_text(yaml.safe_dump(overlay), encoding="utf-8")


def measure() -> dict[str, float]:
    from guide import create_app, db
    from guide.dashboard import demo, users

    workdir = Path(tempfile.mkdtemp(prefix="guide-dashboard-bench-"))
    try:
        build_content(workdir / "content")
        url = (
            os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
        )  # an empty PostgreSQL database, say
        app = create_app({"CONTENT_DIR": workdir / "content", "DATABASE_URL": url, "WTF_CSRF_ENABLED": False})
        with app.app_context():
            db.create_schema()
            started = time.perf_counter()
            rows = demo.fill(DAYS, dt.date.today())
            fill_seconds = time.perf_counter() - started
            users.add("bench", "bench-password", "district", None)
        client = app.test_client()
        client.post("/thong-ke/dang-nhap", data={"name": "bench", "password": "bench-password"})
        communes = len(app.extensions["guide.registry"].communes)
        results = {"communes": communes, "days": DAYS, "tally rows": rows, "demo fill s": fill_seconds}
        for label, url in (
            ("district view, 30 days", "/thong-ke/"),
            ("district view, 365 days", "/thong-ke/?tu={start}&den={end}"),
            ("district CSV, 30 days", "/thong-ke/?format=csv"),
            ("commune view, 90 days", "/thong-ke/xa/{commune}?ky=90"),
        ):
            commune = app.extensions["guide.registry"].communes[0].slug
            url = url.format(start=dt.date.today() - dt.timedelta(days=364), end=dt.date.today(), commune=commune)
            times = []
            for _ in range(RUNS):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            results[f"{label} ms (median of {RUNS})"] = statistics.median(times)
        return results
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    for name, value in measure().items():
        print(f"{name}: {value:.1f}" if isinstance(value, float) else f"{name}: {value}")
