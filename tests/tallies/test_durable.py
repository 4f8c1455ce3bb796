"""Counts outlive a database that is away and a worker that stops (issue 11, item 6): a write that
meets the database away keeps its counts for the next, and they are written once when it returns;
a stopping worker whose last write fails leaves a spool file (counters only: no IP address, no user
agent) that a later process writes once; a worker killed outright leaves a marker, counted as the
loss it was. And SQLite overwrites yesterday's salt when it is purged. On SQLite and PostgreSQL."""

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import sqlalchemy as sa

from guide import db
from guide.clock import TIMEZONE
from guide.tallies import leftovers, store, writer
from guide.tallies.classify import VISITOR, Event
from guide.tallies.leftovers import OPEN_FOLDER, SPOOL_FOLDER
from guide.tallies.store import visitor_hash
from guide.tallies.writer import Batch, Recorder
from tests.conftest import ROOT

from .conftest import HOURS, KEY, ZALO_IN_APP, counters
from .test_store import Clock

IP_ANA, IP_BINH, IP_CHI = "203.0.113.7", "198.51.100.23", "2001:db8::42"
ANA = Batch((VISITOR, Event("view", "home")), "ea-na", "vi", IP_ANA, ZALO_IN_APP)
BINH = Batch((VISITOR, Event("view", "home"), Event("arrival", "home", "qr")), "ea-na", "en", IP_BINH, "Mozilla/5.0 B")
CHI = Batch((VISITOR, Event("view", "thu-tuc")), "", "vi", IP_CHI, "Mozilla/5.0 C")


class Away:
    """Take the database away and bring it back, for real: SQLite's file moved aside (the recorder
    finds it gone), PostgreSQL made read-only for new sessions."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self.path = db.sqlite_path(str(engine.url))

    def __enter__(self):
        if self.path is not None:
            os.rename(self.path, f"{self.path}.aside")
        else:
            self._read_only("on")
        return self

    def __exit__(self, *_):
        if self.path is not None:
            os.rename(f"{self.path}.aside", self.path)
        else:
            self._read_only("off")

    def _read_only(self, on_or_off: str) -> None:
        url = self.engine.url
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f"ALTER DATABASE {url.database} SET default_transaction_read_only = {on_or_off}")
        admin.dispose()
        self.engine.dispose()  # sessions opened from now on take the setting


def recorder(engine, state_dir, clock=None, **options) -> Recorder:
    return Recorder(
        lambda: engine,
        visitor_key=KEY,
        sqlite_file=db.sqlite_path(str(engine.url)),
        state_dir=state_dir,
        clock=clock or Clock(dt.datetime(2026, 3, 1, 9, 0, tzinfo=TIMEZONE)),
        flush_seconds=HOURS,
        **options,
    )


def test_counts_kept_while_the_database_is_away_are_written_once_it_is_back(engine, tmp_path):
    counting = recorder(engine, tmp_path)
    assert counting.record(ANA) and counting.flush()
    with Away(engine):
        for round in range(3):  # three writes meet it away; Ana comes back each time, Chi only once
            for batch in (ANA, BINH) + ((CHI,) if round == 1 else ()):
                assert counting.record(batch)
            assert counting.flush() is False
    status = counting.status()
    assert status == {"dropped": 0, "dropped_by_reason": {}, "last_error": counting.last_error, "waiting": 7}
    assert counting.last_error in ("missing", "read-only")
    assert counting.flush()
    assert counting.status()["last_error"] is None and counting.status()["waiting"] == 0  # cleared: written again
    expected = {
        ("ea-na", "visitors", "", "", "vi"): 1,  # Ana, seen before it went away and three times while
        ("ea-na", "visitors", "", "", "en"): 1,  # Binh, in three kept batches: one visitor
        ("", "visitors", "", "", "vi"): 1,
        ("ea-na", "view", "home", "", "vi"): 4,
        ("ea-na", "view", "home", "", "en"): 3,
        ("ea-na", "arrival", "home", "qr", "en"): 3,
        ("", "view", "thu-tuc", "", "vi"): 1,
    }
    assert +counters(str(engine.url)) == expected
    assert counting.flush()  # nothing left: nothing written again
    assert +counters(str(engine.url)) == expected


def test_kept_counts_are_bounded_and_what_is_past_the_bound_is_counted_dropped(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "MAX_PENDING", 4)
    counting = recorder(engine, tmp_path)
    view = Batch((Event("view", "home"),))
    assert counting.record(view) and counting.flush()
    with Away(engine):
        for _ in range(3):
            assert counting.record(view)
        real_write = counting._write

        def write_while_pages_come(pending):  # two more requests arrive during the write that fails
            assert counting.record(view) and counting.record(view)
            real_write(pending)

        counting._write = write_while_pages_come
        assert counting.flush() is False  # 3 failed + 2 new is past 4: the 3 are dropped, the 2 kept
        counting._write = real_write
        reason = counting.last_error
        assert counting.status()["dropped_by_reason"] == {reason: 3}
        assert counting.record(view) and counting.record(view)  # 4 waiting now
        assert counting.record(view) is False  # the fifth is shed
        assert counting.status()["dropped_by_reason"] == {reason: 3, "backlog": 1}
    assert counting.flush()
    found = counters(str(engine.url))
    assert found[("", "view", "home", "", "")] == 1 + 4
    assert found[("", "dropped", reason, "", "")] == 3 and found[("", "dropped", "backlog", "", "")] == 1


def spool_files(state_dir: Path) -> list[Path]:
    folder = state_dir / SPOOL_FOLDER
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_worker_whose_last_write_fails_leaves_a_spool_that_a_later_one_writes_once(engine, tmp_path):
    state_dir = tmp_path / "instance"
    state_dir.mkdir()
    url = engine.url.render_as_string(hide_password=False)
    script = f"""
import sqlalchemy as sa
from guide import db
from guide.tallies.classify import VISITOR, Event
from guide.tallies.writer import Batch, Recorder
engine = db.make_engine({url!r})
counting = Recorder(lambda: engine, visitor_key={KEY!r}, sqlite_file=db.sqlite_path({url!r}), state_dir={str(state_dir)!r},
                    flush_seconds={HOURS})
assert counting.record(Batch((Event("view", "home"),))) and counting.flush()
path = db.sqlite_path({url!r})
if path is not None:  # the database goes away, and the worker stops: its exit write fails
    path.rename(str(path) + ".aside")
else:
    admin = sa.create_engine(engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"ALTER DATABASE {{engine.url.database}} SET default_transaction_read_only = on")
    engine.dispose()
for ip in ({IP_ANA!r}, {IP_BINH!r}, {IP_CHI!r}):
    assert counting.record(Batch((VISITOR, Event("view", "home")), "ea-na", "vi", ip, {ZALO_IN_APP!r}))
assert counting.record(Batch((Event("outbound", "portal"),), "ea-na", "vi", {IP_ANA!r}, {ZALO_IN_APP!r}))
"""  # and exit: the exit write meets the database away
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    (spool,) = spool_files(state_dir)
    assert spool.suffix == ".json" and spool.stat().st_mode & 0o777 == 0o600
    text = spool.read_text("utf-8")
    for secret in (IP_ANA, IP_BINH, IP_CHI, ZALO_IN_APP, "Zalo", "203.0.113", "198.51", "2001:db8"):
        assert secret not in text
    assert json.loads(text)["dropped"] == {"visitors-unwritten": 3}  # no hash without the database
    assert not list((state_dir / OPEN_FOLDER).iterdir())  # a clean exit: no marker left

    path = db.sqlite_path(url)
    if path is not None:
        os.rename(f"{path}.aside", path)
    else:
        Away(engine)._read_only("off")
    first, second = recorder(engine, state_dir), recorder(engine, state_dir)
    for worker in (first, second):
        worker.record(Batch((Event("view", "home"),)))
    start, results = threading.Barrier(2), []
    threads = [threading.Thread(target=lambda w=w: (start.wait(), results.append(w.flush()))) for w in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True, True]
    expected = {
        ("", "view", "home", "", ""): 1 + 2,  # the worker's first write, then the two new workers'
        ("ea-na", "view", "home", "", "vi"): 3,  # from the spool, once, though two workers wrote at once
        ("ea-na", "outbound", "portal", "", "vi"): 1,
        ("", "dropped", "visitors-unwritten", "", ""): 3,
    }
    assert +counters(str(engine.url)) == expected
    assert spool_files(state_dir) == []
    third = recorder(engine, state_dir)
    assert third.record(Batch((Event("view", "thu-tuc"),))) and third.flush()
    assert +counters(str(engine.url)) == {**expected, ("", "view", "thu-tuc", "", ""): 1}


def test_another_databases_spool_is_left_alone(engine, tmp_path):
    other = db.make_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    db.create_schema(other)
    leaving = recorder(other, tmp_path)
    assert leaving.record(Batch((Event("view", "home"),))) and leaving.flush()
    leaving.record(Batch((Event("view", "home"),)))
    with Away(other):
        leaving.flush_at_exit()
    assert len(spool_files(tmp_path)) == 1
    counting = recorder(engine, tmp_path)
    assert counting.record(Batch((Event("view", "thu-tuc"),))) and counting.flush()
    assert +counters(str(engine.url)) == {("", "view", "thu-tuc", "", ""): 1}
    assert len(spool_files(tmp_path)) == 1  # still waiting for its own database
    again = recorder(other, tmp_path)
    assert again.record(Batch((Event("view", "thu-tuc"),))) and again.flush()
    assert +counters(str(other.url)) == {("", "view", "home", "", ""): 2, ("", "view", "thu-tuc", "", ""): 1}
    assert spool_files(tmp_path) == []
    other.dispose()


def test_a_worker_killed_outright_leaves_a_marker_that_counts_its_loss(tmp_path):
    path = tmp_path / "killed.sqlite3"
    url = f"sqlite:///{path}"
    state_dir = tmp_path / "instance"
    state_dir.mkdir()
    script = f"""
import sys, time
from guide import db
db.LOCK_WAIT_MS = 100
from guide.tallies.classify import VISITOR, Event
from guide.tallies.writer import Batch, Recorder
counting = Recorder(lambda: db.engine_for({url!r}), visitor_key={KEY!r}, sqlite_file={str(path)!r}, state_dir={str(state_dir)!r},
                    flush_seconds={HOURS})
person = Batch((VISITOR, Event("view", "home")), "ea-na", "vi", {IP_ANA!r}, {ZALO_IN_APP!r})
for _ in range(3):
    assert counting.record(person)
assert counting.flush()
print("written", flush=True)
sys.stdin.readline()  # the test locks the database
for _ in range(4):
    assert counting.record(person)
assert counting.flush() is False  # locked: kept, and the marker says 4 are waiting
for _ in range(2):
    assert counting.record(person)  # noted after the last write: the marker says 6 now
print("marked", flush=True)
time.sleep(600)
"""
    worker = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert worker.stdout.readline().strip() == "written"
        holder = sa.create_engine(url).connect()
        holder.exec_driver_sql("BEGIN IMMEDIATE")
        holder.exec_driver_sql("UPDATE alembic_version SET version_num = version_num")
        worker.stdin.write("\n")
        worker.stdin.flush()
        assert worker.stdout.readline().strip() == "marked"
        holder.rollback()
        holder.close()
        (marker,) = (state_dir / OPEN_FOLDER).iterdir()
        assert marker.stat().st_mode & 0o777 == 0o600
        data = marker.read_bytes()
        assert IP_ANA.encode() not in data and b"Zalo" not in data
        assert leftovers._marker_says(data) == ("killed", 6)
    finally:
        worker.send_signal(signal.SIGKILL)  # as the out-of-memory killer would
        worker.wait(30)
    assert worker.returncode == -signal.SIGKILL

    engine = db.make_engine(url)
    later = recorder(engine, state_dir)
    assert later.record(Batch((Event("view", "thu-tuc"),))) and later.flush()
    found = counters(url)
    assert found[("ea-na", "view", "home", "", "vi")] == 3  # its first write, and no more
    assert found[("", "dropped", "killed", "", "")] == 6  # the requests it had taken and not written
    assert found[("", "dropped", "killed-processes", "", "")] == 1  # and that a worker was lost
    assert [m for m in (state_dir / OPEN_FOLDER).iterdir() if f"-{worker.pid}-" in m.name] == []  # claimed, gone
    assert later.record(Batch((Event("view", "thu-tuc"),))) and later.flush()
    assert counters(url)[("", "dropped", "killed", "", "")] == 6  # counted once
    engine.dispose()


def test_a_live_workers_marker_is_not_counted(engine, tmp_path):
    running = recorder(engine, tmp_path)
    running._flusher_pid = os.getpid()  # as when its writer thread runs
    running._mark(5)
    other = recorder(engine, tmp_path)
    assert other.record(Batch((Event("view", "home"),))) and other.flush()
    assert +counters(str(engine.url)) == {("", "view", "home", "", ""): 1}
    assert running.leftovers._marker.exists()  # still there, for a worker that is still running
    assert counters(str(engine.url))[("", "dropped", "killed", "", "")] == 0
    running.leftovers.unmark()


def test_visitors_kept_past_midnight_are_not_hashed_with_a_new_salt(engine, tmp_path):
    clock = Clock(dt.datetime(2026, 3, 1, 23, 59, 50, tzinfo=TIMEZONE))
    late = recorder(engine, tmp_path, clock)
    other = recorder(engine, tmp_path, clock)
    assert late.record(ANA) and late.flush()  # day 1 started, Ana seen
    with Away(engine):
        assert late.record(ANA) and late.record(BINH)
        assert late.flush() is False
    clock.now += dt.timedelta(minutes=1)  # day 2: another worker starts it, and day 1's salt is gone
    assert other.record(CHI) and other.flush()
    assert late.flush()
    with engine.connect() as connection:
        rows = connection.execute(sa.select(store.tally.c.day, store.tally.c.kind, store.tally.c["count"])).all()
        salts = connection.execute(sa.select(store.salt.c.day)).scalars().all()
    day1, day2 = dt.date(2026, 3, 1), dt.date(2026, 3, 2)
    totals = {}
    for day, kind, n in rows:
        day = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
        totals[(day, kind)] = totals.get((day, kind), 0) + n
    assert totals[(day1, "visitors")] == 1  # Ana once; Binh's visit cannot be told from a repeat any more
    assert totals[(day1, "view")] == 3 and totals[(day2, "visitors")] == 1
    assert counters(str(engine.url))[("", "dropped", "visitors-unwritten", "", "")] == 2
    assert [d if isinstance(d, dt.date) else dt.date.fromisoformat(d) for d in salts] == [day2]  # no day 1 salt again


def test_sqlite_overwrites_the_purged_salt(tmp_path):
    path = tmp_path / "purged.sqlite3"
    engine = db.make_engine(f"sqlite:///{path}")
    db.create_schema(engine)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    clock = Clock(dt.datetime(2026, 3, 1, 9, 0, tzinfo=TIMEZONE))
    counting = recorder(engine, tmp_path, clock)
    assert counting.record(ANA) and counting.flush()
    with engine.connect() as connection:
        old_salt = connection.execute(sa.select(store.salt.c.salt)).scalar_one()
    old_hash = visitor_hash(KEY, old_salt, IP_ANA, ZALO_IN_APP)

    def stored() -> bytes:
        return b"".join(p.read_bytes() for p in tmp_path.glob("purged.sqlite3*"))

    assert old_salt.encode() in stored() and old_hash.encode() in stored()
    clock.now += dt.timedelta(days=1)
    assert counting.record(ANA) and counting.flush()  # day 2: day 1's salt and hashes purged
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(store.salt)).scalar() == 1
    assert old_salt.encode() not in stored()  # not in the file, nor in its write-ahead log
    assert old_hash.encode() not in stored()
    engine.dispose()
