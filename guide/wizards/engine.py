"""Replaying answers: from the query string to where the visitor is in a wizard.

No session: the answers so far travel in the URL, keyed by question, and every request replays
them from the first question. So every step can be bookmarked, shared, reloaded or pre-filled.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from .model import Outcome, Question, Wizard, longest_path


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

    def place(self, wizard: Wizard, question_id: str) -> tuple[int, int]:
        """Which question this is on the path, and how many more at most ("Question 2, at most 3
        more"): those asked before it, then the longest way on after it given those answers. Not a
        total: a total from the longest way would shrink as answers shorten the path ("2 of 5", then
        "3 of 3")."""
        ids = [q.id for q, _ in self.answered]
        before = ids.index(question_id) if question_id in ids else len(ids)
        answers = {q.id: answer for q, answer in self.answered[:before]}
        return before + 1, longest_path(wizard, question_id, answers) - 1


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
