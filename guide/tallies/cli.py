"""`flask tallies export` (CSV on stdout) and `flask tallies purge` (the day's housekeeping,
`store.start_day`, which each worker's first write of the day also does)."""

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from .. import db, spreadsheet
from .store import KEY, export_rows, forget_purged, start_day

tallies_cli = AppGroup("tallies", help="Usage tallies: export the counters, purge short-lived data.")
DAY = click.DateTime(formats=["%Y-%m-%d"])


@tallies_cli.command("export")
@click.option("--from", "start", type=DAY, help="First day (YYYY-MM-DD), included.")
@click.option("--to", "end", type=DAY, help="Last day (YYYY-MM-DD), included.")
@click.option("--commune", help="Only this commune (today's slug or a former one); '' for visits outside any commune.")
def export_command(start, end, commune):
    """Write the counters as CSV to stdout: day,commune,kind,subject,source,locale,count."""
    if commune:
        found, _ = current_app.extensions["guide.registry"].find(commune)
        if found is None:
            raise click.BadParameter(f"no commune {commune!r}", param_hint="--commune")
        commune = found.slug
    db.create_schema()
    writer = spreadsheet.Writer(sys.stdout, lineterminator="\n")
    writer.writerow((*KEY, "count"))
    with db.engine().connect() as connection:
        for row in export_rows(connection, start and start.date(), end and end.date(), commune):
            writer.writerow((row.day.isoformat(), *row[1:]))


@tallies_cli.command("purge")
def purge_command():
    """Delete the visitor hashes and salts of every day before today."""
    db.create_schema()
    with db.begin_immediate(db.engine()) as connection:
        day = start_day(connection, current_app.extensions["guide.tallies"].today())
    forget_purged(db.engine())
    click.echo(f"purged {day.hashes_purged} visitor hashes and {day.salts_purged} salts of earlier days", err=True)
