"""How counts reach the database: noted in memory and written together by a background thread
(and once more at a normal exit), so a page never waits on the database. On SQLite and PostgreSQL."""

import datetime as dt
import sqlite3
import subprocess
import sys
import threading

import pytest
import sqlalchemy as sa

from guide import create_app, db
from guide.clock import TIMEZONE
from guide.tallies import recorder
from guide.tallies.classify import VISITOR, Event
from guide.tallies.writer import Batch, Recorder
from tests.conftest import FIXTURE_CONTENT, ROOT

from .conftest import HOURS, KEY, ZALO_IN_APP, another_visitor, counters, wait_for
from .test_store import Clock


def buffered(engine, clock, flush_seconds=HOURS) -> Recorder:
    return Recorder(
        lambda: engine,
        visitor_key=KEY,
        sqlite_file=db.sqlite_path(str(engine.url)),
        clock=clock,
        flush_seconds=flush_seconds,
    )


def test_nothing_is_written_until_the_flush_then_everything_is_once(engine):
    clock = Clock(dt.datetime(2026, 3, 1, 9, 0, tzinfo=TIMEZONE))
    counting = buffered(engine, clock)
    ana = Batch((VISITOR, Event("view", "home")), "", "vi", "203.0.113.7", "Mozilla/5.0 A")
    binh = Batch(
        (VISITOR, Event("view", "home"), Event("arrival", "home", "qr")), "", "en", "203.0.113.8", "Mozilla/5.0 B"
    )
    for batch in (ana, ana, binh, Batch((VISITOR,), "ea-na", "vi", "203.0.113.7", "Mozilla/5.0 A")):
        assert counting.record(batch)
    assert counters(str(engine.url)) == {}

    assert counting.flush()
    found = +counters(str(engine.url))
    assert found == {
        ("", "visitors", "", "", "vi"): 1,
        ("", "visitors", "", "", "en"): 1,
        ("ea-na", "visitors", "", "", "vi"): 1,
        ("", "view", "home", "", "vi"): 2,
        ("", "view", "home", "", "en"): 1,
        ("", "arrival", "home", "qr", "en"): 1,
    }

    counting.record(ana)  # the same person again, in a later flush: a view, not a new visitor
    assert counting.flush()
    found = +counters(str(engine.url))
    assert found[("", "visitors", "", "", "vi")] == 1 and found[("", "view", "home", "", "vi")] == 3
    assert counting.flush()  # nothing noted: nothing written, nothing dropped
    assert counting.status()["dropped"] == 0


def test_a_flush_across_midnight_counts_each_request_on_its_own_day(engine):
    clock = Clock(dt.datetime(2026, 3, 1, 23, 59, 59, tzinfo=TIMEZONE))
    counting = buffered(engine, clock)
    person = Batch((VISITOR, Event("view", "home")), "", "vi", "203.0.113.7", "Mozilla/5.0 A")
    counting.record(person)
    clock.now += dt.timedelta(seconds=2)
    counting.record(person)
    assert counting.flush()
    with engine.connect() as connection:
        by_day = sorted(connection.exec_driver_sql("SELECT day, kind, count FROM tally").all())
        salts = connection.exec_driver_sql("SELECT day FROM salt").all()
    day = lambda value: value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
    assert [(day(d), kind, n) for d, kind, n in by_day] == [
        (dt.date(2026, 3, 1), "view", 1),
        (dt.date(2026, 3, 1), "visitors", 1),
        (dt.date(2026, 3, 2), "view", 1),
        (dt.date(2026, 3, 2), "visitors", 1),
    ]
    assert [day(d) for (d,) in salts] == [dt.date(2026, 3, 2)]  # the day before's salt went with its day


def test_a_failed_flush_keeps_its_requests_and_writes_them_once_the_database_answers(engine, tmp_path):
    clock = Clock(dt.datetime(2026, 3, 1, 9, 0, tzinfo=TIMEZONE))
    gone = db.make_engine(f"sqlite:///{tmp_path}/gone/x.sqlite3")
    (tmp_path / "gone").rmdir()
    counting = Recorder(lambda: gone, visitor_key=KEY, clock=clock, flush_seconds=HOURS)
    for _ in range(3):
        assert counting.record(Batch((Event("view", "home"),)))  # noted: the page never knows
    assert counting.flush() is False
    # Not written, and not lost either: kept for the next write (issue 11, item 6)
    assert counting.status() == {"dropped": 0, "dropped_by_reason": {}, "last_error": "missing", "waiting": 3}

    counting.engine = lambda: engine
    counting.record(Batch((Event("view", "home"),)))
    assert counting.flush()
    found = counters(str(engine.url))
    assert found[("", "dropped", "missing", "", "")] == 0 and found[("", "view", "home", "", "")] == 4
    assert counting.flush()
    assert counters(str(engine.url))[("", "view", "home", "", "")] == 4  # once


def test_a_flush_waits_out_a_short_lock_instead_of_dropping(tmp_path):
    path = tmp_path / "busy.sqlite3"
    engine = db.make_engine(f"sqlite:///{path}")
    db.create_schema(engine)
    counting = buffered(engine, Clock(dt.datetime(2026, 3, 1, 9, 0, tzinfo=TIMEZONE)))
    counting.record(Batch((Event("view", "home"),)))
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    releaser = threading.Timer(0.6, lambda: holder.execute("ROLLBACK"))  # well within SQLite's busy timeout
    releaser.start()
    try:
        assert counting.flush(patience=10)
    finally:
        releaser.join()
        holder.close()
    assert counters(f"sqlite:///{path}")[("", "view", "home", "", "")] == 1
    assert counting.status()["dropped"] == 0


def test_the_background_thread_writes_without_being_asked(engine):
    counting = buffered(engine, Clock(dt.datetime(2026, 3, 1, 9, 0, tzinfo=TIMEZONE)), flush_seconds=0.05)
    counting.record(Batch((Event("view", "home"),)))
    wait_for(lambda: counters(str(engine.url))[("", "view", "home", "", "")] == 1, timeout=10)


def test_a_process_that_exits_normally_writes_what_it_noted(tmp_path):
    url = f"sqlite:///{tmp_path / 'exit.sqlite3'}"
    script = f"""
from guide import db
from guide.tallies.classify import Event
from guide.tallies.writer import Batch, Recorder
counting = Recorder(lambda: db.engine_for({url!r}), visitor_key={KEY!r}, flush_seconds={HOURS})
for _ in range(5):
    assert counting.record(Batch((Event("view", "home"),)))
"""  # and exit at once, long before the flusher would have written
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, timeout=60)
    assert counters(url)[("", "view", "home", "", "")] == 5


def test_in_the_app_a_page_only_notes_its_counts(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": FIXTURE_CONTENT,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite3'}",
            "TALLIES_FLUSH_SECONDS": HOURS,
        }
    )
    client = app.test_client()
    for path in ("/", "/xa/ea-na/", "/"):
        assert client.get(path, headers={"User-Agent": ZALO_IN_APP}).status_code == 200
    assert counters(app.config["DATABASE_URL"])[("", "view", "home", "", "vi")] == 0  # read without flushing
    assert recorder(app).flush()
    found = counters(app.config["DATABASE_URL"])
    assert found[("", "view", "home", "", "vi")] == 2 and found[("ea-na", "view", "commune", "", "vi")] == 1
    assert found[("", "visitors", "", "", "vi")] == 1


def is_read(statement: str) -> bool:
    """A statement that takes no write lock: a read, or a deferred transaction's BEGIN and end."""
    words = statement.split()
    return words[:1] in (["SELECT"], ["COMMIT"], ["ROLLBACK"]) or words == ["BEGIN"]


def test_a_page_never_writes_to_the_database_even_when_it_is_locked(tmp_path, monkeypatch):
    monkeypatch.setattr(db, "LOCK_WAIT_MS", 200)  # the flush below gives up sooner
    path = tmp_path / "locked.sqlite3"
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": FIXTURE_CONTENT,
            "DATABASE_URL": f"sqlite:///{path}",
            "TALLIES_FLUSH_SECONDS": HOURS,
        }
    )
    client = app.test_client()
    client.get("/", headers={"User-Agent": ZALO_IN_APP})
    recorder(app).flush()  # the schema is made
    # Every statement but a read: a page reads its commune's office details (WAL: a read never waits
    # for the writer), but writes nothing, so it cannot wait on the lock.
    writes = []
    sa.event.listen(
        db.engine_for(app.config["DATABASE_URL"]),
        "before_cursor_execute",
        lambda _c, _cursor, statement, *_: None if is_read(statement) else writes.append(statement),
    )
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        for _ in range(20):  # twenty people
            page = client.get("/xa/ea-na/", headers={"User-Agent": ZALO_IN_APP}, environ_base=another_visitor())
            assert page.status_code == 200
        assert writes == []  # so no page can wait on the lock, however long it is held
        assert recorder(app).flush() is False
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert writes  # the flush alone
    assert recorder(app).status()["dropped_by_reason"] == {}  # kept for the next write, not dropped
    assert recorder(app).flush()
    assert counters(app.config["DATABASE_URL"])[("ea-na", "view", "commune", "", "vi")] == 20


@pytest.mark.parametrize("seconds", ["0", "-1"])
def test_a_flush_interval_of_zero_or_less_is_refused_at_start_up(tmp_path, monkeypatch, seconds):
    monkeypatch.setenv("GUIDE_TALLIES_FLUSH_SECONDS", seconds)
    with pytest.raises(ValueError, match=r"\(GUIDE_TALLIES_FLUSH_SECONDS\) must be more than 0 seconds"):
        create_app({"TESTING": True, "CONTENT_DIR": FIXTURE_CONTENT, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})


def test_workers_flushing_at_once_do_not_lock_each_other_out(engine):
    """As when gunicorn stops all its workers together: each writes the same visitors and counters,
    met in opposite orders. Rows are locked in key order, so neither waits on the other in a cycle."""
    clock = Clock(dt.datetime(2026, 3, 1, 9, 0, tzinfo=TIMEZONE))
    people = [
        Batch((VISITOR, Event("view", f"guide-{n % 7}")), "ea-na", "vi", f"203.0.113.{n}", "Mozilla/5.0 A")
        for n in range(200)
    ]
    workers = [buffered(engine, clock), buffered(engine, clock)]
    for worker in workers:  # each has written before today, so knows the day's salt (no lock on it now)
        worker.record(Batch((Event("view", "home"),)))
        worker.flush()
    for worker, order in zip(workers, (people, people[::-1])):
        for batch in order:
            worker.record(batch)
    results = []
    start = threading.Barrier(2)
    threads = [
        threading.Thread(target=lambda w=worker: (start.wait(), results.append(w.flush()))) for worker in workers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True, True], [worker.status() for worker in workers]
    found = counters(str(engine.url))
    assert found[("ea-na", "visitors", "", "", "vi")] == 200
    assert sum(n for key, n in found.items() if key[1] == "view") == 402


def test_the_flush_at_exit_waits_for_the_writer_threads_write_in_progress(engine):
    """The writer thread has taken the noted counts and is writing them when the process begins to
    exit: the exit flush must not return (and let the process die with that write) before it ends."""
    clock = Clock(dt.datetime(2026, 3, 1, 9, 0, tzinfo=TIMEZONE))
    counting = buffered(engine, clock)
    counting.record(Batch((Event("view", "home"),), "", "vi", "203.0.113.7", "Mozilla/5.0 A"))
    writing, finish, order = threading.Event(), threading.Event(), []
    real_write = counting._write

    def slow_write(pending):
        writing.set()
        finish.wait(30)
        real_write(pending)
        order.append("written")

    counting._write = slow_write
    writer = threading.Thread(target=counting.flush)
    writer.start()
    assert writing.wait(30)
    exiting = threading.Thread(target=lambda: (counting.flush_at_exit(), order.append("exit flush returned")))
    exiting.start()
    exiting.join(1)  # it must still be waiting: there is nothing to release it but `finish`
    finish.set()
    writer.join(30)
    exiting.join(30)
    assert order == ["written", "exit flush returned"]
    assert +counters(str(engine.url)) == {("", "view", "home", "", "vi"): 1}
