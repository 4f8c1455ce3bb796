"""Who may open which dashboard page. Not signed in: the sign-in page (flask-login's
login_required). Signed in but not allowed, whether the wrong role or another commune: one answer,
a 403, whose page (pages.render_error) says so in the visitor's language."""

import functools
from collections.abc import Callable

from flask import abort, current_app, url_for
from flask_login import current_user, login_required


def requires_role(role: str) -> Callable[[Callable], Callable]:
    """A view for signed-in users of this role only."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def allowed(**values):
            if current_user.role != role:
                abort(403)
            return view(**values)

        return login_required(allowed)

    return decorate


def visible_commune(slug: str):
    """The commune asked for (by today's slug or a former one), if this user may see it: 404 for
    no such commune, 403 for another commune's page (that it exists is no secret: the public site
    lists every commune)."""
    place, _former = current_app.extensions["guide.registry"].find(slug)
    if place is None:
        abort(404)
    if not current_user.can_see(place.slug):
        abort(403)
    return place


def home_url(user) -> str:
    """Where a user's dashboard begins: every commune for the district, their own for a commune user."""
    if user.role == "district":
        return url_for("dashboard.district")
    return url_for("dashboard.commune", slug=user.commune)
