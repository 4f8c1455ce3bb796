"""Whose page a guide's source is: `flask content check` fails a source on a host that
content/source-hosts.yaml does not list, and a source on a publisher's host whose title does not
name that publisher, so that a reader can tell an official text from a newspaper's account of it
before opening the link. Any *.gov.vn host is a state body's."""

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .library import Library
from .problems import Problem, line_in_file
from .schema import ListOf, MapOf, Record, Text, read_yaml

FILE_NAME = "source-hosts.yaml"
STATE_SUFFIX = ".gov.vn"
HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")
_HOST_TEXT = Text(pattern=HOST, message="{value!r} is not a host name such as cafef.vn")
SHAPE = Record(
    {"official": ListOf(_HOST_TEXT), "publishers": MapOf(ListOf(Text(numbers=True)), key=_HOST_TEXT)},
    required=("official", "publishers"),
)


@dataclass(frozen=True)
class SourceHosts:
    official: frozenset[str]
    publishers: dict[str, tuple[str, ...]]  # host -> the names a title may use

    def _listed(self, host: str, hosts) -> str | None:
        """`host` or the nearest parent domain of it among `hosts`."""
        parts = host.split(".")
        return next((".".join(parts[i:]) for i in range(len(parts) - 1) if ".".join(parts[i:]) in hosts), None)

    def problem(self, title: str, url: str) -> str | None:
        host = (urlsplit(url).hostname or "").removeprefix("www.")
        if host.endswith(STATE_SUFFIX) or self._listed(host, self.official):
            return None
        publisher = self._listed(host, self.publishers)
        if publisher is None:
            return f"source host {host!r} is not in {FILE_NAME}: find out who publishes it, then list it there"
        names = self.publishers[publisher]
        if not any(name.casefold() in title.casefold() for name in names):
            return f"the source on {host} must name its publisher in its title ({' or '.join(map(repr, names))})"
        return None


def load_source_hosts(path: Path, problems: list[Problem]) -> SourceHosts:
    document = read_yaml(path, SHAPE)
    problems.extend(document.problems())
    data = document.data or {"official": [], "publishers": {}}
    publishers = {host: tuple(names) for host, names in (data["publishers"] or {}).items()}
    return SourceHosts(frozenset(data["official"] or ()), publishers)


def source_problems(library: Library, content_dir: Path) -> list[Problem]:
    problems: list[Problem] = []
    hosts = load_source_hosts(content_dir / FILE_NAME, problems)
    for guides in library.guides.values():
        for guide in guides.values():
            for source in guide.sources:
                message = source.url and hosts.problem(source.title, source.url)
                if message:
                    problems.append(Problem(guide.path, message, line_in_file(guide.path, source.url)))
    return problems
