"""Security headers on every response, and a gate in front of everything for what a request must not
decide.

htmx is configured (meta htmx-config in base.html) to need no inline script or eval, so the policy
allows scripts and styles from this site only. The gate (`RequestGate`) answers 400 to a Host the
site does not serve, before any page or cache, and ignores a client-sent SCRIPT_NAME (gunicorn takes
one from a request header): rendered links, redirects and share links are then never built from
what a visitor typed.
"""

from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from flask import Flask, request

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
_NOT_IN_A_HOST = frozenset("/\\@?# \t")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Not no-referrer: Flask-WTF's CSRF check over HTTPS needs a same-origin Referer.
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


def init_app(app: Flask) -> None:
    @app.after_request
    def add_security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def trusted_hosts(public_url: str, production: bool) -> frozenset[str]:
    """The host names the site answers for: the public address's, and this machine's outside production."""
    hosts = {urlsplit(public_url).hostname} if public_url else set()
    return frozenset(host for host in hosts if host) | (frozenset() if production else frozenset(LOCAL_HOSTS))


def host_name(host_header: str) -> str | None:
    """The name in a Host header (`example.org:8000` -> `example.org`, `[::1]:8000` -> `::1`), or None."""
    if not host_header or _NOT_IN_A_HOST & set(host_header):
        return None
    try:
        return urlsplit(f"//{host_header}").hostname
    except ValueError:  # `[::1` and the like
        return None


class RequestGate:
    """WSGI middleware, outermost but for the proxy fix (so a proxy's Host is the one judged)."""

    def __init__(self, app: Callable, hosts: frozenset[str]):
        self.app, self.hosts = app, hosts

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if host_name(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")) not in self.hosts:
            body = "Yêu cầu không hợp lệ. / Bad request.\n".encode()
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8"),
                                               ("Content-Length", str(len(body)))])  # fmt: skip
            return [body]
        # The site lives at the root: a SCRIPT_NAME the client sent goes back into the path it came from.
        environ["PATH_INFO"] = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        environ["SCRIPT_NAME"] = ""
        return self.app(environ, start_response)
