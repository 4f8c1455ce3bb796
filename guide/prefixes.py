"""The two URL prefixes every page can carry: `/en` (English) and `/xa/<commune>` (commune context).

Vietnamese is the default and has no prefix; the two combine as `/en/xa/<commune>/…`. A view is
registered under all four forms with `localized_route`; the URL processors here move the prefix
values into `g` (so no view repeats them) and put them back into every `url_for`, so a link
rendered inside a commune context or in English stays there.
"""

from flask import Blueprint, Flask, abort, current_app, g, redirect, request, url_for

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
_FORMS = (("", "vi"), ("/en", "en"), ("/xa/<commune>", "vi"), ("/en/xa/<commune>", "en"))
localized_endpoints: set[str] = set()


def localized_route(blueprint: Blueprint, rule: str, with_commune: bool = True, **options):
    """Register a view at `rule` in both languages, and (unless told otherwise) with a commune."""

    def decorator(view):
        endpoint = options.pop("endpoint", view.__name__)
        for prefix, language in _FORMS:
            if with_commune or "<commune>" not in prefix:
                blueprint.add_url_rule(prefix + rule, endpoint, view, defaults={"lang_code": language}, **options)
        localized_endpoints.add(f"{blueprint.name}.{endpoint}")
        return view

    return decorator


def language_of_path(path: str) -> str:
    return "en" if path == "/en" or path.startswith("/en/") else DEFAULT_LANGUAGE


def current_language() -> str:
    return g.get("lang_code") or (language_of_path(request.path) if request else DEFAULT_LANGUAGE)


def url_prefix() -> str:
    """The prefix internal links in rendered content get on this request: '', '/en', '/xa/x', '/en/xa/x'."""
    prefix = "/en" if current_language() == "en" else ""
    commune = g.get("commune")
    return f"{prefix}/xa/{commune.slug}" if commune else prefix


def url_in_language(language: str) -> str:
    """This page in another language: the language switcher's link."""
    if request.endpoint in localized_endpoints and request.view_args is not None:
        values = {key: value for key, value in request.args.lists() if is_own_parameter(key)}
        values.update(request.view_args, lang_code=language)
        return url_for(request.endpoint, **values)
    return url_for("pages.home", lang_code=language)


# What chat apps append to a shared link (Zalo: zarsrc, utm_*; Facebook: fbclid). Read by the
# tallies, never carried into the links we render.
TRACKING_PARAMETERS = frozenset({"zarsrc", "fbclid", "gclid"})


def is_own_parameter(key: str) -> bool:
    """A query parameter worth keeping in a link we render (not a prefix value, not a chat tag)."""
    return not (key in TRACKING_PARAMETERS or key.startswith(("utm_", "_")) or key in {"lang_code", "commune", "src"})


def init_app(app: Flask) -> None:
    @app.url_value_preprocessor
    def pull_prefix_values(endpoint, values):
        if not values or "lang_code" not in values:
            return
        g.lang_code = values.pop("lang_code")
        slug = values.pop("commune", None)
        if slug is None:
            return
        commune, is_former = current_app.extensions["guide.registry"].find(slug)
        if commune is None:
            g.unknown_commune = True
            abort(404)
        if is_former:
            # An old poster or message: send it, for good, to the same page of today's commune.
            target = url_for(endpoint, **values, lang_code=g.lang_code, commune=commune.slug)
            query = request.query_string.decode("utf-8", "replace")
            abort(redirect(f"{target}?{query}" if query else target, 301))
        g.commune = commune

    @app.url_defaults
    def keep_prefix_values(endpoint, values):
        if endpoint not in localized_endpoints:
            return
        values.setdefault("lang_code", current_language())
        if "commune" not in values and g.get("commune") is not None:
            values["commune"] = g.commune.slug
