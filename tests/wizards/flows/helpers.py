"""Flow tests written by hand, node by node, the way smart-answers' test/flows/*_flow_test.rb are.

The expected node in every assertion is typed from reading the wizard's YAML, never computed by the
engine: these tests say what the definition should do, and the engine's `replay` is what they
check. Only `replay`, `wizard.start`, `wizard.questions` and `wizard.outcomes` are used, so the
tests do not depend on how the model walks or stores a definition.
"""

from functools import cache

from guide.config import ROOT
from guide.content import load_library
from guide.wizards.engine import replay
from guide.wizards.model import load_wizards


@cache
def shipped_wizards():
    """The shipped wizards, read as the app reads them (no app needed: they are data)."""
    content = ROOT / "content"
    return load_wizards(content, load_library(content))


def wizard(slug):
    return shipped_wizards()[slug]


def current_node(wizard, answers):
    """The id of the question the answers stop at, or of the outcome they reach."""
    state = replay(wizard, answers)
    return state.current.id if state.current is not None else state.outcome.id


def next_node(wizard, answers_so_far, question, response):
    """The node `response` to `question` leads to, after `answers_so_far`.

    Fails first if `question` is not the one being asked after those answers, so a test never
    passes by answering a question that is not on its path."""
    assert question in wizard.questions, f"{wizard.slug} has no question {question!r}"
    assert response in wizard.questions[question].choices, f"{question!r} has no choice {response!r}"
    reached = current_node(wizard, answers_so_far)
    assert reached == question, f"after {answers_so_far} {wizard.slug} asks {reached!r}, not {question!r}"
    return current_node(wizard, {**answers_so_far, question: response})


def assert_next_node(wizard, expected, *, for_response, at, after=None):
    """smart-answers' `assert_next_node :expected, for_response: "y"`, for the question `at`."""
    got = next_node(wizard, after or {}, at, for_response)
    assert got == expected, f"{wizard.slug}: {at}={for_response} after {after or {}} leads to {got!r}, not {expected!r}"


def shape(wizard):
    """Each question with its choices, and the outcomes: compared with a hand-typed copy, so a node
    added to the YAML fails until someone writes its flow tests."""
    return {qid: list(q.choices) for qid, q in wizard.questions.items()}, set(wizard.outcomes)
