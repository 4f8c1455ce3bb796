"""Dashboard users: created from the command line, passwords hashed (werkzeug's scrypt), locked
for a while after repeated failures. A district user sees every commune; a commune user only theirs."""

import datetime as dt
import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from .. import db

MAX_FAILURES = 5
LOCK_MINUTES = 15
ROLES = ("district", "commune")

users = sa.Table(
    "dashboard_user",
    db.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(80), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(300), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("commune", sa.String(80)),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.DateTime),
)
# Compared against when the name is unknown, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password")


class User(UserMixin):
    def __init__(self, row):
        self.id, self.name, self.role, self.commune = str(row.id), row.name, row.role, row.commune

    def can_see(self, commune_slug: str) -> bool:
        return self.role == "district" or self.commune == commune_slug


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def ensure_table() -> None:
    users.create(db.engine(), checkfirst=True)


def get(user_id: str) -> User | None:
    if not str(user_id).isdigit():
        return None
    with db.engine().connect() as connection:
        row = connection.execute(sa.select(users).where(users.c.id == int(user_id))).first()
    return User(row) if row else None


def authenticate(name: str, password: str) -> tuple[User | None, str | None]:
    """(the user, None) on success; (None, "locked" or "invalid") otherwise."""
    with db.engine().begin() as connection:
        row = connection.execute(sa.select(users).where(users.c.name == name)).first()
        if row is None:
            check_password_hash(_DUMMY_HASH, password)
            return None, "invalid"
        if row.locked_until and row.locked_until > _now():
            return None, "locked"
        if not check_password_hash(row.password_hash, password):
            failures = row.failed_logins + 1
            locked = _now() + dt.timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None
            connection.execute(
                users.update()
                .where(users.c.id == row.id)
                .values(failed_logins=0 if locked else failures, locked_until=locked)
            )
            return None, "locked" if locked else "invalid"
        connection.execute(users.update().where(users.c.id == row.id).values(failed_logins=0, locked_until=None))
        return User(row), None


def add(name: str, password: str, role: str, commune: str | None) -> None:
    with db.engine().begin() as connection:
        connection.execute(
            users.insert().values(name=name, password_hash=generate_password_hash(password), role=role, commune=commune)
        )


users_cli = AppGroup("users", help="Dashboard users.")


@users_cli.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--commune", help="the commune's slug (required for --role commune)")
def add_command(name: str, role: str, commune: str | None):
    """Add a user. The password is asked twice, or read from standard input when it is not a terminal."""
    registry = current_app.extensions["guide.registry"]
    if role == "commune" and (not commune or registry.get(commune) is None):
        raise click.BadParameter(
            "a commune user needs --commune with the slug of a registered commune", param_hint="--commune"
        )
    if role == "district" and commune:
        raise click.BadParameter("a district user sees every commune: leave out --commune", param_hint="--commune")
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < 10:
        raise click.BadParameter("use a password of at least 10 characters")
    ensure_table()
    try:
        add(name, password, role, commune)
    except sa.exc.IntegrityError:
        raise click.ClickException(f"a user called {name!r} already exists") from None
    click.echo(f"added {name} ({role}{' of ' + commune if commune else ''})")


@users_cli.command("list")
def list_command():
    """List the users."""
    ensure_table()
    with db.engine().connect() as connection:
        for row in connection.execute(sa.select(users).order_by(users.c.name)):
            click.echo(f"{row.name}\t{row.role}\t{row.commune or '-'}")


@users_cli.command("remove")
@click.argument("name")
def remove_command(name: str):
    """Remove a user."""
    ensure_table()
    with db.engine().begin() as connection:
        if connection.execute(users.delete().where(users.c.name == name)).rowcount == 0:
            raise click.ClickException(f"no user called {name!r}")
    click.echo(f"removed {name}")
