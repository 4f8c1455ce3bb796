"""The district's page (every commune, judged and sorted, or as CSV), a commune's page (its days,
tops, months and charts, or its days as CSV), and the district's targets. Thin: gathering.py
reads the figures, present.py words and draws them, export.py writes the CSV, workbook.py the .xlsx."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from .. import clock, db
from ..extensions import is_partial
from . import demo, export, figures, gathering, monthly, present, summary, targets, workbook
from .access import requires_role, visible_commune
from .blueprint import bp
from .forms import TargetForm


@bp.route("/thong-ke/", with_commune=False)
@requires_role("district")
def district():
    period, range_ok = present.requested_range()
    choice = present.TableChoice.requested()
    with figures.reading() as connection:
        found = gathering.district(
            connection,
            period,
            present.communes(),
            present.portal_keys(),
            name_filter=choice.name_filter,
            column=choice.column,
            descending=choice.descending,
        )
    labels = present.column_labels()
    if request.args.get("format") == "csv":
        return export.district_csv(found.rows, period, labels)
    if request.args.get("format") == "xlsx":
        return workbook.district_xlsx(found.rows, period, labels)
    context = dict(
        rows=found.rows,
        period=period,
        range_ok=range_ok,
        columns=present.with_data(choice.columns, found.rows),
        every_column=choice.every_column,
        labels=labels,
        display=present.display,
        sort=choice.column,
        descending=choice.descending,
        demo=demo.is_marked(),
        query=present.filters(),
        name_filter=choice.name_filter,
        min_useful=figures.MIN_USEFUL_ANSWERS,
        ranking_chart=present.ranking_chart(found.rows, choice.ranked_by, labels),
    )
    if is_partial():
        return render_template("dashboard/_district_table.html", **context, partial=True)
    with figures.reading() as connection:
        said = summary.summarise(connection, clock.today(), present.communes(), present.portal_keys())
    return render_template("dashboard/district.html", **context, summary=said)


@bp.route("/thong-ke/xa/<slug>", with_commune=False)
@login_required
def commune(slug: str):
    place = visible_commune(slug)
    period, range_ok = present.requested_range()
    with figures.reading() as connection:
        found = gathering.commune(
            connection, place.slug, period, present.communes(), present.portal_keys(), clock.today()
        )
    labels = present.column_labels()
    if request.args.get("format") == "csv":
        return export.commune_csv(place.slug, found.days, period, labels)
    if request.args.get("format") == "xlsx":
        return workbook.commune_xlsx(place.slug, found.days, period, labels)
    return render_template(
        "dashboard/commune.html",
        place=place,
        period=period,
        previous=figures.previous(period),
        range_ok=range_ok,
        days=found.days,
        mine=found.mine,
        reported=gathering.REPORTED,
        medians=found.medians,
        labels=labels,
        display=present.display,
        top_guides=present.labelled(found.top_guides),
        top_outcomes=present.labelled(found.top_outcomes),
        months=found.months,
        latest=found.latest,
        dossier_figures=monthly.DOSSIER_FIGURES,
        not_useful=[(label, found.not_useful.get(code, 0)) for code, label in present.not_useful_reasons()],
        own_target=found.own_target,
        demo=demo.is_marked(),
        query=present.filters(),
        **present.commune_charts(found, labels),
    )


@bp.route("/thong-ke/muc-tieu", with_commune=False, methods=["POST"])
@requires_role("district")
def set_target():
    """A district user sets the target online share of one commune, or of every commune (no
    commune given); an empty target removes it. Back to the page the form was on."""
    form = TargetForm(formdata=request.form)
    slug = form.commune.data or targets.EVERY_COMMUNE
    place = current_app.extensions["guide.registry"].get(slug) if slug else None
    if not form.validate_on_submit() or (slug and place is None):
        abort(400)
    back = url_for("dashboard.commune", slug=place.slug) if place else url_for("dashboard.district")
    typed = (form.percent.data or "").strip()
    percent = targets.parse_percent(typed) if typed else None
    if typed and percent is None:
        flash(_("A target is a whole per cent from 1 to 100, such as 30."), "error")
        return redirect(back, 303)
    targets.set_target(db.engine(), slug, percent)
    flash(target_saved(place, percent), "target")
    return redirect(back, 303)


def target_saved(place, percent: int | None) -> str:
    """The confirmation beside the target form, saying what now holds."""
    if place is None:
        if percent is None:
            return _("Target removed: no commune has the province's target now.")
        return _("Target saved: %(num)s%% online for every commune.", num=percent)
    if percent is None:
        return _("Target removed: %(place)s has the target set for every commune.", place=place.name)
    return _("Target saved: %(num)s%% online for %(place)s.", num=percent, place=place.name)
