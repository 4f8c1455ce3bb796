"""Dashboard pages. Thin: figures.py computes, charts.py draws, these check who may see what."""

import csv
import datetime as dt
import io

import sqlalchemy as sa
from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from .. import clock, db, dossiers
from ..extensions import is_partial
from ..prefixes import Blueprint
from ..tallies.classify import ARRIVAL_SOURCES
from ..tallies.views import REASONS
from ..text import fold
from . import charts, demo, figures, judge, signin, targets, users
from .labels import subject_label

bp = Blueprint("dashboard", __name__)
# The district view's columns: what judges a commune first, the counts behind them on demand.
COLUMNS = ("name", "reach_per_1000", "visitors", "completion", "click_through", "useful_share", "online_share")
ALL_COLUMNS = (
    *COLUMNS,
    "views",
    "wizard_starts",
    "outcomes",
    "portal",
    "received",
    "postal_share",
    *ARRIVAL_SOURCES,
)
# The commune page's comparison and the monthly report: each figure, this period and the last.
REPORTED = (
    "visitors",
    "reach_per_1000",
    "views",
    "wizard_starts",
    "outcomes",
    "completion",
    "portal",
    "click_through",
    "useful_share",
    "received",
    "online_share",
    "postal_share",
)


class LoginForm(FlaskForm):
    name = StringField("name", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("password", validators=[DataRequired(), Length(max=200)])


class LogoutForm(FlaskForm):
    pass


class TargetForm(FlaskForm):
    commune = StringField("xa", validators=[Length(max=80)])
    percent = StringField("muc-tieu", validators=[Length(max=10)])


@bp.context_processor
def dashboard_context():
    if not current_user.is_authenticated:
        return {}
    return {"logout_form": LogoutForm(formdata=None), "target_form_token": TargetForm(formdata=None)}


bp.record_once(lambda state: signin.init_app(state.app))


@bp.after_request
def never_stored(response):
    # Commune offices share computers: no dashboard page, CSV or sign-in form is kept by a browser
    # or a proxy for the next person to find (with Back, or in the cache).
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(RateLimitExceeded)
def too_many_attempts(_error):
    form = LoginForm(formdata=None)
    error = _("Too many attempts. Wait a few minutes, then try again.")
    return render_template("dashboard/login.html", form=form, error=error), 429, {"Retry-After": "60"}


@bp.errorhandler(sa.exc.OperationalError)
@bp.errorhandler(sa.exc.InterfaceError)
def database_unavailable(error):
    """The database is locked, read-only, missing or unreachable: a page that says to try again."""
    # The driver's message only (never the statement or its parameters: a name someone typed).
    reason = (str(getattr(error, "orig", None) or "").splitlines() or [""])[0]
    current_app.logger.warning("dashboard: the database is unavailable (%s: %s)", type(error).__name__, reason)
    # Who is signed in cannot be asked: the page is rendered for nobody (flask-login's own
    # template context would ask the database again). g._login_user is where flask-login keeps it.
    g._login_user = current_app.login_manager.anonymous_user()
    return render_template("dashboard/unavailable.html"), 503, {"Retry-After": "30"}


def portal_keys() -> frozenset[str]:
    """Outbound link keys that lead to a public-service portal: the click-throughs that matter."""
    links = current_app.extensions["guide.library"].links
    return frozenset(key for key, link in links.items() if "dichvucong" in link.url)


def requested_range():
    period, ok = figures.parse_range(
        clock.today(), request.args.get("ky"), request.args.get("tu"), request.args.get("den")
    )
    return period, ok


def column_labels() -> dict[str, str]:
    return {
        "name": _("Commune"),
        "visitors": _("Visitors"),
        "views": _("Page views"),
        "wizard_starts": _("Wizards started"),
        "outcomes": _("Wizards finished"),
        "completion": _("Finished of started"),
        "portal": _("To the portal"),
        "click_through": _("Visitors who went on to the portal"),
        "qr": _("From QR"),
        "poster": _("From posters"),
        "link": _("From shared links"),
        "plan": _("From printed plans"),
        "zalo": _("From Zalo"),
        "facebook": _("From Facebook"),
        "useful_share": _("Found it useful"),
        "reach_per_1000": _("Visitors per 1,000 residents"),
        "received": _("Dossiers received"),
        "online_share": _("Submitted online"),
        "postal_share": _("Submitted by post"),
    }


def csv_response(header: list[str], rows: list[list], filename: str):
    """UTF-8 with a byte-order mark (so Excel reads Vietnamese), formula-looking cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    response = current_app.response_class("\ufeff" + buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def neutralise(cell):
    text = "" if cell is None else str(cell)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def display(value, column: str) -> str:
    if value is None:
        return ""
    if column in judge.RATES or column == "postal_share":
        return f"{value:.0%}"
    if column == "reach_per_1000":
        return f"{value:.1f}"
    if isinstance(value, float):  # a median of counts: 709, or 2152.5 between two communes
        return f"{value:.0f}" if value == int(value) else f"{value:.1f}"
    return str(value)


def judged_rows(connection, period: figures.DateRange, earlier: figures.DateRange | None = None) -> list[judge.Judged]:
    """Every commune's figures for the period and the one before (of the same length, unless
    given), with the dossiers imported for the months they touch, judged against the province's median."""
    communes, keys = current_app.extensions["guide.registry"].communes, portal_keys()
    earlier = earlier or figures.previous(period)
    now = figures.with_dossiers(connection, figures.by_commune(connection, period, communes, keys), period)
    before = figures.with_dossiers(connection, figures.by_commune(connection, earlier, communes, keys), earlier)
    judged = judge.judge(now, before)
    set_targets = targets.all_targets(connection)
    for row in judged:
        row.target = targets.target_of(set_targets, row.now.slug)
    return judged


def sorted_rows(rows: list[judge.Judged], column: str, descending: bool) -> list[judge.Judged]:
    order = {row.slug: i for i, row in enumerate(figures.sort_rows([r.now for r in rows], column, descending))}
    return sorted(rows, key=lambda r: order[r.now.slug])


@bp.route("/thong-ke/dang-nhap", with_commune=False, methods=["GET", "POST"])
@signin.limited
def login():
    # A form body only: Flask-WTF would also read JSON, whose values need not be strings.
    form = LoginForm(formdata=request.form if request.method == "POST" else None)
    error = None
    if form.validate_on_submit():
        user = users.authenticate(form.name.data, form.password.data)
        if user is not None:
            session.clear()  # nothing from before signing in is carried into the signed-in session
            login_user(user)
            return redirect(url_for("dashboard.district"), 303)
        error = _("The name or the password is not right.")
    elif request.method == "POST":
        error = (
            _("The form expired. Please enter your name and password again.")
            if "csrf_token" in form.errors
            else _("The name or the password is not right.")
        )
    return render_template("dashboard/login.html", form=form, error=error), 200


@bp.route("/thong-ke/dang-xuat", with_commune=False, methods=["POST"])
def logout():
    if LogoutForm(formdata=request.form).validate_on_submit() and current_user.is_authenticated:
        user_id = current_user.id
        logout_user()
        users.end_sessions(user_id)  # every session of this user ends, a copied cookie too
    return redirect(url_for("dashboard.login"), 303)


@bp.route("/thong-ke/", with_commune=False)
@login_required
def district():
    if current_user.role != "district":
        return redirect(url_for("dashboard.commune", slug=current_user.commune), 303)
    period, range_ok = requested_range()
    every_column = request.args.get("cot") == "tat-ca"
    columns = ALL_COLUMNS if every_column else COLUMNS
    column = request.args.get("sap-xep", "visitors")
    column = column if column in ALL_COLUMNS else "visitors"
    descending = request.args.get("chieu", "giam") != "tang"
    with figures.reading() as connection:
        rows = judged_rows(connection, period)
        every_target = targets.target_of(targets.all_targets(connection), targets.EVERY_COMMUNE)
    name_filter = request.args.get("xa", "")[:80].strip()
    if name_filter:  # "buon", "Buôn", "ea" all find their communes: accents and case aside
        wanted = fold(name_filter)
        rows = [row for row in rows if wanted in fold(row.now.name) or wanted in row.now.slug]
    rows = sorted_rows(rows, column, descending)
    labels = column_labels()
    if request.args.get("format") == "csv":
        return csv_response(
            [_("From"), _("To"), *[labels[c] for c in ALL_COLUMNS], _("Needs attention")],
            [
                [period.start, period.end, *[display(row.now.value(c), c) for c in ALL_COLUMNS], "; ".join(row.reasons)]
                for row in rows
            ],
            f"thong-ke-{period.start}-{period.end}.csv",
        )
    context = dict(
        rows=rows,
        period=period,
        range_ok=range_ok,
        columns=columns,
        every_column=every_column,
        labels=labels,
        display=display,
        sort=column,
        descending=descending,
        demo=demo.is_marked(),
        query=filters(),
        name_filter=name_filter,
        min_useful=figures.MIN_USEFUL_ANSWERS,
        every_target=every_target,
        ranking_chart=charts.bar_chart(
            "chart-ranking",
            _("Every commune ranked by %(measure)s", measure=labels[column if column != "name" else "visitors"]),
            [(row.now.name, row.now.value(column if column != "name" else "visitors") or 0) for row in rows],
            lambda value: display(value, column if column != "name" else "visitors"),
        ),
    )
    if is_partial():
        return render_template("dashboard/_district_table.html", **context, partial=True)
    return render_template("dashboard/district.html", **context)


@bp.route("/thong-ke/xa/<slug>", with_commune=False)
@login_required
def commune(slug: str):
    place = visible_commune(slug)
    period, range_ok = requested_range()
    keys = portal_keys()
    year = figures.DateRange(_months_back(clock.today(), 11), clock.today())
    with figures.reading() as connection:
        days = figures.daily(connection, place.slug, period, keys)
        everyone = judged_rows(connection, period)
        top_guides = figures.top(connection, place.slug, "view", period)
        top_outcomes = figures.top(connection, place.slug, "wizard_outcome", period)
        not_useful = figures.by_source(connection, place.slug, "useful_reason", period)
        months = dossiers.monthly(connection, place.slug, year.start, year.end)
        own_target = targets.all_targets(connection).get(place.slug)
    mine = next(row for row in everyone if row.now.slug == place.slug)
    labels = column_labels()
    if request.args.get("format") == "csv":
        daily_columns = ("visitors", "views", "wizard_starts", "outcomes", "portal", *ARRIVAL_SOURCES)
        return csv_response(
            [_("Day"), *[labels[c] for c in daily_columns]],
            [[day, *[row.value(c) for c in daily_columns]] for day, row in days],
            f"thong-ke-{place.slug}-{period.start}-{period.end}.csv",
        )
    day_labels = [day.strftime("%d/%m") for day, _row in days]
    medians = {c: figures.median_of([row.now for row in everyone], c) for c in REPORTED}
    return render_template(
        "dashboard/commune.html",
        place=place,
        period=period,
        previous=figures.previous(period),
        range_ok=range_ok,
        days=days,
        mine=mine,
        reported=REPORTED,
        medians=medians,
        labels=labels,
        display=display,
        top_guides=[(subject_label(subject), count) for subject, count in top_guides],
        top_outcomes=[(subject_label(subject), count) for subject, count in top_outcomes],
        months=months,
        not_useful=[(label, not_useful.get(code, 0)) for code, label in not_useful_reasons()],
        own_target=None if own_target is None else own_target / 100,
        demo=demo.is_marked(),
        query=filters(),
        daily_chart=charts.line_chart(
            "chart-daily",
            _("Visitors and page views per day"),
            day_labels,
            [(labels["visitors"], [r.visitors for _day, r in days]), (labels["views"], [r.views for _day, r in days])],
        ),
        shares_chart=charts.line_chart(
            "chart-shares",
            _("Share of dossiers submitted online and by post, per month"),
            [month.month.strftime("%m/%Y") for month in months],
            [
                (labels["online_share"], [round((m.online_share or 0) * 100) for m in months]),
                (labels["postal_share"], [round((m.postal_share or 0) * 100) for m in months]),
            ],
        )
        if len(months) > 1
        else None,
        sources_chart=charts.bar_chart(
            "chart-sources",
            _("Arrivals by source"),
            [(labels[s], mine.now.arrivals.get(s, 0)) for s in ARRIVAL_SOURCES],
        ),
        funnel_chart=charts.bar_chart(
            "chart-funnel",
            _("From reading to the portal"),
            [
                (labels["views"], mine.now.views),
                (labels["wizard_starts"], mine.now.wizard_starts),
                (labels["outcomes"], mine.now.outcomes),
                (labels["portal"], mine.now.portal),
            ],
        ),
    )


@bp.route("/thong-ke/bao-cao", with_commune=False)
@login_required
def district_report():
    if current_user.role != "district":
        return redirect(url_for("dashboard.commune_report", slug=current_user.commune), 303)
    return monthly_report(None)


@bp.route("/thong-ke/xa/<slug>/bao-cao", with_commune=False)
@login_required
def commune_report(slug: str):
    return monthly_report(visible_commune(slug))


def monthly_report(place):
    """A month on one printed page: the figures beside last month's, the most read guides, and what
    to try; for the province, its totals and the communes that need attention."""
    today = clock.today()
    month, month_ok = figures.parse_month(today, request.args.get("thang"))
    before = figures.month_range(_months_back(month.start, 1), today)
    with figures.reading() as connection:
        rows = judged_rows(connection, month, before)
        top_guides = figures.top(connection, place.slug if place else None, "view", month, limit=3)
    if place is None:
        flagged = [row for row in rows if row.flags]
        shown = judge.Judged(figures.total([row.now for row in rows]), figures.total([row.before for row in rows]))
        advice = judge.advice_for(flagged)
    else:
        flagged = []
        shown = next(row for row in rows if row.now.slug == place.slug)
        advice = shown.advice
    return render_template(
        "dashboard/report.html",
        place=place,
        month=month,
        before=before,
        month_ok=month_ok,
        shown=shown,
        flagged=sorted(flagged, key=lambda row: (-len(row.flags), row.now.name)),
        advice=advice,
        top_guides=[(subject_label(subject), count) for subject, count in top_guides],
        reported=REPORTED,
        labels=column_labels(),
        display=display,
        demo=demo.is_marked(),
    )


@bp.route("/thong-ke/muc-tieu", with_commune=False, methods=["POST"])
@login_required
def set_target():
    """A district user sets the target online share of one commune, or of every commune (no
    commune given); an empty target removes it. Back to the page the form was on."""
    if current_user.role != "district":
        abort(403)
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
    return redirect(back, 303)


def not_useful_reasons() -> list[tuple[str, str]]:
    """The reasons a reader can give for "not useful" (guide/tallies/views.py), as the form words them."""
    labels = {
        "hard": _("It is hard to understand"),
        "missing": _("Information is missing"),
        "wrong": _("Information is wrong"),
        "other": _("Something else"),
    }
    return [(code, labels[code]) for code in REASONS]


def visible_commune(slug: str):
    """The commune asked for, if this user may see it: a commune user learns nothing about other
    communes, not even that they exist."""
    place, _former = current_app.extensions["guide.registry"].find(slug)
    if place is None or not current_user.can_see(place.slug):
        abort(404)
    return place


def _months_back(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` before `day`'s."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def filters() -> dict[str, str]:
    """The range (and a commune name being looked for), kept in every link of the page."""
    return {k: v for k, v in request.args.items() if k in ("ky", "tu", "den", "xa")}
