"""A single client cannot inflate a commune's counts: the same counter is counted at most a few
times a minute for one visitor, and at most a few dozen times a minute for one address whatever
browser it names, so a loop, a refresh storm or a script that rotates its user agent adds almost
nothing (DESIGN.md, "Usage tallies": exact).

In memory only, never written, and forgotten after the minute. Who asked is a hash of the IP
address and user agent keyed with a random value this process holds in memory (not the day's salt,
which lives in the database and is read only by the writer thread: no page waits on the database
for it). Each worker process keeps its own, so under gunicorn a client spread over several workers
can add the cap once per worker.
"""

import bisect
import ipaddress
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable

from .classify import VISITOR, Event

# The same counter (page view, wizard start, outbound click… in one commune) counted at most this
# many times a minute for one visitor (IP address and user agent). A person rereads a page or goes
# back to it; nobody reads it a fourth time in the same minute.
REPEAT_CAP = 3
# …and at most this many times a minute for one address, whatever user agent it sends (rotating it
# would otherwise make a new visitor of every request). Generous, because people do share one: a
# meeting scanning the poster's QR on the commune's Wi-Fi, a mobile carrier's shared addresses.
ADDRESS_CAP = 30
WINDOW_SECONDS = 60.0
# Entries held at once (about 300 bytes each, so some 6 MB per worker at most; a request makes two
# per event, about six); past this the least recently counted are forgotten, which can only let a
# count through, never lose one. Checking a request costs a few µs.
MAX_TRACKED = 20_000


def address_of(ip: str) -> str:
    """An IPv4 address whole; an IPv6 one by its /64 network, the part a phone or a household holds
    (the rest a device picks at will)."""
    if ":" not in ip:
        return ip
    try:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    except ValueError:
        return ip


class RepeatCap:
    """Which of a request's events still count, given what the same visitor and the same address
    were counted for in the last minute. Thread-safe (gunicorn's threaded workers)."""

    def __init__(
        self,
        *,
        repeat_cap: int = REPEAT_CAP,
        address_cap: int = ADDRESS_CAP,
        window_seconds: float = WINDOW_SECONDS,
        max_tracked: int = MAX_TRACKED,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.repeat_cap, self.address_cap = repeat_cap, address_cap
        self.window_seconds, self.max_tracked, self.clock = window_seconds, max_tracked, clock
        self._secret = secrets.token_hex(16)  # in memory only, for this process's life
        self._lock = threading.Lock()
        # ("visitor" or "address", who, where, event) -> when it was counted in the last minute,
        # oldest first; the entries in the order they were last counted, so stale ones are at the front.
        self._counted: OrderedDict[tuple, list[float]] = OrderedDict()
        self._next_forgetting = 0.0  # when next to forget, if no count has done it before

    def admit(self, events: Iterable[Event], where: Hashable, ip: str, user_agent: str) -> list[Event]:
        """The events that still count, and note them as counted. `where`: what the request's
        counters share, (day, commune): a visitor just after midnight is the new day's visitor."""
        # Python's hash of a tuple holding this process's secret: keyed, never stored, and about ten
        # times cheaper than SHA-256 on a path every request takes.
        visitor = hash((self._secret, ip, user_agent))
        address = hash((self._secret, address_of(ip)))
        now = self.clock()
        since = now - self.window_seconds
        # A flood (a refresh storm, a script) is nearly all refusals, so those are decided without the
        # lock, which a worker's 32 threads would otherwise queue on. Safe: a stored list of times is never
        # changed (a count stores a new one), and other threads can only add times, so a refusal
        # read unlocked stands.
        events = [event for event in events if not self._over_cap(self._caps(event, where, visitor, address), since)]
        if not events:
            if now >= self._next_forgetting:  # what is a minute old is forgotten, a flood or not
                with self._lock:
                    self._forget_before(since)
                    self._next_forgetting = now + 1
            return []
        admitted = []
        with self._lock:
            now = self.clock()
            since = now - self.window_seconds
            self._forget_before(since)
            self._next_forgetting = now + 1
            for event in events:
                caps = self._caps(event, where, visitor, address)
                if self._over_cap(caps, since):
                    continue
                admitted.append(event)
                for key, _ in caps:
                    times = self._counted.get(key, [])
                    self._counted[key] = [*times[bisect.bisect_right(times, since) :], now]
                    self._counted.move_to_end(key)
            while len(self._counted) > self.max_tracked:
                self._counted.popitem(last=False)
        return admitted

    def _caps(self, event: Event, where: Hashable, visitor: int, address: int) -> tuple[tuple[tuple, int], ...]:
        # A visitor is one visitor however many pages they read: their later pages must not use up
        # their address's share of new visitors (people behind one address).
        return (
            (("visitor", visitor, where, event), 1 if event == VISITOR else self.repeat_cap),
            (("address", address, where, event), self.address_cap),
        )

    def _over_cap(self, caps: tuple[tuple[tuple, int], ...], since: float) -> bool:
        # A key's times are in the order they were counted (each taken under the lock), so the
        # ones in the last minute are those after `since`.
        for key, cap in caps:
            times = self._counted.get(key)
            if times and len(times) - bisect.bisect_right(times, since) >= cap:
                return True
        return False

    def tracked(self) -> int:
        with self._lock:
            return len(self._counted)

    def _forget_before(self, since: float) -> None:
        while self._counted:
            key = next(iter(self._counted))
            if self._counted[key][-1] > since:
                return
            del self._counted[key]
