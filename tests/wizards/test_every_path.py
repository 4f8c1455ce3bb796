"""Every path of every shipped wizard, walked from its definition: each step and outcome rendered
in full and as an htmx partial, in both languages; and Continue leading where the answers replay to."""

from urllib.parse import urlencode

import pytest

from guide.wizards.engine import canonical, replay
from guide.wizards.model import all_paths

from .flows.helpers import shipped_wizards

WIZARDS = shipped_wizards()
EXPECTED = {"cach-nop-ho-so", "nop-qua-buu-dien", "chuan-bi-nop-truc-tuyen", "khai-sinh"}


def test_the_four_wizards_ship():
    assert set(WIZARDS) >= EXPECTED


@pytest.mark.parametrize("slug", sorted(WIZARDS))
@pytest.mark.parametrize("prefix", ["", "/en/xa/krong-ana"])
def test_every_step_and_outcome_renders_full_and_partial(client_request, slug, prefix):
    wizard = WIZARDS[slug]
    seen_steps, seen_outcomes = set(), set()
    for answers, outcome in all_paths(wizard):
        state = replay(wizard, answers)
        assert state.outcome.id == outcome
        asked = {}
        for question, answer in state.answered:
            url = f"{prefix}/tu-van/{slug}/{question.id}?{urlencode(asked)}"
            if question.id not in seen_steps:
                client_request.get(url)
                client_request.get_partial(url)
                seen_steps.add(question.id)
            asked[question.id] = answer
        query = urlencode(asked)
        if outcome not in seen_outcomes:
            check = client_request.get(f"{prefix}/tu-van/{slug}/kiem-tra?{query}")
            assert len(check.select(".answer-row")) == len(asked)
            soup = client_request.get(f"{prefix}/tu-van/{slug}/ket-qua?{query}")
            assert soup.select_one("#wizard")["data-outcome"] == outcome
            client_request.get_partial(f"{prefix}/tu-van/{slug}/ket-qua?{query}")
            seen_outcomes.add(outcome)
    assert seen_steps == set(wizard.questions)
    assert seen_outcomes == set(wizard.outcomes)


@pytest.mark.parametrize("slug", sorted(WIZARDS))
def test_submitting_each_answer_redirects_to_the_step_the_answers_replay_to(client, slug):
    """The view against the engine, on every reachable state: Continue sends the visitor to the step
    `replay` reaches with the answers so far. Where each answer should lead is asserted by hand,
    node by node, in tests/wizards/flows/."""
    wizard = WIZARDS[slug]
    for answers, _ in all_paths(wizard):
        asked = {}
        for qid, answer in answers.items():
            response = client.get(f"/tu-van/{slug}/{qid}?{urlencode({**asked, qid: answer, 'tiep': 1})}")
            asked[qid] = answer
            state = replay(wizard, asked)
            target = state.current.id if state.current else "kiem-tra"
            assert response.status_code == 303
            # the answers in the wizard's question order, which a path may ask in another order
            # (cach-nop-ho-so asks thiet-bi before di-lai with level 2, after thoi-gian without)
            assert response.headers["Location"] == f"/tu-van/{slug}/{target}?{urlencode(canonical(wizard, asked))}"
            assert canonical(wizard, asked) == asked


@pytest.mark.parametrize("slug", sorted(WIZARDS))
def test_at_most_n_more_never_promises_fewer_than_are_asked_and_the_last_is_the_last(slug):
    """On every path: question numbers count up; "at most n more" is never below the questions the
    path then asks; "the last" (0 more) is said on a path's last question only; and on the longest
    path every bound is exact."""
    wizard = WIZARDS[slug]
    longest = 0
    for answers, _ in all_paths(wizard):
        state = replay(wizard, answers)
        places = [state.place(wizard, question.id) for question, _ in state.answered]
        assert [number for number, _ in places] == list(range(1, len(answers) + 1))
        assert all(more >= len(answers) - number for number, more in places)
        assert [number for number, more in places if more == 0] in ([], [len(answers)])
        longest = max(longest, len(answers))
    assert replay(wizard, {}).place(wizard, wizard.start) == (1, longest - 1)
