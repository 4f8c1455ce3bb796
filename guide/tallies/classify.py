"""What a request counts for: plain functions of what was asked and what was answered, no Flask.

`classify(hit)` answers None when the request is not a person reading (a crawler, a link-preview
fetcher, a HEAD, a prefetch, a static file, an htmx reload of the same page…), else the list of
events it counts for (possibly empty). The dimensions every event of a request shares (day,
commune, locale) are added when it is recorded.
"""

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import parse_qsl, unquote_plus, urlsplit

from crawlerdetect import CrawlerDetect

from ..prefixes import is_own_parameter

SHARE_TAGS = ("qr", "poster", "link", "plan")  # our own tags (?src=): the share kit, a printed plan's QR
ARRIVAL_SOURCES = (*SHARE_TAGS, "zalo", "facebook")  # where a visitor came from, as counted
THANKS = "cam-on"  # the query flag of a page shown again after "was this useful?" (not a new view)
NOT_COUNTED_ENDPOINTS = frozenset({"static", "health.healthz"})
# The pages readers come for. Staff at work (the share kit, the dashboard) are not the public
# being reached.
READER_BLUEPRINTS = ("pages.", "search.", "wizards.", "tallies.")


class Event(NamedTuple):  # a tuple: compared, hashed and sorted cheaply, on every request
    kind: str
    subject: str = ""
    source: str = ""


VISITOR = Event("visitors")  # counted only if this visitor was not yet seen today in this commune


@dataclass(frozen=True)
class PageRequest:
    """A request and its answer, as far as counting needs them. `headers` has lower-case names."""

    method: str
    endpoint: str | None
    status: int
    is_page: bool = True  # an HTML page (not a redirect, a file or JSON)
    path: str = "/"
    query: str = ""
    view_args: Mapping[str, str] = field(default_factory=dict)
    args: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    commune: str = ""
    reported: Sequence[Event] = ()  # what the view itself reported (an outbound click, a wizard start…)


# --- people and machines ---------------------------------------------------------------------

_detector = CrawlerDetect()
# The Zalo and Facebook in-app browsers are people: crawlerdetect leaves them alone, and so must
# we. Zalo's link-preview fetcher (what runs when staff paste a link into a group) names Zalo in
# a form that is not the in-app browser's, so any other mention of Zalo is a machine.
_ZALO = re.compile(r"zalo", re.I)
_ZALO_IN_APP = re.compile(r"\bZalo (?:android|iOS)/\d|\bZaloTheme/|\bZaloLanguage/", re.I)
MAX_UA_LENGTH = 512  # longer strings are judged on their start, so the cache below stays small


@functools.lru_cache(maxsize=4096)
def is_machine(user_agent: str) -> bool:
    """A crawler, a link-preview fetcher, a headless browser or a script (the verdict is cached:
    checking the big pattern list costs far more than a page)."""
    if not user_agent.strip():
        return True  # every browser names itself; only scripts send nothing
    if _ZALO.search(user_agent) and not _ZALO_IN_APP.search(user_agent):
        return True
    return _detector.is_crawler(user_agent)


def is_prefetch(headers: Mapping[str, str]) -> bool:
    purpose = (headers.get("sec-purpose") or headers.get("purpose") or headers.get("x-purpose") or "").lower()
    return "prefetch" in purpose or "preview" in purpose or headers.get("x-moz", "").lower() == "prefetch"


def is_same_page_reload(hit: PageRequest, headers: Mapping[str, str]) -> bool:
    """An htmx request that reloads part of the page the visitor is already on, or restores one
    from history: they saw it already."""
    if headers.get("hx-request") != "true":
        return False
    if headers.get("hx-history-restore-request") == "true":
        return True
    try:
        current = urlsplit(headers.get("hx-current-url", ""))
    except ValueError:  # not a URL (`http://[::1`): htmx sends the page's own, so no page of ours sent this
        return True
    return unquote_plus(current.path) == unquote_plus(hit.path) and own_parameters(current.query) == own_parameters(
        hit.query
    )


def own_parameters(query: str) -> list[tuple[str, str]]:
    """What a query string says about the page (not where the visitor came from: those tags do not change it)."""
    return [(key, value) for key, value in parse_qsl(query, keep_blank_values=True) if is_own_parameter(key)]


def is_person(hit: PageRequest, headers: Mapping[str, str] | None = None) -> bool:
    """Whether a person asked (not a crawler, a preview, a prefetch or a reload of the same page).
    `headers`: the request's (default: the hit's own; the response cache passes each later
    request's for the same page)."""
    headers = hit.headers if headers is None else headers
    if hit.method not in ("GET", "POST") or hit.endpoint is None or hit.endpoint in NOT_COUNTED_ENDPOINTS:
        return False
    if is_prefetch(headers) or is_same_page_reload(hit, headers):
        return False
    return not is_machine(headers.get("user-agent", "")[:MAX_UA_LENGTH])


# --- what a page counts for ------------------------------------------------------------------


def subject_of(endpoint: str, view_args: Mapping[str, str], commune: str) -> str:
    """What a page is about, in the words the tallies use."""
    if endpoint == "pages.guide":
        return view_args.get("slug", "")
    if endpoint == "pages.home":
        return "commune" if commune else "home"
    if endpoint.startswith("wizards.") and "wizard_slug" in view_args:
        return f"wizard:{view_args['wizard_slug']}"
    return {"pages.guide_index": "guides", "search.search_page": "search"}.get(endpoint, endpoint)


def arrival_sources(args: Mapping[str, str]) -> list[str]:
    """Where a visitor came from: our tag (?src=) and the chat app the link was opened in, from the
    tags Zalo (utm_source=zalo, zarsrc) and Facebook (fbclid) append."""
    sources = []
    if args.get("src") in SHARE_TAGS:
        sources.append(args["src"])
    utm = args.get("utm_source", "").lower()
    if utm == "zalo" or "zarsrc" in args:
        sources.append("zalo")
    elif utm == "facebook" or "fbclid" in args:
        sources.append("facebook")
    return sources


def page_events(hit: PageRequest, tags: Mapping[str, str]) -> list[Event]:
    """What a page a person was shown counts for; `tags`: the query parameters saying where they came from."""
    subject = subject_of(hit.endpoint, hit.view_args, hit.commune)
    events = [VISITOR]
    if hit.endpoint in ("pages.guide", "pages.home"):
        events.append(Event("view", subject))
    elif (
        hit.endpoint == "search.search_page"
        and hit.args.get("q", "").strip()
        and hit.headers.get("hx-request") != "true"
    ):
        events.append(Event("search"))  # a full search page; not each live result as they type
    events += [Event("arrival", subject, source) for source in arrival_sources(tags)]
    return events


def classify(hit: PageRequest) -> list[Event] | None:
    return counts_for(hit) if is_person(hit) else None


def counts_for(hit: PageRequest, tags: Mapping[str, str] | None = None) -> list[Event]:
    """What the request counts for if a person made it. `tags`: the query parameters arrivals are
    read from (default: the hit's own; the response cache passes each later request's)."""
    if THANKS in hit.args:
        return []  # back on the page after answering "was this useful?": counted already
    events = []
    if (
        hit.is_page
        and hit.method == "GET"
        and (200 <= hit.status < 300 or hit.status == 304)
        and hit.endpoint.startswith(READER_BLUEPRINTS)
    ):
        # 304: a person's browser showing the page again from its cache, after asking us.
        events += page_events(hit, hit.args if tags is None else tags)
    if hit.status < 400:  # what the view reported stands if it did not fail (a redirect is fine)
        events += hit.reported
    return events
