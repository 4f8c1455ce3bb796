"""The province's clock: days begin and end in Asia/Ho_Chi_Minh, for the tallies, the dashboard and dates."""

import datetime as dt
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> dt.datetime:
    return dt.datetime.now(TIMEZONE)


def today() -> dt.date:
    return now().date()
