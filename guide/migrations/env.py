"""Alembic's environment: run by `alembic upgrade` (guide/db.py's create_schema) and `flask
db-revision`, never imported. Every module that puts a table on `guide.db.metadata` is imported here,
so that autogenerate compares the database with all of them."""

import sqlalchemy as sa
from alembic import context

from guide import db, dossiers  # noqa: F401 (their tables)
from guide.communes import details  # noqa: F401
from guide.dashboard import demo, targets, users  # noqa: F401
from guide.tallies import store  # noqa: F401


def run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=db.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters a table by copying it
        include_object=db.made_on(connection.dialect.name),
    )
    with context.begin_transaction():  # inside create_schema's, when it gave the connection
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("guide's migrations run against a database (create_schema, `flask db-revision`), not as SQL")
given = context.config.attributes.get("connection")
if given is not None:
    run(given)
else:
    engine = db.make_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.begin() as connection:
        run(connection)
    engine.dispose()
