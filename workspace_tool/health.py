"""A project's health: green, amber or red, and why. One rule for `wm report projects` and the status site.

Red when over budget, past its due date, or forecast to finish after it;
amber when nine tenths of the budget is burnt, the forecast is at risk, or
there are overdue or held-up tasks (`blocking.is_held_up`), open
high-impact risks, or hours without a rate (the cost is then incomplete), or
when a closed project still has open tasks.
Pure: the caller gathers the facts (the report from the index, the site
through `SiteData`, which records what each page reads).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

AMBER_BURN = 0.9
"""The share of the budget burnt from which a project is amber."""


@dataclass(frozen=True)
class HealthFacts:
    """What a project's health is decided from."""

    closed: bool  # the project is in a done status: dates no longer matter
    due: dt.date | None
    today: dt.date
    burn: float | None  # cost / budget (None: no budget, or no cost known)
    forecast_status: str | None  # the scheduler's "on-track", "at-risk" or "late" (None: no plan)
    forecast_end: dt.date | None
    overdue: int  # open tasks past their due date
    held_up: int  # open tasks held up now
    high_risks: int  # open risks with impact high
    unpriced_hours: float  # hours logged without a rate
    open_tasks: int = 0  # tasks not done (read for a closed project: work left in a finished one)


def project_health(facts: HealthFacts) -> tuple[str, tuple[str, ...]]:
    """("green" | "amber" | "red", the reasons, red ones first)."""
    red: list[str] = []
    amber: list[str] = []
    burn = facts.burn
    if burn is not None and burn > 1:
        red.append(f"over budget: {burn:.0%} burnt")
    elif burn is not None and burn >= AMBER_BURN:
        amber.append(f"{burn:.0%} of budget burnt")
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
    if facts.closed and facts.open_tasks:
        amber.append(f"closed with {facts.open_tasks} open task{'s' * (facts.open_tasks != 1)}")
    if facts.unpriced_hours:
        amber.append(f"{facts.unpriced_hours:g}h without a rate (cost incomplete)")
    if red:
        return "red", tuple(red + amber)
    if amber:
        return "amber", tuple(amber)
    return "green", ()
