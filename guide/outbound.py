"""/ra/<key>: the only way out to an external page, and only to one on the allow-list (content/links.yaml)."""

from flask import Blueprint, abort, current_app, redirect

from .prefixes import localized_route

bp = Blueprint("outbound", __name__)


@localized_route(bp, "/ra/<key>")
def follow(key: str):
    link = current_app.extensions["guide.library"].links.get(key)
    if link is None:
        abort(404)
    return redirect(link.url, 302)
