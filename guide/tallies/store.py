"""Counters in the database: one row per (day, commune, kind, subject, source, locale), added to by
a single-statement UPSERT, so any number of worker processes can count at once without losing an
update; the same code for SQLite and PostgreSQL.

Daily unique visitors without keeping anything about a person: a visitor is a truncated hash of
(a random salt for the day, IP address, user agent). The salt lives in the database so that every
worker process hashes alike, and it is deleted with the day's hashes once the day is over, after
which those hashes can no longer be linked to anyone. IP address and user agent are never stored.

`Recorder.record` never raises and never makes a page wait: in the app it notes the request in
memory, and a background thread writes a second's worth in one transaction. A write that fails
gives up within the writer's bound (db.WRITE_TIMEOUT_MS), is logged, and its requests are
counted as dropped, in memory (shown by /healthz) and in the table the next time a write succeeds.
"""

import atexit
import hashlib
import logging
import os
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from .. import db
from .classify import VISITOR, Event

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
HASH_HEX_CHARS = 16  # 64 bits: no two visitors of one commune on one day collide in practice
BACKOFF_SECONDS = 2.0  # after failing to reach the database, drop at once for this long
MAX_PENDING = 100_000  # requests waiting for the flusher: past this (the database gone for long), drop
EXIT_PATIENCE_SECONDS = 5.0  # a stopping worker's last write may wait this long for the lock
SEEN_VISITORS_KEPT = 20_000  # a bound on the memory below: past it, start again (the database decides)

tally = sa.Table(
    "tally",
    db.metadata,
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("commune", sa.String(64), nullable=False, server_default=""),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False, server_default=""),
    sa.Column("source", sa.String(16), nullable=False, server_default=""),
    sa.Column("locale", sa.String(8), nullable=False, server_default=""),
    sa.Column("count", sa.BigInteger, nullable=False, server_default="0"),
    sa.PrimaryKeyConstraint("day", "commune", "kind", "subject", "source", "locale", name="tally_key"),
    postgresql_with={"fillfactor": 70},  # room on the page, so updating a count stays cheap (HOT)
)
KEY = ("day", "commune", "kind", "subject", "source", "locale")
# The dashboard sums counters per commune and kind over a range of days. On SQLite this index
# answers that from the index alone, in group order, with no sort: a year for 100 communes in a
# third of the time. Not on PostgreSQL: there `count` in an index would stop the in-place (HOT)
# updates the fillfactor above is for, and its hash aggregate does not need it.
sa.Index(
    "tally_by_what", tally.c.commune, tally.c.kind, tally.c.subject, tally.c.source, tally.c.day, tally.c["count"]
).ddl_if(dialect="sqlite")

visitor = sa.Table(
    "visitor",
    db.metadata,
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("commune", sa.String(64), nullable=False, server_default=""),
    sa.Column("hash", sa.String(HASH_HEX_CHARS), nullable=False),
    sa.PrimaryKeyConstraint("day", "commune", "hash", name="visitor_key"),
)

salt = sa.Table(
    "salt",
    db.metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("salt", sa.String(64), nullable=False),
)


def local_now() -> datetime:
    return datetime.now(TIMEZONE)


def visitor_hash(day_salt: str, ip: str, user_agent: str) -> str:
    digest = hashlib.sha256("\n".join((day_salt, ip, user_agent)).encode("utf-8", "replace")).hexdigest()
    return digest[:HASH_HEX_CHARS]


class Statements:
    """Every statement a write runs, as SQLAlchemy Core in the dialect's own INSERT … ON CONFLICT,
    compiled once per dialect (building a statement costs more than running it)."""

    def __init__(self, dialect: sa.Dialect):
        self.dialect = dialect.name
        insert = (postgresql if dialect.name == "postgresql" else sqlite).insert
        upsert = insert(tally)
        upsert = upsert.on_conflict_do_update(
            index_elements=list(KEY), set_={"count": tally.c["count"] + upsert.excluded["count"]}
        )
        before = sa.bindparam("today", type_=sa.Date)
        self.add_counts = db.Prepared(upsert, dialect)
        self.new_visitor = db.Prepared(insert(visitor).on_conflict_do_nothing().returning(visitor.c.day), dialect)
        self.new_salt = db.Prepared(insert(salt).on_conflict_do_nothing(), dialect)
        self.salt = db.Prepared(sa.select(salt.c.salt).where(salt.c.day == sa.bindparam("day", type_=sa.Date)), dialect)
        self.purge_visitors = db.Prepared(visitor.delete().where(visitor.c.day < before), dialect)
        self.purge_salts = db.Prepared(salt.delete().where(salt.c.day < before), dialect)


_statements: dict[str, Statements] = {}


class Writes:
    """The writes of one transaction (see `writing`)."""

    def __init__(self, cursor, statements: Statements):
        self.cursor = cursor
        self.sql = statements

    def add_counts(self, rows: list[dict]) -> None:
        """Add each row's count to its counter (creating it at that count). Rows with the same key
        are summed first, and written in key order, so two transactions never wait on each other's
        rows in opposite orders (PostgreSQL would abort one as a deadlock)."""
        if len(rows) > 1:
            summed = Counter()
            for row in rows:
                summed[tuple(row[name] for name in KEY)] += row["count"]
            rows = [dict(zip(KEY, key), count=n) for key, n in sorted(summed.items())]
        if len(rows) == 1:
            self.sql.add_counts.execute(self.cursor, rows[0])
        elif rows:
            self.sql.add_counts.execute_many(self.cursor, rows)

    def salt_for(self, day: date) -> str:
        """The day's salt, made by whichever process asks first; every process then reads the same."""
        self.sql.new_salt.execute(self.cursor, {"day": day, "salt": secrets.token_hex(16)})
        return self.sql.salt.execute(self.cursor, {"day": day}).fetchone()[0]

    def purge(self, today: date) -> tuple[int, int]:
        """Forget every earlier day's visitor hashes and salts. Returns how many of each went."""
        hashes = self.sql.purge_visitors.execute(self.cursor, {"today": today}).rowcount
        salts = self.sql.purge_salts.execute(self.cursor, {"today": today}).rowcount
        return hashes, salts

    def refresh_statistics(self) -> None:
        """SQLite's planner uses tally_by_what only once it has statistics: gather them (sampled,
        so a few milliseconds however big the table). PostgreSQL's autovacuum does this itself."""
        if self.sql.dialect == "sqlite":
            self.cursor.execute("PRAGMA analysis_limit=1000")
            self.cursor.execute("ANALYZE tally")

    def is_new_visitor(self, day: date, commune: str, hashed: str) -> bool:
        """Note the visitor as seen today; True if they were not yet (RETURNING gives a row only then)."""
        return (
            self.sql.new_visitor.execute(self.cursor, {"day": day, "commune": commune, "hash": hashed}).fetchone()
            is not None
        )


@contextmanager
def writing(engine: sa.Engine) -> Iterator[Writes]:
    """One short write transaction: committed at the end, rolled back on any error."""
    statements = _statements.get(engine.dialect.name)
    if statements is None:
        statements = _statements[engine.dialect.name] = Statements(engine.dialect)
    with db.write_transaction(engine) as cursor:
        yield Writes(cursor, statements)


def export_rows(
    connection: sa.Connection, start: date | None = None, end: date | None = None, commune: str | None = None
) -> Iterator[tuple]:
    query = sa.select(*(tally.c[name] for name in KEY), tally.c["count"]).order_by(*(tally.c[name] for name in KEY))
    if start is not None:
        query = query.where(tally.c.day >= start)
    if end is not None:
        query = query.where(tally.c.day <= end)
    if commune is not None:
        query = query.where(tally.c.commune == commune)
    yield from connection.execute(query)


def reason_for(error: BaseException) -> str:
    """A short, stable name for why a write failed (the details go to the log, not to /healthz)."""
    text = str(getattr(error, "orig", None) or error).lower()
    if (
        "locked" in text
        or "busy" in text
        or "deadlock" in text
        or "lock timeout" in text
        or "statement timeout" in text
        or "canceling statement" in text
    ):
        return "locked"
    if "readonly" in text or "read-only" in text:
        return "read-only"
    if isinstance(error, DatabaseMissing) or "unable to open" in text or "no such file" in text:
        return "missing"
    if "connect" in text or "server closed" in text or "terminating connection" in text or "timeout expired" in text:
        return "unreachable"
    return "error"


class DatabaseMissing(Exception):
    """The SQLite file is gone while we hold it open: writes would land in a deleted file."""


@dataclass(frozen=True)
class Batch:
    """What one request counts for, with the dimensions its events share. `ip` and `user_agent`
    only feed the visitor hash; they are never written."""

    events: tuple[Event, ...]
    commune: str = ""
    locale: str = ""
    ip: str = ""
    user_agent: str = ""


class Pending:
    """Counts noted and not yet written, summed as they come: a write then costs what the number
    of different counters costs, not the number of requests."""

    def __init__(self):
        self.counts: Counter = Counter()  # (day, commune, kind, subject, source, locale) -> n
        self.visitors: dict[tuple[date, str, str, str], str] = {}  # (day, commune, ip, user agent) -> locale
        self.requests = 0

    def add(self, day: date, batch: Batch) -> None:
        self.requests += 1
        for event in batch.events:
            if event == VISITOR:
                self.visitors.setdefault((day, batch.commune, batch.ip, batch.user_agent), batch.locale)
            else:
                self.counts[(day, batch.commune, event.kind, event.subject, event.source, batch.locale)] += 1

    def days(self) -> list[date]:
        return sorted({key[0] for key in self.counts} | {key[0] for key in self.visitors})


class Recorder:
    """Counts batches for one process. Never raises; never makes a page wait on the database.

    With `flush_seconds` above 0 (the app's default), `record` only notes the batch in memory, and
    a background thread writes everything noted every `flush_seconds`, in one transaction, and once
    more when the process exits normally (gunicorn's graceful stop, SIGTERM, max-requests). So a
    page costs a list append, not a commit, and two workers take the write lock once a second
    each, not once per page. The price: a worker killed outright (SIGKILL, out of memory, its
    timeout) loses at most its last `flush_seconds` of counts. With 0, each batch is written at
    once, in the request (the tests, and anything that must see its count straight away).
    Between `record` and the write, a batch holds the IP address and user agent in memory only,
    for the visitor hash; they are never written.
    """

    def __init__(
        self,
        engine: Callable[[], sa.Engine],
        *,
        sqlite_file=None,
        clock: Callable[[], datetime] = local_now,
        logger: logging.Logger | None = None,
        flush_seconds: float = 0.0,
    ):
        self.engine = engine
        self.sqlite_file = str(sqlite_file) if sqlite_file is not None else None
        self.clock = clock
        self.logger = logger or logging.getLogger(__name__)
        self.flush_seconds = flush_seconds
        self._lock = threading.Lock()  # guards the in-memory state below, held only for a moment
        self._write_lock = threading.Lock()  # one write at a time from this process
        self._pending = Pending()  # noted, not yet written
        self._flusher_pid: int | None = None  # the process whose flusher thread is running
        self._schema_ready = False
        self._salt: tuple[date, str] | None = None  # (day, salt) once committed
        # Today's visitors this process has written or met: no need to ask the database again.
        # The same hashes as in the visitor table, and gone with the day like them.
        self._seen_day: date | None = None
        self._seen: set[tuple[date, str, str]] = set()
        self._unwritten_drops: Counter = Counter()  # dropped, not yet in the table
        self.dropped: Counter = Counter()  # requests whose counts this process lost, by reason
        self.last_error: str | None = None
        self._retry_at = 0.0

    def today(self) -> date:
        return self.clock().astimezone(TIMEZONE).date()

    def record(self, batch: Batch) -> bool:
        """Count a request's events (on the day it is now). False when they were dropped."""
        if not batch.events:
            return True
        day = self.today()
        if self.flush_seconds <= 0:
            single = Pending()
            single.add(day, batch)
            return self._write_now(single)
        with self._lock:
            backlog = self._pending.requests >= MAX_PENDING  # the database gone for long: shed
            if not backlog:
                self._pending.add(day, batch)
        if backlog:
            self.note_drop("backlog")
            return False
        if self._flusher_pid != os.getpid():
            self._start_flusher()
        return True

    def flush(self, patience: float = 0.0) -> bool:
        """Write everything noted so far, in one transaction, trying again for up to `patience`
        seconds while the database is locked by others. False when it was dropped."""
        with self._lock:
            pending, self._pending = self._pending, Pending()
        return self._write_now(pending, patience) if pending.requests else True

    def flush_at_exit(self) -> None:
        # The last chance for these counts, and nobody waits on them: several workers stopping
        # together all write at once, so be patient with the lock.
        self.flush(patience=EXIT_PATIENCE_SECONDS)

    def purge(self) -> tuple[int, int]:
        with writing(self.engine()) as writes:
            return writes.purge(self.today())

    def status(self) -> dict:
        return {
            "dropped": sum(self.dropped.values()),
            "dropped_by_reason": dict(self.dropped),
            "last_error": self.last_error,
        }

    def note_drop(self, reason: str, requests: int = 1) -> None:
        with self._lock:
            self.dropped[reason] += requests
            self._unwritten_drops[reason] += requests
            self.last_error = reason

    def _start_flusher(self) -> None:
        """Once per process, on its first batch (so a forked worker starts its own)."""
        with self._lock:
            if self._flusher_pid == os.getpid():
                return
            self._flusher_pid = os.getpid()
        threading.Thread(target=self._flush_every_so_often, name="tallies-flusher", daemon=True).start()
        atexit.register(self.flush_at_exit)

    def _flush_every_so_often(self) -> None:
        while True:
            time.sleep(self.flush_seconds)
            try:
                self.flush(patience=self.flush_seconds)  # no page waits on this thread
            except Exception:  # flush counts its own failures; this thread must outlive anything
                self.logger.exception("tallies: the flusher failed")

    def _write_now(self, pending: Pending, patience: float = 0.0) -> bool:
        if time.monotonic() < self._retry_at:
            self.note_drop(self.last_error or "unreachable", pending.requests)
            return False
        give_up_at = time.monotonic() + patience
        while True:
            try:
                with self._write_lock:
                    self._write(pending)
                return True
            except Exception as error:  # whatever went wrong, the page goes on; the loss is counted
                reason, failure = reason_for(error), error
            # A failed write was rolled back whole, so trying the same batch again counts nothing twice.
            if reason != "locked" or time.monotonic() >= give_up_at:
                break
        self.logger.warning("tallies: dropped the counts of %d request(s) (%s): %s", pending.requests, reason, failure)
        if reason in ("unreachable", "missing"):
            self._retry_at = time.monotonic() + BACKOFF_SECONDS
            self._forget_connections()
        self.note_drop(reason, pending.requests)
        return False

    def _forget_connections(self) -> None:
        try:
            self.engine().dispose()
        except Exception:
            pass

    def _write(self, pending: Pending) -> None:
        if self.sqlite_file is not None and self._schema_ready and not os.path.exists(self.sqlite_file):
            raise DatabaseMissing(f"{self.sqlite_file} is gone")
        if not self._schema_ready:
            db.create_schema(self.engine())
            self._schema_ready = True
        with self._lock:
            drops = dict(self._unwritten_drops)
        salt_now = self._salt
        seen_now: set[tuple[date, str, str]] = set()
        counts = Counter(pending.counts)
        with writing(self.engine()) as writes:
            for day in pending.days():  # (two days only in a flush across midnight)
                if salt_now is None or salt_now[0] != day:  # the first write of a day: the day before's hashes go now
                    writes.purge(day)
                    writes.refresh_statistics()  # and the planner learns how the counters have grown
                    salt_now = (day, writes.salt_for(day))
                hashed = sorted(
                    ((day, commune, visitor_hash(salt_now[1], ip, user_agent)), locale)
                    for (visit_day, commune, ip, user_agent), locale in pending.visitors.items()
                    if visit_day == day
                )
                # In key order, like the counters: workers writing at once (as they all do when they
                # stop together) then take row locks in the same order, so none waits in a cycle.
                for seen, locale in hashed:
                    if seen not in self._seen and writes.is_new_visitor(*seen):  # not yet seen today in this commune
                        counts[(day, seen[1], "visitors", "", "", locale)] += 1
                    seen_now.add(seen)
            for reason, n in drops.items():
                counts[(salt_now[0], "", "dropped", reason, "", "")] += n
            writes.add_counts([dict(zip(KEY, key), count=n) for key, n in sorted(counts.items())])
        # Only now, with the commit done, is the salt, the visitor or the drop count in the database.
        self._salt = salt_now
        if self._seen_day != salt_now[0] or len(self._seen) >= SEEN_VISITORS_KEPT:
            self._seen_day, self._seen = salt_now[0], set()  # yesterday's go with the day, here as in the table
        self._seen.update(seen for seen in seen_now if seen[0] == salt_now[0])
        if drops:
            with self._lock:
                self._unwritten_drops.subtract(drops)
                self._unwritten_drops = +self._unwritten_drops
