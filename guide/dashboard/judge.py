"""What the figures say: each rate beside the previous period's, and the communes below their target
online share or far behind the province's median, with the reason in words. Plain functions over
`figures.Figures`."""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .figures import Figures, median_of

# Rates and shares, shown as percentages: their change is in percentage points, a count's in per cent.
RATES = frozenset({"completion", "click_through", "useful_share", "online_share", "postal_share"})
FAR_BELOW = 0.5  # a rate under half the province's median commune is flagged
# A rate is judged only where enough people make it: below these, one person more or less swings it.
MIN_STARTS = 20  # wizard starts, for completion
MIN_VISITORS = 50  # visitors, for click-through
MIN_RECEIVED = 20  # dossiers received, for the online share

# Why a commune is flagged: the rate, how many people it rests on, and the words an officer reads.
FLAGS = (
    ("completion", "wizard_starts", MIN_STARTS, _l("Many start a wizard, few finish it")),
    ("click_through", "visitors", MIN_VISITORS, _l("Many read, few go on to the portal")),
    ("reach_per_1000", "population", 1, _l("Few residents reached: share the links and posters")),
    ("online_share", "received", MIN_RECEIVED, _l("Few dossiers submitted online")),
)
BELOW_TARGET = "below_target"  # the flag of an online share under the target the province set
# What to try, for the monthly report: one sentence per flag, the first that applies (and, for the
# province, the commonest: the target first on a tie). From the guide's own outreach: help at the
# centre (tro-giup-tai-xa), the share kit's links and posters.
ADVICE = {
    BELOW_TARGET: _l(
        "Below the target: at the counter, help each resident submit their next dossier online on their own "
        "phone with VNeID, and share the link to “getting ready to submit online” in the commune's Zalo groups."
    ),
    "completion": _l(
        "Check the wizard's questions with a few residents at the counter: many begin and stop before the plan."
    ),
    "click_through": _l(
        "Show residents at the counter how to open the portal from the plan: many read but do not go on."
    ),
    "reach_per_1000": _l(
        "Post the QR posters at the market, the post office and the village halls, and share the link in Zalo groups."
    ),
    "online_share": _l("Offer to help residents submit their next dossier online at the counter, step by step."),
}
KEEP_GOING = _l("Keep sharing the links: no figure is far behind the province's other communes.")


@dataclass(frozen=True)
class Change:
    direction: str  # "up", "down" or "same"
    amount: float  # per cent for counts, percentage points for rates (always ≥ 0)
    points: bool  # the amount is in percentage points


def change(column: str, now, before) -> Change | None:
    """How a figure moved from the previous period; None when either is unknown (or was 0, for a count)."""
    if now is None or before is None:
        return None
    if column in RATES:
        amount = (now - before) * 100
        points = True
    elif before:
        amount = (now - before) * 100 / before
        points = False
    else:
        return None
    direction = "same" if round(amount) == 0 else "up" if amount > 0 else "down"
    return Change(direction, abs(amount), points)


@dataclass
class Judged:
    """A commune's figures, the previous period's, and what is far behind."""

    now: Figures
    before: Figures
    flags: list[str] = field(default_factory=list)  # the rates of FLAGS it is flagged for
    target: float | None = None  # the online share the district set as this commune's target

    @property
    def points_to_target(self) -> float | None:
        """How far the online share is below its target, in percentage points (0 once reached)."""
        share = self.now.online_share
        return None if self.target is None or share is None else max(0.0, (self.target - share) * 100)

    def change(self, column: str) -> Change | None:
        return change(column, self.now.value(column), self.before.value(column))

    @property
    def reasons(self) -> list[str]:
        below = [self.below_target_words()] if BELOW_TARGET in self.flags else []
        return below + [str(words) for rate, _base, _minimum, words in FLAGS if rate in self.flags]

    def below_target_words(self) -> str:
        return _(
            "Online share %(share)s, %(num)s points below the %(target)s target",
            share=f"{self.now.online_share:.0%}",
            num=f"{self.points_to_target:.0f}",
            target=f"{self.target:.0%}",
        )

    @property
    def advice(self) -> str:
        return str(ADVICE[self.flags[0]]) if self.flags else str(KEEP_GOING)


def judge(rows: list[Figures], before: list[Figures], targets: dict[str, float | None] | None = None) -> list[Judged]:
    """Each commune with its previous period, its target (from `targets`, by slug) and its flags:
    below its target, then each rate judged against the median of the communes whose rate rests on
    enough people."""
    targets = targets or {}
    earlier = {row.slug: row for row in before}
    medians = {}
    for rate, base, minimum, _words in FLAGS:
        medians[rate] = median_of([row for row in rows if (row.value(base) or 0) >= minimum], rate)
    judged = []
    for row in rows:
        target = targets.get(row.slug)
        before_row = earlier.get(row.slug) or Figures(row.slug, row.name, row.population)
        judged.append(Judged(row, before_row, flags_of(row, medians, target), target))
    return judged


def flags_of(row: Figures, medians: dict[str, float], target: float | None) -> list[str]:
    """Below its target first, then each rate far below the median, where enough people make it."""
    below = target is not None and row.online_share is not None and row.online_share < target
    return [BELOW_TARGET] * below + [
        rate
        for rate, base, minimum, _words in FLAGS
        if row.value(rate) is not None
        and (row.value(base) or 0) >= minimum
        and row.value(rate) < FAR_BELOW * medians[rate]
    ]


def advice_for(flagged: list[Judged]) -> str:
    """For the province: what to try about the most common reason communes are flagged."""
    reasons = [rate for row in flagged for rate in row.flags]
    if not reasons:
        return str(KEEP_GOING)
    commonest = max(ADVICE, key=reasons.count)
    return str(ADVICE[commonest])
