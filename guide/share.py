"""The commune share kit: every guide and wizard as a commune-tagged link to copy, its QR code on
demand, and a printable A4 poster, so that staff can paste links into Zalo groups and pin a poster
on the counter and in the village hall.

Links carry `?src=link`, the kit's QR codes `?src=qr`, posters (and their QR downloads) `?src=poster`:
the tallies count arrivals by source. Public, like the links themselves.

A QR code is made only for an address a phone elsewhere can open: GUIDE_PUBLIC_URL, when it names a
public host. Unset, or a loopback, private or link-local address, the kit and the posters show no QR
code and tell staff to set it: a printed `http://127.0.0.1:8000` opens nothing but the server itself.
"""

import io
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import segno
from flask import Response, abort, current_app, g, get_template_attribute, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from .pages import MAIN_WIZARD
from .prefixes import Blueprint, current_language

bp = Blueprint("share", __name__)
KINDS = ("trang-chu", "huong-dan", "tu-van")
QR_SOURCES = ("poster", "qr")  # a downloaded QR goes on paper; the kit's own is shown on a screen
QR_FORMATS = {"svg": "image/svg+xml", "png": "image/png"}
QUIET_ZONE = 4  # modules of white around a QR code, as ISO/IEC 18004 asks: fewer and cameras miss it


@dataclass(frozen=True)
class Target:
    """Something worth sharing: the commune's home page, a guide or a wizard. `title` is unique in
    the kit (a wizard and a guide may share a name: the wizard's says it asks questions)."""

    kind: str
    slug: str
    title: str
    summary: str

    @property
    def url_args(self) -> dict[str, str]:
        """The kit's own URLs for this target (poster, QR code)."""
        return {"kind": self.kind, "slug": self.slug} if self.slug else {"kind": self.kind}

    def path(self) -> str:
        if self.kind == "huong-dan":
            return url_for("pages.guide", slug=self.slug)
        if self.kind == "tu-van":
            return url_for("wizards.start", wizard_slug=self.slug)
        return url_for("pages.home")


@dataclass(frozen=True)
class Group:
    """A heading of the kit and what is under it."""

    name: str
    targets: tuple[Target, ...]


def is_public_address(url: str) -> bool:
    """Whether `url` names a host a phone elsewhere can reach: not localhost, not a loopback,
    private, link-local or otherwise non-global IP address. A host name is taken as public (no DNS
    look-up: the server's own view of a name says little about the phones')."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        try:  # the short forms a browser also accepts: 127.1, 0x7f.1, 2130706433
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return True  # a name
    return address.is_global


def public_base() -> str:
    """Where the site is, as a phone reaches it: GUIDE_PUBLIC_URL, else this (trusted) host."""
    return (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")


def public_url(path: str, source: str) -> str:
    """The absolute link a phone opens, tagged with where it was found: base + path (with or without a query) + src."""
    return f"{public_base()}{path}{'&' if '?' in path else '?'}src={source}"


def qr_base() -> str | None:
    """GUIDE_PUBLIC_URL when it is a public address, the only base worth putting in a QR code; else None."""
    base = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    return base if is_public_address(base) else None


def qr_url(path: str, source: str) -> str | None:
    """What a QR code for `path` encodes, or None when the site has no public address to give it."""
    base = qr_base()
    return f"{base}{path}{'&' if '?' in path else '?'}src={source}" if base else None


def short_address(path: str) -> str | None:
    """An address to print for typing in: the public host and path, no scheme, no trailing slash."""
    base = qr_base()
    return (base.split("://", 1)[1] + path).rstrip("/") if base else None


def qr_code(data: str) -> segno.QRCode:
    return segno.make(data, error="m")


def qr_svg(data: str, title: str) -> Markup:
    """A QR code for `data` as inline SVG, with its quiet zone, scaled by CSS."""
    return Markup(
        qr_code(data).svg_inline(
            scale=1, border=QUIET_ZONE, omitsize=True, svgclass="qr", title=title, dark="#000", light="#fff"
        )
    )


def commune_target() -> Target:
    title = get_template_attribute("communes/_names.html", "title")
    return Target(
        "trang-chu", "", str(title(g.commune)), _("The commune's page: its offices, the guides and the wizards.")
    )


def wizard_target(slug: str, wizard, language: str) -> Target:
    return Target(
        "tu-van", slug, _("Answer a few questions: %(title)s", title=wizard.title[language]), wizard.summary[language]
    )


def kit_groups(language: str) -> list[Group]:
    """The commune's page and the main wizard first, then the other wizards, then the guides by topic."""
    library = current_app.extensions["guide.library"]
    wizards = current_app.extensions["guide.wizards"]
    first = [commune_target()]
    if MAIN_WIZARD in wizards:
        first.append(wizard_target(MAIN_WIZARD, wizards[MAIN_WIZARD], language))
    groups = [Group(_("Start here"), tuple(first))]
    others = tuple(wizard_target(slug, w, language) for slug, w in wizards.items() if slug != MAIN_WIZARD)
    if others:
        groups.append(Group(_("Questions that end in a plan"), others))
    groups += [
        Group(name, tuple(Target("huong-dan", guide.slug, guide.title, guide.summary) for guide in guides))
        for _key, name, guides in library.by_topic(language)
    ]
    return groups


def targets(language: str) -> list[Target]:
    return [target for group in kit_groups(language) for target in group.targets]


def find_target(kind: str, slug: str) -> Target:
    if kind in KINDS:
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
        groups=kit_groups(current_language()),
        link=lambda target: public_url(target.path(), "link"),
        qr_ready=qr_base() is not None,
    )


@bp.route("/chia-se/ap-phich/<kind>/<slug>")
@bp.route("/chia-se/ap-phich/<kind>/")
def poster(kind: str, slug: str = ""):
    if g.get("commune") is None:
        return commune_or_list()
    target = find_target(kind, slug)
    link = qr_url(target.path(), "poster")
    return render_template(
        "share/poster.html",
        target=target,
        qr=qr_svg(link, target.title) if link else None,
        address=short_address(url_for("pages.home")),
    )


@bp.route("/chia-se/qr/<kind>/<slug>.<fmt>")
@bp.route("/chia-se/qr/<kind>.<fmt>")
def qr_download(kind: str, fmt: str, slug: str = ""):
    """A QR code alone: the kit shows it on demand (`?src=qr`); print shops download the poster's
    (SVG for any size, PNG at print resolution). None without a public address."""
    source = request.args.get("src", "poster")
    if fmt not in QR_FORMATS or source not in QR_SOURCES or g.get("commune") is None:
        abort(404)
    target = find_target(kind, slug)
    data = qr_url(target.path(), source)
    if data is None:
        abort(404)
    buffer = io.BytesIO()
    if fmt == "svg":
        qr_code(data).save(buffer, kind="svg", scale=10, border=QUIET_ZONE, title=target.title)
    else:
        qr_code(data).save(buffer, kind="png", scale=20, border=QUIET_ZONE)
    filename = f"qr-{g.commune.slug}-{kind}{'-' + slug if slug else ''}.{fmt}"
    disposition = "attachment" if source == "poster" else "inline"
    return Response(
        buffer.getvalue(),
        mimetype=QR_FORMATS[fmt],
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )
