"""`flask tallies demo`: realistic synthetic tallies so a newcomer sees a living dashboard.

It fills an empty database only (never mixes with real counts) and marks the data as demo, so the
dashboard says so on every page.
"""

import datetime as dt
import random

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from .. import clock, db, dossiers
from ..tallies.store import rebuild_months, tally

settings = sa.Table(
    "dashboard_setting",
    db.metadata,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
)


def is_marked() -> bool:
    try:
        with db.engine().connect() as connection:
            return connection.execute(sa.select(settings.c.value).where(settings.c.key == "demo")).scalar() == "yes"
    except sa.exc.SQLAlchemyError:
        return False


def rows_for(
    communes, guides: list[str], outcomes: list[str], portal_keys: list[str], days: int, end: dt.date, seed: int = 2025
):
    """Daily counters with a weekly rhythm and a slow rise, as outreach would give."""
    rng = random.Random(seed)
    for commune in communes:
        base = rng.randint(6_000, 30_000) / 1_000 * rng.uniform(0.4, 1.6)
        for back in range(days):
            day = end - dt.timedelta(days=back)
            trend = 1 + (days - back) / days  # outreach grows over the period
            weekday = 0.6 if day.weekday() >= 5 else 1.0
            visitors = max(0, round(rng.gauss(base * trend * weekday, base * 0.25)))
            if visitors == 0:
                continue
            counts = {("visitors", "", ""): visitors}
            for slug in rng.sample(guides, k=min(len(guides), 4)):
                counts[("view", slug, "")] = round(visitors * rng.uniform(0.3, 1.0))
            counts[("view", "commune", "")] = round(visitors * 0.4)
            starts = round(visitors * rng.uniform(0.15, 0.35))
            for outcome in rng.sample(outcomes, k=min(len(outcomes), 3)):
                counts[("wizard_outcome", outcome, "")] = round(starts * rng.uniform(0.1, 0.3))
            counts[("wizard_start", outcome.split(":")[0], "")] = starts
            for key in portal_keys:
                counts[("outbound", key, "")] = round(starts * rng.uniform(0.1, 0.3))
            for source, share in (("qr", 0.15), ("poster", 0.08), ("link", 0.2), ("zalo", 0.25), ("facebook", 0.07)):
                counts[("arrival", "home", source)] = round(visitors * share * rng.uniform(0.6, 1.4))
            counts[("useful_yes", "guide:" + guides[0], "")] = round(visitors * 0.05)
            counts[("useful_no", "guide:" + guides[0], "")] = round(visitors * 0.01)
            for (kind, subject, source), count in counts.items():
                if count > 0:
                    yield {
                        "day": day,
                        "commune": commune.slug,
                        "kind": kind,
                        "subject": subject,
                        "source": source,
                        "locale": "vi",
                        "count": count,
                    }


def fill(days: int, end: dt.date) -> int:
    """Write the demo tallies; refuse (ValueError) when the database already holds real ones."""
    engine = db.engine()
    db.create_schema()
    with db.begin_immediate(engine) as connection:  # the read of what is there and the writes, as one
        if connection.execute(sa.select(sa.func.count()).select_from(tally)).scalar() and not is_marked():
            raise ValueError("the database already holds real tallies: demo data would mix with them")
        app = current_app
        library = app.extensions["guide.library"]
        wizards = app.extensions["guide.wizards"]
        guides = sorted(library.guides["vi"]) or ["home"]
        outcomes = [f"{slug}:{oid}" for slug, wizard in sorted(wizards.items()) for oid in wizard.outcomes] or [
            "wizard:outcome"
        ]
        portal = sorted(key for key, link in library.links.items() if "dichvucong" in link.url)
        connection.execute(tally.delete())
        batch, written = [], 0
        for row in rows_for(app.extensions["guide.registry"].communes, guides, outcomes, portal, days, end):
            batch.append(row)
            if len(batch) == 5000:
                connection.execute(sa.insert(tally), batch)
                written, batch = written + len(batch), []
        if batch:
            connection.execute(sa.insert(tally), batch)
            written += len(batch)
        rebuild_months(connection)
        dossiers.fill_demo(connection, app.extensions["guide.registry"].communes, days, end)
        connection.exec_driver_sql("ANALYZE")  # statistics for the planner (the tallies refresh SQLite's each day)
        connection.execute(settings.delete().where(settings.c.key == "demo"))
        connection.execute(settings.insert().values(key="demo", value="yes"))
    return written


@click.command("demo")
@click.option(
    "--days", default=90, show_default=True, type=click.IntRange(1, 3660), help="How many days back from today."
)
@with_appcontext
def demo_command(days: int):
    """Fill an empty database with synthetic tallies for the registered communes, marked as demo."""
    try:
        written = fill(days, clock.today())
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"wrote {written} demo counters over {days} days; the dashboard marks them as demo")
