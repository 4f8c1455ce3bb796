"""Replaying answers: from the query string to where the visitor is in a wizard.

No session: the answers so far travel in the URL, keyed by question, and every request replays
them from the first question. So every step can be bookmarked, shared, reloaded or pre-filled.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from .model import Outcome, Question, Wizard


@dataclass(frozen=True)
class State:
    """Where a set of answers leads: the questions answered on the way, then either the next
    question to answer or the outcome."""

    answered: tuple[tuple[Question, str], ...]
    current: Question | None
    outcome: Outcome | None

    @property
    def answers(self) -> dict[str, str]:
        return {question.id: answer for question, answer in self.answered}

    def is_on_path(self, question_id: str) -> bool:
        return any(q.id == question_id for q, _ in self.answered) or (
            self.current is not None and self.current.id == question_id
        )

    def previous(self, question_id: str) -> Question | None:
        """The question asked before `question_id` on this path (for the Back link)."""
        ids = [q.id for q, _ in self.answered] + ([self.current.id] if self.current else [])
        at = ids.index(question_id) if question_id in ids else len(ids)
        return self.answered[at - 1][0] if at > 0 else None

    def place(self, wizard: Wizard, question_id: str) -> tuple[int, int | None]:
        """Which question this is on the path ("Question 2"), and of how many ("of 4") only where
        every way on from it, given the answers before it, asks the same number: a total is never
        promised that the visitor's own answers may cut short or stretch."""
        ids = [q.id for q, _ in self.answered]
        before = ids.index(question_id) if question_id in ids else len(ids)
        answers = {q.id: answer for q, answer in self.answered[:before]}
        lengths = questions_left(wizard, question_id, answers)
        return before + 1, (before + lengths.pop() if len(lengths) == 1 else None)


def questions_left(wizard: Wizard, node: str, answers: dict[str, str]) -> set[int]:
    """How many questions each way on from `node` still asks (`node` included; {0} at an outcome),
    given the answers before it."""
    if node in wizard.outcomes:
        return {0}
    question, lengths = wizard.questions[node], set()
    for value in question.choices:
        answered = {**answers, node: value}
        lengths |= {1 + n for n in questions_left(wizard, question.next_node(value, answered), answered)}
    return lengths


def replay(wizard: Wizard, given: Mapping[str, str]) -> State:
    """Follow the answers from the start until one is missing or invalid, or an outcome is reached."""
    answered: list[tuple[Question, str]] = []
    answers: dict[str, str] = {}
    node = wizard.start
    for _ in range(len(wizard.questions) + 1):  # definitions have no loops; this is a belt and braces bound
        if node in wizard.outcomes:
            return State(tuple(answered), None, wizard.outcomes[node])
        question = wizard.questions[node]
        answer = given.get(question.id)
        if answer not in question.choices:
            return State(tuple(answered), question, None)
        answered.append((question, answer))
        answers[question.id] = answer
        node = question.next_node(answer, answers)
    raise RuntimeError(f"wizard {wizard.slug} loops")  # unreachable: load_wizards rejects loops


def answers_from(wizard: Wizard, args: Mapping[str, str]) -> dict[str, str]:
    """The valid answers in a query string, in the wizard's question order; anything else dropped."""
    answers = {}
    for question in wizard.questions.values():
        value = args.get(question.id)
        if value in question.choices:
            answers[question.id] = value
    return answers


def canonical(wizard: Wizard, answers: Mapping[str, str], state: State | None = None) -> dict[str, str]:
    """The answers worth keeping in a link: those on the path, in the wizard's question order."""
    on_path = (state or replay(wizard, answers)).answers
    return {qid: on_path[qid] for qid in wizard.questions if qid in on_path}
