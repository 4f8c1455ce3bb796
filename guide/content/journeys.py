"""Journeys: a guide with `steps` leads through other guides, one step each.

Steps are declared in the default language's guide; a translation uses them with its own headings
(the same ids). A step names a heading of the journey and guides that exist; a guide belongs to
one step of one journey. Each step guide is told where it stands (`Guide.journey`).
"""

import dataclasses
import re

from .guides import Guide, JourneyPlace, Step
from .problems import Problem

_STEP_PREFIX = re.compile(r"^\w+\s+\d+\s*[:.]\s*")  # "Bước 3: ", "Step 3: "


def place_journeys(guides: dict[str, dict[str, Guide]], default: str, problems: list[Problem]) -> None:
    """Check every journey and tell each of its step guides where it stands, in every language."""
    for language, by_slug in guides.items():
        if language != default:
            for guide in by_slug.values():
                if guide.steps:
                    message = f"`steps` belong in the {default} original; this translation uses them"
                    problems.append(Problem(guide.path, message, guide.line("steps")))
    for journey_slug, original in guides[default].items():
        if not original.steps:
            continue
        for language, by_slug in guides.items():
            journey = by_slug.get(journey_slug)
            if journey is None:
                continue
            steps = _steps(journey, original, by_slug, guides[default], problems, said=language == default)
            if steps is not None:
                _place(by_slug, journey, steps)


def _steps(
    journey: Guide, original: Guide, by_slug: dict, originals: dict, problems: list[Problem], said: bool
) -> list[Step] | None:
    """The journey's steps in its language, or None where one is wrong. A problem with a step's
    guides is said (`said`) once, at the original's `steps`, not again for each translation."""
    titles = {h.anchor: h.title for h in journey.headings}
    steps, before = [], len(problems)

    def step_problem(message: str, number: int, slug: str) -> None:
        if said:
            line = original.line("steps", number - 1, "guides", original.steps[number - 1][1].index(slug))
            problems.append(Problem(original.path, message, line))
        wrong.append(message)

    wrong: list[str] = []
    for number, (anchor, members) in enumerate(original.steps, start=1):
        if anchor not in titles:
            line = journey.line("steps", number - 1, "heading") if journey is original else None
            problems.append(Problem(journey.path, f"step {number}: this journey has no heading {{#{anchor}}}", line))
            continue
        for slug in members:
            if slug not in by_slug and slug not in originals:
                step_problem(f"step {number}: there is no guide {slug!r}", number, slug)
        steps.append(Step(number, anchor, _STEP_PREFIX.sub("", titles[anchor]), members))
    seen: dict[str, int] = {}
    for step in steps:
        for slug in step.guides:
            if slug == journey.slug or slug in seen:
                where = "the journey itself" if slug == journey.slug else f"already in step {seen[slug]}"
                step_problem(f"step {step.number}: guide {slug!r} is {where}; a guide is one step", step.number, slug)
            seen.setdefault(slug, step.number)
    return None if wrong or len(problems) > before else steps


def _place(by_slug: dict[str, Guide], journey: Guide, steps: list[Step]) -> None:
    for step in steps:
        for slug in step.guides:
            member = by_slug.get(slug)
            if member is not None and member.journey is None:
                place = JourneyPlace(journey=journey.slug, journey_title=journey.title, step=step)
                by_slug[slug] = dataclasses.replace(member, journey=place)
