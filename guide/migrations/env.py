"""Alembic's environment: run by `alembic upgrade` (guide/db.py's create_schema) and `flask db
revision`, never imported. Every module that puts a table on `guide.db.metadata` is imported here,
so that autogenerate compares the database with all of them."""

import sqlalchemy as sa
from alembic import context

from guide import db, dossiers  # noqa: F401 (their tables)
from guide.dashboard import demo, targets, users  # noqa: F401
from guide.tallies import store  # noqa: F401


def _made_on(dialect: str):
    """Autogenerate's filter: an index made for one dialect only (`ddl_if`, as tally_by_commune_day
    is SQLite's, guide/tallies/store.py) is not missing from another's database."""

    def include(item, _name, kind, _reflected, _compare_to) -> bool:
        only_on = getattr(getattr(item, "_ddl_if", None), "dialect", None)  # SQLAlchemy keeps ddl_if there
        return kind != "index" or only_on in (None, dialect)

    return include


def run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=db.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters a table by copying it
        include_object=_made_on(connection.dialect.name),
    )
    with context.begin_transaction():  # inside create_schema's, when it gave the connection
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("guide's migrations run against a database (create_schema, `flask db revision`), not as SQL")
given = context.config.attributes.get("connection")
if given is not None:
    run(given)
else:
    engine = db.make_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.begin() as connection:
        run(connection)
    engine.dispose()
