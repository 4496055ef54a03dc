"""`wm import taskwarrior`: Taskwarrior's tasks as task and project documents.

The fixture is the output of `task export` from Taskwarrior 2.6.2 (Debian's), made with `task add`, `annotate`,
`start`, `done`, `delete` and a weekly recurring task; the golden files are the documents it becomes. Where
Taskwarrior is installed (CI installs it), one test makes a fresh export with the real tool.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import Result
from conftest import check_golden
from hypothesis import given, settings
from hypothesis import strategies as st

from workspace_tool.import_tasks import recurrence
from workspace_tool.import_taskwarrior import parse_taskwarrior
from workspace_tool.imports import ImportFormatError

FIXTURE = Path(__file__).parent / "fixtures" / "taskwarrior" / "export-2.6.2.json"
GOLDEN = Path(__file__).parent / "golden" / "taskwarrior"
PLUMBER = "0e661a3a-95ca-4077-812b-42b48fa555e8"


@pytest.fixture
def ws(workspace: Path, write_doc: Callable[[str, str], Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TZ", "UTC")  # Taskwarrior's times are UTC, read as local time
    time.tzset()
    write_doc("people/alice.md", "---\nname: Alice\n---\n")
    write_doc("projects/admin/project.md", "---\ntitle: Admin\nstatus: active\n---\n")  # Taskwarrior's project 'Admin'
    return workspace


def _files(root: Path) -> dict[Path, bytes]:
    """The workspace's files and their bytes, but its cache (`.wm/`, which any command may write)."""
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".wm" not in p.relative_to(root).parts}


def _made(root: Path, before: set[Path]) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.md")) if p not in before}


def test_a_real_export_becomes_documents(ws: Path, wm: Callable[..., Result]) -> None:
    """Every pending, started, completed and deleted task, under its project (Admin is the workspace's own, by its
    title; Home.Garden is made), with its dates, priority, tags, dependency, annotation and recurrence; the
    recurring task's template is left out, its instance kept. The workspace validates clean."""
    before = set(ws.rglob("*.md"))
    result = wm("-C", str(ws), "import", "taskwarrior", str(FIXTURE), "--assignee", "alice")
    assert result.exit_code == 0, result.output
    made = _made(ws, before)
    assert sorted(made) == [
        "projects/admin/tasks/file-the-tax-return.md",
        "projects/admin/tasks/renew-passport.md",
        "projects/home-garden/project.md",
        "projects/home-garden/tasks/buy-paint-for-the-fence.md",
        "projects/home-garden/tasks/paint-the-fence.md",
        "projects/home-garden/tasks/water-the-plants.md",
        "tasks/call-the-plumber.md",
        "tasks/old-idea.md",
    ]
    for relpath, text in made.items():
        check_golden(GOLDEN / relpath.replace("/", "__"), text)
    assert "created projects/admin/tasks/file-the-tax-return.md  (task file-the-tax-return, in-progress: File the tax return)" in result.stdout
    assert result.stderr.splitlines()[0] == "7 tasks and 1 new project imported, 0 already imported (skipped)"
    assert "'Water the plants' is a recurring task's template; its instances are imported, not it" in result.stderr
    validated = wm("-C", str(ws), "validate")
    assert validated.exit_code == 0 and validated.stderr == "10 documents, 0 errors, 0 warnings\n"  # alice, 2 projects, 7 tasks
    blocked = wm("-C", str(ws), "blocked", "--json")
    assert [(t["id"], [d["id"] for d in t["blocked_by"]]) for t in json.loads(blocked.stdout)] == [("paint-the-fence", ["buy-paint-for-the-fence"])]


def test_importing_again_adds_only_the_new_tasks(ws: Path, wm: Callable[..., Result], tmp_path: Path) -> None:
    assert wm("-C", str(ws), "import", "taskwarrior", str(FIXTURE)).exit_code == 0
    tasks = json.loads(FIXTURE.read_text(encoding="utf-8"))
    tasks.append({"uuid": "d1e8a1f0-0000-4000-8000-000000000001", "description": "Fix the gate", "status": "pending",
                  "entry": "20261128T090000Z", "depends": [PLUMBER]})
    later = tmp_path / "later.json"
    later.write_text(json.dumps(tasks), encoding="utf-8")
    before = set(ws.rglob("*.md"))
    again = wm("-C", str(ws), "import", "taskwarrior", str(later))
    assert again.exit_code == 0, again.output
    assert again.stderr.splitlines()[0] == "1 task imported, 7 already imported (skipped)"
    assert list(_made(ws, before)) == ["tasks/fix-the-gate.md"]
    assert "depends_on: [call-the-plumber]\n" in (ws / "tasks/fix-the-gate.md").read_text(encoding="utf-8")  # an earlier import's task


def test_dry_run_writes_nothing(ws: Path, wm: Callable[..., Result]) -> None:
    before = _files(ws)
    result = wm("-C", str(ws), "import", "taskwarrior", str(FIXTURE), "--dry-run")
    assert result.exit_code == 0 and "would create tasks/call-the-plumber.md  (task call-the-plumber, todo: Call the plumber)" in result.stdout
    assert result.stderr.splitlines()[0] == "7 tasks and 1 new project to import, 0 already imported (skipped)"
    assert _files(ws) == before


def test_a_taken_name_gets_a_suffix_and_no_file_is_overwritten(ws: Path, write_doc: Callable[[str, str], Path], wm: Callable[..., Result]) -> None:
    mine = write_doc("tasks/call-the-plumber.md", "---\ntitle: My own plumber task\n---\n")
    assert wm("-C", str(ws), "import", "taskwarrior", str(FIXTURE)).exit_code == 0
    assert mine.read_text(encoding="utf-8") == "---\ntitle: My own plumber task\n---\n"
    imported = [p for p in (ws / "tasks").glob("call-the-plumber-*.md")]
    assert len(imported) == 1 and f"taskwarrior: {PLUMBER}\n" in imported[0].read_text(encoding="utf-8")


def test_older_exports_one_task_a_line_and_depends_as_text(ws: Path, wm: Callable[..., Result], tmp_path: Path) -> None:
    """Taskwarrior before 2.6 printed one object per line without brackets, and `depends` as "uuid,uuid"."""
    first, second = "a0000000-0000-4000-8000-000000000001", "a0000000-0000-4000-8000-000000000002"
    lines = [
        {"uuid": first, "description": "Draft", "status": "pending", "entry": "20261101T120000Z"},
        {"uuid": second, "description": "Send", "status": "waiting", "entry": "20261101T120000Z", "depends": first, "wait": "20261210T000000Z"},
    ]
    source = tmp_path / "old.json"
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    assert wm("-C", str(ws), "import", "taskwarrior", str(source)).exit_code == 0
    send = (ws / "tasks/send.md").read_text(encoding="utf-8")
    assert "status: todo\n" in send and "depends_on: [draft]\n" in send and "created: 2026-11-01\n" in send


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[\n{"uuid": "x"\n]', "tasks.json:3: not valid JSON"),
        ('{"a": 1}', "tasks.json:1: a task needs its 'uuid' (got None)"),  # one object a line, as before 2.6
        ('"tasks"', "tasks.json:1: a task must be a JSON object"),
        (f'{{"uuid": "{PLUMBER}", "description": "x", "status": "pending"}}\n{{"x": 1', "tasks.json:2: not valid JSON"),
        ('[\n{"description": "No id", "status": "pending"}\n]', "tasks.json:2: a task needs its 'uuid' (got None)"),
        (f'[\n{{"uuid": "{PLUMBER}", "description": "x", "status": "done"}}\n]', f"tasks.json:2: task {PLUMBER} has an unknown status 'done'"),
        (f'[\n{{"uuid": "{PLUMBER}", "description": "x", "status": "pending", "due": "tomorrow"}}\n]', "tasks.json:2: bad time 'tomorrow'"),
        (f'[\n{{"uuid": "{PLUMBER}", "description": "x", "status": "pending", "tags": "a"}}\n]', "'tags' must be a list of strings"),
        (f'[{{"uuid": "{PLUMBER}", "description": "x", "status": "pending"}}, {{"uuid": "{PLUMBER}"}}]', "tasks.json: task 2: task"),
    ],
)
def test_a_bad_export_is_named_by_file_and_line_and_nothing_is_written(
    ws: Path, wm: Callable[..., Result], tmp_path: Path, text: str, message: str
) -> None:
    source = tmp_path / "tasks.json"
    source.write_text(text, encoding="utf-8")
    before = _files(ws)
    result = wm("-C", str(ws), "import", "taskwarrior", str(source))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert message in result.stderr and result.stderr.startswith(f"wm: {tmp_path}/")
    assert _files(ws) == before


def test_a_deleted_task_without_a_cancelled_status_is_left_out_and_said(ws: Path, wm: Callable[..., Result]) -> None:
    (ws / "workspace.yml").write_text("name: test\nworkflows:\n  task:\n    statuses: [open, closed]\n    done: [closed]\n", encoding="utf-8")
    result = wm("-C", str(ws), "import", "taskwarrior", str(FIXTURE))
    assert result.exit_code == 0, result.output
    assert "'Old idea' was cancelled in Taskwarrior, and the task workflow has no 'cancelled' status; it is left out" in result.stderr
    assert not (ws / "tasks/old-idea.md").exists()
    assert "status: closed\n" in (ws / "projects/admin/tasks/renew-passport.md").read_text(encoding="utf-8")
    assert "status: open\n" in (ws / "projects/admin/tasks/file-the-tax-return.md").read_text(encoding="utf-8")  # started: no in-progress here
    assert wm("-C", str(ws), "validate").exit_code == 0


def test_recurrence_periods() -> None:
    cases = {"weekly": "weekly", "daily": "daily", "weekdays": "weekdays", "biweekly": "every 2 weeks", "2w": "every 2 weeks",
             "3d": "every 3 days", "1mo": "monthly", "quarterly": "every 3 months", "2q": "every 6 months", "P1Y": "yearly",
             "P1M": "monthly", "P2W": "every 2 weeks", "PT1M": None, "1m": None,
             "annual": "yearly", "8h": None, "hourly": None, "0d": None}
    assert {period: recurrence(period) for period in cases} == cases


@pytest.mark.skipif(shutil.which("task") is None, reason="Taskwarrior is not installed (CI installs it)")
def test_an_export_made_now_by_the_real_taskwarrior(ws: Path, wm: Callable[..., Result], tmp_path: Path) -> None:
    data = tmp_path / "taskdata"
    data.mkdir()
    rc = tmp_path / "taskrc"
    rc.write_text(f"data.location={data}\nconfirmation=off\nverbose=nothing\nrecurrence.confirmation=no\n", encoding="utf-8")
    env = {"TASKRC": str(rc), "TASKDATA": str(data), "PATH": "/usr/bin:/bin", "TZ": "UTC", "HOME": str(tmp_path)}

    def task(*args: str) -> str:
        return subprocess.run(["task", *args], env=env, capture_output=True, text=True, check=True).stdout

    task("add", "Write the report", "project:Work.Q4", "priority:H", "due:2026-12-15", "+writing")
    task("add", "Review the report", "project:Work.Q4", "depends:1")
    task("1", "annotate", "Use last year's figures")
    task("1", "start")
    source = tmp_path / "export.json"
    source.write_text(task("export"), encoding="utf-8")
    result = wm("-C", str(ws), "import", "taskwarrior", str(source), "--assignee", "alice")
    assert result.exit_code == 0, result.output
    write = (ws / "projects/work-q4/tasks/write-the-report.md").read_text(encoding="utf-8")
    for line in ("status: in-progress\n", "priority: high\n", "due: 2026-12-15\n", "tags: [writing]\n", "assignee: alice\n"):
        assert line in write
    assert write.split("## Log\n", 1)[1].strip().endswith(" alice: Use last year's figures")  # the assignee wrote it
    review = (ws / "projects/work-q4/tasks/review-the-report.md").read_text(encoding="utf-8")
    assert "depends_on: [write-the-report]\n" in review and "status: todo\n" in review
    assert wm("-C", str(ws), "validate").exit_code == 0


_UUIDS = st.uuids().map(str)
_STAMP = st.datetimes(min_value=__import__("datetime").datetime(2000, 1, 1), max_value=__import__("datetime").datetime(2099, 1, 1)).map(
    lambda d: d.strftime("%Y%m%dT%H%M%SZ")
)
_TASKS = st.fixed_dictionaries(
    {"uuid": _UUIDS, "description": st.text(min_size=1, max_size=40).filter(str.strip),
     "status": st.sampled_from(["pending", "waiting", "completed", "deleted", "recurring"])},
    optional={"entry": _STAMP, "due": _STAMP, "priority": st.sampled_from(["H", "M", "L"]), "tags": st.lists(st.text(max_size=10), max_size=3),
              "project": st.from_regex(r"[A-Za-z][A-Za-z.]{0,9}", fullmatch=True)},
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_TASKS, max_size=5))
def test_parsing_keeps_what_a_task_says(tasks: list[dict[str, Any]]) -> None:
    parsed = parse_taskwarrior(json.dumps(tasks), "x.json")
    states = {"pending": "open", "waiting": "open", "completed": "done", "deleted": "cancelled", "recurring": "template"}
    assert [(t.key, t.title, t.state) for t in parsed] == [(d["uuid"], " ".join(d["description"].split()), states[d["status"]]) for d in tasks]
    for task, item in zip(parsed, tasks):
        assert task.priority == {"H": "high", "M": "medium", "L": "low"}.get(item.get("priority", ""))
        assert (task.due is None) == ("due" not in item)


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8), lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(["uuid", "description", "status", "tags", "depends", "due", "annotations", "x"]), inner, max_size=4)))
def test_any_json_is_tasks_or_a_named_error(value: Any) -> None:
    try:
        parse_taskwarrior(json.dumps(value), "x.json")
    except ImportFormatError as exc:
        assert str(exc).startswith("x.json")
