"""Every wizard in a real browser, with JavaScript (htmx swaps the region) and without (plain GET
forms): two outcomes each, the back button, a reload, and changing an answer."""

import pytest
from playwright.sync_api import Page, expect

from guide.wizards.engine import replay
from guide.wizards.model import all_paths

pytestmark = pytest.mark.browser


def two_paths(wizard):
    """Two paths that end in different outcomes (the shortest of each)."""
    by_outcome = {}
    for answers, outcome in sorted(all_paths(wizard), key=lambda p: len(p[0])):
        by_outcome.setdefault(outcome, answers)
    picked = list(by_outcome.items())[:2]
    assert len(picked) == 2, f"{wizard.slug} has fewer than two outcomes"
    return picked


@pytest.fixture(params=["js", "no-js"])
def page_for(request, browser):
    context = browser.new_context(java_script_enabled=request.param == "js", viewport={"width": 360, "height": 740})
    page = context.new_page()
    complaints = []
    page.on("console", lambda message: complaints.append(message.text) if message.type == "error" else None)
    page.on(
        "response",
        lambda response: complaints.append(f"{response.status} {response.url}") if response.status >= 400 else None,
    )
    yield request.param, page
    context.close()
    assert complaints == [], f"the browser console reported errors (a CSP violation?): {complaints}"


def answer(page: Page, question_id: str, value: str) -> None:
    expect(page.locator("#wizard")).to_have_attribute("data-step", question_id)
    page.locator(f"label[for='answer-{value}']").click()
    page.locator("#wizard button[type=submit]").click()
    expect(page.locator("#wizard")).not_to_have_attribute("data-step", question_id)  # the next step has arrived


def wizards_of(live_server):
    return live_server.app.extensions["guide.wizards"]


def test_walk_every_wizard_to_two_outcomes(live_server, page_for):
    mode, page = page_for
    for slug, wizard in sorted(wizards_of(live_server).items()):
        for outcome, answers in two_paths(wizard):
            page.goto(f"{live_server.url}/xa/ea-na/tu-van/{slug}/")
            page.locator("a.button-start").click()
            if mode == "js":
                page.evaluate("window.sameDocument = true")
            for question_id, value in answers.items():
                answer(page, question_id, value)
            expect(page.locator("#wizard")).to_have_attribute("data-step", "kiem-tra")
            page.locator("#wizard a.button").click()
            expect(page.locator("#wizard")).to_have_attribute("data-outcome", outcome)
            assert f"/xa/ea-na/tu-van/{slug}/ket-qua?" in page.url
            if mode == "js":  # htmx swapped the region: no page load since the first question
                assert page.evaluate("window.sameDocument") is True


def test_back_reload_and_change_an_answer(live_server, page_for):
    mode, page = page_for
    for slug, wizard in sorted(wizards_of(live_server).items()):
        (first_outcome, answers), (other_outcome, other_answers) = two_paths(wizard)
        page.goto(f"{live_server.url}/en/tu-van/{slug}/")
        page.locator("a.button-start").click()
        steps = list(answers.items())
        for question_id, value in steps:
            answer(page, question_id, value)
        expect(page.locator("#wizard")).to_have_attribute("data-step", "kiem-tra")

        # the browser's back button returns to the last question, its answer still chosen; a reload
        # shows the same step (with JavaScript the answer is in its URL, so still chosen; without,
        # Chromium forgets form state on reload, as it does on any site)
        page.go_back()
        last_question, last_value = steps[-1]
        expect(page.locator("#wizard")).to_have_attribute("data-step", last_question)
        expect(page.locator(f"#answer-{last_value}")).to_be_checked()
        page.reload()
        expect(page.locator("#wizard")).to_have_attribute("data-step", last_question)
        if mode == "js":
            expect(page.locator(f"#answer-{last_value}")).to_be_checked()
        page.go_forward()
        expect(page.locator("#wizard")).to_have_attribute("data-step", "kiem-tra")
        # the page's own Back link keeps every answer: the last one is still chosen
        page.locator("#wizard .back").click()
        expect(page.locator(f"#answer-{last_value}")).to_be_checked()
        page.locator("#wizard button[type=submit]").click()
        expect(page.locator("#wizard")).to_have_attribute("data-step", "kiem-tra")

        # change the first answer from the check page, then answer whatever the new path still asks
        first_question = steps[0][0]
        page.locator(f".change a[href*='/{first_question}?']").click()
        expect(page.locator(f"#answer-{answers[first_question]}")).to_be_checked()
        effective = {**answers, first_question: other_answers[first_question]}
        answer(page, first_question, effective[first_question])
        while (step := page.locator("#wizard").get_attribute("data-step")) != "kiem-tra":
            effective[step] = other_answers.get(step) or next(iter(wizard.questions[step].choices))
            answer(page, step, effective[step])
        page.locator("#wizard a.button").click()
        expect(page.locator("#wizard")).to_have_attribute("data-outcome", replay(wizard, effective).outcome.id)
        expect(page.locator("html")).to_have_attribute("lang", "en")
