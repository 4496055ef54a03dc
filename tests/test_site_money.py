"""Money and effort on the site: amounts in the currency they were priced in, zero budgets, and remaining effort as
the scheduler counts it (full and incremental builds)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from test_site_build import build, make_site_workspace
from test_site_incremental import assert_same_as_full_build, dated, edit

from workspace_tool.site.context import by_currency, fmt_amounts, fmt_money

MONEY_FILES = {
    # a client billed in USD (the workspace's currency is EUR) and one of its projects, with a budget in EUR
    "clients/usco.md": "---\nname: US Co\nrate: 50\ncurrency: USD\n---\n",
    "projects/p5/project.md": "---\ntitle: Five\nstatus: active\nclient: usco\nbudget: 500\nbillable: true\n---\n",
    "projects/p5/tasks/w1.md": "---\ntitle: W one\nstatus: todo\nestimate: 1d\n---\n",
    # a budget of 0 is a budget
    "projects/p2/project.md": "---\ntitle: Two\nstatus: active\nbudget: 0\nrate: 10\n---\n",
    "projects/p2/tasks/u1.md": "---\ntitle: U one\nstatus: todo\nestimate: 1d\n---\n",
    "timelogs/carol/2026-11.md": "---\nperson: carol\n---\n- 2026-11-17 4h w1\n- 2026-11-18 5h u1\n",
}


def text_of(out: Path, page: str) -> str:
    """A page's text without tags, spaces squeezed."""
    html = (out / page).read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def money_site(tmp_path: Path) -> Path:
    ws = make_site_workspace(tmp_path)
    for relpath, text in MONEY_FILES.items():
        path = ws / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    build(ws, out)
    return out


def test_a_foreign_client_s_money_is_in_its_currency(money_site: Path) -> None:
    """`wm report time --by client` and `wm invoice` say 200.00 USD (4h at 50): so do the clients page, the client's
    page, the project's page and the dashboard."""
    for page in ("clients.html", "d/usco.html"):
        text = text_of(money_site, page)
        assert "2026-11 4h 200.00 USD" in text and "Unbilled: 200.00 USD (4h)" in text, page
    for page in ("clients.html", "d/usco.html", "projects/p5.html", "index.html"):
        assert "200.00 EUR" not in text_of(money_site, page), page
    assert text_of(money_site, "clients.html").count("Unbilled: 0.00 EUR (0h)") == 2  # acme and globex: the workspace's


def test_no_burn_across_currencies(money_site: Path) -> None:
    """The budget is in the workspace currency (EUR), the cost in the client's (USD): both shown, no percentage."""
    project = text_of(money_site, "projects/p5.html")
    assert "Budget vs cost 200.00 USD of 500.00 EUR (burn not comparable: cost in USD, budget in EUR)" in project
    assert "40%" not in project
    dashboard = text_of(money_site, "index.html")
    assert "200.00 USD of 500.00 EUR burn not comparable: cost in USD, budget in EUR" in dashboard


def test_a_zero_budget_is_a_budget(money_site: Path) -> None:
    project = text_of(money_site, "projects/p2.html")
    assert "Budget vs cost 50.00 EUR of 0.00 EUR" in project and "no budget" not in project
    assert "50.00 EUR of 0.00 EUR" in text_of(money_site, "index.html")
    # a project without `budget:` still has none, and one in the workspace currency still has its burn
    assert "Budget vs cost 600.00 EUR (no budget)" in text_of(money_site, "projects/beta.html")
    # 5.8% reads 5%: as `wm report projects` words a burn (`health.burn_percent`, rounded down: 89.8% is not amber's 90%)
    assert "Budget vs cost 580.00 EUR of 10,000.00 EUR (5%)" in text_of(money_site, "projects/alpha.html")
    assert "Budget vs cost 50.00 EUR of 0.00 EUR (∞)" in project
    assert "over budget: the budget is 0" in project  # red, as in the report


def test_amounts_in_several_currencies_are_listed_apart() -> None:
    priced: list[Any] = [
        _Priced("USD", Decimal("200")), _Priced("EUR", Decimal("1000")), _Priced("USD", Decimal("0.5")), _Priced("EUR", None),
    ]
    totals = by_currency(priced, lambda p: p.amount)
    assert totals == {"EUR": Decimal("1000"), "USD": Decimal("200.5")}
    assert fmt_amounts(totals, "EUR") == "1,000.00 EUR; 200.50 USD"
    assert fmt_amounts({}, "USD") == "0.00 USD"


def test_money_is_rounded_half_up_to_the_cent() -> None:
    """As `wm report time` and invoices round (a float's format would give 0.12, rounding half to even)."""
    assert fmt_money(Decimal("0.125"), "EUR") == "0.13 EUR"
    assert fmt_money(Decimal(1) / Decimal(3) * 100, "EUR") == "33.33 EUR"
    assert fmt_money(2.675, "EUR") == "2.68 EUR"
    assert fmt_money(None, "EUR") == ""


class _Priced:
    def __init__(self, currency: str, amount: Decimal | None) -> None:
        self.currency, self.amount = currency, amount


def _remaining(out: Path) -> dict[str, str]:
    """The people page's "N open tasks (Xh remaining)" per person's team."""
    text = text_of(out, "people.html")
    return dict(re.findall(r"team (\w+) · (\d+ open tasks? \([\d.]+h remaining\))", text))


def test_remaining_effort_is_the_scheduler_s(tmp_path: Path) -> None:
    """`scheduling.adapter.effort_hours`: `remaining:` (0 included), else the estimate, less the time logged only while
    the task is under way. alice: design (in progress, 2d, 2h logged) 14h + evil (remaining 0h) 0h; bob: build
    (todo, 3d, 2h logged) 24h + beta-task (todo, 1d, 4h logged) 8h."""
    ws = make_site_workspace(tmp_path)
    edit(ws, "projects/alpha/tasks/evil.md", "estimate: 1d\n", "estimate: 1d\nremaining: 0h\n")
    out = tmp_path / "out"
    build(ws, out)
    assert _remaining(out) == {"web": "2 open tasks (14h remaining)", "ops": "2 open tasks (32h remaining)"}


def test_logging_time_remakes_the_remaining_effort(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    out = tmp_path / "out"
    build(ws, out)
    assert _remaining(out)["web"] == "2 open tasks (22h remaining)"
    edit(ws, "timelogs/alice/2026-11.md", "- 2026-11-20 2h design sketches\n", "- 2026-11-20 5h design sketches\n")
    build(ws, out)
    assert _remaining(out)["web"] == "2 open tasks (19h remaining)"
    assert_same_as_full_build(ws, out, tmp_path)


def test_a_new_subtask_remakes_the_people_page(tmp_path: Path) -> None:
    """A task that gains a subtask (here one nobody is assigned to) no longer counts as its assignee's open work."""
    ws = make_site_workspace(tmp_path)
    out = tmp_path / "out"
    build(ws, out)
    assert _remaining(out)["web"] == "2 open tasks (22h remaining)"
    child = ws / "projects/alpha/tasks/evil-part.md"
    child.write_text("---\ntitle: Part of evil\nstatus: todo\nparent: evil\nestimate: 2h\n---\n", encoding="utf-8")
    dated(child)
    build(ws, out)
    assert _remaining(out)["web"] == "1 open task (14h remaining)"
    assert_same_as_full_build(ws, out, tmp_path)


def test_site_health_is_the_report_s(tmp_path: Path, wm: Any) -> None:
    """Zero budget exceeded (red), cost in another currency than the budget (a note), and an open task nobody can
    do (amber: its assignee has no working time): the dashboard gives each project the report's colour and reasons."""
    import json

    ws = make_site_workspace(tmp_path)
    files = {**MONEY_FILES, "people/idle.md": "---\nname: Idle\ncapacity: 0\n---\n",
             "projects/p6/project.md": "---\ntitle: Six\nstatus: active\n---\n",
             "projects/p6/tasks/x1.md": "---\ntitle: X one\nstatus: todo\nestimate: 4h\nassignee: idle\n---\n"}
    for relpath, text in files.items():
        (ws / relpath).parent.mkdir(parents=True, exist_ok=True)
        (ws / relpath).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    build(ws, out)
    report = json.loads(wm("-C", str(ws), "report", "projects", "--json").stdout)["projects"]
    reported = {p["id"]: (p["health"], p["reasons"]) for p in report}
    assert reported["p2"][0] == "red" and "over budget: the budget is 0" in reported["p2"][1]
    assert "cost in USD, budget in EUR: no burn" in reported["p5"][1]
    assert reported["p6"][0] == "amber" and any(r.startswith("1 open task not scheduled: x1") for r in reported["p6"][1])
    html = (out / "index.html").read_text(encoding="utf-8")
    for project_id in ("p2", "p5", "p6"):
        row = next(r for r in html.split("<tr")[1:] if f'href="projects/{project_id}.html"' in r)
        health, reasons = reported[project_id]
        assert f"health-{health}" in row or health in row
        for reason in reasons:
            assert reason.replace("'", "&#39;") in row, (project_id, reason)
