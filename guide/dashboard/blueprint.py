"""The dashboard's one blueprint and what holds for all its pages: never stored by a browser or a
proxy, the forms every signed-in page carries, and the polite pages for too many sign-in attempts
and for a database that cannot be reached. The routes attach to it from account.py, overview.py
and reports.py (views.py gathers them)."""

import sqlalchemy as sa
from flask import current_app, g, render_template, request
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_login import current_user

from ..prefixes import Blueprint
from . import signin
from .access import home_url
from .forms import LoginForm, LogoutForm, TargetForm

bp = Blueprint("dashboard", __name__)
bp.record_once(lambda state: signin.init_app(state.app))


@bp.context_processor
def dashboard_context():
    if not current_user.is_authenticated:
        return {}
    return {
        "logout_form": LogoutForm(formdata=None),
        "target_form_token": TargetForm(formdata=None),
        "dashboard_home": home_url(current_user),  # the way back from a page this user may not see
    }


@bp.before_request
def only_over_https():
    """In production the session cookie is sent back over https only (SESSION_COOKIE_SECURE): over
    plain HTTP a sign-in could never hold, so every staff page says why, instead of "form expired".
    The scheme is the one nginx passes on when GUIDE_PROXIES trusts it (ProxyFix), never guessed."""
    if current_app.config["SESSION_COOKIE_SECURE"] and not request.is_secure:
        g._login_user = current_app.login_manager.anonymous_user()
        return render_template("dashboard/insecure.html"), 403


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
