"""A project's health: green, amber or red, and why. One rule for `wm report projects` and the status site.

Red when over budget (a budget of 0 with any cost is over it), past its due
date, or forecast to finish after it; amber when nine tenths of the budget
is burnt, the forecast is at risk, there are overdue or held-up tasks
(`blocking.is_held_up`), open high-impact risks, open tasks the scheduler
could not schedule (no one can do them as things stand), open tasks it
plans as zero effort for want of an estimate (the forecast leaves their
work out, so it cannot be trusted), or hours without a rate (the cost is then incomplete), or when a
closed project still has open tasks. A cost in another currency than the
budget's gives no burn: a note says so, without changing the colour.
Pure: the caller gathers the facts (the report from the index, the site
through `SiteData`, which records what each page reads).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Iterable, Protocol

from workspace_tool.values import format_hours

AMBER_BURN = 0.9
"""The share of the budget burnt from which a project is amber."""
LISTED = 3
"""How many task IDs a reason names before "and N more"."""


@dataclass(frozen=True)
class HealthFacts:
    """What a project's health is decided from."""

    closed: bool  # the project is in a done status: dates no longer matter
    due: dt.date | None
    today: dt.date
    burn: float | None  # `budget_burn`: cost / budget (None: no budget, no cost known, or not comparable; inf: a budget of 0 exceeded)
    forecast_status: str | None  # the scheduler's "on-track", "at-risk" or "late" (None: no plan)
    forecast_end: dt.date | None
    overdue: int  # open tasks past their due date
    held_up: int  # open tasks held up now
    high_risks: int  # open risks with impact high
    unpriced_hours: float  # hours logged without a rate
    open_tasks: int = 0  # tasks not done (read for a closed project: work left in a finished one)
    currencies: tuple[str, str] | None = None  # (the cost's, the budget's) when they differ: no burn, a note
    unscheduled: tuple[str, ...] = ()  # open tasks the plan could not schedule, each "ID (why)" (`plan_gaps`)
    unestimated: int = 0  # open tasks the plan counts as zero effort, having no estimate (`plan_gaps`)


class _Warning(Protocol):
    about: str
    message: str


def budget_burn(cost: float | None, budget: float | None) -> float | None:
    """cost / budget. None with no budget or no cost known; a budget of 0 is burnt 0 with no cost, and
    infinitely (over budget) with any."""
    if budget is None or cost is None:
        return None
    if budget == 0:
        return 0.0 if cost == 0 else math.inf
    return cost / budget


def burn_percent(burn: float) -> str:
    """A burn as a percent that never contradicts the colour: whole percents rounded down (89.8% shows 89%, not
    the amber 90%), except just over 100%, shown to the tenth rounded up (100.5%, never the not-over 100%)."""
    if math.isinf(burn):
        return "∞"
    percent = burn * 100
    if 100 < percent < 101:
        return f"{math.ceil(round(percent * 10, 6)) / 10:.1f}%"
    return f"{math.floor(round(percent, 6)):.0f}%"


def plan_gaps(warnings: Iterable[_Warning], open_ids: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """From the plan's warnings, the open tasks of `open_ids` it could not schedule ("ID (why)") and those it
    counts as zero effort because they have no estimate (IDs: the report's notes name them), each sorted; both
    make a project amber (`project_health`)."""
    wanted = set(open_ids)
    unscheduled: dict[str, str] = {}
    unestimated: set[str] = set()
    for warning in warnings:
        if warning.about not in wanted:
            continue
        message = warning.message
        if "not scheduled" in message:
            why = message.removeprefix("not scheduled: ").removesuffix("; not scheduled")
            unscheduled.setdefault(warning.about, f"{warning.about} ({why})")
        elif message.startswith("no estimate") or message.endswith("scheduled as zero effort"):  # none, or one unreadable
            unestimated.add(warning.about)
    return tuple(unscheduled[k] for k in sorted(unscheduled)), tuple(sorted(unestimated - set(unscheduled)))


def open_tasks_text(count: int) -> str:
    return f"{count} open task{'s' * (count != 1)}"


def unestimated_reason(count: int) -> str:
    """The amber reason for open tasks the forecast plans as zero effort: "2 open tasks have no estimate: the
    forecast leaves them out"."""
    one = count == 1
    return f"{open_tasks_text(count)} {'has' if one else 'have'} no estimate: the forecast leaves {'it' if one else 'them'} out"


def named(items: tuple[str, ...]) -> str:
    """The first `LISTED` items, then how many more."""
    shown = ", ".join(items[:LISTED])
    return shown + (f" and {len(items) - LISTED} more" if len(items) > LISTED else "")


def project_health(facts: HealthFacts) -> tuple[str, tuple[str, ...]]:
    """("green" | "amber" | "red", the reasons, red ones first, then amber ones, then notes that do not colour)."""
    red: list[str] = []
    amber: list[str] = []
    notes: list[str] = []
    burn = facts.burn
    if burn is not None and math.isinf(burn):
        red.append("over budget: the budget is 0")
    elif burn is not None and burn > 1:
        red.append(f"over budget: {burn_percent(burn)} burnt")
    elif burn is not None and burn >= AMBER_BURN:
        amber.append(f"{burn_percent(burn)} of budget burnt")
    if facts.currencies is not None:
        cost, budget = facts.currencies
        notes.append(f"cost in {cost}, budget in {budget}: no burn")
    if not facts.closed:
        if facts.due and facts.due < facts.today:
            red.append(f"past due {facts.due}")
        elif facts.forecast_status == "late":
            red.append(f"forecast end {facts.forecast_end} after due {facts.due}")
        elif facts.forecast_status == "at-risk":
            amber.append(f"at risk: forecast end {facts.forecast_end}, due {facts.due}")
        if facts.overdue:
            amber.append(f"{facts.overdue} overdue task{'s' * (facts.overdue != 1)}")
        if facts.held_up:
            amber.append(f"{facts.held_up} blocked task{'s' * (facts.held_up != 1)}")
        if facts.high_risks:
            amber.append(f"{facts.high_risks} open high-impact risk{'s' * (facts.high_risks != 1)}")
        if facts.unscheduled:
            amber.append(f"{open_tasks_text(len(facts.unscheduled))} not scheduled: {named(facts.unscheduled)}")
        if facts.unestimated:
            amber.append(unestimated_reason(facts.unestimated))
    if facts.closed and facts.open_tasks:
        amber.append(f"closed with {facts.open_tasks} open task{'s' * (facts.open_tasks != 1)}")
    if facts.unpriced_hours:
        amber.append(f"{format_hours(facts.unpriced_hours)} without a rate (cost incomplete)")
    if red:
        return "red", tuple(red + amber + notes)
    if amber:
        return "amber", tuple(amber + notes)
    return "green", tuple(notes)
