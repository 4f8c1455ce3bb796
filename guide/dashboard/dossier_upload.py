"""The province's dossier figures, uploaded on the dashboard: a file (CSV or .xlsx, at most 2 MB)
read by the same reader as `flask dossiers import`, then a preview of what changes per commune and
month, then a confirmation that writes all of it or nothing. The checked months travel from the
preview to the confirmation in the page, signed (guide/dossiers/sealed.py): nothing is kept on
the server between the two, and nothing the browser sends back is believed unsigned."""

from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import HiddenField

from .. import clock, db, dossiers
from ..content.problems import Problem
from ..dossiers import sealed
from .access import requires_role
from .blueprint import bp

UPLOAD_BODY = dossiers.MAX_BYTES + 64 * 1024  # the file and the form around it
CONFIRM_BODY = 2 * 1024 * 1024  # the sealed months of the largest file, compressed
PREVIEW_ROWS = 500  # new and changed months listed; beyond, counted


class UploadForm(FlaskForm):
    file = FileField("tep")


class ConfirmForm(FlaskForm):
    months = HiddenField("so-lieu")


@bp.route("/thong-ke/so-lieu-ho-so", with_commune=False, methods=["GET", "POST"])
@requires_role("district")
def dossier_upload():
    """The upload form (GET); a file checked and previewed, or its problems listed (POST)."""
    if request.method == "GET":
        return _form_page()
    request.max_content_length = UPLOAD_BODY  # refused from its Content-Length, never read past it
    request.max_form_memory_size = 64 * 1024
    try:
        form = UploadForm(formdata=CombinedMultiDict((request.files, request.form)))
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        return _form_page([dossiers.too_large()], 413)
    if not valid:
        return _form_page([_("The form expired. Choose the file again.")], 400)
    upload = form.file.data
    if upload is None or not upload.filename:
        return _form_page([_("Choose a file first.")], 400)
    registry = current_app.extensions["guide.registry"]
    try:
        months = dossiers.read(Path(upload.filename), upload.stream, registry, clock.today())
    except dossiers.ImportRefused as refused:
        return _form_page([_problem(problem) for problem in refused.problems], 200, upload.filename)
    with db.engine().connect() as connection:
        changes = dossiers.changes(connection, months)
        demo = dossiers.demo_months(connection)
    token = sealed.seal(months, current_app.secret_key, current_user.get_id())
    return render_template(
        "dashboard/dossier_preview.html",
        form=ConfirmForm(formdata=None, months=token),
        filename=upload.filename,
        changes=[change for change in changes if change.kind != "unchanged"][:PREVIEW_ROWS],
        counts={kind: sum(change.kind == kind for change in changes) for kind in ("new", "changed", "unchanged")},
        names={commune.slug: commune for commune in registry.communes},
        demo=demo,
    )


@bp.route("/thong-ke/so-lieu-ho-so/luu", with_commune=False, methods=["POST"])
@requires_role("district")
def dossier_confirm():
    """The previewed months written, all in one transaction; back to the form, which says so."""
    request.max_content_length = CONFIRM_BODY
    request.max_form_memory_size = CONFIRM_BODY
    try:
        form = ConfirmForm(formdata=request.form)
        valid = form.validate_on_submit()
        months = sealed.unseal(form.months.data or "", current_app.secret_key, current_user.get_id())
    except (RequestEntityTooLarge, sealed.Expired):
        valid = False
    if not valid:
        return _form_page(
            [_("This preview has expired (after 30 minutes, or a sign-out). Upload the file again.")], 400
        )
    done = dossiers.write(db.engine(), months)
    flash(
        _(
            "Saved: %(months)s months of %(communes)s communes, %(first)s to %(last)s.",
            months=done.months,
            communes=done.communes,
            first=f"{done.first:%m/%Y}",
            last=f"{done.last:%m/%Y}",
        ),
        "saved",
    )
    return redirect(url_for("dashboard.dossier_upload", thang=f"{done.last:%Y-%m}"), 303)


def _form_page(problems: list[str] = (), status: int = 200, filename: str | None = None):
    saved_month = request.args.get("thang", "") if request.method == "GET" else ""
    return (
        render_template(
            "dashboard/dossier_upload.html",
            form=UploadForm(formdata=None),
            problems=problems,
            filename=filename,
            saved_month=saved_month if len(saved_month) == 7 else "",
        ),
        status,
    )


def _problem(problem: Problem) -> str:
    """A problem as the page says it: its line first, without the file's name (the page shows it once)."""
    return (
        _("Line %(line)s: %(message)s", line=problem.line, message=problem.message) if problem.line else problem.message
    )
