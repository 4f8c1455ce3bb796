"""The counters, visitor hashes and salts, on SQLite and PostgreSQL alike: no app, an injectable clock."""

import datetime as dt
import hashlib
from collections import Counter

import pytest
import sqlalchemy as sa

from guide import db
from guide.tallies.classify import VISITOR, Event
from guide.tallies.store import TIMEZONE, Batch, Recorder, reason_for, salt, tally, visitor, visitor_hash, writing

from .conftest import counters


class Clock:
    """Local time in Vietnam, moved by the test."""

    def __init__(self, when: dt.datetime):
        self.now = when

    def __call__(self) -> dt.datetime:
        return self.now


def recorder_for(engine, clock) -> Recorder:
    return Recorder(lambda: engine, sqlite_file=db.sqlite_path(str(engine.url)), clock=clock)


def rows(engine, table) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.select(table))]


def test_upsert_adds_to_a_counter_and_sums_repeated_keys(engine):
    day = dt.date(2026, 3, 1)
    row = dict(day=day, commune="ea-na", kind="view", subject="nop-qua-buu-dien", source="", locale="vi", count=1)
    with writing(engine) as writes:
        writes.add_counts([row, row, {**row, "locale": "en"}])
    with writing(engine) as writes:
        writes.add_counts([{**row, "count": 5}])
    assert sorted(rows(engine, tally)) == [
        (day, "ea-na", "view", "nop-qua-buu-dien", "", "en", 1),
        (day, "ea-na", "view", "nop-qua-buu-dien", "", "vi", 7),
    ]


def test_a_visitor_is_counted_once_a_day_per_commune(engine):
    recorder = recorder_for(engine, Clock(dt.datetime(2026, 3, 1, 9, 0, tzinfo=TIMEZONE)))
    ana = Batch((VISITOR, Event("view", "home")), "", "vi", "203.0.113.7", "Mozilla/5.0 A")
    assert recorder.record(ana) and recorder.record(ana)
    assert recorder.record(Batch((VISITOR,), "ea-na", "vi", "203.0.113.7", "Mozilla/5.0 A"))  # another commune
    assert recorder.record(Batch((VISITOR,), "", "vi", "203.0.113.8", "Mozilla/5.0 A"))  # another person
    found = counters(str(engine.url))
    assert found[("", "visitors", "", "", "vi")] == 2
    assert found[("ea-na", "visitors", "", "", "vi")] == 1
    assert found[("", "view", "home", "", "vi")] == 2


def test_the_salt_changes_with_the_local_day_and_the_old_one_is_deleted(engine):
    # 23:59 in Hà Nội is 16:59 UTC: the day that counts is Vietnam's.
    clock = Clock(dt.datetime(2026, 3, 1, 16, 59, tzinfo=dt.UTC))
    recorder = recorder_for(engine, clock)
    person = Batch((VISITOR,), "", "vi", "203.0.113.7", "Mozilla/5.0 A")
    recorder.record(person)
    [(day_one, salt_one)] = rows(engine, salt)
    [(_, _, hash_one)] = rows(engine, visitor)
    assert day_one == dt.date(2026, 3, 1) and hash_one == visitor_hash(salt_one, "203.0.113.7", "Mozilla/5.0 A")

    clock.now += dt.timedelta(minutes=2)  # 00:01 on 2 March in Vietnam
    recorder.record(person)
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
    first.record(person)
    second.record(person)
    assert counters(str(engine.url))[("", "visitors", "", "", "vi")] == 1


def test_the_hash_is_short_and_keeps_nothing_readable():
    hashed = visitor_hash("salt", "203.0.113.7", "Mozilla/5.0 A")
    assert len(hashed) == 16 and hashed == hashlib.sha256(b"salt\n203.0.113.7\nMozilla/5.0 A").hexdigest()[:16]


def test_purge_forgets_earlier_days_only(engine):
    recorder = recorder_for(engine, Clock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=TIMEZONE)))
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
    assert recorder.purge() == (1, 1)
    assert rows(engine, salt) == [(dt.date(2026, 3, 2), "new")]
    assert rows(engine, visitor) == [(dt.date(2026, 3, 2), "", "b" * 16)]


def test_create_schema_is_idempotent_and_applies_missing_migrations(engine, monkeypatch):
    newest = len(db.MIGRATIONS)
    assert db.create_schema(engine) == newest
    applied = []
    monkeypatch.setattr(db, "MIGRATIONS", [*db.MIGRATIONS, lambda connection: applied.append("next")])
    assert db.create_schema(engine) == newest + 1
    assert db.create_schema(engine) == newest + 1
    assert applied == ["next"]
    with engine.connect() as connection:
        assert sorted(connection.execute(sa.select(db.schema_version.c.version)).scalars()) == [newest, newest + 1]


def test_a_version_1_sqlite_database_gets_the_dashboard_index_and_it_is_used(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}", writer=True)
    with engine.begin() as connection:  # as the first release made it: its tables, version 1, no index
        connection.exec_driver_sql("CREATE TABLE schema_version (version INTEGER PRIMARY KEY)")
        connection.exec_driver_sql("INSERT INTO schema_version VALUES (1)")
        for table in (tally, visitor, salt):
            connection.execute(sa.schema.CreateTable(table))
    assert db.create_schema(engine) == len(db.MIGRATIONS)

    clock = Clock(dt.datetime(2026, 3, 1, 9, 0, tzinfo=TIMEZONE))
    counting = recorder_for(engine, clock)
    assert counting.record(Batch((Event("view", "home"),), "ea-na", "vi"))
    clock.now += dt.timedelta(days=1)
    assert counting.record(Batch((Event("view", "home"),), "ea-na", "vi"))  # a day's first write gathers statistics
    with engine.connect() as connection:
        assert "tally_by_what" in {index["name"] for index in sa.inspect(connection).get_indexes("tally")}
        assert connection.exec_driver_sql("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'tally'").scalar() > 0
        plan = " ".join(
            str(row[-1])
            for row in connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT commune, kind, subject, source, sum(count) FROM tally "
                "WHERE day BETWEEN '2025-03-02' AND '2026-03-01' GROUP BY commune, kind, subject, source"
            )
        )
    assert "COVERING INDEX tally_by_what" in plan, plan  # (on big tables, walked in group order: no sort)


def test_a_fresh_database_is_stamped_with_the_newest_version(database_url):
    engine = db.make_engine(database_url, writer=True)
    db.create_schema(engine)
    with engine.connect() as connection:
        assert list(connection.execute(sa.select(db.schema_version.c.version)).scalars()) == [len(db.MIGRATIONS)]
        assert {"tally", "visitor", "salt"} <= set(sa.inspect(connection).get_table_names())
    engine.dispose()


def test_a_failed_write_is_dropped_counted_and_written_once_the_database_answers(engine, tmp_path):
    clock = Clock(dt.datetime(2026, 3, 1, 9, 0, tzinfo=TIMEZONE))
    gone = db.make_engine(f"sqlite:///{tmp_path}/gone/x.sqlite3")
    (tmp_path / "gone").rmdir()  # make_engine made the folder; take it away, so connecting fails
    broken = Recorder(lambda: gone, clock=clock)
    assert broken.record(Batch((Event("view", "home"),))) is False
    assert broken.status() == {"dropped": 1, "dropped_by_reason": {"missing": 1}, "last_error": "missing"}

    broken.engine = lambda: engine  # the database is back
    broken._retry_at = 0
    assert broken.record(Batch((Event("view", "home"),)))
    found = counters(str(engine.url))
    assert found[("", "dropped", "missing", "", "")] == 1 and found[("", "view", "home", "", "")] == 1
    assert broken.record(Batch((Event("view", "home"),)))
    assert counters(str(engine.url))[("", "dropped", "missing", "", "")] == 1  # written once, not again


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("database is locked", "locked"),
        ("deadlock detected", "locked"),
        ("canceling statement due to lock timeout", "locked"),
        ("canceling statement due to statement timeout", "locked"),
        ("attempt to write a readonly database", "read-only"),
        ("cannot execute INSERT in a read-only transaction", "read-only"),
        ("unable to open database file", "missing"),
        ('connection failed: connection to server at "127.0.0.1", port 1 failed: Connection refused', "unreachable"),
        ("something else", "error"),
    ],
)
def test_reasons(message, reason):
    assert reason_for(Exception(message)) == reason
