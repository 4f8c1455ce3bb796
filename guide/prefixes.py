"""The two URL prefixes every page can carry: a language (`/en`, or any other non-default language of
content/languages.yaml) and a commune (`/xa/<commune>`).

The default language has no prefix; the two combine as `/en/xa/<commune>/…`. Views are routed on
this module's `Blueprint`, which registers each rule in every form (each language, with and without
a commune) unless the route says `localized=False` or `with_commune=False`; a route snapshot test
(tests/test_routes.py) catches a URL that goes missing. The URL processors here move the prefix
values into `g`, so no view repeats them, and put them back into every `url_for`, so a link
rendered inside a commune context or in a language stays there.
"""

import flask
from flask import Flask, abort, current_app, g, has_request_context, redirect, request, url_for

from .content import Languages

LOCALIZED_ENDPOINTS = "guide.localized_endpoints"


class Blueprint(flask.Blueprint):
    """A blueprint whose routes are localised unless they say otherwise."""

    def add_url_rule(self, rule, endpoint=None, view_func=None, *, localized=True, with_commune=True, **options):
        if not localized:
            return super().add_url_rule(rule, endpoint, view_func, **options)
        endpoint = endpoint or view_func.__name__

        def register(state: flask.blueprints.BlueprintSetupState) -> None:
            languages: Languages = state.app.extensions["guide.languages"]
            forms = [(languages.prefix(code), code) for code in languages.codes]
            if with_commune:
                forms += [(f"{prefix}/xa/<commune>", code) for prefix, code in forms]
            for prefix, code in forms:
                state.add_url_rule(prefix + rule, endpoint, view_func, defaults={"lang_code": code}, **options)
            full_name = f"{state.name_prefix}.{state.name}.{endpoint}".lstrip(".")
            state.app.extensions.setdefault(LOCALIZED_ENDPOINTS, set()).add(full_name)

        self.record(register)


FORMER_PARAMETER = "tu"  # /xa/krong-ana/?tu=buon-trap: the former slug a visitor was redirected from


class FormerNameChoice(Exception):
    """A former slug that could mean several communes today: answered with a choice page (pages)."""

    def __init__(self, slug: str, landings: tuple, endpoint: str, values: dict):
        super().__init__(slug)
        self.slug, self.landings, self.endpoint, self.values = slug, landings, endpoint, values


def languages() -> Languages:
    return current_app.extensions["guide.languages"]


def current_language() -> str:
    """The language of this request: its URL's prefix (also for a page no route matched)."""
    code = g.get("lang_code")
    if code:
        return code
    return languages().of_path(request.path) if has_request_context() else languages().default


def url_prefix() -> str:
    """The prefix internal links in rendered content get on this request: '', '/en', '/xa/x', '/en/xa/x'."""
    prefix = languages().prefix(current_language())
    commune = g.get("commune")
    return f"{prefix}/xa/{commune.slug}" if commune else prefix


def url_in_language(language: str) -> str:
    """This page in another language: the language switcher's link."""
    if request.endpoint in current_app.extensions[LOCALIZED_ENDPOINTS] and request.view_args is not None:
        values = {key: value for key, value in request.args.lists() if is_own_parameter(key)}
        values.update(request.view_args, lang_code=language)
        return url_for(request.endpoint, **values)
    return url_for("pages.home", lang_code=language)


# What chat apps append to a shared link (Zalo: zarsrc, utm_*; Facebook: fbclid). Read by the
# tallies, never carried into the links we render.
TRACKING_PARAMETERS = frozenset({"zarsrc", "fbclid", "gclid"})


def is_own_parameter(key: str) -> bool:
    """A query parameter a page renders into its links (not a prefix value, not a tag of where a
    visitor came from: those are read by the tallies only)."""
    return not (key in TRACKING_PARAMETERS or key.startswith(("utm_", "_")) or key in {"lang_code", "commune", "src"})


def init_app(app: Flask) -> None:
    app.extensions.setdefault(LOCALIZED_ENDPOINTS, set())

    @app.url_value_preprocessor
    def pull_prefix_values(endpoint, values):
        if not values or "lang_code" not in values:
            return
        g.lang_code = values.pop("lang_code")
        slug = values.pop("commune", None)
        if slug is None:
            return
        found = current_app.extensions["guide.registry"].resolve(slug)
        if found.choices:  # a unit split between communes, or a name several units had
            raise FormerNameChoice(slug, found.choices, endpoint, values)
        if found.commune is None:
            g.unknown_commune = slug
            abort(404)
        if found.is_former:
            # An old poster or message: send it, for good, to the same page of today's commune,
            # saying where it came from (`?tu=`, rendered once: "Buôn Trấp is now part of …").
            target = url_for(endpoint, **values, lang_code=g.lang_code, commune=found.commune.slug)
            query = request.query_string.decode("utf-8", "replace").split("&")
            query = "&".join([part for part in query if part and not part.startswith(f"{FORMER_PARAMETER}=")])
            abort(redirect(f"{target}?{query + '&' if query else ''}{FORMER_PARAMETER}={found.former.unit.slug}", 301))
        g.commune = found.commune

    @app.url_defaults
    def keep_prefix_values(endpoint, values):
        if endpoint not in app.extensions[LOCALIZED_ENDPOINTS]:
            return
        values.setdefault("lang_code", current_language())
        if "commune" not in values and g.get("commune") is not None:
            values["commune"] = g.commune.slug
