"""The baseline: the tables as the hand-written migrations (versions 1 to 5) left them.

A fresh database gets them here. A database made before Alembic, with its `schema_version` table,
is taken over: brought to version 5's schema by the old steps' equivalents (the session version
column, the month sums summed from the days counted, SQLite's index by commune and day in place of
the kind-first one), given any table it lacks, and its `schema_version` dropped; Alembic then
stamps it at this revision, as it does a fresh one. Its rows are kept.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-04-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None

FILLFACTOR = {"fillfactor": 70}  # room on the page, so updating a count stays cheap (HOT)


def _tally() -> None:
    op.create_table(
        "tally",
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("commune", sa.String(64), nullable=False, server_default=""),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False, server_default=""),
        sa.Column("source", sa.String(16), nullable=False, server_default=""),
        sa.Column("locale", sa.String(8), nullable=False, server_default=""),
        sa.Column("count", sa.BigInteger, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("day", "commune", "kind", "subject", "source", "locale", name="tally_key"),
        postgresql_with=FILLFACTOR,
    )


def _tally_month() -> None:
    op.create_table(
        "tally_month",
        sa.Column("month", sa.Date, nullable=False),
        sa.Column("commune", sa.String(64), nullable=False, server_default=""),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False, server_default=""),
        sa.Column("source", sa.String(16), nullable=False, server_default=""),
        sa.Column("count", sa.BigInteger, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("commune", "kind", "subject", "source", "month", name="tally_month_key"),
        sqlite_with_rowid=False,
        postgresql_with=FILLFACTOR,
    )


def _visitor() -> None:
    op.create_table(
        "visitor",
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("commune", sa.String(64), nullable=False, server_default=""),
        sa.Column("hash", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("day", "commune", "hash", name="visitor_key"),
    )


def _salt() -> None:
    op.create_table(
        "salt",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("salt", sa.String(64), nullable=False),
    )


def _dashboard_user() -> None:
    op.create_table(
        "dashboard_user",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(80), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(300), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("commune", sa.String(80)),
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("session_version", sa.Integer, nullable=False, server_default="0"),
    )


def _dashboard_target() -> None:
    op.create_table(
        "dashboard_target",
        sa.Column("commune", sa.String(64), primary_key=True),
        sa.Column("online_percent", sa.Integer, nullable=False),
    )


def _dashboard_setting() -> None:
    op.create_table(
        "dashboard_setting",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )


def _dossier_month() -> None:
    op.create_table(
        "dossier_month",
        sa.Column("commune", sa.String(80), primary_key=True),
        sa.Column("month", sa.Date, primary_key=True),
        sa.Column("received", sa.Integer, nullable=False),
        sa.Column("online", sa.Integer, nullable=False),
        sa.Column("postal", sa.Integer, nullable=False),
        sa.Column("demo", sa.Boolean, nullable=False),
        sa.CheckConstraint("online >= 0 AND postal >= 0 AND online + postal <= received", name="dossier_counts"),
    )


TABLES = {
    "tally": _tally,
    "tally_month": _tally_month,
    "visitor": _visitor,
    "salt": _salt,
    "dashboard_user": _dashboard_user,
    "dashboard_target": _dashboard_target,
    "dashboard_setting": _dashboard_setting,
    "dossier_month": _dossier_month,
}


def _index_by_commune_day() -> None:
    """SQLite's alone (guide/tallies/store.py says why); version 2's kind-first index goes."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP INDEX IF EXISTS tally_by_what")
        op.execute(
            'CREATE INDEX IF NOT EXISTS tally_by_commune_day ON tally (commune, day, kind, subject, source, "count")'
        )


def _sum_months() -> None:
    """The month sums afresh from the days counted (version 4's step)."""
    if op.get_bind().dialect.name == "sqlite":
        month = "date(day, 'start of month')"
    else:
        month = "CAST(date_trunc('month', day) AS DATE)"
    op.execute("DELETE FROM tally_month")
    op.execute(
        f'INSERT INTO tally_month (commune, kind, subject, source, month, "count") '
        f'SELECT commune, kind, subject, source, {month}, sum("count") FROM tally '
        f"GROUP BY commune, kind, subject, source, {month}"
    )


def _take_over(inspector: sa.Inspector) -> None:
    """A database made by the hand-written migrations, at their version 1 to 5."""
    version = op.get_bind().execute(sa.text("SELECT max(version) FROM schema_version")).scalar() or 0
    existing = set(inspector.get_table_names())
    if "dashboard_user" in existing and "session_version" not in {
        column["name"] for column in inspector.get_columns("dashboard_user")
    }:  # version 3's step; the unused locked_until stays
        op.add_column("dashboard_user", sa.Column("session_version", sa.Integer, nullable=False, server_default="0"))
    for name, create in TABLES.items():  # tables added since the database was made
        if name not in existing:
            create()
    if version < 4:
        _sum_months()
    _index_by_commune_day()
    op.drop_table("schema_version")


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if inspector.has_table("schema_version"):
        _take_over(inspector)
        return
    for create in TABLES.values():
        create()
    _index_by_commune_day()


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
