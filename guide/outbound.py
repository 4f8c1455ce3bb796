"""/ra/<key>: the only way out to an external page, and only to one on the allow-list (content/links.yaml).

Counted (kind `outbound`, subject = the key) and then redirected; an unknown key is a 404, so the
URL can never be made to send anyone elsewhere.
"""

from flask import abort, current_app, redirect

from . import tallies
from .prefixes import Blueprint

bp = Blueprint("outbound", __name__)


@bp.route("/ra/<key>")
def follow(key: str):
    link = current_app.extensions["guide.library"].links.get(key)
    if link is None or not link.url.startswith("https://"):  # the loader checks too; this is the last door
        abort(404)
    tallies.count("outbound", key)
    return redirect(link.url, 302)
