"""The counters, visitor hashes and salts, on SQLite and PostgreSQL alike: no app, an injectable clock."""

import datetime as dt
import hashlib
import hmac
import shutil
import sqlite3
from collections import Counter

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import errors as pg

from guide import db
from guide.clock import TIMEZONE
from guide.tallies import writer
from guide.tallies.classify import VISITOR, Event
from guide.tallies.failures import DatabaseMissing, reason_for
from guide.tallies.store import add_counts, salt, start_day, tally, visitor, visitor_hash, visitor_key
from guide.tallies.writer import Batch, Recorder

from .conftest import HOURS, KEY, counters


class Clock:
    """Local time in Vietnam, moved by the test."""

    def __init__(self, when: dt.datetime):
        self.now = when

    def __call__(self) -> dt.datetime:
        return self.now


def recorder_for(engine, clock) -> Recorder:
    return Recorder(
        lambda: engine, visitor_key=KEY, flush_seconds=HOURS, sqlite_file=db.sqlite_path(str(engine.url)), clock=clock
    )


def written(recorder: Recorder, batch: Batch) -> bool:
    """Note a batch and write it straight away, as the background thread would a moment later.
    True when it was written, False when it was dropped."""
    return recorder.record(batch) and recorder.flush()


def rows(engine, table) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.select(table))]


def test_upsert_creates_counters_and_adds_to_them(engine):
    day = dt.date(2026, 3, 1)
    key = (day, "ea-na", "view", "nop-qua-buu-dien", "", "vi")
    with db.begin_immediate(engine) as connection:
        add_counts(connection, Counter({key: 2, (*key[:-1], "en"): 1}))
    with db.begin_immediate(engine) as connection:
        add_counts(connection, Counter({key: 5}))
    assert sorted(rows(engine, tally)) == [
        (day, "ea-na", "view", "nop-qua-buu-dien", "", "en", 1),
        (day, "ea-na", "view", "nop-qua-buu-dien", "", "vi", 7),
    ]


def test_a_visitor_is_counted_once_a_day_per_commune(engine):
    recorder = recorder_for(engine, Clock(dt.datetime(2026, 3, 1, 9, 0, tzinfo=TIMEZONE)))
    ana = Batch((VISITOR, Event("view", "home")), "", "vi", "203.0.113.7", "Mozilla/5.0 A")
    assert written(recorder, ana) and written(recorder, ana)  # the second in a later write
    assert written(recorder, Batch((VISITOR,), "ea-na", "vi", "203.0.113.7", "Mozilla/5.0 A"))  # another commune
    assert written(recorder, Batch((VISITOR,), "", "vi", "203.0.113.8", "Mozilla/5.0 A"))  # another person
    found = counters(str(engine.url))
    assert found[("", "visitors", "", "", "vi")] == 2
    assert found[("ea-na", "visitors", "", "", "vi")] == 1
    assert found[("", "view", "home", "", "vi")] == 2


def test_the_salt_changes_with_the_local_day_and_the_old_one_is_deleted(engine):
    # 23:59 in Hà Nội is 16:59 UTC: the day that counts is Vietnam's.
    clock = Clock(dt.datetime(2026, 3, 1, 16, 59, tzinfo=dt.UTC))
    recorder = recorder_for(engine, clock)
    person = Batch((VISITOR,), "", "vi", "203.0.113.7", "Mozilla/5.0 A")
    assert written(recorder, person)
    [(day_one, salt_one)] = rows(engine, salt)
    [(_, _, hash_one)] = rows(engine, visitor)
    assert day_one == dt.date(2026, 3, 1) and hash_one == visitor_hash(KEY, salt_one, "203.0.113.7", "Mozilla/5.0 A")

    clock.now += dt.timedelta(minutes=2)  # 00:01 on 2 March in Vietnam
    assert written(recorder, person)
    [(day_two, salt_two)] = rows(engine, salt)  # yesterday's salt is gone
    [(hash_day, _, hash_two)] = rows(engine, visitor)  # and so are yesterday's hashes
    assert day_two == dt.date(2026, 3, 2) and hash_day == day_two
    assert salt_two != salt_one and hash_two != hash_one  # today's hash cannot be matched with yesterday's
    visitors = {key: n for key, n in _by_day(engine).items() if key[1] == "visitors"}
    assert visitors == {(dt.date(2026, 3, 1), "visitors"): 1, (dt.date(2026, 3, 2), "visitors"): 1}


def _by_day(engine) -> Counter:
    with engine.connect() as connection:
        return Counter({(row.day, row.kind): row.count for row in connection.execute(sa.select(tally))})


def test_every_process_uses_the_same_salt(engine):
    clock = Clock(dt.datetime(2026, 3, 1, 9, 0, tzinfo=TIMEZONE))
    first, second = recorder_for(engine, clock), recorder_for(engine, clock)  # two workers
    person = Batch((VISITOR,), "", "vi", "203.0.113.7", "Mozilla/5.0 A")
    assert written(first, person)
    assert written(second, person)
    assert counters(str(engine.url))[("", "visitors", "", "", "vi")] == 1


def test_the_hash_is_short_keyed_and_keeps_nothing_readable():
    hashed = visitor_hash(KEY, "salt", "203.0.113.7", "Mozilla/5.0 A")
    assert len(hashed) == 16 and hashed == hmac.new(KEY, b"salt\n203.0.113.7\nMozilla/5.0 A", "sha256").hexdigest()[:16]
    assert hashed != hashlib.sha256(b"salt\n203.0.113.7\nMozilla/5.0 A").hexdigest()[:16]  # not the salt alone
    assert visitor_hash(visitor_key("another secret"), "salt", "203.0.113.7", "Mozilla/5.0 A") != hashed


def test_starting_a_day_forgets_earlier_days_only_and_keeps_its_salt(engine):
    with engine.begin() as connection:
        connection.execute(
            salt.insert(), [{"day": dt.date(2026, 3, 1), "salt": "old"}, {"day": dt.date(2026, 3, 2), "salt": "new"}]
        )
        connection.execute(
            visitor.insert(),
            [
                {"day": dt.date(2026, 3, 1), "commune": "", "hash": "a" * 16},
                {"day": dt.date(2026, 3, 2), "commune": "", "hash": "b" * 16},
            ],
        )
    with db.begin_immediate(engine) as connection:
        started = start_day(connection, dt.date(2026, 3, 2))
    assert (started.hashes_purged, started.salts_purged) == (1, 1) and started.salt == "new"
    assert rows(engine, salt) == [(dt.date(2026, 3, 2), "new")]
    assert rows(engine, visitor) == [(dt.date(2026, 3, 2), "", "b" * 16)]


NEXT_REVISION = """
from alembic import op

revision = "9999_next"
down_revision = {head!r}


def upgrade():
    op.execute("INSERT INTO dashboard_setting (key, value) VALUES ('next', 'applied')")
"""


def test_create_schema_is_idempotent_and_applies_missing_migrations(engine, monkeypatch, tmp_path):
    head = db.head()
    assert db.create_schema(engine) == head
    assert db.create_schema(engine) == head
    scripts = tmp_path / "migrations"
    shutil.copytree(db.MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9999_next.py").write_text(NEXT_REVISION.format(head=head))
    monkeypatch.setattr(db, "MIGRATIONS", scripts)  # the package's revisions and one more
    assert db.create_schema(engine) == "9999_next"
    assert db.create_schema(engine) == "9999_next"
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT key, value FROM dashboard_setting").all() == [("next", "applied")]
        assert list(connection.execute(sa.select(db.alembic_version.c.version)).scalars()) == ["9999_next"]


def test_a_version_1_sqlite_database_gets_the_dashboard_index_and_it_is_used(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with engine.begin() as connection:  # as the first release made it: its tables, version 1, no index
        connection.exec_driver_sql("CREATE TABLE schema_version (version INTEGER PRIMARY KEY)")
        connection.exec_driver_sql("INSERT INTO schema_version VALUES (1)")
        for table in (tally, visitor, salt):
            connection.execute(sa.schema.CreateTable(table))
    assert db.create_schema(engine) == db.head()

    clock = Clock(dt.datetime(2026, 3, 1, 9, 0, tzinfo=TIMEZONE))
    counting = recorder_for(engine, clock)
    assert written(counting, Batch((Event("view", "home"),), "ea-na", "vi"))
    clock.now += dt.timedelta(days=1)
    assert written(counting, Batch((Event("view", "home"),), "ea-na", "vi"))  # a day's first write gathers statistics
    with engine.connect() as connection:
        assert {index["name"] for index in sa.inspect(connection).get_indexes("tally")} == {"tally_by_commune_day"}
        assert connection.exec_driver_sql("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'tally'").scalar() > 0
        plan = " ".join(
            str(row[-1])
            for row in connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT subject, sum(count) FROM tally WHERE commune = 'ea-na' AND kind = 'view'"
                " AND day BETWEEN '2025-03-02' AND '2026-03-01' GROUP BY subject"
            )
        )
    assert "COVERING INDEX tally_by_commune_day" in plan, plan  # a commune's most read pages, from the index alone


def test_a_fresh_database_is_stamped_with_the_newest_revision(database_url):
    engine = db.make_engine(database_url)
    db.create_schema(engine)
    with engine.connect() as connection:
        assert list(connection.execute(sa.select(db.alembic_version.c.version)).scalars()) == [db.head()]
        assert {"tally", "visitor", "salt"} <= set(sa.inspect(connection).get_table_names())
    engine.dispose()


def test_a_failed_write_is_kept_and_written_once_the_database_answers(engine, tmp_path):
    clock = Clock(dt.datetime(2026, 3, 1, 9, 0, tzinfo=TIMEZONE))
    gone = db.make_engine(f"sqlite:///{tmp_path}/gone/x.sqlite3")
    (tmp_path / "gone").rmdir()  # make_engine made the folder; take it away, so connecting fails
    broken = Recorder(lambda: gone, visitor_key=KEY, flush_seconds=HOURS, clock=clock)
    assert written(broken, Batch((Event("view", "home"),))) is False
    assert broken.status() == {"dropped": 0, "dropped_by_reason": {}, "last_error": "missing", "waiting": 1}

    broken.engine = lambda: engine  # the database is back
    assert written(broken, Batch((Event("view", "home"),)))
    found = counters(str(engine.url))
    assert found[("", "dropped", "missing", "", "")] == 0 and found[("", "view", "home", "", "")] == 2
    assert written(broken, Batch((Event("view", "home"),)))
    assert counters(str(engine.url))[("", "view", "home", "", "")] == 3  # the kept one written once, not again


def test_a_write_that_fails_for_another_reason_is_dropped_counted_and_written_once(engine, monkeypatch):
    """Not the database away but these counts it refuses (here: any error the driver gives):
    kept, they would fail every write after them, so they are dropped and the loss counted."""
    counting = recorder_for(engine, Clock(dt.datetime(2026, 3, 1, 9, 0, tzinfo=TIMEZONE)))
    assert written(counting, Batch((Event("view", "home"),)))
    real_add = writer.add_counts

    def refuse(connection, counts):
        raise sa.exc.DataError("INSERT …", {}, ValueError("value too long"))

    monkeypatch.setattr(writer, "add_counts", refuse)
    assert written(counting, Batch((Event("view", "home"),))) is False
    assert counting.status() == {"dropped": 1, "dropped_by_reason": {"error": 1}, "last_error": "error", "waiting": 0}
    monkeypatch.setattr(writer, "add_counts", real_add)
    assert written(counting, Batch((Event("view", "home"),)))
    assert counting.status()["last_error"] is None  # a write succeeded again
    found = counters(str(engine.url))
    assert found[("", "dropped", "error", "", "")] == 1 and found[("", "view", "home", "", "")] == 2
    assert written(counting, Batch((Event("view", "home"),)))
    assert counters(str(engine.url))[("", "dropped", "error", "", "")] == 1  # written once, not again


def sqlite_error(code: int) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError("any words: only the code counts")
    error.sqlite_errorcode = code  # as the driver sets it (Python 3.11)
    return error


def wrapped(cause: Exception) -> sa.exc.DBAPIError:
    """As SQLAlchemy raises a driver's error."""
    return sa.exc.OperationalError("INSERT …", {}, cause)


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (wrapped(sqlite_error(sqlite3.SQLITE_BUSY)), "locked"),
        (wrapped(sqlite_error(sqlite3.SQLITE_BUSY | 2 << 8)), "locked"),  # SQLITE_BUSY_SNAPSHOT: an extended code
        (wrapped(sqlite_error(sqlite3.SQLITE_LOCKED)), "locked"),
        (wrapped(sqlite_error(sqlite3.SQLITE_READONLY)), "read-only"),
        (wrapped(sqlite_error(sqlite3.SQLITE_READONLY | 4 << 8)), "read-only"),  # SQLITE_READONLY_DBMOVED
        (wrapped(sqlite_error(sqlite3.SQLITE_CANTOPEN)), "missing"),
        (wrapped(sqlite_error(sqlite3.SQLITE_FULL)), "error"),
        (sqlite3.OperationalError("database is locked"), "error"),  # no code: the words are not read
        (DatabaseMissing("gone"), "missing"),
        (wrapped(pg.LockNotAvailable("canceling statement due to lock timeout")), "locked"),
        (wrapped(pg.DeadlockDetected("deadlock detected")), "locked"),
        (wrapped(pg.QueryCanceled("canceling statement due to statement timeout")), "locked"),
        (wrapped(pg.ReadOnlySqlTransaction("cannot execute INSERT in a read-only transaction")), "read-only"),
        (wrapped(psycopg.OperationalError("connection failed: Connection refused")), "unreachable"),
        (wrapped(pg.AdminShutdown("terminating connection due to administrator command")), "unreachable"),
        (wrapped(pg.UndefinedTable("relation does not exist")), "error"),
        (Exception("database is locked; read-only; unable to open; connection failed"), "error"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_reasons_come_from_the_error_class_or_code_never_the_words(error, reason):
    assert reason_for(error) == reason


def test_a_write_waits_for_a_lock_only_so_long_and_that_bound_is_its_own(database_url, monkeypatch):
    """The writer waits for another transaction's lock up to db.LOCK_WAIT_MS, then gives up as
    "locked". On PostgreSQL the bound is set inside the write's own transaction (SET LOCAL): the
    engine's other connections, the dashboard's, keep the server's defaults."""
    monkeypatch.setattr(db, "LOCK_WAIT_MS", 200)
    engine = db.make_engine(database_url)  # made after the patch: SQLite's busy timeout is set on connecting
    db.create_schema(engine)
    counting = recorder_for(engine, Clock(dt.datetime(2026, 3, 1, 9, 0, tzinfo=TIMEZONE)))
    view = Batch((Event("view", "home"),), "ea-na", "vi")
    assert written(counting, view)  # the day started, the counter's row made
    holder = sa.create_engine(str(engine.url)).connect()  # another process, as far as locks go
    if engine.dialect.name == "sqlite":
        holder.exec_driver_sql("BEGIN IMMEDIATE")  # pysqlite would not begin before an UPDATE of nothing
        holder.exec_driver_sql("UPDATE tally SET count = count WHERE 0")
    else:
        holder.execute(tally.update().where(tally.c.commune == "ea-na").values(count=tally.c["count"]))  # the row lock
    try:
        assert written(counting, view) is False
        assert counting.status()["dropped_by_reason"] == {}  # kept for the next write
        assert counting.status()["last_error"] == "locked"
    finally:
        holder.rollback()
        holder.close()
    if engine.dialect.name == "postgresql":
        assert engine.pool.checkedin() == 1  # the connection the writes used, and no other
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SHOW lock_timeout").scalar() == "0"
            assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == "0"
    assert written(counting, view)
    found = counters(str(engine.url))
    assert found[("ea-na", "view", "home", "", "vi")] == 3 and found[("", "dropped", "locked", "", "")] == 0
    engine.dispose()
