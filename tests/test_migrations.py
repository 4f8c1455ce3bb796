"""The schema's migrations (guide/migrations/, Alembic): a fresh database, one made by the
hand-written migrations before them (their `schema_version` at 5, or at 3), several processes at
once, and a new revision written by `flask db-revision`; on SQLite and PostgreSQL alike."""

import datetime as dt
import shutil
import threading

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from guide import create_app, db
from guide.dashboard.users import users
from guide.tallies.store import KEY, rebuild_months, salt, tally, tally_month, visitor

from .conftest import FIXTURE_CONTENT
from .tallies.conftest import database_url, postgres_cluster, postgres_url  # noqa: F401 (fixtures)

TABLES = {
    "alembic_version",
    "commune_detail",
    "commune_detail_change",
    "dashboard_setting",
    "dashboard_target",
    "dashboard_user",
    "dossier_month",
    "salt",
    "tally",
    "tally_month",
    "visitor",
}
D1, D2, D3 = dt.date(2026, 2, 27), dt.date(2026, 3, 1), dt.date(2026, 3, 2)
TALLY_ROWS = [
    (D1, "ea-na", "view", "home", "", "vi", 3),
    (D2, "ea-na", "view", "home", "", "vi", 4),
    (D2, "ea-na", "view", "home", "", "en", 1),
    (D3, "", "view", "search", "qr", "vi", 2),
]
MONTH_SUMS = [  # what the month sums of TALLY_ROWS are
    (dt.date(2026, 2, 1), "ea-na", "view", "home", "", 3),
    (dt.date(2026, 3, 1), "", "view", "search", "qr", 2),
    (dt.date(2026, 3, 1), "ea-na", "view", "home", "", 5),
]


def _id_column(dialect: str) -> str:
    return "id SERIAL NOT NULL" if dialect == "postgresql" else "id INTEGER NOT NULL"


def _with(dialect: str, sqlite: str) -> str:
    return " WITH (fillfactor = 70)" if dialect == "postgresql" else sqlite


def old_schema(dialect: str, version: int) -> list[str]:
    """The SQL the hand-written migrations left, frozen here: at version 5 every table as today;
    at version 3 no month sums, no targets, settings nor dossiers, and SQLite's kind-first index."""
    statements = [
        "CREATE TABLE schema_version (version INTEGER NOT NULL, PRIMARY KEY (version))",
        f"INSERT INTO schema_version (version) VALUES {', '.join(f'({n})' for n in range(1, version + 1))}",
        "CREATE TABLE tally (day DATE NOT NULL, commune VARCHAR(64) DEFAULT '' NOT NULL, kind VARCHAR(32) NOT NULL,"
        " subject VARCHAR(200) DEFAULT '' NOT NULL, source VARCHAR(16) DEFAULT '' NOT NULL,"
        " locale VARCHAR(8) DEFAULT '' NOT NULL, count BIGINT DEFAULT '0' NOT NULL,"
        " CONSTRAINT tally_key PRIMARY KEY (day, commune, kind, subject, source, locale))" + _with(dialect, ""),
        "CREATE TABLE visitor (day DATE NOT NULL, commune VARCHAR(64) DEFAULT '' NOT NULL, hash VARCHAR(16) NOT NULL,"
        " CONSTRAINT visitor_key PRIMARY KEY (day, commune, hash))",
        "CREATE TABLE salt (day DATE NOT NULL, salt VARCHAR(64) NOT NULL, PRIMARY KEY (day))",
        f"CREATE TABLE dashboard_user ({_id_column(dialect)}, name VARCHAR(80) NOT NULL,"
        " password_hash VARCHAR(300) NOT NULL, role VARCHAR(20) NOT NULL, commune VARCHAR(80),"
        " failed_logins INTEGER DEFAULT '0' NOT NULL, locked_until TIMESTAMP,"
        " session_version INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (id), UNIQUE (name))",
    ]
    if version >= 4:
        statements.append(
            "CREATE TABLE tally_month (month DATE NOT NULL, commune VARCHAR(64) DEFAULT '' NOT NULL,"
            " kind VARCHAR(32) NOT NULL, subject VARCHAR(200) DEFAULT '' NOT NULL,"
            " source VARCHAR(16) DEFAULT '' NOT NULL, count BIGINT DEFAULT '0' NOT NULL,"
            " CONSTRAINT tally_month_key PRIMARY KEY (commune, kind, subject, source, month))"
            + _with(dialect, " WITHOUT ROWID")
        )
        statements += [
            "CREATE TABLE dashboard_target (commune VARCHAR(64) NOT NULL, online_percent INTEGER NOT NULL,"
            " PRIMARY KEY (commune))",
            "CREATE TABLE dashboard_setting (key VARCHAR(40) NOT NULL, value VARCHAR(200) NOT NULL, PRIMARY KEY (key))",
            "CREATE TABLE dossier_month (commune VARCHAR(80) NOT NULL, month DATE NOT NULL,"
            " received INTEGER NOT NULL, online INTEGER NOT NULL, postal INTEGER NOT NULL, demo BOOLEAN NOT NULL,"
            " PRIMARY KEY (commune, month),"
            " CONSTRAINT dossier_counts CHECK (online >= 0 AND postal >= 0 AND online + postal <= received))",
        ]
    if dialect == "sqlite":
        columns = "(commune, day, kind, subject, source, count)" if version >= 5 else ""
        statements.append(
            f"CREATE INDEX tally_by_commune_day ON tally {columns}"
            if version >= 5
            else "CREATE INDEX tally_by_what ON tally (commune, kind, subject, source, day, count)"
        )
    return statements


def make_old_database(url: str, version: int) -> sa.Engine:
    """A database as today's code before Alembic made it, with rows in it."""
    engine = db.make_engine(url)
    with engine.begin() as connection:
        for statement in old_schema(engine.dialect.name, version):
            connection.exec_driver_sql(statement)
        connection.execute(sa.insert(tally), [dict(zip((*KEY, "count"), row)) for row in TALLY_ROWS])
        connection.execute(sa.insert(salt).values(day=D3, salt="pepper"))
        connection.execute(sa.insert(visitor).values(day=D3, commune="ea-na", hash="abcdef0123456789"))
        connection.exec_driver_sql(
            "INSERT INTO dashboard_user (name, password_hash, role, commune, failed_logins, session_version)"
            " VALUES ('huyen', 'x', 'district', NULL, 2, 1)"
        )
        if version >= 4:  # the month sums as the writes left them (here: as rebuilt)
            rebuild_months(connection)
            connection.exec_driver_sql("INSERT INTO dashboard_target VALUES ('', 30)")
    return engine


def differences(engine: sa.Engine) -> list:
    """What autogenerate would write: nothing, when the migrations make what `metadata` says."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": db.made_on(connection.dialect.name)})
        found = compare_metadata(context, db.metadata)
    # An old database keeps dashboard_user's unused locked_until (version 3 left it there).
    return [diff for diff in found if not (diff[0] == "remove_column" and diff[3].name == "locked_until")]


def schemas_made_at_once(engines: list[sa.Engine]) -> list[str]:
    """create_schema on each engine, each in its thread, all let go together."""
    start, answers = threading.Barrier(len(engines)), []

    def make(engine):
        start.wait()
        answers.append(db.create_schema(engine))

    threads = [threading.Thread(target=make, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def tally_indexes(engine: sa.Engine) -> set[str]:
    return {index["name"] for index in sa.inspect(engine).get_indexes("tally")}


def test_a_fresh_database_gets_every_table_at_the_newest_revision(database_url):  # noqa: F811
    engine = db.make_engine(database_url)
    assert db.create_schema(engine) == db.head() == "0002_commune_details"
    assert db.create_schema(engine) == db.head()  # again: nothing to do
    assert set(sa.inspect(engine).get_table_names()) == TABLES
    assert tally_indexes(engine) == ({"tally_by_commune_day"} if engine.dialect.name == "sqlite" else set())
    assert differences(engine) == []
    engine.dispose()


@pytest.mark.parametrize("version", [5, 3])
def test_a_database_of_the_hand_written_migrations_is_taken_over_with_its_rows(database_url, version):  # noqa: F811
    engine = make_old_database(database_url, version)
    assert db.create_schema(engine) == db.head()
    assert db.create_schema(engine) == db.head()
    inspector = sa.inspect(engine)
    assert set(inspector.get_table_names()) == TABLES  # schema_version gone, the tables version 3 lacked made
    assert tally_indexes(engine) == ({"tally_by_commune_day"} if engine.dialect.name == "sqlite" else set())
    assert differences(engine) == []
    with engine.connect() as connection:
        assert connection.execute(sa.select(db.alembic_version.c.version)).scalars().all() == [db.head()]
        assert sorted(tuple(row) for row in connection.execute(sa.select(tally))) == sorted(TALLY_ROWS)
        assert sorted(tuple(row) for row in connection.execute(sa.select(tally_month))) == MONTH_SUMS
        assert connection.execute(sa.select(salt)).all() == [(D3, "pepper")]
        assert connection.execute(sa.select(visitor)).all() == [(D3, "ea-na", "abcdef0123456789")]
        kept = sa.select(users.c.name, users.c.failed_logins, users.c.session_version)
        assert connection.execute(kept).all() == [("huyen", 2, 1)]
        targets = connection.exec_driver_sql("SELECT commune, online_percent FROM dashboard_target").all()
        assert targets == ([("", 30)] if version >= 4 else [])
    engine.dispose()


def test_several_processes_making_the_schema_at_once_make_it_once(database_url):  # noqa: F811
    engines = [db.make_engine(database_url) for _ in range(4)]  # an engine each: their own connections, as processes
    assert schemas_made_at_once(engines) == [db.head()] * len(engines)
    with engines[0].connect() as connection:
        assert connection.execute(sa.select(db.alembic_version.c.version)).scalars().all() == [db.head()]
    assert differences(engines[0]) == []
    for engine in engines:
        engine.dispose()


def test_db_revision_writes_the_next_revision_from_what_metadata_adds(tmp_path, monkeypatch):
    scripts = tmp_path / "migrations"
    shutil.copytree(db.MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(db, "MIGRATIONS", scripts)
    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    app = create_app({"TESTING": True, "CONTENT_DIR": FIXTURE_CONTENT, "DATABASE_URL": url})
    runner = app.test_cli_runner()
    made = runner.invoke(args=["init-db"])
    assert made.exit_code == 0 and "revision 0002_commune_details" in made.output, made.output
    extra = sa.Table("extra", db.metadata, sa.Column("id", sa.Integer, primary_key=True))
    try:
        result = runner.invoke(args=["db-revision", "An extra table"])
    finally:
        db.metadata.remove(extra)
    assert result.exit_code == 0, result.output
    (written,) = (scripts / "versions").glob("0003_*.py")
    assert written.name == "0003_an_extra_table.py"
    text = written.read_text()
    assert "down_revision = '0002_commune_details'" in text and "op.create_table('extra'" in text
    assert db.create_schema(db.make_engine(url)) == "0003_an_extra_table"


def test_threads_making_the_schemas_of_different_databases_at_once_each_make_theirs(tmp_path):
    """Alembic's context is a module global: the tallies' writer thread of one app and another
    app's start-up must not run their upgrades into each other."""
    engines = [db.make_engine(f"sqlite:///{tmp_path / f'{n}.sqlite3'}") for n in range(4)]
    assert schemas_made_at_once(engines) == [db.head()] * len(engines)
    for engine in engines:
        assert set(sa.inspect(engine).get_table_names()) == TABLES
        engine.dispose()
