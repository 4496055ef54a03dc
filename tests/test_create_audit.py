"""Creating work makes valid documents or says why not (from the audit of init, new, templates, apply and recur)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest


@pytest.fixture
def ws(workspace: Path, write_doc) -> Path:  # type: ignore[no-untyped-def]
    write_doc("people/alice.md", "---\nname: Alice\n---\n")
    write_doc("projects/web/project.md", "---\ntitle: Web\nstatus: active\n---\n")
    return workspace


@pytest.mark.parametrize("name", ["Acme: Ops", "#hash", "yes", "n: 1"])
def test_init_writes_any_name_so_that_it_reads_back(tmp_path: Path, wm, name: str) -> None:  # type: ignore[no-untyped-def]
    result = wm("init", str(tmp_path / "w"), "--name", name)
    assert result.exit_code == 0, result.output
    check = wm("-C", str(tmp_path / "w"), "validate")
    assert check.exit_code == 0, check.output
    from workspace_tool.loader import read_settings

    assert read_settings(tmp_path / "w")[0].name == name


def test_init_inside_a_workspace_is_refused(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    result = wm("init", str(ws / "notes" / "inner"))
    assert result.exit_code == 1 and "is inside the workspace at" in result.stderr and "exclude:" in result.stderr
    assert not (ws / "notes" / "inner" / "workspace.yml").exists()
    (ws / "workspace.yml").write_text("name: test\nexclude: ['sandbox/**']\n", encoding="utf-8")
    assert wm("init", str(ws / "sandbox" / "w")).exit_code == 0  # a folder the outer workspace does not read


def _done(wm, ws: Path, task: str, day: str) -> str:  # type: ignore[no-untyped-def]
    result = wm("-C", str(ws), "--today", day, "move", task, "done")
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_monthly_task_due_at_a_month_end_stays_at_month_ends(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc("projects/web/tasks/rent.md", "---\ntitle: Pay rent\nrecurrence: monthly\ndue: 2027-01-31\n---\n")
    assert "due 2027-02-28" in _done(wm, ws, "rent", "2027-01-31")
    assert "due 2027-03-31" in _done(wm, ws, "rent-2027-02-28", "2027-02-28")
    assert "due 2027-05-31" in _done(wm, ws, "rent-2027-03-31", "2027-05-02")  # done late: the next month end after
    write_doc("projects/web/tasks/report.md", "---\ntitle: Report\nrecurrence: monthly\ndue: 2027-01-30\n---\n")
    assert "due 2027-02-28" in _done(wm, ws, "report", "2027-01-30")
    assert "due 2027-03-30" in _done(wm, ws, "report-2027-02-28", "2027-02-28")  # the 30th, not the 31st


def test_a_template_that_names_no_variable_is_refused_with_the_fix(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc("templates/task.md", "---\ntitle: {{ titel }}\n---\n")
    result = wm("-C", str(ws), "new", "task", "X", "--project", "web")
    assert result.exit_code == 1 and "templates/task.md: {{ titel }} is no variable wm sets (did you mean title?)" in result.stderr
    assert not (ws / "projects/web/tasks/x.md").exists()


def test_a_template_with_a_status_of_no_workflow_is_refused(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc("templates/task.md", "---\ntitle: {{ title }}\nstatus: open\n---\n")
    result = wm("-C", str(ws), "new", "task", "X", "--project", "web")
    assert result.exit_code == 1 and "unknown status 'open' for a task" in result.stderr and "fix templates/task.md" in result.stderr
    assert not (ws / "projects/web/tasks/x.md").exists()


def test_an_unset_template_value_is_empty_not_none(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc("templates/note.md", "---\ntitle: {{ title }}\n---\nProject: {{ project }}.\n")
    assert wm("-C", str(ws), "new", "note", "Loose").exit_code == 0
    assert (ws / "notes/loose.md").read_text(encoding="utf-8").endswith("Project: .\n")


def test_apply_reads_numbers_as_hours_checks_types_and_gives_new_s_variables(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    subprocess.run(["git", "init", "-q"], cwd=ws, check=True)
    subprocess.run(["git", "config", "user.name", "Tess Ter"], cwd=ws, check=True)
    write_doc("templates/task.md", "---\ntitle: {{ title }}\n---\nBy {{ author }} in {{ month_name }} ({{ month }}).\n")
    write_doc("templates/processes/quick.md", "---\ntitle: Quick\ntasks:\n  - {id: a, title: A, estimate: 4}\n---\n")
    result = wm("-C", str(ws), "apply", "quick", "-p", "web", "--start", "2026-11-27")
    assert result.exit_code == 0, result.output
    text = (ws / "projects/web/tasks/web-a.md").read_text(encoding="utf-8")
    assert "estimate: 4h\n" in text and "By Tess Ter in November 2026 (2026-11)." in text
    write_doc("templates/processes/bad.md", "---\ntitle: Bad\ntasks:\n  - {id: a, title: A, milestone: maybe}\n---\n")
    bad = wm("-C", str(ws), "apply", "bad", "-p", "web")
    assert bad.exit_code == 1 and "templates/processes/bad.md:4: milestone: expected true or false, got 'maybe'" in bad.stderr
    write_doc("templates/processes/roles.md", "---\ntitle: Roles\ntasks:\n  - {id: a, title: A, role: [pm, dev]}\n---\n")
    roles = wm("-C", str(ws), "apply", "roles", "-p", "web")
    assert roles.exit_code == 1 and "role: expected one word or text" in roles.stderr


def test_recur_names_a_rule_it_refuses_and_still_makes_the_others(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc("projects/web/tasks/f.md", "---\ntitle: F\nstatus: done\ndue: 2026-11-20\ndone: 2026-11-20\nrecurrence: every other week\n---\n")
    write_doc("projects/web/tasks/w.md", "---\ntitle: W\nstatus: done\ndue: 2026-11-20\ndone: 2026-11-20\nrecurrence: weekly\n---\n")
    result = wm("-C", str(ws), "recur")
    assert result.exit_code == 1
    assert "projects/web/tasks/w-2026-11-27.md: task w-2026-11-27: next weekly instance of w, due 2026-11-27" in result.stdout
    assert "projects/web/tasks/f.md:6:" in result.stderr and "its next instance was not made" in result.stderr


def test_a_series_planned_by_start_dates_stays_one(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc("projects/web/tasks/s.md", "---\ntitle: S\nstart: 2026-11-18\nrecurrence: weekly\n---\n")
    result = wm("-C", str(ws), "move", "s", "done")
    assert result.exit_code == 0 and "starting 2026-12-02" in result.stdout, result.output  # weekly from the 18th, not before today
    text = (ws / "projects/web/tasks/s-2026-12-02.md").read_text(encoding="utf-8")
    assert "start: 2026-12-02\n" in text and "due:" not in text


def test_ids_keep_european_letters_and_other_scripts_are_told_what_to_do(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    from workspace_tool.create import slugify

    assert (slugify("Søren Ødegaard"), slugify("Straße & Æble GmbH"), slugify("Łódź")) == ("soren-odegaard", "strasse-aeble-gmbh", "lodz")
    result = wm("-C", str(ws), "new", "task", "日本語のタスク", "--project", "web")
    assert result.exit_code == 2 and "no letters or digits a file name can hold (a-z, 0-9); pass --id NAME" in result.stderr
    assert wm("-C", str(ws), "new", "task", "日本語のタスク", "--project", "web", "--id", "tokyo-launch").exit_code == 0
