"""gunicorn's settings for `make run` and for deploy/guide.service: `gunicorn -c gunicorn.conf.py wsgi:app`.

What it bears alone, measured: 20 slow clients held for 30 s leave pages answering
(tests/test_deploy.py), but 70 stall the site (issue 33: each holds a thread for up to
HEADER_TIMEOUT, and there are 2 x 32). So gunicorn is not for facing the internet on its own: it
binds 127.0.0.1 (below), and the deployment (deploy/guide.service, README.md "Deploying for a
province") keeps it there, behind deploy/nginx.conf, which reads every request whole, however
slowly it comes, before gunicorn sees it. `make run` serves a laptop. Behind nginx, or not:

- Slow clients. Threaded workers (gthread): a connection that sends nothing waits in the worker's
  poller, not in a thread, and a thread that does wait on a client is one of 2 x 32, not one of two.
  gunicorn itself bounds neither the time to send a request's line and headers nor the time a
  request may hold its thread (a client sending one byte every few seconds keeps it forever), so
  the worker below adds both: HEADER_TIMEOUT for the line and headers, REQUEST_TIMEOUT for the
  rest (body, the app, a slow reader of the answer); past it the connection is shut, that client's
  request is lost, and its thread is free. 20 slow clients held for 30 s leave pages answering
  (tests/test_deploy.py; bench/README.md, "Slow clients").
- Tallies are kept in memory and written at exit: workers stop on SIGTERM and exit normally, which
  runs the exit handlers. `graceful_timeout` gives requests in flight time to finish, and a
  stopping worker shuts the connections of clients still dribbling headers after STOPPING_PATIENCE
  (no request is lost: none had arrived), so their threads cannot hold the exit until gunicorn kills the worker.
  No `max_requests`: a worker restarting every few thousand requests (seconds, under a shared link)
  reloads the content and the registry each time, and those pauses were the bench's p99 (1 s).
- Privacy: no access log (it would keep addresses, user agents and search words). gunicorn's error
  log writes the client's address for a malformed request, and the request line itself; both are
  removed from every record, of gunicorn's error log and of the app's own log (NoAddresses).
"""

import ipaddress
import logging
import os
import re
import socket
import threading
import time

from gunicorn.glogging import Logger
from gunicorn.workers.gthread import ThreadWorker

bind = "127.0.0.1:8000"  # never 0.0.0.0: nginx in front (see above); `--bind` wins (the tests use a free port)
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))  # one per core of the 2-core machine
threads = 32  # all 20 slow clients landing on one worker still leave it 12 threads
worker_connections = 500  # connections a worker holds at once (most wait in its poller)
keepalive = 5  # seconds an idle kept-alive connection is kept; above nginx's upstream 4 s
timeout = 30  # a worker whose main loop is silent this long is restarted (a hung worker, not a slow request)
graceful_timeout = 30  # after SIGTERM, in-flight requests get this long; then gunicorn kills the worker

# What a request may be: the app's longest URL is far below these; anything larger is refused (414/431).
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190

HEADER_TIMEOUT = 10.0  # seconds from a request's first byte to the end of its headers
REQUEST_TIMEOUT = 60.0  # seconds from the end of its headers to the end of the answer
STOPPING_PATIENCE = 2.0  # a stopping worker waits this long for headers already coming (a person's take ms)

accesslog = None  # never: see the module's docstring
errorlog = "-"  # stderr: the terminal for `make run`, the journal under systemd
loglevel = "info"
# gunicorn 25+ opens a control socket in $XDG_RUNTIME_DIR or ~/.gunicorn by default: nothing here
# uses it, two servers on one machine would share its path, and the service has no home to put it in.
control_socket_disable = True


class GuideWorker(ThreadWorker):
    """gthread, with HEADER_TIMEOUT and REQUEST_TIMEOUT enforced from the worker's main loop.

    Each thread notes the connection it serves and its deadline; the main loop (once a second at
    least) shuts the socket of any connection past its deadline, which wakes the thread blocked on
    it and sends it back to the pool.
    """

    def init_process(self):
        self._serving = {}  # thread id -> [connection, deadline]
        self._serving_lock = threading.Lock()
        super().init_process()

    def handle(self, conn):
        me = threading.get_ident()
        with self._serving_lock:
            now = time.monotonic()
            self._serving[me] = [conn, now + HEADER_TIMEOUT, False, now]
        try:
            return super().handle(conn)
        finally:
            with self._serving_lock:
                self._serving.pop(me, None)

    def handle_request(self, req, conn):
        # Line and headers are in: the request now has REQUEST_TIMEOUT.
        with self._serving_lock:
            entry = self._serving.get(threading.get_ident())
            if entry is not None:
                entry[1:3] = [time.monotonic() + REQUEST_TIMEOUT, True]
        return super().handle_request(req, conn)

    def murder_keepalived(self, *args, **kwargs):
        super().murder_keepalived(*args, **kwargs)
        now = time.monotonic()
        stopping = not self.alive
        with self._serving_lock:
            late = [
                conn
                for conn, deadline, has_request, started in self._serving.values()
                if deadline < now or (stopping and not has_request and now - started > STOPPING_PATIENCE)
            ]
        for conn in late:
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by its thread


worker_class = GuideWorker

# Client addresses: IPv4 (alone or IPv4-mapped), then IPv6; ipaddress has the last word, so times
# (12:34:56) and versions (27.0.1) stay. And what gunicorn quotes from a bad request (its line or a
# header), which may hold search words.
_IPV4 = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?!\d|\.\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,8}[0-9A-Fa-f]{0,4}(?:%\w+)?(?![\w:])")
_INVALID = re.compile(r"^Invalid request from ip=\S*: (?P<error>.*)$", re.DOTALL)
_QUOTED = re.compile(r"'.*'", re.DOTALL)


def _address_gone(match: re.Match) -> str:
    text = match[0]
    for candidate in (text, text[:-1] if text.endswith(":") else None):
        if candidate:
            try:
                ipaddress.ip_address(candidate.split("%")[0])
            except ValueError:
                continue
            return "[address]" + text[len(candidate) :]
    return text


def _without_addresses(text: str) -> str:
    return _IPV6.sub(_address_gone, _IPV4.sub(_address_gone, text))


class NoAddresses(logging.Filter):
    """Removes client addresses and client-sent text from log records (the message is rewritten),
    tracebacks included. The arbiter's "Listening at: http://127.0.0.1:8000" is the server's own."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("Listening at: "):
            return True
        invalid = _INVALID.match(message)
        if invalid:
            message = "Invalid request (client not logged): " + _QUOTED.sub("'…'", invalid["error"])
        cleaned = _without_addresses(message)
        if cleaned != message or invalid:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _without_addresses(logging.Formatter().formatException(record.exc_info))
        return True


class GuideLogger(Logger):
    """gunicorn's logger, with NoAddresses on its error log and on the app's (Flask's) handler."""

    def setup(self, cfg):
        super().setup(cfg)
        from flask.logging import default_handler

        for handler in [*self.error_log.handlers, default_handler]:
            if not any(isinstance(f, NoAddresses) for f in handler.filters):
                handler.addFilter(NoAddresses())


logger_class = GuideLogger
