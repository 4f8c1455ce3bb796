"""The monthly reports: a month on one printed page, the figures beside last month's, the most read
guides and what to try; for the province, its totals and the communes that need attention."""

from flask import render_template, request
from flask_login import login_required

from .. import clock
from . import demo, figures, gathering, present
from .access import requires_role, visible_commune
from .blueprint import bp
from .monthly import DOSSIER_FIGURES, months_back


@bp.route("/thong-ke/bao-cao", with_commune=False)
@requires_role("district")
def district_report():
    return monthly_report(None)


@bp.route("/thong-ke/xa/<slug>/bao-cao", with_commune=False)
@login_required
def commune_report(slug: str):
    return monthly_report(visible_commune(slug))


def monthly_report(place):
    """The report of one commune, or (None) of the province, for the month asked for (?thang=)."""
    today = clock.today()
    month, month_ok = figures.parse_month(today, request.args.get("thang"))
    before = figures.month_range(months_back(month.start, 1), today)
    with figures.reading() as connection:
        found = gathering.report(
            connection, place.slug if place else None, month, before, present.communes(), present.portal_keys()
        )
    return render_template(
        "dashboard/report.html",
        place=place,
        month=month,
        before=before,
        month_ok=month_ok,
        shown=found.shown,
        flagged=found.flagged,
        advice=found.advice,
        top_guides=present.labelled(found.top_guides),
        dossiers=found.dossiers,
        dossier_figures=DOSSIER_FIGURES,
        communes=found.communes,
        below_target=found.below_target,
        reported=gathering.REPORTED,
        labels=present.column_labels(),
        display=present.display,
        demo=demo.is_marked(),
    )
