"""Content names no province: any province may serve it (guide/province.py fills `{province}`).

`flask content check` fails a guide, a wizard text, an interface string or an allow-listed link
that names a province ("Đắk Lắk", also as "Dak Lak" or "Daklak") or points to a province's own
site (a host such as dichvucong.daklak.gov.vn). A guide's source there is a warning only: a province
often publishes a national rule, but the law's own text is the better citation. The names are every
province's, today's and those before 1 July 2025, from the official lists the registry is built from.
"""

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from babel.messages.pofile import read_po

from ..communes.importer import province_names
from .guides import SOURCE_KEY_PREFIX
from .library import Library
from .problems import Problem, line_in_file


def _plain(text: str) -> str:
    """Accents off, case kept: "Đắk Lắk" -> "Dak Lak"."""
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


class ProvinceNames:
    """Every province's name, as written, without accents and run together, in one pattern: a
    text is searched once, not once per province."""

    def __init__(self):
        self.names = province_names()
        forms = []
        for number, name in enumerate(self.names):
            plain = re.escape(_plain(name)).replace(r"\ ", r"[\s-]?")
            forms.append(f"(?P<p{number}>{re.escape(name)}|{plain})")
        self.pattern = re.compile(rf"(?<!\w)(?:{'|'.join(forms)})(?!\w)", re.IGNORECASE)

    def named(self, text: str) -> str | None:
        """The first province `text` names, or None."""
        found = self.pattern.search(_plain(text)) or self.pattern.search(text)
        return self.names[int(found.lastgroup[1:])] if found else None


def _hosts() -> dict[str, str]:
    """A province's name as a host holds it ("daklak") -> the name."""
    return {re.sub(r"[^a-z]", "", _plain(name).lower()): name for name in province_names()}


def provincial_host(url: str, hosts: dict[str, str]) -> str | None:
    """The province whose own site `url` is on (any label of its host ends with the name)."""
    labels = (urlsplit(url).hostname or "").split(".")
    return next((name for key, name in hosts.items() if any(label.endswith(key) for label in labels)), None)


def _guide_texts(library: Library) -> Iterator[tuple[Path, str]]:
    for guides in library.guides.values():
        for guide in guides.values():
            yield from ((guide.path, text) for text in (guide.title, guide.summary, guide.body))


def _wizard_texts(wizards: dict) -> Iterator[tuple[Path, str]]:
    for wizard in wizards.values():
        texts = [*wizard.title.values(), *wizard.summary.values()]
        for question in wizard.questions.values():
            texts += [*question.text.values(), *question.hint.values()]
            texts += [label for choice in question.choices.values() for label in choice.label.values()]
        for outcome in wizard.outcomes.values():
            texts += [*outcome.title.values(), *outcome.source.values()]
            texts += [item for items in outcome.checklist.values() for item in items]
        yield from ((wizard.path, text) for text in texts)


def _interface_texts(translations: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(translations.glob("*/LC_MESSAGES/messages.po")):
        with path.open("rb") as file:
            for message in read_po(file):
                for text in (message.id, message.string):
                    yield from ((path, part) for part in ([text] if isinstance(text, str) else text) if part)


def naming_problems(library: Library, wizards: dict, content_dir: Path, translations: Path) -> list[Problem]:
    """Every place content names a province or links a province's own site."""
    provinces, hosts, problems = ProvinceNames(), _hosts(), []
    texts = [*_guide_texts(library), *_wizard_texts(wizards), *_interface_texts(translations)]
    for path, text in texts:
        name = provinces.named(text)
        if name:
            message = f"names the province {name!r}: write “tỉnh” / “your province” or {{province}}"
            problems.append(Problem(path, message, line_in_file(path, name) or line_in_file(path, _plain(name))))
    links = content_dir / "links.yaml"
    for link in library.links.values():
        if link.key.startswith(SOURCE_KEY_PREFIX):
            continue  # a guide's source: a warning below, with the guide's file and line
        name = provincial_host(link.url, hosts)
        if name:
            message = f"link {link.key!r} goes to {name}'s own site: a province's pages belong in its settings"
            problems.append(Problem(links, message, line_in_file(links, link.url)))
    for guides in library.guides.values():
        for guide in guides.values():
            for source in guide.sources:
                name = provincial_host(source.url or "", hosts)
                if name:  # a citation of a national rule a province published: allowed, the law's own text is better
                    message = f"source {source.url!r} is on {name}'s own site: cite the national text where you can"
                    problems.append(Problem(guide.path, message, line_in_file(guide.path, source.url), warning=True))
    return list(dict.fromkeys(problems))
