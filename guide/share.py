"""The commune share kit: every guide and wizard as a commune-tagged link, a QR code for each, and
a printable A4 poster, so that staff can paste links into Zalo groups and put posters on the counter.

Links carry `?src=link`, QR codes `?src=qr`, posters `?src=poster`: the tallies count arrivals by
source. Public, like the links themselves.
"""

import io
from dataclasses import dataclass

import segno
from flask import Response, abort, current_app, g, render_template, request, url_for
from markupsafe import Markup

from .prefixes import Blueprint, current_language

bp = Blueprint("share", __name__)
KINDS = ("trang-chu", "huong-dan", "tu-van")


@dataclass(frozen=True)
class Target:
    """Something worth sharing: the commune's home page, a guide or a wizard."""

    kind: str
    slug: str
    title: str
    summary: str

    @property
    def url_args(self) -> dict[str, str]:
        """The kit's own URLs for this target (poster, QR download)."""
        return {"kind": self.kind, "slug": self.slug} if self.slug else {"kind": self.kind}

    def path(self) -> str:
        if self.kind == "huong-dan":
            return url_for("pages.guide", slug=self.slug)
        if self.kind == "tu-van":
            return url_for("wizards.start", wizard_slug=self.slug)
        return url_for("pages.home")


def public_url(path: str, source: str) -> str:
    """The absolute link a phone opens: the public base (GUIDE_PUBLIC_URL, else this host) + path."""
    base = (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")
    return f"{base}{path}?src={source}"


def qr_svg(data: str, title: str) -> Markup:
    code = segno.make(data, error="m")
    return Markup(
        code.svg_inline(scale=1, border=2, omitsize=True, svgclass="qr", title=title, dark="#000", light="#fff")
    )


def targets(language: str) -> list[Target]:
    library = current_app.extensions["guide.library"]
    wizards = current_app.extensions["guide.wizards"]
    from flask_babel import gettext as _

    found = [
        Target(
            "trang-chu",
            "",
            _("Do your paperwork online or by post"),
            _("The commune's page: its offices, the guides and the wizards."),
        )
    ]
    found += [Target("tu-van", slug, w.title[language], w.summary[language]) for slug, w in wizards.items()]
    found += [
        Target("huong-dan", guide.slug, guide.title, guide.summary)
        for guide in sorted(library.all_in(language), key=lambda x: (x.topic, x.order))
    ]
    return found


def find_target(kind: str, slug: str) -> Target:
    for target in targets(current_language()):
        if target.kind == kind and target.slug == slug:
            return target
    abort(404)


def commune_or_list():
    """The kit needs a commune; without one, the page lists the communes' kits."""
    if g.get("commune") is None:
        return render_template("share/choose.html", communes=current_app.extensions["guide.registry"].communes)
    return None


@bp.route("/chia-se")
def kit():
    return commune_or_list() or render_template(
        "share/kit.html",
        items=[(t, public_url(t.path(), "link"), public_url(t.path(), "qr")) for t in targets(current_language())],
        qr_svg=qr_svg,
    )


@bp.route("/chia-se/ap-phich/<kind>/<slug>")
@bp.route("/chia-se/ap-phich/<kind>/")
def poster(kind: str, slug: str = ""):
    if kind not in KINDS:
        abort(404)
    if g.get("commune") is None:
        return commune_or_list()
    target = find_target(kind, slug)
    link = public_url(target.path(), "poster")
    return render_template("share/poster.html", target=target, link=link, qr=qr_svg(link, target.title))


@bp.route("/chia-se/qr/<kind>/<slug>.<fmt>")
@bp.route("/chia-se/qr/<kind>.<fmt>")
def qr_download(kind: str, fmt: str, slug: str = ""):
    """The poster's QR code alone, for print shops: SVG (any size) or PNG (print resolution)."""
    if kind not in KINDS or fmt not in ("svg", "png") or g.get("commune") is None:
        abort(404)
    target = find_target(kind, slug)
    code = segno.make(public_url(target.path(), "poster"), error="m")
    buffer = io.BytesIO()
    if fmt == "svg":
        code.save(buffer, kind="svg", scale=10, border=2, title=target.title)
        mimetype = "image/svg+xml"
    else:
        code.save(buffer, kind="png", scale=20, border=2)
        mimetype = "image/png"
    filename = f"qr-{g.commune.slug}-{kind}{'-' + slug if slug else ''}.{fmt}"
    return Response(
        buffer.getvalue(), mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
