"""Dashboard users: created from the command line, passwords hashed (werkzeug's scrypt). A district
user sees every commune; a commune user only theirs.

Guessing is bounded by the sign-in rate limits (signin.py), never by locking an account, which
anyone who knows a name could do to its owner. Failures are still counted, one atomic UPDATE each
whatever the number of workers, and `flask users list` shows them, so an administrator sees an
account being guessed at.

Sessions can be ended from the server: each user has a session version, carried in the session
(`User.get_id`) and compared on every request (`get`). Signing out or a new password moves it
on, which ends every session of that user in every browser, a copied cookie included.
"""

import contextlib
import functools
import sys
from collections.abc import Iterator

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from .. import db
from ..text import whole_number

ROLES = ("district", "commune")  # "district": whoever runs the outreach; since July 2025, the province
# What staff type at the command line: "province" (the word they use) is the district role.
ROLE_WORDS = {"province": "district", "district": "district", "commune": "commune"}
MAX_NAME = 80
MIN_PASSWORD = 10

users = sa.Table(
    "dashboard_user",
    db.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(MAX_NAME), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(300), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("commune", sa.String(80)),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("session_version", sa.Integer, nullable=False, server_default="0"),
)


def password_hash(password: str) -> str:
    """The password hashed by the configured method (scrypt; the tests that are not about hashing
    use a cheap one, which config.refuse_unsafe refuses in production)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@functools.cache
def _dummy_hash(method: str) -> str:
    """Compared against when the name is unknown, so that a wrong name costs as long as a wrong password."""
    return generate_password_hash("not a password", method=method)


class User(UserMixin):
    def __init__(self, row):
        self.id, self.name, self.role, self.commune = str(row.id), row.name, row.role, row.commune
        self.session_version = row.session_version

    def get_id(self) -> str:
        """What the session carries: the id and the session version it was opened under."""
        return f"{self.id}:{self.session_version}"

    def can_see(self, commune_slug: str) -> bool:
        return self.role == "district" or self.commune == commune_slug


def is_plausible_name(name) -> bool:
    """A name `add` could have stored: the others are not looked up (PostgreSQL refuses a NUL)."""
    return isinstance(name, str) and 0 < len(name) <= MAX_NAME and name.isprintable()


def ensure_table() -> None:
    """The users table at the newest schema (created or migrated with the others)."""
    db.create_schema()


@contextlib.contextmanager
def _bounded(write: bool = False) -> Iterator[sa.Connection]:
    """A connection (in a transaction that commits, when `write`) whose lock waits and statements
    end after db.LOCK_WAIT_MS on PostgreSQL: a staff request held up by a lock on the users table
    gets the "try again" page (503) in seconds, not when the lock ends (on SQLite the busy timeout
    bounds it alike)."""
    engine = db.engine()
    with engine.begin() if write else engine.connect() as connection:
        if connection.dialect.name == "postgresql":  # SET LOCAL: this transaction only
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(db.LOCK_WAIT_MS)}")
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(db.LOCK_WAIT_MS)}")
        yield connection


def get(session_id: str) -> User | None:
    """The user a session belongs to, if that session has not been ended since."""
    user_id, _, version = str(session_id).partition(":")
    user_id, version = whole_number(user_id), whole_number(version)
    if user_id is None or version is None:
        return None  # also a session from before versions: it ends
    with _bounded() as connection:
        row = connection.execute(sa.select(users).where(users.c.id == user_id)).first()
    return User(row) if row is not None and row.session_version == version else None


def authenticate(name: str, password: str) -> User | None:
    """The user, or None: the same answer, with the same work, for a wrong password and an unknown name."""
    row = None
    if is_plausible_name(name):
        with _bounded() as connection:
            row = connection.execute(sa.select(users).where(users.c.name == name)).first()
    right = check_password_hash(
        row.password_hash if row is not None else _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password
    )
    if row is not None and right:
        if row.failed_logins:
            with _bounded(write=True) as connection:
                connection.execute(users.update().where(users.c.id == row.id).values(failed_logins=0))
        return User(row)
    if is_plausible_name(name):
        # One statement, whether or not the name exists (it then changes nothing): atomic under
        # any number of workers, and the same work either way.
        with _bounded(write=True) as connection:
            connection.execute(
                users.update().where(users.c.name == name).values(failed_logins=users.c.failed_logins + 1)
            )
    return None


def end_sessions(user_id: str | int) -> None:
    """End every session of this user, wherever it was opened."""
    with _bounded(write=True) as connection:
        connection.execute(
            users.update().where(users.c.id == user_id).values(session_version=users.c.session_version + 1)
        )


def set_password(name: str, password: str) -> bool:
    """A new password; every session opened with the old one ends. False if there is no such user."""
    with _bounded(write=True) as connection:
        result = connection.execute(
            users.update()
            .where(users.c.name == name)
            .values(
                password_hash=password_hash(password),
                failed_logins=0,
                session_version=users.c.session_version + 1,
            )
        )
    return result.rowcount == 1


def add(name: str, password: str, role: str, commune: str | None) -> None:
    with _bounded(write=True) as connection:
        connection.execute(
            users.insert().values(name=name, password_hash=password_hash(password), role=role, commune=commune)
        )


def read_password() -> str:
    """Asked twice on a terminal, else one line of standard input; refused if short."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < MIN_PASSWORD:
        raise click.BadParameter(f"use a password of at least {MIN_PASSWORD} characters")
    return password


users_cli = AppGroup("users", help="Dashboard users.")


@users_cli.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(tuple(ROLE_WORDS)), required=True, help="province (every commune) or commune")
@click.option("--commune", help="the commune's slug (required for --role commune)")
def add_command(name: str, role: str, commune: str | None):
    """Add a user. The password is asked twice, or read from standard input when it is not a terminal."""
    role = ROLE_WORDS[role]
    registry = current_app.extensions["guide.registry"]
    if not is_plausible_name(name):
        raise click.BadParameter(f"a name is 1 to {MAX_NAME} printable characters", param_hint="NAME")
    if role == "commune" and (not commune or registry.get(commune) is None):
        raise click.BadParameter(
            "a commune user needs --commune with the slug of a registered commune", param_hint="--commune"
        )
    if role == "district" and commune:
        raise click.BadParameter("a province user sees every commune: leave out --commune", param_hint="--commune")
    password = read_password()
    ensure_table()
    try:
        add(name, password, role, commune)
    except sa.exc.IntegrityError:
        raise click.ClickException(f"a user called {name!r} already exists") from None
    click.echo(f"added {name} ({'commune user of ' + commune if commune else 'province user: every commune'})")


@users_cli.command("password")
@click.argument("name")
def password_command(name: str):
    """Give a user a new password (asked twice, or read from standard input); ends their sessions."""
    password = read_password()
    ensure_table()
    if not set_password(name, password):
        raise click.ClickException(f"no user called {name!r}")
    click.echo(f"new password for {name}; every session of theirs has ended")


@users_cli.command("list")
def list_command():
    """List the users, with the failed sign-ins since each one's last success."""
    ensure_table()
    with db.engine().connect() as connection:
        for row in connection.execute(sa.select(users).order_by(users.c.name)):
            click.echo(f"{row.name}\t{row.role}\t{row.commune or '-'}\t{row.failed_logins} failed sign-ins")


@users_cli.command("remove")
@click.argument("name")
def remove_command(name: str):
    """Remove a user."""
    ensure_table()
    with db.engine().begin() as connection:
        if connection.execute(users.delete().where(users.c.name == name)).rowcount == 0:
            raise click.ClickException(f"no user called {name!r}")
    click.echo(f"removed {name}")
