"""Dashboard pages. Thin: figures.py computes, charts.py draws, these check who may see what."""

import csv
import io

import sqlalchemy as sa
from flask import abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from .. import clock, htmx
from ..prefixes import Blueprint
from ..tallies.classify import ARRIVAL_SOURCES
from ..text import fold
from . import charts, demo, figures, signin, users

bp = Blueprint("dashboard", __name__)
COLUMNS = (
    "name",
    "visitors",
    "views",
    "wizard_starts",
    "outcomes",
    "portal",
    *ARRIVAL_SOURCES,
    "useful_share",
    "reach_per_1000",
)


class LoginForm(FlaskForm):
    name = StringField("name", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("password", validators=[DataRequired(), Length(max=200)])


class LogoutForm(FlaskForm):
    pass


@bp.context_processor
def dashboard_context():
    return {"logout_form": LogoutForm(formdata=None)} if current_user.is_authenticated else {}


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
        "portal": _("To the portal"),
        "qr": _("From QR"),
        "poster": _("From posters"),
        "link": _("From shared links"),
        "zalo": _("From Zalo"),
        "facebook": _("From Facebook"),
        "useful_share": _("Found it useful"),
        "reach_per_1000": _("Visitors per 1,000 residents"),
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
    if column == "useful_share":
        return f"{value:.0%}"
    if column == "reach_per_1000":
        return f"{value:.1f}"
    return str(value)


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
    registry = current_app.extensions["guide.registry"]
    column = request.args.get("sap-xep", "visitors")
    column = column if column in COLUMNS else "visitors"
    descending = request.args.get("chieu", "giam") != "tang"
    with figures.reading() as connection:
        rows = figures.by_commune(connection, period, registry.communes, portal_keys())
    name_filter = request.args.get("xa", "")[:80].strip()
    if name_filter:  # "buon", "Buôn", "ea" all find their communes: accents and case aside
        wanted = fold(name_filter)
        rows = [row for row in rows if wanted in fold(row.name) or wanted in row.slug]
    rows = figures.sort_rows(rows, column, descending)
    labels = column_labels()
    if request.args.get("format") == "csv":
        return csv_response(
            ["from", "to", *[labels[c] for c in COLUMNS]],
            [[period.start, period.end, *[display(row.value(c), c) for c in COLUMNS]] for row in rows],
            f"thong-ke-{period.start}-{period.end}.csv",
        )
    context = dict(
        rows=rows,
        period=period,
        range_ok=range_ok,
        columns=COLUMNS,
        labels=labels,
        display=display,
        sort=column,
        descending=descending,
        demo=demo.is_marked(),
        query=filters(),
        name_filter=name_filter,
    )
    if htmx and not htmx.history_restore_request:
        return render_template("dashboard/_district_table.html", **context, partial=True)
    return render_template("dashboard/district.html", **context)


@bp.route("/thong-ke/xa/<slug>", with_commune=False)
@login_required
def commune(slug: str):
    registry = current_app.extensions["guide.registry"]
    place, _former = registry.find(slug)
    if place is None or not current_user.can_see(place.slug):
        abort(404)  # a commune user learns nothing about other communes, not even that they exist
    period, range_ok = requested_range()
    keys = portal_keys()
    with figures.reading() as connection:
        days = figures.daily(connection, place.slug, period, keys)
        everyone = figures.by_commune(connection, period, registry.communes, keys)
        top_guides = figures.top(connection, place.slug, "view", period)
        top_outcomes = figures.top(connection, place.slug, "wizard_outcome", period)
    mine = next(row for row in everyone if row.slug == place.slug)
    labels = column_labels()
    if request.args.get("format") == "csv":
        daily_columns = ("visitors", "views", "wizard_starts", "outcomes", "portal", *ARRIVAL_SOURCES)
        return csv_response(
            ["day", *[labels[c] for c in daily_columns]],
            [[day, *[row.value(c) for c in daily_columns]] for day, row in days],
            f"thong-ke-{place.slug}-{period.start}-{period.end}.csv",
        )
    day_labels = [day.strftime("%d/%m") for day, _row in days]
    compare = [
        (c, mine.value(c), figures.median_of(everyone, c))
        for c in ("visitors", "views", "wizard_starts", "outcomes", "portal")
    ]
    return render_template(
        "dashboard/commune.html",
        place=place,
        period=period,
        range_ok=range_ok,
        days=days,
        mine=mine,
        labels=labels,
        display=display,
        top_guides=top_guides,
        top_outcomes=top_outcomes,
        compare=compare,
        demo=demo.is_marked(),
        query=filters(),
        daily_chart=charts.line_chart(
            "chart-daily",
            _("Visitors and page views per day"),
            day_labels,
            [(labels["visitors"], [r.visitors for _day, r in days]), (labels["views"], [r.views for _day, r in days])],
        ),
        sources_chart=charts.bar_chart(
            "chart-sources", _("Arrivals by source"), [(labels[s], mine.arrivals.get(s, 0)) for s in ARRIVAL_SOURCES]
        ),
        funnel_chart=charts.bar_chart(
            "chart-funnel",
            _("From reading to the portal"),
            [
                (labels["views"], mine.views),
                (labels["wizard_starts"], mine.wizard_starts),
                (labels["outcomes"], mine.outcomes),
                (labels["portal"], mine.portal),
            ],
        ),
    )


def filters() -> dict[str, str]:
    """The range (and a commune name being looked for), kept in every link of the page."""
    return {k: v for k, v in request.args.items() if k in ("ky", "tu", "den", "xa")}
