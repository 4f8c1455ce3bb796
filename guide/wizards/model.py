"""Wizards as data: content/wizards/<slug>.yaml read into plain objects and checked at start-up.

A wizard is a graph of questions and outcomes (GOV.UK smart answers). A question's next node is a
node id or a rule list; a rule names the answers (of this or earlier questions) it needs. The checks
walk every path, so a definition that can dead-end, loop, or leave a node unreachable never loads.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..content import LOCALES, Library, make_markdown
from ..errors import ContentError, Problem

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RESERVED_STEPS = {"kiem-tra", "ket-qua"}
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


class _Reader:
    """Reads one wizard file, collecting every problem with the node it concerns."""

    def __init__(self, path: Path, problems: list[Problem]):
        self.path, self.problems, self.raw = path, problems, ""

    def problem(self, message: str, node: str | None = None) -> None:
        line = None
        if node is not None:
            at = self.raw.find(f"\n  {node}:")
            line = self.raw.count("\n", 0, at) + 2 if at >= 0 else None
        self.problems.append(Problem(self.path, f"{node}: {message}" if node else message, line))

    def text(self, value, where: str, node: str | None, required: bool = True) -> dict[str, str]:
        if value is None and not required:
            return {}
        if not isinstance(value, dict) or not all(
            isinstance(value.get(lang), str) and value[lang].strip() for lang in LOCALES
        ):
            missing = [
                lang
                for lang in LOCALES
                if not (isinstance(value, dict) and isinstance(value.get(lang), str) and value[lang].strip())
            ]
            self.problem(f"{where} is missing its translation in: {', '.join(missing)}", node)
            return {lang: str(value.get(lang, "")) for lang in LOCALES} if isinstance(value, dict) else {}
        return {lang: value[lang].strip() for lang in LOCALES}

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
            self.raw = path.read_text(encoding="utf-8")
            data = yaml.safe_load(self.raw)
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
            checklist = spec.get("checklist") or {}
            if checklist and not (
                isinstance(checklist, dict)
                and all(isinstance(checklist.get(lang), list) and checklist[lang] for lang in LOCALES)
            ):
                self.problem("checklist needs a list of items in every language (vi and en)", oid)
                checklist = {}
            links = tuple(map(str, spec.get("links") or ()))
            for key in links:
                if key not in library.links:
                    self.problem(f"link key {key!r} is not in links.yaml", oid)
            guides = tuple(map(str, spec.get("guides") or ()))
            for guide_slug in guides:
                if guide_slug not in library.guides["vi"]:
                    self.problem(f"guide {guide_slug!r} does not exist", oid)
            outcomes[oid] = Outcome(
                oid,
                self.text(spec.get("title"), "title", oid),
                body,
                {lang: tuple(map(str, items)) for lang, items in checklist.items() if lang in LOCALES},
                links,
                guides,
                tuple(body_links),
            )

        start = data.get("start")
        if start not in questions:
            self.problem(f"`start` must name a question, not {start!r}")
        if len(self.problems) > before:
            return None
        wizard = Wizard(slug, title, summary, start, questions, outcomes, path)
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
        visited: set[str] = set()
        for problem in walk(wizard, visited):
            self.problem(*problem)
            return
        for node in sorted(nodes - visited):
            self.problem("cannot be reached from the start", node)


def walk(wizard: Wizard, visited: set[str]):
    """Follow every path from the start; yield (message, node) for a loop or a dead end."""
    stack = [(wizard.start, (), {})]
    paths = 0
    while stack:
        node, trail, answers = stack.pop()
        visited.add(node)
        if node in wizard.outcomes:
            paths += 1
            if paths > MAX_PATHS:
                yield (f"more than {MAX_PATHS} paths: split the wizard", wizard.start)
                return
            continue
        if node in trail:
            yield (f"loops back to itself: {' → '.join(trail[trail.index(node) :] + (node,))}", node)
            return
        question = wizard.questions[node]
        for value in question.choices:
            after = {**answers, node: value}
            following = question.next_node(value, after)
            if following is None:
                yield (f"no rule applies after answering {value!r} with earlier answers {answers}", node)
                return
            stack.append((following, trail + (node,), after))


def all_paths(wizard: Wizard):
    """Every (answers, outcome id) a visitor can reach: for tests and the checker."""
    stack = [(wizard.start, {})]
    while stack:
        node, answers = stack.pop()
        if node in wizard.outcomes:
            yield answers, node
            continue
        question = wizard.questions[node]
        for value in question.choices:
            after = {**answers, node: value}
            stack.append((question.next_node(value, after), after))


def load_wizards(content_dir: Path, library: Library) -> dict[str, Wizard]:
    problems: list[Problem] = []
    wizards = {}
    for path in sorted((content_dir / "wizards").glob("*.yaml")):
        wizard = _Reader(path, problems).read(library)
        if wizard is not None:
            wizards[wizard.slug] = wizard
    if problems:
        raise ContentError(problems)
    return wizards
