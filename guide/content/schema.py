"""The one way a YAML file under content/ is read and checked: its shape is declared once, here or
beside the code that uses it, and `read_yaml` (or `read_front_matter`, for a guide) reads it,
checks it against that shape and gives back the data with every problem as `FILE:LINE: sentence`.

Declaring a new file's shape: compose the shapes below (Text, Whole, Date, Choice, ListOf, MapOf,
Record, AnyOf, Test), e.g.

    LINK = Record({"url": Text(pattern=HTTPS, expected="an https:// address"), "label": MapOf(Text())},
                  required=("url",))
    LINKS = MapOf(LINK, key=Text(pattern=SLUG, expected="an ASCII slug"))   # SLUG: guide.text
    document = read_yaml(path, LINKS)   # document.data: {key: {"url": …, "label": … or None}}
    problems += document.problems()     # [Problem(path, "`url` must be an https:// address, not …", 4)]

Each shape says in plain words what it expects ("`order` must be a whole number, not 'x'"); give
`message=` where the field deserves a sentence of its own: it replaces every complaint from inside
that shape, at that shape's place, formatted with {value!r}, {key} (the field's name) and {number}
(a list item's position, from 1). Lists and mappings drop an item that does not fit and go on, so
one file reports all its problems; a record with a field that does not fit does not load.

Checks that need more than one value (a duplicate slug, a link to a guide that does not exist) are
the caller's: `document.complain(message, *place)`. A place is a path of keys and list indexes, as
in the data (a record's own is `Fields.place`); its line is worked out only when there is a problem
to report (composing a YAML file for its lines costs as much as reading it again). `label`, given
to `read_yaml`, puts what a problem is about in front of its sentence ("vneid: …").
"""

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import frontmatter
import yaml

from .problems import Problem

try:  # libyaml's parser is several times faster than the pure-Python one; same results
    Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    Loader = yaml.SafeLoader

INVALID = object()  # what a shape gives back for a value that does not fit
EMPTY = (None, "", [], {})


class Lines:
    """The line of every mapping key and list item of a YAML text, by its path; the text is
    composed (the parser's node tree keeps each node's start mark) the first time a line is asked."""

    def __init__(self, text: str):
        self.text, self._lines = text, None

    def _compose(self) -> dict[tuple, int]:
        lines: dict[tuple, int] = {}
        try:
            root = yaml.compose(self.text, Loader=Loader)
        except yaml.YAMLError:
            root = None  # the reader reports the error itself; there are no lines to give
        stack = [(root, ())] if root is not None else []
        while stack:
            node, path = stack.pop()
            if isinstance(node, yaml.MappingNode):
                children = [((*path, str(key.value)), key, value) for key, value in node.value]
            elif isinstance(node, yaml.SequenceNode):
                children = [((*path, index), item, item) for index, item in enumerate(node.value)]
            else:
                continue
            for here, marked, child in children:
                lines[here] = marked.start_mark.line + 1
                stack.append((child, here))
        return lines

    def line(self, *path) -> int | None:
        """The line of the node at `path` (keys as strings, list indexes as ints), or of the
        nearest enclosing node that exists; None for the document itself."""
        if self._lines is None:
            self._lines = self._compose()
        path = tuple(part if isinstance(part, int) else str(part) for part in path)
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return None


def _key(at: tuple) -> str:
    return next((str(part) for part in reversed(at) if isinstance(part, str)), "the file")


def _subject(at: tuple) -> str:
    """A place in words: `order`, `steps` item 3, `guides` item 1."""
    items = []
    for part in reversed(at):
        if not isinstance(part, int):
            break
        items.append(f"item {part + 1}")
    named = at[: len(at) - len(items)]
    words = ([f"`{named[-1]}`"] if named else []) + items[::-1]
    return " ".join(words) or "the file"


class Shape:
    """What a value must be. `expected` completes "must be …"; `message` replaces every complaint."""

    expected = "something else"

    def __init__(self, *, expected: str | None = None, message: str | None = None):
        if expected:
            self.expected = expected
        self.message = message

    def check(self, value, at: tuple, found: list) -> object:
        """The value as the program uses it, or INVALID; complaints go into `found` as (place, sentence)."""
        if self.message is None:
            return self.convert(value, at, found)
        inside: list = []
        result = self.convert(value, at, inside)
        if inside:
            number = next((part + 1 for part in reversed(at) if isinstance(part, int)), "")
            found.append((at, self.message.format(value=value, key=_key(at), number=number)))
            return INVALID
        return result

    def convert(self, value, at: tuple, found: list) -> object:
        raise NotImplementedError

    def wrong(self, value, at: tuple, found: list) -> object:
        found.append((at, f"{_subject(at)} must be {self.expected}, not {value!r}"))
        return INVALID


class Anything(Shape):
    def convert(self, value, at, found):
        return value


class Text(Shape):
    """A string; with `numbers`, a number written bare (`code: 66`) is taken as its text too."""

    expected = "text"

    def __init__(self, *, pattern: re.Pattern | None = None, numbers: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.pattern, self.numbers = pattern, numbers

    def convert(self, value, at, found):
        if self.numbers and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or (self.pattern is not None and not self.pattern.search(value)):
            return self.wrong(value, at, found)
        return value.strip()


class Whole(Shape):
    expected = "a whole number"

    def __init__(self, *, minimum: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.minimum = minimum

    def convert(self, value, at, found):
        if not isinstance(value, int) or isinstance(value, bool) or (self.minimum is not None and value < self.minimum):
            return self.wrong(value, at, found)
        return value


class Date(Shape):
    expected = "a date like 2026-11-25"

    def convert(self, value, at, found):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            return self.wrong(value, at, found)


class Choice(Shape):
    def __init__(self, options, **kwargs):
        super().__init__(**kwargs)
        self.options = options
        if "expected" not in kwargs:
            self.expected = f"one of {', '.join(sorted(map(str, options)))}"

    def convert(self, value, at, found):
        return value if isinstance(value, str) and value in self.options else self.wrong(value, at, found)


class ListOf(Shape):
    """A list; `single` also takes one bare item as a list of one. Items that do not fit are left out."""

    expected = "a list"

    def __init__(self, item: Shape, *, at_least: int = 0, single: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.item, self.at_least, self.single = item, at_least, single

    def convert(self, value, at, found):
        if self.single and value is not None and not isinstance(value, list):
            value = [value]
        if not isinstance(value, list) or len(value) < self.at_least:
            return self.wrong(value, at, found)
        items = (self.item.check(item, (*at, index), found) for index, item in enumerate(value))
        return tuple(item for item in items if item is not INVALID)


class MapOf(Shape):
    """A mapping of keys (taken as text, checked by `key`) to values; entries that do not fit are left out."""

    expected = "a mapping of `key: value` entries"

    def __init__(self, value: Shape, *, key: Shape | None = None, at_least: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.value, self.key, self.at_least = value, key, at_least

    def convert(self, value, at, found):
        if not isinstance(value, dict) or len(value) < self.at_least:
            return self.wrong(value, at, found)
        entries = {}
        for key, item in value.items():
            key = str(key)
            if self.key is not None and self.key.check(key, (*at, key), found) is INVALID:
                continue
            item = self.value.check(item, (*at, key), found)
            if item is not INVALID:
                entries[key] = item
        return entries


class Fields(dict):
    """A record's fields, and its place in the file (`place`), for a problem found later about it."""

    place: tuple = ()


class Record(Shape):
    """A mapping with named fields. A required field that is absent or empty is missing; an absent
    optional one is None; a field not declared is refused unless `others` is set."""

    expected = "a mapping"

    def __init__(self, fields: dict[str, Shape], *, required=(), others=False, called="", unknown=None, **kwargs):
        super().__init__(**kwargs)
        self.fields, self.required, self.others = fields, tuple(required), others
        self.called = called  # what the record is, for "front matter is missing `title`"
        self.unknown = unknown  # a sentence for any field not declared, said of the whole record

    def convert(self, value, at, found):
        whose = self.called or _subject(at)
        if not isinstance(value, dict):
            found.append((at, f"{whose} must be {self.expected}, not {value!r}"))
            return INVALID
        record, fits = Fields(), True
        record.place = at
        for name in self.required:
            if value.get(name) in EMPTY:
                found.append((at, f"{whose} is missing `{name}`"))
                fits = False
        for name in sorted(map(str, set(value) - set(self.fields))) if not self.others else ():
            found.append(
                (at, self.unknown) if self.unknown else ((*at, name), f"{whose} has an unknown field `{name}`")
            )
            fits = False
        for name, shape in self.fields.items():
            given = value.get(name)
            record[name] = None if given is None else shape.check(given, (*at, name), found)
            fits = fits and record[name] is not INVALID
        return record if fits else INVALID


class AnyOf(Shape):
    """The first of `shapes` the value fits."""

    def __init__(self, *shapes: Shape, **kwargs):
        super().__init__(**kwargs)
        self.shapes = shapes
        if "expected" not in kwargs:
            self.expected = " or ".join(shape.expected for shape in shapes)

    def convert(self, value, at, found):
        for shape in self.shapes:
            trial: list = []
            result = shape.check(value, at, trial)
            if not trial:
                return result
        for shape in self.shapes:  # a mapping or a list is what its shape says is wrong inside it
            if (
                isinstance(value, dict)
                and isinstance(shape, Record | MapOf)
                or isinstance(value, list)
                and isinstance(shape, ListOf)
            ):
                return shape.check(value, at, found)
        return self.wrong(value, at, found)


class Test(Shape):
    """`shape`, and then `test` on the value it gives: false is a complaint in `message`'s words."""

    def __init__(self, shape: Shape, test: Callable[[object], bool], *, message: str):
        super().__init__(message=message)
        self.shape, self.test = shape, test

    def convert(self, value, at, found):
        result = self.shape.check(value, at, found)
        if result is not INVALID and not self.test(result):
            found.append((at, "does not pass"))  # replaced by this shape's message
        return result


# What a problem at a place is about ("vneid", "commune 'ea-na'"), from the place and the file's data.
Label = Callable[[tuple, object], str | None]


class Document:
    """One file's data, checked against its shape, and its problems, each with its line."""

    def __init__(self, path: Path, text: str = "", label: Label | None = None):
        self.path, self.lines, self.label = path, Lines(text), label
        self.data = self.raw = None
        self._found: list[tuple[tuple, str, int | None]] = []

    def complain(self, message: str, *place) -> None:
        """A problem at `place` (a path of keys and indexes; none: the file itself)."""
        self._found.append((place, message, None))

    def complain_at_line(self, message: str, line: int | None) -> None:
        self._found.append(((), message, line))

    @property
    def ok(self) -> bool:
        return not self._found

    def problems(self) -> list[Problem]:
        problems = []
        for place, message, line in self._found:
            label = self.label(place, self.raw) if self.label else None
            problems.append(
                Problem(self.path, f"{label}: {message}" if label else message, line or self.lines.line(*place))
            )
        return problems

    def validate(self, data, shape: Shape) -> None:
        found: list = []
        self.raw = data
        checked = shape.check(data, (), found)
        for place, message in found:
            self.complain(message, *place)
        self.data = None if checked is INVALID else checked


def _parsed(document: Document, text: str, shape: Shape, front_matter: bool = False) -> Document:
    try:
        data = yaml.load(text, Loader=Loader)
    except yaml.YAMLError as error:  # its words name the line and column
        if front_matter:
            document.complain_at_line(f"front matter is not valid YAML: {error}", 1)
        else:
            document.complain(f"cannot be read: {error}")
    except ValueError as error:  # YAML that parses but cannot be a value, e.g. the date 2026-13-45
        document.complain_at_line(f"{'front matter' if front_matter else 'it'} has an impossible value: {error}", 1)
    else:
        document.validate({} if data is None and isinstance(shape, Record) else data, shape)  # an empty file
    return document


def read_yaml(path: Path, shape: Shape, label: Label | None = None) -> Document:
    """Read the YAML file at `path` and check it against `shape`. `label(place, data)`, if given,
    names what a problem at `place` is about, in front of its sentence (a wizard's node, a commune)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        document = Document(path)
        document.complain("is missing")
        return document
    except (OSError, UnicodeDecodeError) as error:
        document = Document(path)
        document.complain(f"cannot be read: {error}")
        return document
    return _parsed(Document(path, text, label), text, shape)


def read_written(path: Path):
    """The data of a YAML file a command wrote earlier (the registry, province.yaml), read back
    unchecked, or None when it is missing or unreadable: whoever asks starts afresh then."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError):
        return None


_FRONT_MATTER = frontmatter.YAMLHandler()


def read_front_matter(path: Path, shape: Shape) -> tuple[Document, str]:
    """A Markdown file's YAML front matter (between --- lines), checked against `shape`, and its body."""
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        document = Document(path)
        document.complain("is not UTF-8 text")
        return document, ""
    if not _FRONT_MATTER.detect(raw):
        document = Document(path)
        document.validate({}, shape)
        return document, raw.strip()
    # Split as written (not stripped), so that the front matter keeps the newline after the opening
    # ---: its lines are the file's.
    front, body = _FRONT_MATTER.split(raw)
    return _parsed(Document(path, front), front, shape, front_matter=True), body.strip()
