"""The citizen guide to submitting administrative dossiers online or by public post."""

import functools

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (
    assets,
    config,
    dashboard,
    db,
    dossiers,
    health,
    outbound,
    pages,
    prefixes,
    province,
    search,
    security,
    share,
    tallies,
    wizards,
)
from .content import load_library
from .dashboard import views as dashboard_views
from .extensions import htmx
from .i18n import babel, formats_language
from .response_cache import ResponseCache
from .tallies import views as tallies_views
from .wizards import views as wizards_views


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder=None, instance_relative_config=True)
    app.config.update(config.from_environment(app.instance_path))
    if test_config:
        app.config.update(test_config)
    config.refuse_unsafe(app.config)
    content_dir = app.config["CONTENT_DIR"]
    registry, settings = province.load(app.config["PROVINCE_DIR"], content_dir)
    library = load_library(content_dir, settings.words, settings.links())
    app.extensions["guide.library"] = library
    app.extensions["guide.languages"] = library.languages
    app.extensions["guide.registry"] = registry
    app.extensions["guide.province"] = settings
    app.cli.add_command(province.province_cli)

    htmx.init_app(app)
    babel.init_app(app, locale_selector=formats_language)
    prefixes.init_app(app)
    db.init_app(app)
    security.init_app(app)
    assets.init_app(app)

    register_blueprints(app)
    pages.init_app(app)
    search.init_app(app)
    wizards.init_app(app)
    tallies.init_app(app)
    dashboard.init_app(app)
    dossiers.init_app(app)

    if not app.debug:  # in debug, templates reload on every request: keep nothing
        on_hit = functools.partial(tallies.count_again, app)
        app.wsgi_app = ResponseCache(app.wsgi_app, counted_as=tallies.counted_as, on_hit=on_hit)
        app.extensions["guide.response_cache"] = app.wsgi_app
    production = app.config["GUIDE_ENV"] == "production"
    app.wsgi_app = security.RequestGate(app.wsgi_app, security.trusted_hosts(app.config["PUBLIC_URL"], production))
    if app.config["PROXIES"]:
        # Behind nginx the client's address and scheme come in headers (HSTS, secure cookies and
        # the daily visitor hash need the real ones). Outermost, so everything inside sees them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXIES"], x_proto=app.config["PROXIES"])
    return app


def register_blueprints(app: Flask) -> None:
    """Every page of the site. Also the URL map `flask content check` checks links against."""
    for blueprint in (
        pages.bp,
        search.bp,
        wizards_views.bp,
        outbound.bp,
        share.bp,
        tallies_views.bp,
        dashboard_views.bp,
        health.bp,
    ):
        app.register_blueprint(blueprint)
