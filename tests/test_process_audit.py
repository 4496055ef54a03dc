"""Process templates whose runs can be told apart, and checklist progress shown (audit of processes, #13 and #17)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

NEW_HIRE = """---
title: New hire onboarding
tasks:
  - {id: order, title: "Order laptop for {{ hire }}", offset_days: -3, role: it}
  - {id: laptop, title: "Set up laptop for {{ hire }}", due_days: 2, role: it, description: "{{ hire }} starts on {{ start }} in {{ project }}."}
  - {id: accounts, title: Create accounts, offset_days: 1, depends_on: [laptop], role: it}
---
"""


@pytest.fixture
def ws(workspace: Path, write_doc) -> Path:  # type: ignore[no-untyped-def]
    write_doc("people/carol.md", "---\nname: Carol\n---\n")
    write_doc("projects/ops/project.md", "---\ntitle: Ops\nstatus: active\n---\n")
    write_doc("templates/processes/new-hire.md", NEW_HIRE)
    return workspace


def _tasks(ws: Path) -> list[str]:
    folder = ws / "projects/ops/tasks"
    return sorted(p.stem for p in folder.glob("*.md")) if folder.is_dir() else []


def _text(ws: Path, task: str) -> str:
    return (ws / f"projects/ops/tasks/{task}.md").read_text(encoding="utf-8")


# -- #13: template variables in step titles and descriptions -----------------------------------


def test_step_titles_and_descriptions_are_rendered_with_the_run_s_variables(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(ws), "apply", "new-hire", "-p", "ops", "--start", "2026-12-07", "-a", "it=carol", "--var", "hire=Dana Ruiz")
    assert result.exit_code == 0, result.output
    assert _tasks(ws) == ["ops-accounts", "ops-laptop", "ops-order"]
    laptop = _text(ws, "ops-laptop")
    assert laptop.startswith("---\ntitle: Set up laptop for Dana Ruiz\n")
    assert "\nDana Ruiz starts on 2026-12-07 in ops.\n" in laptop
    assert _text(ws, "ops-order").startswith("---\ntitle: Order laptop for Dana Ruiz\n")
    assert wm("-C", str(ws), "validate").exit_code == 0


def test_an_unknown_variable_is_refused_naming_file_line_and_variables_before_anything_is_written(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(ws), "apply", "new-hire", "-p", "ops", "--start", "2026-12-07")
    assert result.exit_code == 1
    assert result.output == (
        "wm: templates/processes/new-hire.md:4: {{ hire }} is no variable wm sets; the variables are author, date, month, "
        "month_name, process, project, start; give it with --var hire=VALUE\n"
    )
    assert _tasks(ws) == []
    typo = wm("-C", str(ws), "apply", "new-hire", "-p", "ops", "--var", "hier=Dana")  # the variables listed include those given
    assert typo.exit_code == 1 and "{{ hire }} is no variable wm sets (did you mean hier?); the variables are author, date, hier," in typo.output
    assert _tasks(ws) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--var", "hire=Dana", "--var", "team=IT"), "wm: --var team: no step of the process 'new-hire' (templates/processes/new-hire.md) uses {{ team }} (it uses hire)\n"),
        (("--var", "hire=Dana", "--var", "start=2026-12-01"), "wm: --var start: wm sets {{ start }} itself"),
        (("--var", "hire=Dana", "--var", "hire=Eve"), "wm: --var hire is given twice ('Dana' and 'Eve')\n"),
        (("--var", "hire"), "wm: --var hire: expected NAME=VALUE"),
    ],
)
def test_a_var_no_step_uses_one_wm_sets_or_a_bad_one_is_refused(ws: Path, wm, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(ws), "apply", "new-hire", "-p", "ops", *args)
    assert result.exit_code == 2 and result.output.startswith(message)
    assert _tasks(ws) == []


def test_a_literal_double_brace_is_written_with_raw(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc("templates/processes/forms.md", (
        "---\ntitle: Forms\ntasks:\n"
        "  - {id: fill, title: \"{% raw %}Fill in {{ name }}{% endraw %}\"}\n"
        "  - {id: send, title: \"Send {{ '{{' }}form}} for {{ project }}\"}\n---\n"
    ))
    result = wm("-C", str(ws), "apply", "forms", "-p", "ops")
    assert result.exit_code == 0, result.output
    titles = wm("-C", str(ws), "list", "project:ops", "--fields", "id,title", "--csv").output.splitlines()
    assert titles == ["id,title", "ops-fill,Fill in {{ name }}", "ops-send,Send {{form}} for ops"]
    write_doc("templates/processes/broken.md", "---\ntitle: Broken\ntasks:\n  - {id: a, title: \"Fill in {{ name\"}\n---\n")
    broken = wm("-C", str(ws), "apply", "broken", "-p", "ops")
    assert broken.exit_code == 1 and broken.output.startswith("wm: templates/processes/broken.md:4: template error: ")
    assert "a literal {{ is written {{ '{{' }}, or inside {% raw %}...{% endraw %}" in broken.output


# -- #13: runs that can be told apart ---------------------------------------------------------------


def test_a_second_run_is_named_after_its_titles_or_its_start_date_and_records_its_run(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    first = wm("-C", str(ws), "apply", "new-hire", "-p", "ops", "--start", "2026-12-01", "-a", "it=carol", "--var", "hire=Carol Ng")
    assert first.exit_code == 0, first.output
    again = wm("-C", str(ws), "apply", "new-hire", "-p", "ops", "--start", "2026-12-07", "-a", "it=carol", "--var", "hire=Dana Ruiz", "--again")
    assert again.exit_code == 0, again.output
    assert _tasks(ws) == [
        "ops-accounts", "ops-accounts-2026-12-07", "ops-laptop", "ops-order",
        "ops-order-laptop-for-dana-ruiz", "ops-set-up-laptop-for-dana-ruiz",
    ]  # no random hex: new titles name their tasks, a repeated one gets the start date
    accounts = _text(ws, "ops-accounts-2026-12-07")
    assert accounts.startswith(
        "---\ntitle: Create accounts (2026-12-07)\nstatus: todo\nassignee: carol\nstart: 2026-12-08\n"
        "depends_on: [ops-set-up-laptop-for-dana-ruiz]\nprocess: new-hire\nrun: 2026-12-07\n"
    )
    assert "step `accounts`, run of 2026-12-07." in accounts
    assert "\nprocess: new-hire\nrun: 2026-12-01\n" in _text(ws, "ops-accounts")
    listed = wm("-C", str(ws), "list", "process:new-hire", "run:2026-12-07", "--fields", "id,title", "--csv")
    assert listed.output.splitlines() == [
        "id,title",
        "ops-accounts-2026-12-07,Create accounts (2026-12-07)",
        "ops-order-laptop-for-dana-ruiz,Order laptop for Dana Ruiz",
        "ops-set-up-laptop-for-dana-ruiz,Set up laptop for Dana Ruiz",
    ]
    assert wm("-C", str(ws), "validate").exit_code == 0


def test_the_same_titles_twice_get_the_start_date_not_random_hex(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc("templates/processes/release.md", "---\ntitle: Release\ntasks:\n  - {id: build, title: Build}\n  - {id: ship, title: Ship, depends_on: [build]}\n---\n")
    assert wm("-C", str(ws), "apply", "release", "-p", "ops", "--start", "2026-11-27").exit_code == 0
    assert wm("-C", str(ws), "apply", "release", "-p", "ops", "--start", "2026-12-04", "--again").exit_code == 0
    assert _tasks(ws) == ["ops-build", "ops-build-2026-12-04", "ops-ship", "ops-ship-2026-12-04"]
    assert _text(ws, "ops-ship-2026-12-04").startswith("---\ntitle: Ship (2026-12-04)\n")
    assert "depends_on: [ops-build-2026-12-04]\n" in _text(ws, "ops-ship-2026-12-04")


def test_applying_twice_without_again_suggests_again_and_a_project_per_run(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc("templates/processes/release.md", "---\ntitle: Release\ntasks:\n  - {id: build, title: Build}\n---\n")
    assert wm("-C", str(ws), "apply", "release", "-p", "ops").exit_code == 0
    second = wm("-C", str(ws), "apply", "release", "-p", "ops")
    assert second.exit_code == 2 and second.output == (
        "wm: the process 'release' was applied to ops already: its task ops-build is there; pass --again to make its tasks "
        "a second time (named after their titles where those are new, else with the start date), or give each run a "
        "project of its own (wm new project TITLE, then wm apply release --project ID)\n"
    )
    assert _tasks(ws) == ["ops-build"]


def test_a_run_is_found_by_its_process_key_whatever_its_tasks_are_named(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc("projects/ops/tasks/laptop-for-dana.md", "---\ntitle: Laptop for Dana\nprocess: new-hire\nrun: 2026-12-07\n---\n")
    result = wm("-C", str(ws), "apply", "new-hire", "-p", "ops", "--var", "hire=Eve")
    assert result.exit_code == 2 and "its task laptop-for-dana is there; pass --again" in result.output


# -- #13: negative offsets ---------------------------------------------------------------------------


def test_a_negative_offset_counts_working_days_before_the_start(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(ws), "apply", "new-hire", "-p", "ops", "--start", "2026-12-07", "--var", "hire=Dana")
    assert result.exit_code == 0, result.output
    assert "\nstart: 2026-12-02\n" in _text(ws, "ops-order")  # Monday - 3 working days: Wednesday
    write_doc("templates/processes/early.md", "---\ntitle: Early\ntasks:\n  - {id: prep, title: Prep, offset_days: -1, due_days: 1}\n---\n")
    assert wm("-C", str(ws), "apply", "early", "-p", "ops", "--start", "2026-11-30").exit_code == 0
    assert "\nstart: 2026-11-27\ndue: 2026-11-30\n" in _text(ws, "ops-prep")  # the Friday before the Monday
    write_doc("templates/processes/late.md", "---\ntitle: Late\ntasks:\n  - {id: a, title: A, due_days: -1}\n---\n")
    late = wm("-C", str(ws), "apply", "late", "-p", "ops")
    assert late.exit_code == 1 and "templates/processes/late.md:4: due_days: expected a whole number of working days, 0 or more, got -1" in late.output


# -- #17: checklist progress ---------------------------------------------------------------------------


@pytest.fixture
def checklists(workspace: Path, write_doc) -> Path:  # type: ignore[no-untyped-def]
    write_doc("projects/ops/project.md", "---\ntitle: Ops\nstatus: active\n---\n")
    write_doc("projects/ops/tasks/onboard.md", "---\ntitle: Onboard Dana\n---\n\n- [x] Laptop\n- [x] Accounts\n- [ ] Welcome lunch\n")
    write_doc("projects/ops/tasks/payroll.md", "---\ntitle: Payroll\n---\n\n- [x] Hours\n")
    write_doc("projects/ops/tasks/plain.md", "---\ntitle: Plain\n---\n\nNo items.\n")
    return workspace


def test_show_prints_checklist_progress(checklists: Path, wm) -> None:  # type: ignore[no-untyped-def]
    shown = wm("-C", str(checklists), "show", "onboard")
    assert shown.exit_code == 0 and re.search(r"^priority +medium\nchecklist +2/3$", shown.output, re.M)
    assert "checklist" not in wm("-C", str(checklists), "show", "plain").output


def test_list_knows_the_checklist_field(checklists: Path, wm) -> None:  # type: ignore[no-untyped-def]
    assert wm("-C", str(checklists), "list", "--fields", "id,checklist").exit_code == 0
    ids = wm("-C", str(checklists), "list", "has:checklist", "--sort", "-checklist", "--fields", "id", "--csv")
    assert ids.output.splitlines() == ["id", "payroll", "onboard"]  # 1/1 before 2/3; the documents without items left out
    assert wm("-C", str(checklists), "list", "checklist:2/3", "--fields", "id", "--csv").output.splitlines() == ["id", "onboard"]
    assert wm("-C", str(checklists), "list", "checklist:*/1", "--fields", "id", "--csv").output.splitlines() == ["id", "payroll"]
    assert "plain" in wm("-C", str(checklists), "list", "no:checklist", "--fields", "id", "--csv").output.splitlines()
    table = wm("-C", str(checklists), "list", "type:task", "--fields", "id,checklist", "--csv").output.splitlines()
    assert table == ["id,checklist", "onboard,2/3", "payroll,1/1", "plain,"]
    records = {d["id"]: d.get("checklist") for d in json.loads(wm("-C", str(checklists), "list", "--json").output)}
    assert records["onboard"] == {"checked": 2, "total": 3} and records["plain"] is None
    shown = json.loads(wm("-C", str(checklists), "show", "onboard", "--json").output)
    assert shown["checklist"] == {"checked": 2, "total": 3}


def test_export_json_and_csv_carry_checklist_progress(checklists: Path, wm) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(wm("-C", str(checklists), "export", "json").output)
    progress = {d["id"]: d.get("checklist") for d in data["documents"] if d["type"] == "task"}
    assert progress == {"onboard": {"checked": 2, "total": 3}, "payroll": {"checked": 1, "total": 1}, "plain": None}
    rows = {r["id"]: r["checklist"] for r in csv.DictReader(wm("-C", str(checklists), "export", "csv", "--type", "task").output.splitlines())}
    assert rows == {"onboard": "2/3", "payroll": "1/1", "plain": ""}
