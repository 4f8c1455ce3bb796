"""Configuration from GUIDE_* environment variables, with defaults that work out of the box and are
safe as they stand.

There is no built-in secret: without GUIDE_SECRET_KEY the installation makes its own, at random,
once, in the instance folder (readable by its owner only), and keeps it, so sessions survive a
restart and nobody else can sign a cookie. What is unsafe is refused at start-up with a message
that says what to change: an unknown GUIDE_ENV, a secret shorter than MIN_SECRET_BYTES or (in
production) with fewer than MIN_SECRET_VARIETY different characters, debug or a
password hash other than scrypt in production.
"""

import os
import secrets
import stat
import tempfile
from pathlib import Path

from .clock import TIMEZONE

ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "production")
MIN_SECRET_BYTES = 32
MIN_SECRET_VARIETY = 16  # distinct characters a production secret holds at least: not 32 spaces, nor "a" * 32
SECRET_FILE = "secret_key"  # in the instance folder


class ConfigError(RuntimeError):
    """A setting the app will not start with. The message says what to change."""


def from_environment(instance_path: str) -> dict:
    env = os.environ
    environment = env.get("GUIDE_ENV") or "development"
    if environment not in ENVIRONMENTS:
        raise ConfigError(f"GUIDE_ENV={environment!r} is not known: use one of {', '.join(ENVIRONMENTS)}, exactly")
    production = environment == "production"
    return {
        "GUIDE_ENV": environment,
        # None: the instance folder's own secret, made on first start (refuse_unsafe puts it in place).
        "SECRET_KEY": env.get("GUIDE_SECRET_KEY"),
        "SECRET_KEY_FILE": Path(instance_path) / SECRET_FILE,
        "DATABASE_URL": env.get("GUIDE_DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'guide.sqlite3'}",
        "CONTENT_DIR": Path(env.get("GUIDE_CONTENT_DIR") or ROOT / "content"),
        # Where `flask province set` keeps the province's map and settings (guide/province.py).
        "PROVINCE_DIR": Path(instance_path),
        "PUBLIC_URL": env.get("GUIDE_PUBLIC_URL", ""),  # e.g. https://huongdan.example.gov.vn, for QR codes
        # How many reverse proxies (nginx…) stand in front: their X-Forwarded-For/Proto are trusted.
        "PROXIES": int(env.get("GUIDE_PROXIES", "0") or 0),
        "TALLIES_ENABLED": env.get("GUIDE_TALLIES", "on") != "off",
        # Counts wait in memory this long and are written together; more than 0 (the Recorder refuses 0).
        "TALLIES_FLUSH_SECONDS": float(env.get("GUIDE_TALLIES_FLUSH_SECONDS") or "1"),
        # Where the counts of workers that could not write them wait (default: the instance folder).
        "TALLIES_STATE_DIR": env.get("GUIDE_TALLIES_STATE_DIR") or None,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": TIMEZONE.key,
        "BABEL_TRANSLATION_DIRECTORIES": "translations",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "SEND_FILE_MAX_AGE_DEFAULT": 3600,
        "MAX_CONTENT_LENGTH": 64 * 1024,
        # A CSRF token lives as long as the session: staff who leave a form open still submit it.
        "WTF_CSRF_TIME_LIMIT": None,
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "PASSWORD_HASH_METHOD": "scrypt",  # werkzeug's; tests not about hashing set a cheap one
    }


def refuse_unsafe(config: dict) -> None:
    """Refuse what is unsafe, and put the instance's own secret in place when none was given."""
    if config["GUIDE_ENV"] not in ENVIRONMENTS:
        raise ConfigError(f"GUIDE_ENV={config['GUIDE_ENV']!r} is not known: use one of {', '.join(ENVIRONMENTS)}")
    if config["GUIDE_ENV"] == "production" and config.get("DEBUG"):
        raise ConfigError("debug mode runs code sent by anyone who can reach its console: never in production")
    if config["GUIDE_ENV"] == "production" and not config["PASSWORD_HASH_METHOD"].startswith("scrypt"):
        raise ConfigError("passwords are hashed with scrypt in production")
    if config["SECRET_KEY"] is None:
        config["SECRET_KEY"] = instance_secret(Path(config["SECRET_KEY_FILE"]))
    secret = config["SECRET_KEY"]
    if len(secret.encode() if isinstance(secret, str) else secret) < MIN_SECRET_BYTES:
        raise ConfigError(
            f"GUIDE_SECRET_KEY is shorter than {MIN_SECRET_BYTES} bytes: use a long random value, e.g. "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(48))'`, or leave it unset and the "
            "app keeps its own in the instance folder"
        )
    if config["GUIDE_ENV"] == "production" and len(set(secret)) < MIN_SECRET_VARIETY:
        raise ConfigError(
            f"GUIDE_SECRET_KEY has fewer than {MIN_SECRET_VARIETY} different characters: it is guessable. Use a "
            "random value, e.g. `python3 -c 'import secrets; print(secrets.token_urlsafe(48))'`, or leave it unset"
        )


def instance_secret(path: Path) -> str:
    """This installation's secret, made at random the first time and read from `path` ever after.

    Workers starting together agree on one: each writes a candidate to a private temporary file
    (mode 0600) and hard-links it into place, which only the first can do; the others read that
    file, which was complete before it had its name."""
    if not path.exists():
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor, candidate = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
        except OSError as error:
            raise ConfigError(
                f"cannot keep a secret in {path.parent} ({error}): make it writable or set GUIDE_SECRET_KEY"
            ) from error
        try:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_urlsafe(48) + "\n")
                file.flush()
                os.fsync(file.fileno())
            try:
                os.link(candidate, path)
            except FileExistsError:
                pass  # another worker was first: its secret stands
        finally:
            os.unlink(candidate)
    return read_secret(path)


def read_secret(path: Path) -> str:
    try:
        mode = path.stat().st_mode
        secret = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ConfigError(
            f"cannot read the secret in {path} ({error}): run as its owner or set GUIDE_SECRET_KEY"
        ) from error
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"{path} can be read or changed by others: `chmod 600 {path}`, or delete it for a new one")
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise ConfigError(f"{path} holds no usable secret: delete it and a new one is made at the next start")
    return secret
