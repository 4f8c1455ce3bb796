"""Commune details on the dashboard: a commune's form and history (its staff, or a province user),
"still correct", and the province's table of what is missing with its CSV export and import.
Thin: communes/details.py stores, details_form.py checks, details_table.py tabulates and reads CSV."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from .. import clock, db
from ..communes import details
from ..response_cache import forget_kept
from . import details_table
from .access import requires_role, visible_commune
from .blueprint import bp
from .details_form import MAX_PHONES, MAX_POST_OFFICES, ConfirmForm, DetailsForm, form_values, parse, weekdays_apart


def _now():
    return clock.now().replace(tzinfo=None)


@bp.route("/thong-ke/xa/<slug>/thong-tin", with_commune=False, methods=["GET", "POST"])
@login_required
def commune_details(slug: str):
    place = visible_commune(slug)
    province_user = current_user.role == "district"
    with db.engine().connect() as connection:
        before = details.read(connection, place.slug)
        changes = details.history(connection, place.slug)
    form, errors, values = DetailsForm(), {}, form_values(before)
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(_("The form had expired. Please enter the details again."), "error")
            return redirect(url_for("dashboard.commune_details", slug=place.slug), 303)
        parsed = parse(request.form, before, province_user, clock.today())
        if parsed.details is not None:
            changed = details.save(db.engine(), place.slug, parsed.details, current_user.name, _now())
            forget_kept()  # this worker's kept pages; the others' expire within minutes
            flash(_saved_message(changed), "success")
            return redirect(url_for("dashboard.commune_details", slug=place.slug), 303)
        errors, values = parsed.errors, request.form.to_dict() | {"centre-phone": request.form.getlist("centre-phone")}
    phones = values.get("centre-phone") or list(before.centre.phones)
    phones = (phones if isinstance(phones, list) else [phones]) + [""] * MAX_PHONES
    return render_template(
        "dashboard/commune_details.html",
        place=place,
        form=form,
        confirm_form=ConfirmForm(),
        values=values,
        phones=phones[:MAX_PHONES],
        errors=errors,
        details=before,
        changes=changes,
        post_offices=range(1, MAX_POST_OFFICES + 1),
        province_user=province_user,
        field_label=details_table.field_label,
        weekdays_apart=weekdays_apart(values, errors),
    ), (400 if errors else 200)


def _saved_message(changed: int) -> str:
    if not changed:
        return _("Nothing changed: the details are marked as still correct today.")
    return ngettext(
        "Saved: %(num)s change. Residents see it on the commune's pages within five minutes.",
        "Saved: %(num)s changes. Residents see them on the commune's pages within five minutes.",
        changed,
    )


@bp.route("/thong-ke/xa/<slug>/van-dung", with_commune=False, methods=["POST"])
@login_required
def confirm_details(slug: str):
    place = visible_commune(slug)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form had expired. Please try again."), "error")
    else:
        details.confirm(db.engine(), place.slug, current_user.name, _now())
        forget_kept()
        flash(_("Marked as still correct today."), "success")
    return redirect(url_for("dashboard.commune_details", slug=place.slug), 303)


@bp.route("/thong-ke/thong-tin-xa", with_commune=False, methods=["GET", "POST"])
@requires_role("district")
def communes_details():
    registry = current_app.extensions["guide.registry"]
    problems = []
    if request.method == "POST":
        problems = _import(registry)
        if not problems:
            return redirect(url_for("dashboard.communes_details"), 303)
    with db.engine().connect() as connection:
        table = details_table.table(registry.communes, details.read_all(connection))
    if request.args.get("format") == "csv":
        return details_table.csv_response(table)
    column = request.args.get("sap-xep", "")
    return render_template(
        "dashboard/communes_details.html",
        table=details_table.sorted_rows(table, column),
        counts=details_table.counts(table),
        total=len(table),
        sort=column,
        columns=details_table.COLUMNS,
        form=DetailsForm(),
        problems=problems,
    ), (400 if problems else 200)


def _import(registry) -> list[str]:
    if not DetailsForm().validate_on_submit():
        return [_("The form had expired. Please choose the file again.")]
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return [_("Choose a CSV file first.")]
    data = upload.stream.read(details_table.MAX_BYTES + 1)
    read = details_table.read_csv(data, registry, clock.today())
    if read.problems:
        return read.problems
    changed = details.save_all(db.engine(), read.updates, current_user.name, _now())
    forget_kept()
    flash(ngettext("Imported: %(num)s change.", "Imported: %(num)s changes.", changed), "success")
    return []
