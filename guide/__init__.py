"""The citizen guide to submitting administrative dossiers online or by public post."""

from flask import Flask
from flask_babel import Babel
from flask_htmx import HTMX

from . import assets, config, db, prefixes, security
from .communes import load_registry
from .content import load_library
from .response_cache import ResponseCache

htmx = HTMX()
babel = Babel()


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder=None, instance_relative_config=True)
    app.config.update(config.from_environment(app.instance_path))
    if test_config:
        app.config.update(test_config)
    config.refuse_unsafe(app.config)
    content_dir = app.config["CONTENT_DIR"]
    app.extensions["guide.library"] = load_library(content_dir)
    app.extensions["guide.registry"] = load_registry(content_dir / "communes.yaml")

    htmx.init_app(app)
    babel.init_app(app, locale_selector=prefixes.current_language)
    prefixes.init_app(app)
    db.init_app(app)
    security.init_app(app)
    assets.init_app(app)

    from . import dashboard, health, outbound, pages, search, share, tallies, wizards

    app.register_blueprint(pages.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(outbound.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(share.bp)
    pages.init_app(app)
    search.init_app(app)
    wizards.init_app(app)
    tallies.init_app(app)
    dashboard.init_app(app)

    if app.config.get("RESPONSE_CACHE", not (app.testing or app.debug)):
        app.wsgi_app = ResponseCache(
            app.wsgi_app,
            counted_as=lambda environ: environ.get(tallies.COUNTED_AS),
            on_hit=lambda environ, counted_as: tallies.count_again(app, environ, counted_as),
        )
    if app.config["PROXIES"]:
        # Behind nginx the client's address and scheme come in headers (HSTS, secure cookies and
        # the daily visitor hash need the real ones). Outermost, so everything inside sees them.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXIES"], x_proto=app.config["PROXIES"])
    return app
