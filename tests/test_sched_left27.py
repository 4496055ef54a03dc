"""Scheduling and field leftovers of the TaskJuggler audit (sched-audit.md #7, #11) and the hostile audit (LOW 27).

1. one refused item of a list key (`depends_on`, `tags`, `deciders`) no longer drops the valid ones, and each
   refused item is an error of its own, at its own line;
2. `wm schedule --force` without `--save-baseline` is a usage error;
3. `--why` names a grandparent (or further ancestor) by its relation, not as "its parent";
4. `wm schedule --gantt --baseline NAME` draws each task's baseline dates under its row.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import Result
from conftest import FIXTURES, check_golden
from scheduling_helpers import write_workspace
from test_schedule_slack26 import _nested

from workspace_tool import fields as F
from workspace_tool.itemlines import value_line
from workspace_tool.parse import parse_document


def _refused(spec: F.FieldSpec, value: Any) -> F.FieldError:
    with pytest.raises(F.FieldError) as caught:
        F.convert(spec, value, 8, 5)
    return caught.value


# -- 1. a list keeps its valid items; each refused item is reported -------------------------------------------------


def test_a_refused_dependency_keeps_the_valid_ones() -> None:
    error = _refused(F.specs_for("task")["depends_on"], ["api", {"id": "design", "lag": "2d"}, "db", ["x"]])
    assert error.kept == ("api", "db")
    assert [(str(e), e.at) for e in error.errors] == [("expected an ID, got a mapping", (1,)), ("expected an ID, got a list", (3,))]


def test_three_bad_tags_are_three_errors_and_deciders_keep_the_good_ones() -> None:
    tags = _refused(F.COMMON[1], [{"a": 1}, "ok", ["b"], {"c": 2}])
    assert tags.kept == ("ok",)
    assert [e.at for e in tags.errors] == [(0,), (2,), (3,)]
    deciders = _refused(F.specs_for("decision")["deciders"], [None, "ann"])
    assert deciders.kept == ("ann",) and [e.at for e in deciders.errors] == [(0,)]


def test_a_list_with_no_valid_item_keeps_nothing() -> None:
    error = _refused(F.specs_for("task")["depends_on"], [{"id": "a"}, {"id": "b"}])
    assert error.kept is None
    assert len(error.errors) == 2


def test_each_refused_item_has_its_own_line() -> None:
    frontmatter = "title: ui\ndepends_on:\n  - api\n  - {id: design, lag: 2d}\n  # a comment\n  - [x]\n"
    error = _refused(F.specs_for("task")["depends_on"], ["api", {"id": "design", "lag": "2d"}, ["x"]])
    assert [value_line(frontmatter, ("depends_on", *e.at), 1) for e in error.errors] == [5, 7]


def test_the_lines_of_many_refused_items_compose_the_frontmatter_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each refused item asks for its line: composing the YAML once per item made 2,000 bad tags take 19 s."""
    import yaml

    from workspace_tool import itemlines

    calls: list[str] = []
    compose = yaml.compose
    monkeypatch.setattr(itemlines.yaml, "compose", lambda text, Loader: calls.append(text) or compose(text, Loader=Loader))
    frontmatter = "tags:  # this test's own text: no earlier call composed it\n" + "".join(f"  - {{a: {i}}}\n" for i in range(50))
    assert [value_line(frontmatter, ("tags", i)) for i in range(50)] == list(range(2, 52))
    assert len(calls) == 1


UI = "---\ntitle: ui\nassignee: bob\ndepends_on:\n  - api\n  - {id: design, lag: 2d}\n  - [x]\nestimate: 8h\n---\n"


def test_the_parser_keeps_the_valid_items_and_reports_each_refused_one() -> None:
    parsed = parse_document(UI, "projects/p/tasks/ui.md")
    assert parsed.document.depends_on == ("api",)
    assert [(d.line, d.message) for d in parsed.diagnostics] == [
        (6, "depends_on: expected an ID, got a mapping"),
        (7, "depends_on: expected an ID, got a list"),
    ]


def test_schedule_plans_with_the_valid_dependencies_and_warns_of_the_ignored_item(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = write_workspace(tmp_path, {"api": {"assignee": "ann", "estimate": "24h"}}, start="2026-11-30", people={"ann": {}, "bob": {}})
    (root / "projects/p/tasks/ui.md").write_text(UI, encoding="utf-8")
    result = wm("-C", str(root), "schedule", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    tasks = {t["id"]: t for t in data["tasks"]}
    assert tasks["api"]["end"] == "2026-12-02"
    assert tasks["ui"]["start"] == "2026-12-03"  # after api, not at the plan start
    assert [w for w in data["warnings"] if w.startswith("ui:")] == [
        "ui: depends_on item ignored: projects/p/tasks/ui.md:6: expected an ID, got a mapping; planned with its other dependencies",
        "ui: depends_on item ignored: projects/p/tasks/ui.md:7: expected an ID, got a list; planned with its other dependencies",
    ]


def test_three_bad_links_are_three_errors_and_the_good_one_still_links() -> None:
    from workspace_tool.config import load_settings

    text = "name: x\nlinks:\n  a: ftp://x/{value}\n  jira: https://acme.example/browse/{value}\n  c: 3\n  d: https://no-value\n"
    settings, problems = load_settings(text, "workspace.yml")
    assert settings.links == {"jira": "https://acme.example/browse/{value}"}
    assert [(p.line, p.message.split(": expected")[0]) for p in problems] == [(3, "links: a"), (5, "links: c"), (6, "links: d")]


# -- 2. --force without --save-baseline --------------------------------------------------------------------------------


def test_force_without_save_baseline_is_a_usage_error(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = write_workspace(tmp_path, {"a": {"estimate": "16h"}}, start="2026-11-30")
    for args in (["--force"], ["--baseline", "weekly", "--force"]):
        result = wm("-C", str(root), "schedule", *args)
        assert result.exit_code == 2 and result.stdout == ""
        assert result.stderr.strip() == (
            "wm: --force only replaces a baseline saved with --save-baseline NAME: add --save-baseline NAME, or leave out --force"
        )
    assert not (root / "baselines").exists()


# -- 3. --why names an ancestor by its relation -----------------------------------------------------------------------


def _why(wm: Callable[..., Result], root: Path, tid: str) -> str:
    result = wm("-C", str(root), "schedule", "--why", tid)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()[1]


def test_why_names_a_grandparents_predecessor_by_its_relation(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = _nested(tmp_path, {"depends_on": ["prep"]})
    assert _why(wm, root, "child") == "  start set by: predecessor prep of its parent phase, which ends 2026-12-01 17:00"
    assert _why(wm, root, "mid") == "  start set by: predecessor prep of its parent's parent phase, which ends 2026-12-01 17:00"
    assert _why(wm, root, "leaf") == "  start set by: predecessor prep of its parent's ancestor phase (3 levels up), which ends 2026-12-01 17:00"


def test_why_names_a_grandparents_start_date_by_its_relation(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = _nested(tmp_path, {"start": "2026-12-14"})
    assert _why(wm, root, "mid") == "  start set by: the start date of its parent's parent phase (2026-12-14)"
    assert _why(wm, root, "child") == "  start set by: the start date of its parent phase (2026-12-14)"


# -- 4. the text Gantt draws each task's baseline under it -------------------------------------------------------------

_SHORT = {
    "design": {"estimate": "3d", "assignee": "ann"},
    "build": {"estimate": "5d", "assignee": "ann", "depends_on": ["design"], "due": "2026-12-07"},
    "docs": {"estimate": "2d", "assignee": "bob", "start": "2026-12-02"},
    "launch": {"milestone": True, "depends_on": ["build", "docs"], "due": "2026-12-11"},
}


@pytest.mark.parametrize("scale", ["day", "week"])
def test_the_gantt_draws_the_baseline_under_each_task(tmp_path: Path, wm: Callable[..., Result], scale: str) -> None:
    """build grew from 5d to 7d since `kickoff` (its end and launch's slip 2 days), qa is new."""
    root = write_workspace(tmp_path, _SHORT, start="2026-11-30", people={"ann": {}, "bob": {}})
    assert wm("-C", str(root), "schedule", "--save-baseline", "kickoff").exit_code == 0
    build = root / "projects/p/tasks/build.md"
    build.write_text(build.read_text(encoding="utf-8").replace("estimate: 5d", "estimate: 7d"), encoding="utf-8")
    (root / "projects/p/tasks/qa.md").write_text("---\ntitle: qa\nestimate: 1d\nassignee: bob\n---\n", encoding="utf-8")
    result = wm("-C", str(root), "schedule", "--gantt", "--baseline", "kickoff", "--scale", scale)
    assert result.exit_code == 0, result.output
    check_golden(FIXTURES / "gantt27" / f"baseline-{scale}.txt", result.stdout)


def test_the_gantt_spans_a_baseline_that_started_earlier() -> None:
    from workspace_tool.scheduling.gantt import baseline_spans, gantt
    from workspace_tool.scheduling.types import Booking, ScheduledTask

    day = dt.date(2026, 12, 2)
    at = dt.datetime(2026, 12, 2, 9), dt.datetime(2026, 12, 2, 17)
    task = ScheduledTask("a", "p", None, day, day, *at, 8.0, 0.0, False, False, (Booking(day, 8.0),))
    spans = baseline_spans({"tasks": {"a": {"start": "2026-11-30", "end": "2026-12-01"}, "b": {"start": "soon", "end": None}, "c": 3}})
    assert spans == {"a": (dt.date(2026, 11, 30), dt.date(2026, 12, 1))}
    assert gantt([task], "day", spans).splitlines()[3:5] == ["a          |··=|", "  baseline |~~ | slip +1d"]


def test_leave_key_results_and_workdays_keep_their_valid_items_and_report_each_refused_one() -> None:
    """One bad leave range no longer drops the person's other leave (the plan booked them on holiday), nor one bad key
    result a goal's others; each refused item is an error at its own line."""
    person = (
        "---\ntitle: ann\nworkdays: [mon, tue, funday]\nleave:\n  - 2026-12-01\n  - {from: 2026-12-20}\n"
        "  - {from: 2026-12-24, to: 2026-12-26}\n  - soon\n---\n"
    )
    parsed = parse_document(person, "people/ann.md")
    doc = parsed.document
    assert doc is not None
    assert doc.workdays == ("mon", "tue")
    assert [(r.start.isoformat(), r.end.isoformat()) for r in doc.leave] == [("2026-12-01", "2026-12-01"), ("2026-12-24", "2026-12-26")]
    assert [(d.line, d.message.split(":")[0]) for d in parsed.diagnostics if d.code == "bad-value"] == [
        (3, "workdays"), (6, "leave"), (8, "leave"),
    ]
    goal = "---\ntitle: g\nkey_results:\n  - {title: Revenue, target: 5}\n  - {target: 3}\n  - Churn down\n---\n"
    parsed = parse_document(goal, "goals/g.md")
    assert parsed.document is not None
    assert [k.title for k in parsed.document.key_results] == ["Revenue", "Churn down"]  # type: ignore[attr-defined]
    assert [d.line for d in parsed.diagnostics if d.code == "bad-value"] == [5]
