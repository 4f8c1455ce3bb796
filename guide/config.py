"""Configuration from GUIDE_* environment variables, with defaults that work out of the box."""

import os
from pathlib import Path

DEFAULT_SECRET = "dev-only-not-secret"
ROOT = Path(__file__).resolve().parent.parent


def from_environment(instance_path: str) -> dict:
    env = os.environ
    production = env.get("GUIDE_ENV", "development") == "production"
    return {
        "GUIDE_ENV": "production" if production else "development",
        "SECRET_KEY": env.get("GUIDE_SECRET_KEY", DEFAULT_SECRET),
        "DATABASE_URL": env.get("GUIDE_DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'guide.sqlite3'}",
        "CONTENT_DIR": Path(env.get("GUIDE_CONTENT_DIR") or ROOT / "content"),
        "PUBLIC_URL": env.get("GUIDE_PUBLIC_URL", ""),  # e.g. https://huongdan.example.gov.vn, for QR codes
        # How many reverse proxies (nginx…) stand in front: their X-Forwarded-For/Proto are trusted.
        "PROXIES": int(env.get("GUIDE_PROXIES", "0") or 0),
        "TALLIES_ENABLED": env.get("GUIDE_TALLIES", "on") != "off",
        # Counts wait in memory this long and are written together; more than 0 (the Recorder refuses 0).
        "TALLIES_FLUSH_SECONDS": float(env.get("GUIDE_TALLIES_FLUSH_SECONDS") or "1"),
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
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
    }


def refuse_unsafe(config: dict) -> None:
    if config["GUIDE_ENV"] == "production" and config["SECRET_KEY"] == DEFAULT_SECRET:
        raise RuntimeError("GUIDE_ENV=production needs GUIDE_SECRET_KEY set to a long random value")
