"""Commune details entered on the dashboard (guide/communes/details.py) and their history.

Revision ID: 0002_commune_details
Revises: 0001_baseline
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_commune_details"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "commune_detail",
        sa.Column("commune", sa.String(64), primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("updated_on", sa.Date, nullable=False),
    )
    op.create_table(
        "commune_detail_change",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("commune", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("staff", sa.String(80), nullable=False),
        sa.Column("field", sa.String(60), nullable=False),
        sa.Column("old", sa.Text, nullable=False, server_default=""),
        sa.Column("new", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_commune_detail_change_commune", "commune_detail_change", ["commune"])


def downgrade() -> None:
    op.drop_table("commune_detail_change")
    op.drop_table("commune_detail")
