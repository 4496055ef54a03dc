"""The sample workspace's time, billing and project reports against golden files.

Each golden is also checked against numbers recomputed here independently,
straight from the raw timelog lines and frontmatter (with regular
expressions, not with wm's parser).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from conftest import SAMPLE, check_golden

from workspace_tool.output import dumps
from workspace_tool.reports.projects import project_report
from workspace_tool.workspace import load_index

GOLDEN = Path(__file__).parent / "golden" / "reports"
pytestmark = pytest.mark.skipif(not (SAMPLE / "timelogs").is_dir(), reason="sample workspace not written yet")

_LINE = re.compile(r"^- (\d{4}-\d{2}-\d{2}) (\S+) (\S+)(.*)$")
_PART = re.compile(r"(\d+(?:\.\d+)?)([hm])")


def _hours(when: str) -> Decimal:
    if ":" in when:
        first, second = when.split("-")
        (h1, m1), (h2, m2) = (map(int, first.split(":")), map(int, second.split(":")))
        minutes = (h2 * 60 + m2) - (h1 * 60 + m1)
        return Decimal(minutes + (1440 if minutes <= 0 else 0)) / 60
    return sum((Decimal(n) * (1 if u == "h" else Decimal(1) / 60) for n, u in _PART.findall(when)), Decimal(0))


def _key(path: Path, key: str) -> str | None:
    match = re.search(rf"^{key}:\s*(\S+)", path.read_text(encoding="utf-8"), re.MULTILINE)
    return match.group(1) if match else None


def _raw_entries() -> list[dict[str, object]]:
    """Every timelog line, resolved by hand: project, client, billable, rate."""
    projects = {p.name for p in (SAMPLE / "projects").iterdir() if (p / "project.md").exists()}
    task_project = {t.stem: t.parent.parent.name for t in (SAMPLE / "projects").glob("*/tasks/*.md")}
    default_rate = Decimal(_key(SAMPLE / "workspace.yml", "rate") or "0")
    entries = []
    for log in sorted((SAMPLE / "timelogs").glob("*/*.md")):
        person = log.parent.name
        for line in log.read_text(encoding="utf-8").splitlines():
            match = _LINE.match(line)
            if not match:
                continue
            day, when, ref, rest = match.groups()
            project = ref if ref in projects else task_project.get(ref)
            project_file = SAMPLE / "projects" / str(project) / "project.md"
            client = _key(project_file, "client") if project else None
            billable = _key(project_file, "billable") == "true" if project else False
            if "#nonbillable" in rest:
                billable = False
            if "#billable" in rest.replace("#nonbillable", ""):
                billable = True
            rate = _key(SAMPLE / "clients" / f"{client}.md", "rate") if client else None
            rate = rate or _key(SAMPLE / "people" / f"{person}.md", "rate")
            entries.append({
                "person": person, "date": day, "hours": _hours(when), "ref": ref, "project": project, "client": client,
                "billable": billable, "rate": Decimal(rate) if rate else default_rate,
            })
    return entries


def _cents(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@pytest.fixture
def sample_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WM_NOW", "17:00")
    monkeypatch.setenv("COLUMNS", "160")


def test_time_by_client_project(sample_env: None, wm) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(SAMPLE), "report", "time", "--by", "client,project", "--json")
    assert result.exit_code == 0, result.output
    check_golden(GOLDEN / "sample_time_client_project.json", result.stdout)
    data = json.loads(result.stdout)
    hours: dict[tuple[object, object], Decimal] = defaultdict(Decimal)
    amount: dict[tuple[object, object], Decimal] = defaultdict(Decimal)
    for e in _raw_entries():
        key = (e["client"], e["project"])
        hours[key] += e["hours"]  # type: ignore[operator]
        if e["billable"]:
            amount[key] += e["hours"] * e["rate"]  # type: ignore[operator]
    got = {tuple(r["key"]): (r["hours"], r["amount"]) for r in data["rows"]}
    assert got == {k: (float(round(h, 4)), _cents(amount[k])) for k, h in hours.items()}
    assert data["total_hours"] == float(round(sum(hours.values()), 4))
    assert data["total_amount"] == _cents(sum(amount.values(), Decimal(0)))


def test_time_by_person_month_table(sample_env: None, wm) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(SAMPLE), "report", "time", "--by", "person,month")
    check_golden(GOLDEN / "sample_time_person_month.txt", result.stdout)
    by_person: dict[str, Decimal] = defaultdict(Decimal)
    for e in _raw_entries():
        if str(e["date"]).startswith("2026-10"):
            by_person[str(e["person"])] += e["hours"]  # type: ignore[operator]
    for person, hours in by_person.items():
        assert re.search(rf"^{person}\s+2026-10\s+{float(hours):g}\s", result.stdout, re.MULTILINE), person


def test_unbilled_and_invoice_for_a_month(sample_env: None, wm) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(SAMPLE), "invoice", "harbor-coffee", "--month", "2026-10", "--dry-run")
    assert result.exit_code == 0, result.output
    check_golden(GOLDEN / "sample_invoice_harbor-coffee_2026-10.md", result.stdout)
    raw = [e for e in _raw_entries() if e["client"] == "harbor-coffee" and str(e["date"]).startswith("2026-10") and e["billable"]]
    total = sum((e["hours"] * e["rate"] for e in raw), Decimal(0))  # type: ignore[operator]
    assert f"**{_cents(total):,.2f}** |" in result.stdout
    assert result.stdout.count("\n| 2026-10-") == len(raw)
    unbilled = json.loads(wm("-C", str(SAMPLE), "report", "time", "--unbilled", "--by", "client", "--json").stdout)
    assert {r["key"][0]: r["amount"] for r in unbilled["rows"]}["harbor-coffee"] >= _cents(total)


def test_projects_portfolio(sample_env: None) -> None:
    index = load_index(SAMPLE, dt.date(2026, 11, 26), use_cache=False)
    report = project_report(index, plan=None, now=dt.datetime(2026, 11, 26, 17, 0))
    check_golden(GOLDEN / "sample_projects.json", dumps(report.as_json()) + "\n")
    hours: dict[object, Decimal] = defaultdict(Decimal)
    cost: dict[object, Decimal] = defaultdict(Decimal)
    for e in _raw_entries():
        hours[e["project"]] += e["hours"]  # type: ignore[operator]
        cost[e["project"]] += e["hours"] * e["rate"]  # type: ignore[operator]
    for row in report.rows:
        assert round(row.hours, 4) == float(round(hours.get(row.id, Decimal(0)), 4)), row.id
        if row.id in cost:
            assert row.cost is not None and float(row.cost) == _cents(cost[row.id]), row.id
