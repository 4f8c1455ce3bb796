"""The tallies' tables and the SQL that writes and reads them, the same SQLAlchemy Core for SQLite
and PostgreSQL. Counters: one row per (day, commune, kind, subject, source, locale), added to by the
dialect's INSERT … ON CONFLICT DO UPDATE, so any number of worker processes can count at once
without losing an update; their sums per month beside them.

Daily unique visitors without keeping anything about a person: a visitor is a truncated HMAC of
(a random salt for the day, IP address, user agent), keyed by a key made from the instance's secret
(`visitor_key`), which the database does not hold: the database alone, or a dump of it, cannot
tell whose a hash is by trying addresses and common user agents. The salt lives in the database so
that every worker process hashes alike, and it is deleted with the day's hashes once the day is
over (`start_day`), after which those hashes can no longer be linked to anyone even with the
secret. IP address and user agent are never stored. (A new secret mid-day counts that day's
visitors again once: the hashes differ.)

The one write path, the `Recorder` (a background thread writing what pages noted), is in writer.py;
why a write failed, in failures.py.
"""

import hashlib
import hmac
import logging
import secrets
from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from .. import db

HASH_HEX_CHARS = 16  # 64 bits: no two visitors of one commune on one day collide in practice

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
# On SQLite the dashboard reads the counters of a few days (the days either side of a range's
# month sums), for every commune or for one (a commune's page), from this index alone: by commune
# then day, so a few days of 166 communes are 166 short seeks (10 ms, where the index it replaced,
# kind-first, took the planner to 42 ms). Not on PostgreSQL: there `count` in an index would stop
# the in-place (HOT) updates the fillfactor above is for.
sa.Index(
    "tally_by_commune_day",
    tally.c.commune,
    tally.c.day,
    tally.c.kind,
    tally.c.subject,
    tally.c.source,
    tally.c["count"],
).ddl_if(dialect="sqlite")

# The same counters summed per month (without the locale), written with the daily ones in the same
# transaction: the district view reads a year's whole months here, a row per month where the days
# give one per day, and only the days either side from `tally`. Keyed what-first and, on SQLite,
# without a rowid, so the sums per commune are read in group order with no sort (a year for 166
# communes: 55 ms instead of 105). Rebuilt from `tally` by `rebuild_months`.
tally_month = sa.Table(
    "tally_month",
    db.metadata,
    sa.Column("month", sa.Date, nullable=False),  # its first day
    sa.Column("commune", sa.String(64), nullable=False, server_default=""),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False, server_default=""),
    sa.Column("source", sa.String(16), nullable=False, server_default=""),
    sa.Column("count", sa.BigInteger, nullable=False, server_default="0"),
    sa.PrimaryKeyConstraint("commune", "kind", "subject", "source", "month", name="tally_month_key"),
    sqlite_with_rowid=False,
    postgresql_with={"fillfactor": 70},
)
MONTH_KEY = ("commune", "kind", "subject", "source", "month")

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


def visitor_key(secret: str | bytes) -> bytes:
    """The visitor hash's key, made from the instance's secret (the secret itself signs cookies)."""
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, b"guide: daily visitor hash", hashlib.sha256).digest()


def visitor_hash(key: bytes, day_salt: str, ip: str, user_agent: str) -> str:
    message = "\n".join((day_salt, ip, user_agent)).encode("utf-8", "replace")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:HASH_HEX_CHARS]


def _insert(connection: sa.Connection):
    """The dialect's INSERT, the one with ON CONFLICT."""
    return (postgresql if connection.dialect.name == "postgresql" else sqlite).insert


def add_counts(connection: sa.Connection, counts: Counter) -> None:
    """Add to each counter, (day, commune, kind, subject, source, locale) -> n, creating it at n,
    and to its month's sum.
    In key order, so two transactions never wait on each other's rows in opposite orders
    (PostgreSQL would abort one as a deadlock)."""
    if not counts:
        return
    months = Counter()
    for (day, *what, _locale), n in counts.items():
        months[(*what, day.replace(day=1))] += n
    for table, key, table_counts in ((tally, KEY, counts), (tally_month, MONTH_KEY, months)):
        upsert = _insert(connection)(table)
        upsert = upsert.on_conflict_do_update(
            index_elements=list(key), set_={"count": table.c["count"] + upsert.excluded["count"]}
        )
        connection.execute(upsert, [dict(zip(key, k), count=n) for k, n in sorted(table_counts.items())])


def rebuild_months(connection: sa.Connection) -> None:
    """Sum `tally` into `tally_month` afresh: for a database from before the month sums, and after
    counters are written straight into `tally` (the demo)."""
    tally_month.create(connection, checkfirst=True)
    if connection.dialect.name == "sqlite":
        month = sa.func.date(tally.c.day, "start of month")
    else:
        month = sa.cast(sa.func.date_trunc("month", tally.c.day), sa.Date)
    what = (tally.c.commune, tally.c.kind, tally.c.subject, tally.c.source)
    connection.execute(tally_month.delete())
    connection.execute(
        tally_month.insert().from_select(
            list(MONTH_KEY) + ["count"],
            sa.select(*what, month, sa.func.sum(tally.c["count"])).group_by(*what, month),
        )
    )


def new_visitors(connection: sa.Connection, day: date, hashes: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Note (commune, hash) pairs as seen on `day`; the ones not seen before (RETURNING gives only those)."""
    if not hashes:
        return set()
    insert = _insert(connection)(visitor).on_conflict_do_nothing().returning(visitor.c.commune, visitor.c.hash)
    rows = [{"day": day, "commune": commune, "hash": hashed} for commune, hashed in sorted(hashes)]  # key order
    return {(row.commune, row.hash) for row in connection.execute(insert, rows)}


class NewDay(NamedTuple):
    salt: str
    hashes_purged: int
    salts_purged: int


def start_day(connection: sa.Connection, day: date) -> NewDay:
    """A day's housekeeping, done by each process's first write of the day and by `flask tallies
    purge`; any number of times, from any process. Forgets every earlier day's visitor hashes and
    salts, makes the day's salt if no process has yet (every process then reads the same one), and
    on SQLite refreshes the planner's statistics: it uses tally_by_commune_day well only once it has them
    (sampled, so a few milliseconds however big the table; PostgreSQL's autovacuum does this itself).
    Run it in a `db.begin_immediate` transaction: it reads the salt after writing."""
    hashes = connection.execute(visitor.delete().where(visitor.c.day < day)).rowcount
    salts = connection.execute(salt.delete().where(salt.c.day < day)).rowcount
    connection.execute(_insert(connection)(salt).on_conflict_do_nothing(), {"day": day, "salt": secrets.token_hex(16)})
    day_salt = connection.execute(sa.select(salt.c.salt).where(salt.c.day == day)).scalar_one()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA analysis_limit=1000")
        connection.exec_driver_sql("ANALYZE tally")
    return NewDay(day_salt, hashes, salts)


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


def forget_purged(engine: sa.Engine) -> None:
    """After `start_day` purged earlier days, on SQLite: secure_delete overwrote the rows in the
    pages, and a checkpoint that truncates the write-ahead log takes the frames that still held them
    out of the files. If a reader holds the log, the next day's purge tries again."""
    if engine.dialect.name != "sqlite":
        return
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    except Exception as error:
        logging.getLogger(__name__).warning("tallies: the checkpoint after the purge failed: %s", error)


# Not requests: how many worker processes were killed with counts in hand (leftovers.py).
NOT_REQUESTS = frozenset({"killed-processes", "visitors-unwritten"})


def losses(connection: sa.Connection, start: date, end: date) -> dict[date, Counter]:
    """What was lost, per day from `start` to `end`: the `dropped` counters (by reason) that every
    process, on every server, wrote; days without a loss left out."""
    query = (
        sa.select(tally.c.day, tally.c.subject, sa.func.sum(tally.c["count"]))
        .where(tally.c.day >= start, tally.c.day <= end, tally.c.commune == "", tally.c.kind == "dropped")
        .group_by(tally.c.day, tally.c.subject)
    )
    found: dict[date, Counter] = {}
    for day, reason, n in connection.execute(query):
        if n:
            found.setdefault(day, Counter())[reason] += int(n)
    return found


def requests_lost(by_reason: Counter) -> int:
    """The requests among a day's losses (not the processes killed, nor visitors, counted apart)."""
    return sum(n for reason, n in by_reason.items() if reason not in NOT_REQUESTS)
