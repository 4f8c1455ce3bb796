"""The README's backup and restore, run for real on PostgreSQL: deploy/backup.sh writes a dump only its
owner can read, without the day's salt nor a visitor hash (their tables come back empty), and
deploy/restore.sh brings it back on a server that has neither the role nor the database (dropped
here, as a new server lacks them): the counts are all there and the officer signs in.
In CI (CI=true) a missing PostgreSQL fails this test; elsewhere it is skipped."""

import os
import stat
import subprocess
from datetime import date

import pytest
import sqlalchemy as sa

from guide import db
from guide.dashboard import users
from guide.tallies import store

from .conftest import FIXTURE_CONTENT, ROOT, make_app
from .dashboard.conftest import sign_in
from .tallies.conftest import PostgresCluster, need_postgres

pytestmark = pytest.mark.postgres


@pytest.fixture
def cluster():
    """A cluster of its own: the test makes and drops roles, which are the cluster's, not a database's."""
    made = PostgresCluster(need_postgres())
    yield made
    made.remove()


DAY = date(2026, 3, 2)
COUNTS = {
    (DAY, "ea-na", "view", "home", "", "vi"): 41,
    (DAY, "ea-na", "view", "home", "qr", "vi"): 7,
    (DAY, "", "view", "search", "", "en"): 3,
}
HASHES = [("ea-na", f"{n:016x}") for n in range(0xA11CE, 0xA11CE + 25)]


def tool_env(cluster, **extra) -> dict:
    """What the scripts get: libpq's variables for the cluster, its own binaries first on PATH."""
    return {
        **os.environ,
        "PATH": f"{cluster.bindir}:{os.environ['PATH']}",
        "PGHOST": "127.0.0.1",
        "PGPORT": str(cluster.port),
        "PGUSER": "postgres",
        **extra,
    }


def run(env, *command) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{command}: {done.stderr}"
    return done.stdout


def table_counts(url: str) -> dict:
    engine = db.make_engine(url)
    with engine.connect() as connection:
        found = {
            name: connection.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one()
            for name in ("tally", "tally_month", "dashboard_user", "salt", "visitor")
        }
        found["views"] = connection.execute(sa.text("SELECT sum(count) FROM tally")).scalar_one()
    engine.dispose()
    return found


def test_backup_then_restore_on_a_new_server_keeps_counts_and_sign_in_and_forgets_visitors(cluster, tmp_path):
    database = owner = "guide"  # the scripts' defaults, as the README runs them
    env = tool_env(cluster)
    # The README's first steps: the service's role and its database, the app connecting as that role.
    run(env, "createuser", owner)
    run(env, "createdb", f"--owner={owner}", database)
    url = f"postgresql://{owner}@127.0.0.1:{cluster.port}/{database}"
    app = make_app(tmp_path, DATABASE_URL=url, CONTENT_DIR=FIXTURE_CONTENT)
    with app.app_context():
        db.create_schema()
        users.add("huyen", "mat-khau-du-dai", "district", None)
        with db.begin_immediate(db.engine()) as connection:
            day_salt = store.start_day(connection, DAY).salt
            store.add_counts(connection, COUNTS)
            store.new_visitors(connection, DAY, HASHES)
    before = table_counts(url)
    assert before["salt"] == 1 and before["visitor"] == len(HASHES) and before["views"] == 51
    db.engine_for(url).dispose()  # the app's connections closed, as `systemctl stop guide` does

    folder = tmp_path / "backups"
    dump = run(env, "sh", str(ROOT / "deploy" / "backup.sh"), str(folder)).strip()
    mode = stat.S_IMODE(os.stat(dump).st_mode)
    print(f"backup: {dump} mode {mode:04o}, {os.path.getsize(dump)} bytes")
    assert mode == 0o600, f"{dump} is {mode:04o}"
    assert [p.name for p in folder.iterdir()] == [os.path.basename(dump)]  # no .partial left behind
    contents = run(env, "pg_restore", "--list", dump)
    assert "TABLE DATA public tally " in contents and "TABLE DATA public dashboard_user " in contents
    assert "TABLE public salt " in contents and "TABLE public visitor " in contents  # the tables, empty
    assert "TABLE DATA public salt " not in contents and "TABLE DATA public visitor " not in contents
    as_sql = run(env, "pg_restore", "--file=-", dump)
    assert day_salt not in as_sql
    assert not [hashed for _, hashed in HASHES if hashed in as_sql]
    assert "mat-khau-du-dai" not in as_sql  # the password's hash is there, as it must be; never itself

    # A new server: neither the database nor its role exists.
    run(env, "dropdb", database)
    run(env, "dropuser", owner)
    said = run(env, "sh", str(ROOT / "deploy" / "restore.sh"), dump)
    assert f"into {database}" in said

    after = table_counts(url)  # connecting as the re-made role, as the service does
    assert after == {**before, "salt": 0, "visitor": 0}, after
    restored = make_app(tmp_path / "restored", DATABASE_URL=url, CONTENT_DIR=FIXTURE_CONTENT)
    with restored.app_context():
        assert db.create_schema() == db.head()  # the service's ExecStartPre: nothing to migrate
        with db.begin_immediate(db.engine()) as connection:
            assert store.start_day(connection, DAY).salt != day_salt  # a new salt: no old hash links up
    client = restored.test_client()
    assert sign_in(client, "huyen", "mat-khau-du-dai").status_code == 303
    assert client.get("/thong-ke/").status_code == 200
    db.engine_for(url).dispose()

    # Restoring over a database that is not empty fails, whole, and says so (no half-restored tables).
    refused = subprocess.run(
        ["sh", str(ROOT / "deploy" / "restore.sh"), dump], env=env, capture_output=True, text=True, timeout=120
    )
    assert refused.returncode != 0 and "already exists" in refused.stderr
    assert table_counts(url)["views"] == 51
