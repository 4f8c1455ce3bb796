"""The table of dossier figures: each commune's month (received, online, by post), what the
dashboard reads from it, what an import would change, the import's one transaction, and the demo
months `flask tallies demo` makes."""

import datetime as dt
import random
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from .. import db

dossier_month = sa.Table(
    "dossier_month",
    db.metadata,
    sa.Column("commune", sa.String(80), primary_key=True),  # today's slug
    sa.Column("month", sa.Date, primary_key=True),  # its first day
    sa.Column("received", sa.Integer, nullable=False),
    sa.Column("online", sa.Integer, nullable=False),
    sa.Column("postal", sa.Integer, nullable=False),
    # Made by `flask tallies demo`, not imported: never mixed with real figures (see fill_demo).
    sa.Column("demo", sa.Boolean, nullable=False, default=False),
    sa.CheckConstraint("online >= 0 AND postal >= 0 AND online + postal <= received", name="dossier_counts"),
)


# --- what the dashboard reads ------------------------------------------------------------------


class _Shares:
    received: int
    online: int
    postal: int

    @property
    def online_share(self) -> float | None:
        """Online ÷ received, 0 to 1; None when nothing was received."""
        return self.online / self.received if self.received else None

    @property
    def postal_share(self) -> float | None:
        return self.postal / self.received if self.received else None


@dataclass(frozen=True)
class Totals(_Shares):
    received: int
    online: int
    postal: int
    demo: bool = False  # some of these figures are demo data


@dataclass(frozen=True)
class MonthShare(_Shares):
    month: dt.date  # its first day
    received: int
    online: int
    postal: int
    demo: bool = False


def first_of(month: dt.date) -> dt.date:
    return month.replace(day=1)


def monthly(connection: sa.Connection, commune: str, first_month: dt.date, last_month: dt.date) -> list[MonthShare]:
    """A commune's months from first_month to last_month (both included), oldest first; a month
    with no figures imported is left out (not zero: it is not known)."""
    c = dossier_month.c
    rows = connection.execute(
        sa.select(c.month, c.received, c.online, c.postal, c.demo)
        .where(c.commune == commune, c.month.between(first_of(first_month), first_of(last_month)))
        .order_by(c.month)
    )
    return [MonthShare(row.month, row.received, row.online, row.postal, bool(row.demo)) for row in rows]


def by_commune(connection: sa.Connection, first_month: dt.date, last_month: dt.date) -> dict[str, Totals]:
    """Each commune's sums over the months from first_month to last_month (both included) that
    have figures; communes with none are absent."""
    c = dossier_month.c
    rows = connection.execute(
        sa.select(
            c.commune,
            sa.func.sum(c.received).label("received"),
            sa.func.sum(c.online).label("online"),
            sa.func.sum(c.postal).label("postal"),
            sa.func.max(sa.case((c.demo, 1), else_=0)).label("demo"),
        )
        .where(c.month.between(first_of(first_month), first_of(last_month)))
        .group_by(c.commune)
    )
    return {row.commune: Totals(int(row.received), int(row.online), int(row.postal), bool(row.demo)) for row in rows}


def last_month(connection: sa.Connection) -> dt.date | None:
    """The newest month any commune has figures for."""
    return connection.execute(sa.select(sa.func.max(dossier_month.c.month))).scalar()


# --- what a file gives, and what it would change -----------------------------------------------


@dataclass(frozen=True, slots=True)
class DossierMonth:
    commune: str  # today's slug
    month: dt.date  # its first day
    received: int
    online: int
    postal: int


@dataclass(frozen=True)
class Change:
    """A commune's month as a file gives it, beside what the table holds (None: nothing yet, or
    demo figures, which an import removes)."""

    new: DossierMonth
    old: DossierMonth | None

    @property
    def kind(self) -> str:
        if self.old is None:
            return "new"
        return "unchanged" if self.old == self.new else "changed"


def changes(connection: sa.Connection, months: list[DossierMonth]) -> list[Change]:
    """What writing these months would do to each commune's month, in commune and month order."""
    if not months:
        return []
    c = dossier_month.c
    rows = connection.execute(
        sa.select(c.commune, c.month, c.received, c.online, c.postal).where(
            sa.not_(c.demo),
            c.commune.in_({month.commune for month in months}),
            c.month.between(min(m.month for m in months), max(m.month for m in months)),
        )
    )
    held = {(row.commune, row.month): DossierMonth(*row) for row in rows}
    ordered = sorted(months, key=lambda month: (month.commune, month.month))
    return [Change(month, held.get((month.commune, month.month))) for month in ordered]


def demo_months(connection: sa.Connection) -> int:
    """How many demo months an import would remove."""
    return connection.execute(
        sa.select(sa.func.count()).select_from(dossier_month).where(dossier_month.c.demo)
    ).scalar()


# --- writing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    months: int  # commune-months written
    communes: int
    first: dt.date | None
    last: dt.date | None
    demo_removed: int  # demo months deleted: real figures never sit beside demo ones


def write(engine: sa.Engine, months: list[DossierMonth]) -> Imported:
    """Write the months in one transaction, each replacing the same commune's month if there; the
    demo months go (real figures and demo ones are never shown together)."""
    with db.begin_immediate(engine) as connection:
        demo_removed = connection.execute(dossier_month.delete().where(dossier_month.c.demo)).rowcount
        _upsert(connection, [{**asdict(month), "demo": False} for month in months])
    return Imported(
        len(months),
        len({month.commune for month in months}),
        min((month.month for month in months), default=None),
        max((month.month for month in months), default=None),
        demo_removed,
    )


def _upsert(connection: sa.Connection, rows: list[dict]) -> None:
    if not rows:
        return
    insert = (postgresql if connection.dialect.name == "postgresql" else sqlite).insert(dossier_month)
    insert = insert.on_conflict_do_update(
        index_elements=["commune", "month"],
        set_={name: insert.excluded[name] for name in ("received", "online", "postal", "demo")},
    )
    # In key order, so two imports at once never wait on each other's rows in opposite orders.
    connection.execute(insert, sorted(rows, key=lambda row: (row["commune"], row["month"])))


# --- demo data ---------------------------------------------------------------------------------


def fill_demo(connection: sa.Connection, communes, days: int, end: dt.date, seed: int = 2025) -> int:
    """Demo months for `flask tallies demo`: the complete months of the `days` before `end`, for
    each commune, marked demo. The online share starts between 5 % and 40 % and creeps up a point
    or two a month, never past 60 %; a few percent come by post. Refuses (ValueError) to sit
    beside imported figures."""
    c = dossier_month.c
    if connection.execute(sa.select(sa.func.count()).select_from(dossier_month).where(sa.not_(c.demo))).scalar():
        raise ValueError("the database already holds imported dossier figures: demo data would mix with them")
    connection.execute(dossier_month.delete())
    months, month = [], first_of(first_of(end) - dt.timedelta(days=1))  # the last complete month
    for _ in range(max(1, round(days / 30.4))):
        months.insert(0, month)
        month = first_of(month - dt.timedelta(days=1))
    rng = random.Random(seed)
    rows = []
    for commune in communes:
        residents = rng.randint(6_000, 30_000)
        per_month = residents / 1_000 * rng.uniform(8, 25)
        online, rise, postal = rng.uniform(0.05, 0.40), rng.uniform(0.005, 0.02), rng.uniform(0.02, 0.10)
        for number, month in enumerate(months):
            received = max(1, round(rng.gauss(per_month, per_month * 0.1)))
            share = min(0.60, max(0.05, online + rise * number + rng.gauss(0, 0.01)))
            online_count = round(received * share)
            postal_count = min(received - online_count, round(received * postal * rng.uniform(0.8, 1.2)))
            rows.append(
                {
                    "commune": commune.slug,
                    "month": month,
                    "received": received,
                    "online": online_count,
                    "postal": postal_count,
                    "demo": True,
                }
            )
    _upsert(connection, rows)
    return len(rows)
