"""The wizard pages. Thin: the engine decides where a visitor is; these render it.

A question is a GET form (radio buttons, earlier answers as hidden fields, a Continue button), so it
works without JavaScript. With htmx the same form swaps only the wizard region and the server pushes
the next step's URL; without it the server redirects there.
"""

from urllib.parse import urlencode

from flask import abort, current_app, redirect, render_template, request, url_for
from markupsafe import Markup

from .. import clock, tallies
from ..content import with_prefix
from ..extensions import is_partial
from ..prefixes import Blueprint, current_language, url_prefix
from ..response_cache import shareable
from ..share import public_base, qr_svg, qr_url, short_address
from .engine import State, answers_from, canonical, replay
from .model import CHECK, RESULT, Wizard
from .plan import with_printed_addresses

bp = Blueprint("wizards", __name__)
SUBMITTED = "tiep"  # the Continue button's name: this request answers the question


def wizard_or_404(slug: str) -> Wizard:
    wizard = current_app.extensions["guide.wizards"].get(slug)
    if wizard is None:
        abort(404)
    return wizard


def step_url(wizard: Wizard, step: str, answers: dict[str, str]) -> str:
    base = url_for("wizards.step", wizard_slug=wizard.slug, step=step)
    return f"{base}?{urlencode(answers)}" if answers else base


def where_to(wizard: Wizard, state: State) -> str:
    """The URL of the first step the visitor still has to see."""
    step = state.current.id if state.current else CHECK
    return step_url(wizard, step, canonical(wizard, state.answers, state))


def render_step(template: str, wizard: Wizard, state: State, push_url: str | None = None, **context):
    partial = is_partial()
    html = render_template(
        f"wizards/_{template}.html" if partial else f"wizards/{template}.html",
        wizard=wizard,
        state=state,
        partial=partial,
        step_url=lambda step, answers=None: step_url(
            wizard, step, canonical(wizard, state.answers, state) if answers is None else answers
        ),
        **context,
    )
    response = current_app.make_response(html)
    if partial and push_url:
        response.headers["HX-Push-Url"] = push_url
    return response


@bp.route("/tu-van/<wizard_slug>/")
@shareable
def start(wizard_slug: str):
    wizard = wizard_or_404(wizard_slug)
    state = replay(wizard, answers_from(wizard, request.args))
    return render_template("wizards/start.html", wizard=wizard, first_step=where_to(wizard, state))


@bp.route("/tu-van/<wizard_slug>/<step>")
@shareable  # a step is a function of its URL (the answers are in it) and htmx's headers
def step(wizard_slug: str, step: str):
    wizard = wizard_or_404(wizard_slug)
    if step not in wizard.questions and step not in (CHECK, RESULT):
        abort(404)
    answers = answers_from(wizard, request.args)
    state = replay(wizard, answers)

    if step in (CHECK, RESULT):
        if state.current is not None:  # not finished yet: go to the first unanswered question
            return redirect(where_to(wizard, state), 303)
        if step == CHECK:
            return render_step("check", wizard, state)
        tallies.count("wizard_outcome", f"{wizard.slug}:{state.outcome.id}")
        language = current_language()
        library = current_app.extensions["guide.library"]
        # The plan to carry and to send: its own address, absolute, with the answers and nothing else
        # (the response cache keeps this page per URL without tags, so neither may carry the visitor's).
        # Its QR code, like the share kit's, only where the site has a public address to put in it.
        plan_path = step_url(wizard, RESULT, canonical(wizard, state.answers, state))
        qr_data = qr_url(plan_path, "plan")
        return render_step(
            "outcome",
            wizard,
            state,
            outcome=state.outcome,
            outcome_html=Markup(with_prefix(state.outcome.body(language), url_prefix())),
            links=library.links,
            guides=[library.guide(slug, language)[0] for slug in state.outcome.guides],
            plan_url=public_base() + plan_path,
            plan_qr=qr_svg(qr_data, state.outcome.title[language]) if qr_data else None,
            made_on=clock.today(),
        )

    if not state.is_on_path(step):  # a step not reached yet, or off this path
        return redirect(where_to(wizard, state), 303)
    question = wizard.questions[step]
    error = None
    if SUBMITTED in request.args:
        if request.args.get(step) in question.choices:
            following = replay(wizard, answers)
            target = where_to(wizard, following)
            if is_partial():
                return step_response_for(wizard, following, target)
            return redirect(target, 303)
        error = True
    elif step == wizard.start and step not in answers:
        tallies.count("wizard_start", wizard.slug)
    return render_step(
        "question", wizard, state, question=question, selected=answers.get(step), error=error, back=state.previous(step)
    )


@bp.app_template_filter()
def printed_addresses(html: str) -> Markup:
    """For a printed plan: each link in `html` says its address (see plan.py)."""
    return with_printed_addresses(html, current_app.extensions["guide.library"].links, short_address)


def step_response_for(wizard: Wizard, state: State, url: str):
    """Answer an htmx form submission with the next step itself, and push its URL."""
    if state.current is not None:
        return render_step(
            "question",
            wizard,
            state,
            push_url=url,
            question=state.current,
            selected=None,
            error=None,
            back=state.previous(state.current.id),
        )
    return render_step("check", wizard, state, push_url=url)
