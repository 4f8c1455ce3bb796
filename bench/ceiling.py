"""The ceiling: a minimal WSGI app that returns the same bytes as a guide page, with no work at all.
gunicorn serves it like the real app, so the ratio real/ceiling shows what the app itself costs."""

import os
from pathlib import Path

BODY = Path(os.environ["BENCH_BODY_FILE"]).read_bytes()
HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(BODY)))]


def app(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
