"""The plan on paper: every link's address written out short, so a printed outcome still says where to go.

A link's printed address is the real destination's: an outbound /ra/<key> prints the allow-listed
page's host (dichvucong.gov.vn), never /ra/…; a page of this site prints the site's public address
(share.short_address: none without a public address); a phone number's link prints nothing (its text
is the number). Print CSS shows `data-print` after the link text; on screen it is not shown.
"""

import re
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from markupsafe import Markup, escape

MAX_PATH = 30  # a longer path is not worth copying by hand from paper: the host is enough to start from
_LINK = re.compile(r'<a\b[^>]*?\shref="([^"]*)"')
_OUTBOUND = re.compile(r"/ra/([a-z0-9-]+)$")


def short_destination(url: str) -> str:
    """An external page's address, short: `https://www.vnpost.vn/` -> `vnpost.vn`; a long path is
    dropped, keeping the host."""
    parts = urlsplit(url)
    host = parts.netloc.removeprefix("www.")
    rest = parts.path.rstrip("/") + (f"?{parts.query}" if parts.query else "")
    return host + rest if len(rest) <= MAX_PATH else host


def printed_address(href: str, links: Mapping, site_address: Callable[[str], str | None]) -> str | None:
    """What a printed plan says after a link to `href`. `links`: the outbound allow-list;
    `site_address`: a path of this site -> its public address (or None). None where there is nothing
    worth printing (tel:, a fragment, no public address)."""
    url = href.replace("&amp;", "&")
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        return short_destination(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    outbound = _OUTBOUND.search(parts.path)
    if outbound:
        link = links.get(outbound[1])
        return short_destination(link.url) if link is not None else None
    return site_address(parts.path)


def with_printed_addresses(html: str, links: Mapping, site_address: Callable[[str], str | None]) -> Markup:
    """Our own rendered HTML, each `<a … href="…">` given the address it prints (`data-print`)."""

    def add(match: re.Match) -> str:
        address = printed_address(match[1], links, site_address)
        return match[0] if address is None else f'{match[0]} data-print="{escape(address)}"'

    return Markup(_LINK.sub(add, str(html)))
