"""Wizards as data: content/wizards/<slug>.yaml read into plain objects and checked at start-up.

A wizard is a graph of questions and outcomes (GOV.UK smart answers). A question's next node is a
node id or a rule list; a rule names the answers (of this or earlier questions) it needs. The checks
walk every path (`paths`), so a definition that can dead-end, loop, or leave a node unreachable
never loads. Texts are keyed by language code; the default language's is required, and any other
language's that is missing is shown in the default one (noted in `Wizard.untranslated`).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..content import ContentError, Languages, Library, Problem, make_markdown
from ..content.positions import Positions

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
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
    body: dict[str, str]  # rendered HTML per language, internal links without prefix
    checklist: dict[str, tuple[str, ...]]
    links: tuple[str, ...] = ()
    guides: tuple[str, ...] = ()
    body_links: tuple[str, ...] = ()


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


class _Reader:
    """Reads one wizard file, collecting every problem with the node it concerns."""

    def __init__(self, path: Path, languages: Languages, problems: list[Problem]):
        self.path, self.languages, self.problems = path, languages, problems
        self.positions = Positions("")
        self.question_ids: set[str] = set()
        self.untranslated: dict[str, list[str]] = {}

    def problem(self, message: str, node: str | None = None) -> None:
        line = None
        if node is not None:
            line = self.positions.line("questions" if node in self.question_ids else "outcomes", node)
        self.problems.append(Problem(self.path, f"{node}: {message}" if node else message, line))

    def text(self, value, where: str, node: str | None, required: bool = True) -> dict:
        """A text (or a list of texts) in every language; the default's is required, others fall back to it."""
        if value is None and not required:
            return {}
        given = {}
        for code, text in value.items() if isinstance(value, dict) else ():
            if isinstance(text, str) and text.strip():
                given[str(code)] = text.strip()
            elif isinstance(text, list) and text:
                given[str(code)] = tuple(map(str, text))
        default = self.languages.default
        if default not in given:
            self.problem(f"{where} needs its text in {default}: `{{{default}: …}}`", node)
            return {}
        for code in self.languages.prefixed:
            if code not in given:
                self.untranslated.setdefault(code, []).append(f"{node}: {where}" if node else where)
        return self.languages.in_every_language(given)

    def rules(self, value, where: str, node: str) -> tuple[Rule, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            return (Rule(value),)
        if not isinstance(value, list) or not value:
            self.problem(f"{where}: `next` must be a node id or a list of rules", node)
            return ()
        rules = []
        for index, rule in enumerate(value):
            if not isinstance(rule, dict) or not isinstance(rule.get("then"), str):
                self.problem(f"{where}: rule {index + 1} needs `then: <node id>`", node)
                continue
            condition = rule.get("if") or {}
            if not isinstance(condition, dict):
                self.problem(f"{where}: rule {index + 1}'s `if` must map question ids to lists of answers", node)
                continue
            if not condition and index != len(value) - 1:
                self.problem(f"{where}: rule {index + 1} has no `if`, so the rules after it can never apply", node)
            conditions = tuple(
                (str(question), frozenset(map(str, answers if isinstance(answers, list) else [answers])))
                for question, answers in condition.items()
            )
            rules.append(Rule(rule["then"], conditions))
        return tuple(rules)

    def read(self, library: Library) -> Wizard | None:
        path, slug = self.path, self.path.stem
        try:
            text = path.read_text(encoding="utf-8")
            data = yaml.safe_load(text)
            self.positions = Positions(text)
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            self.problem(f"cannot be read: {error}")
            return None
        if not SLUG.match(slug):
            self.problem("the file name must be an ASCII slug")
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("questions"), dict)
            or not isinstance(data.get("outcomes"), dict)
        ):
            self.problem("expected `title`, `summary`, `start`, `questions:` and `outcomes:`")
            return None
        before = len(self.problems)
        self.question_ids = {str(qid) for qid in data["questions"]}
        title = self.text(data.get("title"), "title", None)
        summary = self.text(data.get("summary"), "summary", None)
        md = make_markdown()

        questions: dict[str, Question] = {}
        for qid, spec in data["questions"].items():
            qid = str(qid)
            if not SLUG.match(qid) or qid in RESERVED_STEPS:
                self.problem("a question id must be an ASCII slug and not kiem-tra or ket-qua", qid)
            if not isinstance(spec, dict) or not isinstance(spec.get("choices"), dict) or not spec["choices"]:
                self.problem("a question needs `text` and at least one choice under `choices:`", qid)
                continue
            choices = {}
            for value, choice in spec["choices"].items():
                value = str(value)
                if not SLUG.match(value):
                    self.problem(f"choice {value!r} must be an ASCII slug", qid)
                choice = choice if isinstance(choice, dict) else {}
                choices[value] = Choice(
                    value,
                    self.text(choice.get("label"), f"choice {value!r} label", qid),
                    self.rules(choice.get("next"), f"choice {value!r}", qid),
                )
            questions[qid] = Question(
                qid,
                self.text(spec.get("text"), "text", qid),
                self.text(spec.get("hint"), "hint", qid, required=False),
                choices,
                self.rules(spec.get("next"), "question", qid),
            )

        outcomes: dict[str, Outcome] = {}
        for oid, spec in data["outcomes"].items():
            oid = str(oid)
            if not SLUG.match(oid):
                self.problem("an outcome id must be an ASCII slug", oid)
            if oid in questions:
                self.problem("an outcome may not share its id with a question", oid)
            spec = spec if isinstance(spec, dict) else {}
            body_source = self.text(spec.get("body"), "body", oid)
            body, body_links = {}, []
            for lang, source in body_source.items():
                md.reset()
                body[lang] = md.convert(source)
                body_links += md.collected_links
            checklist = self.text(spec.get("checklist"), "checklist", oid, required=False)
            links = tuple(map(str, spec.get("links") or ()))
            for key in links:
                if key not in library.links:
                    self.problem(f"link key {key!r} is not in links.yaml", oid)
            guides = tuple(map(str, spec.get("guides") or ()))
            for guide_slug in guides:
                if guide_slug not in library.originals:
                    self.problem(f"guide {guide_slug!r} does not exist", oid)
            outcomes[oid] = Outcome(
                oid,
                self.text(spec.get("title"), "title", oid),
                body,
                checklist,
                links,
                guides,
                tuple(body_links),
            )

        start = data.get("start")
        if start not in questions:
            self.problem(f"`start` must name a question, not {start!r}")
        if len(self.problems) > before:
            return None
        untranslated = {code: tuple(where) for code, where in self.untranslated.items()}
        wizard = Wizard(slug, title, summary, start, questions, outcomes, path, untranslated)
        self.check_graph(wizard)
        return None if len(self.problems) > before else wizard

    def check_graph(self, wizard: Wizard) -> None:
        before = len(self.problems)
        nodes = set(wizard.questions) | set(wizard.outcomes)
        for question in wizard.questions.values():
            for choice in question.choices.values():
                rules = choice.next or question.next
                if not rules:
                    self.problem(
                        f"choice {choice.value!r} leads nowhere: give the choice or the question a `next`", question.id
                    )
                for rule in rules:
                    if rule.then not in nodes:
                        self.problem(
                            f"`next` names {rule.then!r}, which is neither a question nor an outcome", question.id
                        )
                    for asked, allowed in rule.conditions:
                        if asked not in wizard.questions:
                            self.problem(f"a rule asks about {asked!r}, which is not a question", question.id)
                        elif not allowed <= set(wizard.questions[asked].choices):
                            self.problem(
                                f"a rule names answers {sorted(allowed - set(wizard.questions[asked].choices))} "
                                f"that {asked!r} does not offer",
                                question.id,
                            )
        if len(self.problems) > before:
            return
        visited = {wizard.start}
        try:
            for number, (answers, outcome) in enumerate(all_paths(wizard), 1):
                if number > MAX_PATHS:
                    raise BadShape(f"more than {MAX_PATHS} paths: split the wizard", wizard.start)
                visited.update(answers, (outcome,))
        except BadShape as shape:
            self.problem(shape.message, shape.node)
            return
        for node in sorted(nodes - visited):
            self.problem("cannot be reached from the start", node)


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
        wizard = _Reader(path, library.languages, problems).read(library)
        if wizard is not None:
            wizards[wizard.slug] = wizard
    if problems:
        raise ContentError(problems)
    return wizards
