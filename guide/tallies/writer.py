"""The one write path of the tallies: pages note counts in memory (`Recorder.record`), a background
thread of each worker process writes them (store.py's SQL), every second or so, in one transaction.
What happens to counts when the database is away is in the Recorder's docstring; what outlives the
process (a spool, a marker) in leftovers.py, never an IP address or a user agent.
"""

import atexit
import hashlib
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

from .. import db
from ..clock import TIMEZONE
from ..clock import now as local_now
from .classify import VISITOR, Event
from .failures import KEPT_ON, DatabaseMissing, reason_for
from .leftovers import Leftovers
from .store import add_counts, forget_purged, new_visitors, salt, start_day, tally, visitor_hash

MAX_PENDING = 100_000  # requests waiting for the writer: past this (the database gone for long), drop
EXIT_PATIENCE_SECONDS = 5.0  # a stopping worker's last write may try again this long while locked


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

    def then(self, later: "Pending") -> "Pending":
        """These counts, then `later`'s, as one (a visitor keeps the locale it was first seen in)."""
        self.counts.update(later.counts)
        for key, locale in later.visitors.items():
            self.visitors.setdefault(key, locale)
        self.requests += later.requests
        return self


def _bound(connection: sa.Connection) -> None:
    """On PostgreSQL, a lock or a statement never holds this transaction for longer than db.LOCK_WAIT_MS."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {db.LOCK_WAIT_MS}")
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {db.LOCK_WAIT_MS}")


def _first_seen(
    connection: sa.Connection, key: bytes, day: date, day_salt: str, visitors: dict
) -> list[tuple[str, str]]:
    """(commune, locale) of each of `visitors` (Pending's) on `day` not seen there before, by its hash."""
    locales = {
        (commune, visitor_hash(key, day_salt, ip, user_agent)): locale
        for (visit_day, commune, ip, user_agent), locale in visitors.items()
        if visit_day == day
    }
    return [(commune, locales[commune, hashed]) for commune, hashed in new_visitors(connection, day, list(locales))]


class Recorder:
    """Counts batches for one process. `record` never raises and never makes a page wait on the database.

    `record` only notes the batch in memory. A background thread, started by the process's first
    batch (so each forked worker has its own), writes everything noted every `flush_seconds`, in
    one transaction, and once more when the process exits normally (gunicorn's graceful stop,
    SIGTERM, max-requests). So a page costs a dictionary update, and each worker takes the write
    lock once per interval. Since no page waits on that thread, it waits for a lock as long as the
    database's bound allows (db.LOCK_WAIT_MS). `flush()` writes at once (the tests, `flask` commands).
    A batch holds the IP address and user agent in memory only, for the visitor hash (keyed by
    `visitor_key`, made from the instance's secret, so that the database alone re-identifies no one).

    A write that fails because the database is away (KEPT_ON: locked past the wait, read-only, its
    file gone, the server unreachable) is logged and its counts kept for the next write, up to
    MAX_PENDING requests waiting; past that, and for any other failure, they are dropped and counted
    as dropped, by reason: in memory (/healthz) and in the table at the next write that succeeds.
    Visitors kept past the end of their day, once another process has deleted that day's salt, can
    no longer be told from those already counted: dropped, "visitors-unwritten". When the exit
    write fails, the counters and drop counts go to a spool file in `state_dir` for a later process
    to write; a worker killed outright (SIGKILL, out of memory) loses what it held, and its marker
    in `state_dir`, which says at every request taken and every write how many it holds, lets the
    next process count that loss exactly (requests, not a guess). A write that succeeds clears
    `last_error`. Without a `state_dir`, neither.
    """

    def __init__(
        self,
        engine: Callable[[], sa.Engine],
        *,
        visitor_key: bytes,
        flush_seconds: float = 1.0,
        sqlite_file=None,
        state_dir=None,
        clock: Callable[[], datetime] = local_now,
        logger: logging.Logger | None = None,
    ):
        if not flush_seconds > 0:
            raise ValueError(
                f"the tallies' flush interval (GUIDE_TALLIES_FLUSH_SECONDS) must be more than 0 seconds, not "
                f"{flush_seconds}: counts are written by a background thread, never in the request"
            )
        self.engine = engine
        self.visitor_key = visitor_key  # store.visitor_key(the instance's secret): never in the database
        self.flush_seconds = flush_seconds
        self.sqlite_file = str(sqlite_file) if sqlite_file is not None else None
        self.clock = clock
        self.logger = logger or logging.getLogger(__name__)
        self.leftovers = Leftovers(Path(state_dir) if state_dir is not None else None, self._database_key, self.logger)
        self._lock = threading.Lock()  # guards the in-memory state below, held only for a moment
        self._write_lock = threading.Lock()  # one write at a time from this process
        self._pending = Pending()  # noted, not yet written
        self._flusher_pid: int | None = None  # the process whose flusher thread is running
        self._schema_ready = False
        self._salt: tuple[date, str] | None = None  # (day, salt) once this process has started that day
        self._unwritten_drops: Counter = Counter()  # dropped, not yet in the table
        self.dropped: Counter = Counter()  # requests whose counts this process lost, by reason
        self.last_error: str | None = None
        self._key: str | None = None  # the database's, in spool and marker names
        self._exiting = False  # the exit flush has begun: the writer thread no longer marks
        self._writing = 0  # requests in the write under way, taken out of _pending

    def today(self) -> date:
        return self.clock().astimezone(TIMEZONE).date()

    def record(self, batch: Batch) -> bool:
        """Note a request's events (on the day it is now), to be written. False when they were dropped."""
        if not batch.events:
            return True
        day = self.today()
        with self._lock:
            backlog = self._pending.requests >= MAX_PENDING  # the database gone for long: shed
            if not backlog:
                self._pending.add(day, batch)
                self._hold()  # taken: the marker says so before the page is answered
        if backlog:
            self.note_drop("backlog")
            return False
        if self._flusher_pid != os.getpid():
            self._start_flusher()
        return True

    def flush(self, patience: float = 0.0) -> bool:
        """Write everything noted so far, in one transaction, trying again for up to `patience`
        seconds while the database is locked by others. False when it was not written: kept for
        the next write (the database away) or dropped."""
        # The write lock first: a flush at exit then waits for the writer thread's write in progress,
        # which would otherwise die, half done, with the process.
        with self._write_lock:
            with self._lock:
                pending, self._pending = self._pending, Pending()
                if not pending.requests and not self._unwritten_drops:
                    return True
                self._writing = pending.requests  # killed during the write, these are lost
            try:
                return self._write_now(pending, patience)
            finally:
                with self._lock:
                    self._writing = 0  # written, kept (back in _pending) or dropped (counted as such)
                    self._hold()

    def flush_at_exit(self) -> None:
        # The last chance for these counts, and nobody waits on them: several workers stopping
        # together all write at once, so be patient with the lock. What cannot be written is spooled.
        kept = False
        self._exiting = True  # the writer thread, still running, no longer writes the marker
        try:
            self.flush(patience=EXIT_PATIENCE_SECONDS)
            kept = self._spool()
        finally:
            if kept:
                self.leftovers.unmark()

    def status(self) -> dict:
        """What this process dropped, why its last write failed (None once one succeeds), what it holds unwritten."""
        waiting = self._writing + self._pending.requests
        dropped = {"dropped": sum(self.dropped.values()), "dropped_by_reason": dict(self.dropped)}
        return {**dropped, "last_error": self.last_error, "waiting": waiting}

    def note_drop(self, reason: str, requests: int = 1) -> None:
        with self._lock:
            self.dropped[reason] += requests
            self._unwritten_drops[reason] += requests
            self.last_error = reason

    def database_state(self) -> str:
        """Can the database be written now? "ok", or why not, as `reason_for` names it (the SQLite
        file gone while held open is "missing"). A real write that changes nothing, in a transaction
        that takes the write lock and waits for it as long as a write does. Never raises."""
        try:
            engine = self._ready_engine()
            with db.begin_immediate(engine) as connection:
                _bound(connection)
                connection.execute(db.alembic_version.update().values(version=db.alembic_version.c.version))
                # The counters' own table too: a lock held on it alone stops every write of the tallies.
                connection.execute(tally.update().where(sa.false()).values(count=tally.c["count"]))
            return "ok"
        except Exception as error:
            reason = reason_for(error)
            self.logger.warning("database cannot be written (%s): %s", reason, error)
            if reason in ("unreachable", "missing", "read-only"):
                self._forget_connections()
            return reason

    def _start_flusher(self) -> None:
        with self._lock:
            if self._flusher_pid == os.getpid():
                return
            self._flusher_pid = os.getpid()
        threading.Thread(target=self._flush_every_so_often, name="tallies-flusher", daemon=True).start()
        atexit.register(self.flush_at_exit)

    def _flush_every_so_often(self) -> None:
        with self._lock:
            self._hold()
        while True:
            time.sleep(self.flush_seconds)
            try:
                self.flush(patience=self.flush_seconds)
            except Exception:  # flush counts its own failures; this thread must outlive anything
                self.logger.exception("tallies: the flusher failed")

    def _write_now(self, pending: Pending, patience: float) -> bool:
        give_up_at = time.monotonic() + patience
        while True:
            try:
                self._write(pending)
                return True
            except Exception as error:  # whatever went wrong, the counts are kept or the loss counted, and logged
                reason, failure = reason_for(error), error
            # A failed write was rolled back whole, so trying the same counts again counts nothing twice.
            if reason != "locked" or time.monotonic() >= give_up_at:
                break
        if reason in ("unreachable", "missing", "read-only"):
            # The next write opens a new connection, or fails to: SQLite opens a file it may not
            # write read-only and keeps it so, and a new connection finds it writable again.
            self._forget_connections()
        if reason in KEPT_ON and self._keep_for_later(pending):
            self.logger.warning(
                "tallies: could not write the counts of %d request(s) (%s), kept for the next write: %s",
                pending.requests,
                reason,
                failure,
            )
            with self._lock:
                self.last_error = reason
            return False
        self.logger.warning("tallies: dropped the counts of %d request(s) (%s): %s", pending.requests, reason, failure)
        self.note_drop(reason, pending.requests)
        return False

    def _keep_for_later(self, pending: Pending) -> bool:
        """Put counts that were not written back before those noted since, unless that makes more than MAX_PENDING."""
        with self._lock:
            if pending.requests + self._pending.requests > MAX_PENDING:
                return False
            self._pending = pending.then(self._pending)
            self._writing = 0  # held still, now in _pending
            return True

    def _forget_connections(self) -> None:
        try:
            self.engine().dispose()
        except Exception:
            pass

    def _ready_engine(self) -> sa.Engine:
        """The engine, its tables made on first use. Raises DatabaseMissing when the SQLite file is
        gone while held open (a write would land in a deleted file, or make an empty one)."""
        if self.sqlite_file is not None and self._schema_ready and not os.path.exists(self.sqlite_file):
            raise DatabaseMissing(f"{self.sqlite_file} is gone")
        engine = self.engine()
        if not self._schema_ready:
            db.create_schema(engine)
            self._schema_ready = True
        return engine

    def _write(self, pending: Pending) -> None:
        """Write `pending` with what processes that are gone left (leftovers.py) and the drop counts
        not yet in the table, in one transaction: all of it, or nothing and it raises."""
        engine = self._ready_engine()
        with self._lock:
            drops = Counter(self._unwritten_drops)
        counts = Counter(pending.counts)
        claimed = self.leftovers.claim()
        try:
            left_counts, left_drops = self.leftovers.read(claimed)
            counts.update(left_counts)
            with db.begin_immediate(engine) as connection:
                _bound(connection)  # a lock or a statement never holds this thread for long
                day_salt, purged = self._count_visitors(connection, pending, counts, left_drops)
                drop_day = max(pending.days(), default=self.today())
                for reason, n in (drops + left_drops).items():
                    counts[(drop_day, "", "dropped", reason, "", "")] += n
                add_counts(connection, counts)
        except BaseException:
            self.leftovers.unclaim(claimed)
            raise
        with self._lock:  # committed: no longer held, and the database is written again
            self._writing = 0
            self._hold()
            self.last_error = None
        self._salt = day_salt  # only now, with the commit done, is the day started in the database
        self.leftovers.written(claimed)
        if purged:
            forget_purged(engine)
        if drops:
            with self._lock:
                self._unwritten_drops.subtract(drops)
                self._unwritten_drops = +self._unwritten_drops

    def _count_visitors(
        self, connection: sa.Connection, pending: Pending, counts: Counter, drops: Counter
    ) -> tuple[tuple[date, str] | None, int]:
        """Add to `counts` the visitors of `pending` not yet counted on their day, starting each day
        this process has not (`start_day`). Returns the (day, salt) last used and how many rows the
        days' starts purged."""
        days = pending.days()  # (two days only in a flush across midnight, or kept counts)
        day_salt, purged = self._salt, 0
        newest = None  # the newest day any process has started, when some of these are older than today
        if days and days[0] < self.today():
            newest = connection.execute(sa.select(sa.func.max(salt.c.day))).scalar()
        for day in days:
            if newest is not None and newest > day:
                # That day is over and its salt gone: its visitors can no longer be told apart
                # from the ones already counted, so they are not counted.
                unhashed = sum(1 for key in pending.visitors if key[0] == day)
                if unhashed:
                    drops["visitors-unwritten"] += unhashed
                continue
            if day_salt is None or day_salt[0] != day:
                started = start_day(connection, day)
                day_salt, purged = (day, started.salt), purged + started.hashes_purged + started.salts_purged
            for commune, locale in _first_seen(connection, self.visitor_key, day, day_salt[1], pending.visitors):
                counts[(day, commune, "visitors", "", "", locale)] += 1
        return day_salt, purged

    def _database_key(self) -> str:
        """A short name for the database, in spool and marker file names (its URL hashed, no password)."""
        if self._key is None:
            name = (
                str(Path(self.sqlite_file).resolve())
                if self.sqlite_file is not None
                else self.engine().url.render_as_string(hide_password=True)
            )
            self._key = hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
        return self._key

    def _mark(self, waiting: int, reason: str = "killed", at_exit: bool = False) -> None:
        """Only while this process's writer thread runs (it removes the marker at a clean exit)."""
        if self._flusher_pid == os.getpid() and (at_exit or not self._exiting):
            self.leftovers.mark(waiting, reason)

    def _hold(self) -> None:
        """The marker says what this process holds unwritten now: taken, not yet committed. With
        `_lock` held, so that no two say it out of order."""
        self._mark(self._writing + self._pending.requests)

    def _spool(self) -> bool:
        """At exit: what could not be written goes to a spool file. True when nothing is left unkept."""
        with self._lock:
            pending, self._pending = self._pending, Pending()
            drops, self._unwritten_drops = self._unwritten_drops, Counter()
        if not pending.requests and not drops:
            return True
        if pending.visitors:  # no hash without the day's salt, and the IP address never goes to disk
            drops["visitors-unwritten"] += len(pending.visitors)
        if self.leftovers.spool(pending.counts, drops, pending.requests):
            return True
        self._mark(pending.requests, "unwritten", at_exit=True)  # a later process counts them, at least
        return False
