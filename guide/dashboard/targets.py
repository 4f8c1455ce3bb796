"""Targets for the online share of dossiers, set by a district user: one for every commune, and
any commune's own in its place. Whole per cent, 1 to 100."""

import sqlalchemy as sa

from .. import db
from ..text import whole_number

EVERY_COMMUNE = ""  # the row that holds the province's target for all communes

targets = sa.Table(
    "dashboard_target",
    db.metadata,
    sa.Column("commune", sa.String(64), primary_key=True),
    sa.Column("online_percent", sa.Integer, nullable=False),
)


def all_targets(connection: sa.Connection) -> dict[str, int]:
    return {row.commune: row.online_percent for row in connection.execute(sa.select(targets))}


def target_of(table: dict[str, int], commune: str) -> float | None:
    """A commune's target share (0 to 1): its own, else the one for every commune, else None."""
    percent = table.get(commune, table.get(EVERY_COMMUNE))
    return None if percent is None else percent / 100


def parse_percent(text: str) -> int | None:
    """A target typed into the form ("30", "30 %", "30%"), or None when it is not a whole per cent from 1 to 100."""
    number = whole_number(text.strip().removesuffix("%"))
    return number if number is not None and 1 <= number <= 100 else None


def set_target(engine: sa.Engine, commune: str, percent: int | None) -> None:
    """Set (or, with None, remove) the target of a commune, or of every commune with EVERY_COMMUNE."""
    with engine.begin() as connection:
        connection.execute(targets.delete().where(targets.c.commune == commune))
        if percent is not None:
            connection.execute(targets.insert().values(commune=commune, online_percent=percent))
