"""Wizards as data: content/wizards/<slug>.yaml read into plain objects and checked at start-up.

A wizard is a graph of questions and outcomes (GOV.UK smart answers). A question's next node is a
node id or a rule list; a rule names the answers (of this or earlier questions) it needs. The checks
walk every path (`paths`), so a definition that can dead-end, loop, or leave a node unreachable
never loads. Texts are keyed by language code; the default language's is required, and any other
language's that is missing is shown in the default one (noted in `Wizard.untranslated`).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..content import ContentError, Languages, Library, Problem, render
from ..content.placeholders import unknown_placeholders
from ..content.schema import AnyOf, Document, Lines, ListOf, MapOf, Record, Shape, Test, Text, read_yaml
from ..text import SLUG

CHECK, RESULT = "kiem-tra", "ket-qua"  # the steps after the questions: check your answers, the outcome
RESERVED_STEPS = {CHECK, RESULT}
MAX_PATHS = 100_000


@dataclass(frozen=True)
class Rule:
    then: str
    conditions: tuple[tuple[str, frozenset[str]], ...] = ()

    def holds(self, answers: dict[str, str]) -> bool:
        return all(answers.get(question) in allowed for question, allowed in self.conditions)


@dataclass(frozen=True)
class Choice:
    value: str
    label: dict[str, str]
    next: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Question:
    id: str
    text: dict[str, str]
    hint: dict[str, str]
    choices: dict[str, Choice]
    next: tuple[Rule, ...] = ()

    def next_node(self, answer: str, answers: dict[str, str]) -> str | None:
        """The node after `answer`, given every answer so far (this one included)."""
        rules = self.choices[answer].next or self.next
        return next((rule.then for rule in rules if rule.holds(answers)), None)


@dataclass(frozen=True)
class Outcome:
    id: str
    title: dict[str, str]
    source: dict[str, str]  # Markdown per language, rendered when first shown
    checklist: dict[str, tuple[str, ...]]
    links: tuple[str, ...] = ()
    guides: tuple[str, ...] = ()

    def body(self, language: str) -> str:
        """Rendered HTML, internal links without prefix."""
        return render(self.source[language]).html

    @property
    def body_links(self) -> tuple[str, ...]:
        return tuple(href for source in self.source.values() for href in render(source).links)


@dataclass(frozen=True)
class Wizard:
    slug: str
    title: dict[str, str]
    summary: dict[str, str]
    start: str
    questions: dict[str, Question]  # in asking order: also the query string's order
    outcomes: dict[str, Outcome]
    path: Path = field(compare=False)
    # language -> the texts shown in the default language because they are missing in it
    untranslated: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)
    lines: Lines = field(default_factory=lambda: Lines(""), compare=False, repr=False)  # for a problem's line


def _texts(languages: Languages, lists: bool = False) -> Shape:
    """A text (or, with `lists`, a list of texts) per language; the default language's is needed."""
    default = languages.default
    each = ListOf(Text(numbers=True), at_least=1) if lists else Text(numbers=True)
    what, example = ("list of texts", "[…, …]") if lists else ("text", "…")
    return Test(
        MapOf(each),
        lambda given: bool(given.get(default)),
        message=f"{{key}} needs its {what} in {default}: `{{{{{default}: {example}}}}}`",
    )


def wizard_shape(languages: Languages) -> Record:
    """What a wizard file holds, its texts keyed by `languages`' codes."""
    texts, lists = _texts(languages), _texts(languages, lists=True)
    answers = AnyOf(Text(numbers=True), ListOf(Text(numbers=True)))
    rule = Record(
        {
            "then": Text(),
            "if": MapOf(answers, message="rule {number}'s `if` must map question ids to lists of answers"),
        },
        required=("then",),
        expected="a rule, `{if: {question: [answers]}, then: <node id>}`",
    )
    rules = AnyOf(Text(), ListOf(rule, at_least=1), expected="a node id or a list of rules")
    choice = Record({"label": texts, "next": rules}, required=("label",), called="the choice")
    question = Record(
        {
            "text": texts,
            "hint": texts,
            "choices": MapOf(choice, key=Text(pattern=SLUG, message="its value must be an ASCII slug"), at_least=1),
            "next": rules,
        },
        required=("text", "choices"),
        called="the question",
    )
    outcome = Record(
        {"title": texts, "body": texts, "checklist": lists, "links": ListOf(Text()), "guides": ListOf(Text())},
        required=("title", "body"),
        called="the outcome",
    )
    question_id = Test(
        Text(pattern=SLUG),
        lambda qid: qid not in RESERVED_STEPS,
        message="a question id must be an ASCII slug and not kiem-tra or ket-qua",
    )
    return Record(
        {
            "title": texts,
            "summary": texts,
            "start": Text(),
            "questions": MapOf(question, key=question_id, at_least=1),
            "outcomes": MapOf(
                outcome, key=Text(pattern=SLUG, message="an outcome id must be an ASCII slug"), at_least=1
            ),
        },
        required=("title", "summary", "start", "questions", "outcomes"),
        called="the wizard",
    )


def _node(place: tuple, _data) -> str | None:
    """What a problem at `place` is about: a question or outcome id, and a choice."""
    if len(place) < 2 or place[0] not in ("questions", "outcomes"):
        return None
    return f"{place[1]}: choice {place[3]!r}" if len(place) >= 4 and place[2] == "choices" else place[1]


class _Builder:
    """Turns one wizard file's checked data into a Wizard: texts in every language, Markdown rendered."""

    def __init__(self, document: Document, library: Library):
        self.document, self.languages, self.library = document, library.languages, library
        self.untranslated: dict[str, list[str]] = {}

    def text(self, given: dict | None, where: str) -> dict:
        """`given` in every language, its placeholders filled; what is missing falls back to the
        default's and is noted."""
        if given is None:
            return {}
        given = {code: text for code, text in given.items() if text}
        for code in self.languages.prefixed:
            if code not in given:
                self.untranslated.setdefault(code, []).append(where)
        for message in unknown_placeholders(str(given)):
            self.document.complain(f"{where}: {message}")
        return {code: self.filled(text, code) for code, text in self.languages.in_every_language(given).items()}

    def filled(self, text, language: str):
        if isinstance(text, str):
            return self.library.filled(text, language)
        return [self.library.filled(item, language) for item in text]

    def rules(self, given, place: tuple) -> tuple[Rule, ...]:
        if given is None:
            return ()
        if isinstance(given, str):
            return (Rule(given),)
        for index, rule in enumerate(given[:-1]):
            if not rule["if"]:
                self.document.complain(
                    f"rule {index + 1} has no `if`, so the rules after it can never apply", *place, index
                )
        return tuple(
            Rule(
                rule["then"],
                tuple(
                    (question, frozenset([answers] if isinstance(answers, str) else answers))
                    for question, answers in (rule["if"] or {}).items()
                ),
            )
            for rule in given
        )

    def question(self, qid: str, spec: dict) -> Question:
        choices = {
            value: Choice(
                value,
                self.text(choice["label"], f"{qid}: choice {value!r} label"),
                self.rules(choice["next"], ("questions", qid, "choices", value, "next")),
            )
            for value, choice in spec["choices"].items()
        }
        return Question(
            qid,
            self.text(spec["text"], f"{qid}: text"),
            self.text(spec["hint"], f"{qid}: hint"),
            choices,
            self.rules(spec["next"], ("questions", qid, "next")),
        )

    def outcome(self, oid: str, spec: dict, library: Library) -> Outcome:
        for key in spec["links"] or ():
            if key not in library.links:
                self.document.complain(f"link key {key!r} is not in links.yaml", "outcomes", oid)
        for guide_slug in spec["guides"] or ():
            if guide_slug not in library.originals:
                self.document.complain(f"guide {guide_slug!r} does not exist", "outcomes", oid)
        return Outcome(
            oid,
            self.text(spec["title"], f"{oid}: title"),
            self.text(spec["body"], f"{oid}: body"),
            self.text(spec["checklist"], f"{oid}: checklist"),
            distinct_links(spec["links"] or (), library.links),
            spec["guides"] or (),
        )

    def wizard(self, library: Library) -> Wizard | None:
        data, document = self.document.data, self.document
        title = self.text(data["title"], "title")
        summary = self.text(data["summary"], "summary")
        questions = {qid: self.question(qid, spec) for qid, spec in data["questions"].items()}
        outcomes = {}
        for oid, spec in data["outcomes"].items():
            if oid in questions:
                document.complain("an outcome may not share its id with a question", "outcomes", oid)
            outcomes[oid] = self.outcome(oid, spec, library)
        if data["start"] not in questions:
            document.complain(f"`start` must name a question, not {data['start']!r}")
        if not document.ok:
            return None
        untranslated = {code: tuple(where) for code, where in self.untranslated.items()}
        path = document.path
        return Wizard(path.stem, title, summary, data["start"], questions, outcomes, path, untranslated, document.lines)


def read_wizard(path: Path, library: Library) -> tuple[Wizard | None, list[Problem]]:
    """One wizard file, read, checked and walked on every path; its problems, each with its node's line."""
    document = read_yaml(path, wizard_shape(library.languages), label=_node)
    if not SLUG.match(path.stem):
        document.complain("the file name must be an ASCII slug")
    if not document.ok:
        return None, document.problems()
    wizard = _Builder(document, library).wizard(library)
    if wizard is not None:
        check_graph(wizard, document)
    return (wizard if document.ok else None), document.problems()


def check_graph(wizard: Wizard, document: Document) -> None:
    """Every `next` leads to a node, every rule asks about answers that exist, no path loops or
    dead-ends, and every node can be reached."""

    def problem(message: str, node: str) -> None:
        document.complain(message, "questions" if node in wizard.questions else "outcomes", node)

    nodes = set(wizard.questions) | set(wizard.outcomes)
    for question in wizard.questions.values():
        for choice in question.choices.values():
            rules = choice.next or question.next
            if not rules:
                problem(f"choice {choice.value!r} leads nowhere: give the choice or the question a `next`", question.id)
            for rule in rules:
                if rule.then not in nodes:
                    problem(f"`next` names {rule.then!r}, which is neither a question nor an outcome", question.id)
                for asked, allowed in rule.conditions:
                    if asked not in wizard.questions:
                        problem(f"a rule asks about {asked!r}, which is not a question", question.id)
                    elif not allowed <= set(wizard.questions[asked].choices):
                        offered = set(wizard.questions[asked].choices)
                        problem(
                            f"a rule names answers {sorted(allowed - offered)} that {asked!r} does not offer",
                            question.id,
                        )
    if not document.ok:
        return
    visited = {wizard.start}
    try:
        for number, (answers, outcome) in enumerate(all_paths(wizard), 1):
            if number > MAX_PATHS:
                raise BadShape(f"more than {MAX_PATHS} paths: split the wizard", wizard.start)
            visited.update(answers, (outcome,))
    except BadShape as shape:
        problem(shape.message, shape.node)
        return
    for node in sorted(nodes - visited):
        problem("cannot be reached from the start", node)


class BadShape(Exception):
    """A wizard that loops or dead-ends, at `node`."""

    def __init__(self, message: str, node: str):
        super().__init__(message)
        self.message, self.node = message, node


def all_paths(wizard: Wizard) -> Iterator[tuple[dict[str, str], str]]:
    """Every (answers, outcome id) a visitor can reach, answers in the order asked. Raises
    BadShape where a path loops or no rule applies (load_wizards never lets such a wizard load)."""
    stack = [(wizard.start, {})]
    while stack:
        node, answers = stack.pop()
        if node in wizard.outcomes:
            yield answers, node
            continue
        if node in answers:
            trail = [*answers][[*answers].index(node) :]
            raise BadShape(f"loops back to itself: {' → '.join([*trail, node])}", node)
        question = wizard.questions[node]
        for value in question.choices:
            after = {**answers, node: value}
            following = question.next_node(value, after)
            if following is None:
                raise BadShape(f"no rule applies after answering {value!r} with earlier answers {answers}", node)
            stack.append((following, after))


def longest_path(wizard: Wizard, node: str, answers: dict[str, str]) -> int:
    """How many questions are left from `node` on the longest way on, given the answers before it
    (`node` included; 0 at an outcome). The "2 of 4" a question shows never undercounts what is left."""
    if node in wizard.outcomes:
        return 0
    question, after_this = wizard.questions[node], 0
    for value in question.choices:
        answered = {**answers, node: value}
        after_this = max(after_this, longest_path(wizard, question.next_node(value, answered), answered))
    return 1 + after_this


def load_wizards(content_dir: Path, library: Library) -> dict[str, Wizard]:
    problems: list[Problem] = []
    wizards = {}
    for path in sorted((content_dir / "wizards").glob("*.yaml")):
        wizard, found = read_wizard(path, library)
        problems += found
        if wizard is not None:
            wizards[wizard.slug] = wizard
    if problems:
        raise ContentError(problems)
    return wizards


def distinct_links(keys, links) -> tuple[str, ...]:
    """The keys, once per address: without a portal of its own, the province's portal key goes to the
    national portal, which an outcome listing both would otherwise offer twice."""
    seen, kept = set(), []
    for key in keys:
        url = links[key].url if key in links else key
        if url not in seen:
            seen.add(url)
            kept.append(key)
    return tuple(kept)
