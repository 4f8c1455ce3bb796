"""The inspection's own measure: how many dossiers each commune received in a month, and how many
of them came online and by post, as exported from the one-stop software (iGate) or the portal's
statistics. A province user uploads the export on the dashboard (guide/dashboard/dossier_upload.py)
or an operator runs `flask dossiers import FILE`; both read it with `reader.read`. The dashboard
shows the online and postal shares beside the reach (DESIGN.md, "The dashboard"). Counts per
commune and month only: nothing about a person.

`store` is the table and what is read from it and written to it, `reader` reads a file (CSV or
.xlsx, streamed, at most MAX_BYTES), `cells` checks its values, `sealed` carries checked months
from the preview to the confirmation, `cli` is the command.
"""

from .cli import dossiers_cli
from .reader import MAX_BYTES, ImportRefused, import_file, read, too_large
from .store import (
    Change,
    DossierMonth,
    Imported,
    MonthShare,
    Totals,
    by_commune,
    changes,
    demo_months,
    dossier_month,
    fill_demo,
    first_of,
    last_month,
    monthly,
    write,
)

__all__ = [
    "MAX_BYTES",
    "Change",
    "DossierMonth",
    "ImportRefused",
    "Imported",
    "MonthShare",
    "Totals",
    "by_commune",
    "changes",
    "demo_months",
    "dossier_month",
    "fill_demo",
    "first_of",
    "import_file",
    "last_month",
    "monthly",
    "read",
    "too_large",
    "write",
]


def init_app(app) -> None:
    app.cli.add_command(dossiers_cli)
