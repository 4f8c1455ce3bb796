"""Checked months carried from the upload's preview to its confirmation in the page itself: signed
with the app's secret (so the browser cannot change a figure), for one user and a short time, and
compact (zlib, by itsdangerous, when it is shorter). Nothing is kept on the server between the two."""

import datetime as dt

from itsdangerous import BadData, URLSafeTimedSerializer

from .store import DossierMonth

MAX_AGE = 30 * 60  # seconds from the preview to the confirmation
_SALT = "guide.dossiers.upload"


class Expired(Exception):
    """Not a token this app signed for this user in the last MAX_AGE seconds."""


def seal(months: list[DossierMonth], secret: str, user: str) -> str:
    lines = ";".join(f"{m.commune} {m.month:%Y-%m} {m.received} {m.online} {m.postal}" for m in months)
    return URLSafeTimedSerializer(secret, salt=_SALT).dumps({"user": user, "months": lines})


def unseal(token: str, secret: str, user: str) -> list[DossierMonth]:
    """The months sealed, or Expired."""
    try:
        sealed = URLSafeTimedSerializer(secret, salt=_SALT).loads(token, max_age=MAX_AGE)
    except BadData:
        raise Expired from None
    if not isinstance(sealed, dict) or sealed.get("user") != user:
        raise Expired
    months = []
    for line in filter(None, sealed["months"].split(";")):
        commune, month, received, online, postal = line.split(" ")
        first = dt.date.fromisoformat(f"{month}-01")
        months.append(DossierMonth(commune, first, int(received), int(online), int(postal)))
    return months
