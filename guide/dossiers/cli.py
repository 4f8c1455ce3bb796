"""`flask dossiers import FILE`: the same reader as the dashboard's upload, for an operator. Its
messages are in English (the interface's source language), each as FILE:LINE: message."""

from pathlib import Path

import click
from flask import current_app, g
from flask.cli import AppGroup

from .. import clock, db
from ..content.languages import SOURCE_LANGUAGE
from .reader import ImportRefused, import_file

dossiers_cli = AppGroup("dossiers", help="Each commune's dossiers per month: received, online, by post.")


@dossiers_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path):
    """Import FILE (CSV or .xlsx: commune, month, received, online, postal), all of it or, with any problem, none."""
    g.lang_code = SOURCE_LANGUAGE  # the messages' own language: an operator's terminal
    db.create_schema()
    try:
        done = import_file(file, current_app.extensions["guide.registry"], db.engine(), clock.today())
    except ImportRefused as refused:
        for problem in refused.problems:
            click.echo(str(problem), err=True)
        click.echo(f"nothing imported: {len(refused.problems)} problem(s) to fix first", err=True)
        click.get_current_context().exit(1)
    click.echo(
        f"imported {done.months} month(s) for {done.communes} commune(s), {done.first:%Y-%m} to {done.last:%Y-%m}"
        + (f"; the {done.demo_removed} demo month(s) are gone" if done.demo_removed else "")
    )
