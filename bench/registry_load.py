"""The commune registry at the country's size: how long a worker takes to load it, and its memory.

Writes a throwaway content tree whose communes.yaml is `flask communes import --all` (34 provinces,
3,321 communes, 10,040 former units), then, in a fresh Python process each time (as a gunicorn
worker starts), loads the registry and builds the finder's index, and reports the seconds, the
growth of the process's resident memory, and what Python allocated (kept, and at the peak, from
tracemalloc, in a run of its own: it slows the load and costs memory itself), with the shipped province for comparison.
The budget (issue 16): within 2 s and 80 MB per worker. Measured, never asserted in a test.

    .venv/bin/python bench/registry_load.py [--runs 5]
"""

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MEASURE = """
import json, sys, time, tracemalloc
from pathlib import Path

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

from guide.communes import load_registry
from guide.communes.finder import Finder
from guide.content import load_languages
imported = rss_mb()
traced = sys.argv[2] == "traced"
if traced:
    tracemalloc.start()
content = Path(sys.argv[1])
start = time.perf_counter()
registry = load_registry(content / "communes.yaml", load_languages(content))
loaded = time.perf_counter()
finder = Finder(registry)
indexed = time.perf_counter()
start_lookups = time.perf_counter()
for landing in registry.landings:
    registry.resolve(landing.unit.slug)
lookups = time.perf_counter() - start_lookups
kept, peak = tracemalloc.get_traced_memory() if traced else (0, 0)
after = rss_mb()
print(json.dumps({
    "communes": len(registry.communes), "former": len(registry.landings), "aliases": len(registry.aliases),
    "load_s": loaded - start, "index_s": indexed - loaded, "resolve_us": 1e6 * lookups / max(1, len(registry.landings)),
    "mb": after - imported, "kept_mb": kept / 2**20, "peak_mb": peak / 2**20, "process_mb": after,
}))
"""


def run(content: Path, how: str) -> dict:
    answer = subprocess.run([sys.executable, "-c", MEASURE, str(content), how], check=True, capture_output=True,
                            text=True, cwd=ROOT)  # fmt: skip
    return json.loads(answer.stdout)


def measure(content: Path, runs: int) -> dict:
    """Seconds and resident memory from plain runs; Python's allocations from one traced run
    (tracemalloc slows a load down and costs memory of its own)."""
    results = [run(content, "plain") for _ in range(runs)]
    summary = {key: results[0][key] for key in ("communes", "former", "aliases")}
    for key in ("load_s", "index_s", "resolve_us", "mb", "process_mb"):
        summary[key] = statistics.median(r[key] for r in results)
    traced = run(content, "traced")
    summary.update(kept_mb=traced["kept_mb"], peak_mb=traced["peak_mb"])
    return summary


def main() -> None:
    from guide.communes import importer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as temporary:
        country = Path(temporary)
        shutil.copy(ROOT / "content" / "languages.yaml", country / "languages.yaml")
        importer.write(country / "communes.yaml", (), True)
        size = (country / "communes.yaml").stat().st_size
        rows = [
            ("shipped (Đắk Lắk)", measure(ROOT / "content", runs)),
            ("--all (34 provinces)", measure(country, runs)),
        ]
    print(f"communes.yaml for --all: {size / 1e6:.1f} MB; median of {runs} fresh processes each\n")
    print("| registry | communes | former units | alias slugs | load s | index s | resolve µs | + RSS MB "
          "| kept MB | peak MB | process MB |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, r in rows:
        print(f"| {name} | {r['communes']} | {r['former']} | {r['aliases']} | {r['load_s']:.2f} | {r['index_s']:.2f} "
              f"| {r['resolve_us']:.1f} | {r['mb']:.0f} | {r['kept_mb']:.0f} | {r['peak_mb']:.0f} | {r['process_mb']:.0f} |")  # fmt: skip
    whole = rows[1][1]
    total = whole["load_s"] + whole["index_s"]
    print(f"\nbudget 2 s and 80 MB per worker: {total:.2f} s, +{whole['mb']:.0f} MB resident "
          f"({'met' if total <= 2 and whole['mb'] <= 80 else 'MISSED'})")  # fmt: skip


if __name__ == "__main__":
    main()
