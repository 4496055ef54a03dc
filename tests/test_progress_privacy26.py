"""Progress and health with partial estimates (one rule for the report and the site), and private documents kept off
the default site: out of other documents' version history and off the data quality page."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import Result
from conftest import SAMPLE
from test_site_health import site_health

from workspace_tool.health import HealthFacts, project_health
from workspace_tool.model import Task
from workspace_tool.reports.progress import progress_of
from workspace_tool.site import BuildOptions, build_site
from workspace_tool.values import Duration
from workspace_tool.workspace import load_index

Wm = Callable[..., Result]
Write = Callable[[str, str], Path]
TODAY = dt.date(2026, 11, 26)
UNESTIMATED_9 = "9 open tasks have no estimate: the forecast leaves them out"
PROGRESS = re.compile(r'role="progressbar"[^>]*? aria-valuenow="(\d+)".*?</span></span> ([^<\n·]*[^<\n· ])')


def _one_of_ten_estimated(write_doc: Write) -> None:
    """The audit's project: 1 of 10 tasks done, and that one the only task with an estimate."""
    write_doc("projects/p/project.md", "---\ntitle: P\nstatus: active\n---\n")
    write_doc("projects/p/tasks/a.md", "---\ntitle: Done\nstatus: done\nestimate: 2h\n---\n")
    for n in range(1, 10):
        write_doc(f"projects/p/tasks/o{n}.md", f"---\ntitle: Open {n}\n---\n")


def _build(root: Path, out: Path, **options: Any) -> Path:
    build_site(load_index(root, TODAY, use_cache=False), BuildOptions(out, jobs=1, **options))
    return out


def _texts(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): p.read_bytes().decode("utf-8", "replace") for p in out.rglob("*") if p.is_file()}


# M1: progress by effort only when every counted task has an estimate.

def test_one_estimated_task_of_ten_done_is_10_percent_by_tasks_and_amber(workspace: Path, write_doc: Write, wm: Wm) -> None:
    _one_of_ten_estimated(write_doc)
    result = wm("-C", str(workspace), "report", "projects", "--json")
    row = json.loads(result.stdout)["projects"][0]
    assert (row["progress"], row["progress_by"], row["unestimated_tasks"]) == (0.1, "tasks", 9)
    assert (row["health"], row["reasons"]) == ("amber", [UNESTIMATED_9])
    table = wm("-C", str(workspace), "report", "projects").stdout.splitlines()
    assert "10% by tasks (9 unestimated)" in table[2], table


def test_the_site_shows_the_reports_progress_and_health_for_partial_estimates(workspace: Path, write_doc: Write, wm: Wm, tmp_path: Path) -> None:
    _one_of_ten_estimated(write_doc)
    row = json.loads(wm("-C", str(workspace), "report", "projects", "--json").stdout)["projects"][0]
    out = _build(workspace, tmp_path / "out")
    assert site_health(out, "p") == (row["health"], row["reasons"]) == ("amber", [UNESTIMATED_9])
    for page in ("index.html", "projects/p.html"):
        bars = PROGRESS.findall(html.unescape((out / page).read_text(encoding="utf-8")))
        assert bars == [("10", "10% by tasks (9 unestimated)")], page


def _task(name: str, done: bool = False, estimate: float | None = None, remaining: float | None = None, milestone: bool = False) -> Task:
    return Task(
        id=name, path=f"tasks/{name}.md", title=name, status="done" if done else "todo", milestone=milestone,
        estimate=None if estimate is None else Duration(estimate), remaining=None if remaining is None else Duration(remaining),
    )


def _done(task: Task) -> bool:
    return task.status == "done"


@pytest.mark.parametrize(("tasks", "basis", "share", "unestimated"), [
    ([_task("a", True, 2), _task("b", estimate=6)], "effort", 0.25, 0),
    ([_task("a", True, 2), _task("b")], "tasks", 0.5, 1),  # an open task without an estimate
    ([_task("a", True), _task("b", estimate=6), _task("c", estimate=2)], "tasks", 1 / 3, 1),  # a done one too
    ([_task("a", True, 2), _task("b", remaining=6)], "effort", 0.25, 0),  # `remaining:` sizes a task
    ([_task("a", True, 2), _task("b", estimate=2), _task("m", milestone=True)], "effort", 0.5, 0),  # a milestone is no work
])
def test_progress_is_by_effort_only_when_every_counted_task_is_estimated(tasks: list[Task], basis: str, share: float, unestimated: int) -> None:
    found = progress_of(tasks, _done)
    assert (found.basis, found.share, found.unestimated) == (basis, pytest.approx(share), unestimated)


def test_by_tasks_says_how_many_tasks_have_no_estimate() -> None:
    assert progress_of([_task("a", True, 2), *(_task(f"o{n}") for n in range(9))], _done).label("10%") == "10% by tasks (9 unestimated)"
    assert progress_of([_task("a", True, 2), _task("b", estimate=2)], _done).label("50%") == "50%"


def _facts(**changed: Any) -> HealthFacts:
    base: dict[str, Any] = dict(closed=False, due=None, today=TODAY, burn=None, forecast_status=None, forecast_end=None,
                                overdue=0, held_up=0, high_risks=0, unpriced_hours=0.0)
    return HealthFacts(**{**base, **changed})


def test_unestimated_open_tasks_make_a_project_amber_and_leave_red_red() -> None:
    assert project_health(_facts(unestimated=1)) == ("amber", ("1 open task has no estimate: the forecast leaves it out",))
    late = project_health(_facts(due=dt.date(2026, 11, 1), unestimated=9))
    assert late == ("red", ("past due 2026-11-01", UNESTIMATED_9))
    assert project_health(_facts(closed=True, unestimated=9)) == ("green", ())  # a closed project's forecast no longer matters


# M2: a private document's ID is in no other document's version history on the default site.

def test_the_default_site_of_the_demo_names_the_private_note_nowhere(tmp_path: Path, wm: Wm) -> None:
    demo = tmp_path / "demo"
    assert wm("-C", str(SAMPLE), "demo", str(demo), "--no-site").exit_code == 0
    assert wm("-C", str(demo), "show", "notes/salary-review").stdout.startswith("Salary and rate review")  # the sample's private note
    out = tmp_path / "site"
    result = wm("-C", str(demo), "site", "build", "--out", str(out))
    assert result.exit_code == 0, result.output
    texts = _texts(out)
    assert len(texts) > 100
    assert [name for name, text in texts.items() if "salary-review" in text] == []
    assert any("Created note [private]" in text for text in texts.values())  # the commit that made it with a public time log
    private = tmp_path / "private"
    assert wm("-C", str(demo), "site", "build", "--out", str(private), "--include-private").exit_code == 0
    assert any("Created note notes/salary-review" in text for text in _texts(private).values())


# The data quality page names no private document.

def _stem_shared_with_a_private_note(write_doc: Write) -> None:
    write_doc("notes/a/meeting.md", "---\ntitle: Meeting A\n---\nhello\n")
    write_doc("notes/b/meeting.md", "---\ntitle: Board meeting\nvisibility: private\n---\nsecret\n")
    write_doc("notes/index.md", "---\ntitle: Index\n---\nSee [[meeting]].\n")


def _quality_rows(out: Path) -> list[str]:
    return re.findall(r"<tr class=\"sev-[^\"]+\">.*?</tr>", (out / "quality.html").read_text(encoding="utf-8"))


def test_the_quality_page_leaves_out_a_diagnostic_naming_a_private_note(workspace: Path, write_doc: Write, wm: Wm, tmp_path: Path) -> None:
    _stem_shared_with_a_private_note(write_doc)
    write_doc("notes/typo.md", "---\ntitle: Typo\n---\nSee [[nowhere]].\n")  # a diagnostic naming nothing private stays
    validate = wm("-C", str(workspace), "validate").output
    assert "notes/b/meeting" in validate  # `wm validate` is the owner's: it names every note of the stem
    out = _build(workspace, tmp_path / "out")
    assert [name for name, text in _texts(out).items() if "b/meeting" in text] == []
    rows = _quality_rows(out)
    assert len(rows) == 1 and "nowhere" in rows[0]
    everything = _build(workspace, tmp_path / "all", audience=_include_private())
    assert any("notes/b/meeting" in row for row in _quality_rows(everything))


def _include_private() -> Any:
    from workspace_tool.site.privacy import Audience

    return Audience(include_private=True)
