"""wm new, wm apply, recurring tasks and --commit."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE

from workspace_tool.config import default_settings
from workspace_tool.create import slugify
from workspace_tool.recur import next_due, parse_rule


@pytest.fixture
def ws(workspace: Path, write_doc) -> Path:  # type: ignore[no-untyped-def]
    write_doc("people/alice.md", "---\nname: Alice\n---\n")
    write_doc("projects/web/project.md", "---\ntitle: Web\nstatus: active\n---\n")
    write_doc("projects/web/tasks/setup.md", "---\ntitle: Setup\n---\n")
    return workspace


@pytest.mark.parametrize(
    ("args", "path"),
    [
        (("task", "Design mockups", "--project", "web"), "projects/web/tasks/design-mockups.md"),
        (("task", "Loose end"), "tasks/loose-end.md"),
        (("project", "Brand Refresh"), "projects/brand-refresh/project.md"),
        (("person", "Zoë Äkerman"), "people/zoe-akerman.md"),
        (("client", "ACME Corp."), "clients/acme-corp.md"),
        (("decision", "Use Postgres", "-p", "web"), "projects/web/decisions/use-postgres.md"),
        (("decision", "Use Postgres"), "decisions/use-postgres.md"),
        (("risk", "Key person leaves"), "risks/key-person-leaves.md"),
        (("goal", "Grow revenue"), "goals/grow-revenue.md"),
        (("note", "Weekly sync"), "notes/weekly-sync.md"),
        (("timelog", "alice"), "timelogs/alice/2026-11.md"),
    ],
)
def test_new_puts_each_type_where_the_format_says(ws: Path, wm, args: tuple[str, ...], path: str) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(ws), "new", *args)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(ws / path)  # absolute: the workspace is not under the current folder
    assert (ws / path).is_file()
    check = wm("-C", str(ws), "validate")
    assert check.exit_code == 0, check.output


def test_new_task_with_fields(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(ws), "new", "task", "Design mockups: v2", "-p", "web", "-a", "alice", "-e", "3d",
                "--due", "2026-12-04", "--depends-on", "setup", "-f", "priority=high", "-f", "x-ticket=WEB-7")
    assert result.exit_code == 0, result.output
    text = (ws / "projects/web/tasks/design-mockups-v2.md").read_text(encoding="utf-8")
    assert text.startswith(
        "---\ntitle: 'Design mockups: v2'\nstatus: todo\nassignee: alice\nestimate: 3d\ndue: 2026-12-04\n"
        "depends_on: [setup]\npriority: high\nx-ticket: WEB-7\ncreated: 2026-11-26\n---\n"
    )


def test_colliding_title_gets_a_random_suffix_not_a_counter(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    first = wm("-C", str(ws), "new", "task", "Setup", "-p", "web")
    assert first.exit_code == 0
    name = Path(first.stdout.strip()).stem
    assert name.startswith("setup-") and len(name) == len("setup-") + 4 and name != "setup-2"
    assert first.stderr == f"wm: the name 'setup' was taken, so this task is '{name}' (pass --id to choose another)\n"
    assert (ws / "projects/web/tasks/setup.md").read_text(encoding="utf-8") == "---\ntitle: Setup\n---\n"
    assert wm("-C", str(ws), "new", "task", "Teardown", "-p", "web").stderr == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("task", "!!!"), "has no letters or digits"),
        (("task", "Project"), "'project' is a reserved file name"),
        (("task", "CON"), "'con' is a reserved file name"),
        (("task", "Nul"), "'nul' is a reserved file name"),
        (("task", "X", "-a", "alicia"), "did you mean 'alice'?"),
        (("task", "X", "-e", "3 days"), "estimate: expected a duration"),
        (("task", "X", "--due", "next week"), "due: expected a date"),
        (("task", "X", "-p", "wbe"), "did you mean 'web'?"),
        (("person", "X", "-e", "3d"), "a person has no estimate field"),
        (("task", "X", "--edit"), "--edit needs $EDITOR"),
    ],
)
def test_new_refuses_bad_input_before_writing(ws: Path, wm, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    before = sorted(p.relative_to(ws).as_posix() for p in ws.rglob("*.md"))
    result = wm("-C", str(ws), "new", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert sorted(p.relative_to(ws).as_posix() for p in ws.rglob("*.md")) == before


def test_new_with_id_for_an_unsluggable_title(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(ws), "new", "task", "!!!", "--id", "bang")
    assert result.stdout.strip() == str(ws / "tasks/bang.md")


def test_edit_opens_the_editor(ws: Path, wm, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "fake-editor.py"
    script.write_text("import sys\nopen(sys.argv[1], 'a').write('edited\\n')\n", encoding="utf-8")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    result = wm("-C", str(ws), "new", "note", "Ideas", "--edit")
    assert result.exit_code == 0
    assert (ws / "notes/ideas.md").read_text(encoding="utf-8").endswith("edited\n")


def test_an_editor_that_fails_or_cannot_run_is_said_and_the_new_file_named(ws: Path, wm, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EDITOR", "false")
    failed = wm("-C", str(ws), "new", "note", "Ideas", "--edit")
    assert failed.exit_code == 0 and failed.stdout == f"{ws / 'notes/ideas.md'}\n"
    assert f"wm: the editor 'false' exited with status 1; {ws / 'notes/ideas.md'} is as the editor left it" in failed.stderr
    monkeypatch.setenv("EDITOR", "no-such-editor-here --wait")
    missing = wm("-C", str(ws), "new", "note", "More ideas", "--edit")
    assert missing.exit_code == 1 and (ws / "notes/more-ideas.md").is_file()
    assert f"cannot run the editor 'no-such-editor-here --wait' ($VISUAL or $EDITOR): No such file or directory; {ws / 'notes/more-ideas.md'} was made" in missing.stderr


def test_workspace_template_overrides_the_builtin(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    (ws / "templates").mkdir()
    (ws / "templates/task.md").write_text(
        "---\ntitle: {{ title | yaml }}\nstatus: {{ status }}\n---\n\n# {{ title }}\n\nBy {{ author }} on {{ date }}.\n", encoding="utf-8"
    )
    result = wm("-C", str(ws), "new", "task", "Custom", "-a", "alice")
    assert result.exit_code == 0
    text = (ws / "tasks/custom.md").read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: Custom\nstatus: todo\nassignee: alice\n---\n\n# Custom\n\nBy ")
    assert "on 2026-11-26." in text


def test_slugify() -> None:
    assert slugify("  Hello, World!  ") == "hello-world"
    assert slugify("Ça va? Très bien") == "ca-va-tres-bien"
    assert slugify("x" * 30 + " " + "y" * 40) == "x" * 30


# -- recurring tasks ------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "due", "done", "expected"),
    [
        ("daily", "2026-11-26", "2026-11-26", "2026-11-27"),
        ("weekly", "2026-11-27", "2026-11-26", "2026-12-04"),
        ("every 2 weeks", "2026-11-27", "2026-11-27", "2026-12-11"),
        ("monthly", "2026-01-31", "2026-01-31", "2026-02-28"),
        ("weekdays", "2026-11-27", "2026-11-27", "2026-11-30"),
        ("weekly", "2026-11-06", "2026-11-26", "2026-11-27"),  # missed weeks are skipped
    ],
)
def test_next_due(rule: str, due: str, done: str, expected: str) -> None:
    cal = default_settings().calendar
    assert next_due(rule, dt.date.fromisoformat(due), dt.date.fromisoformat(done), cal) == dt.date.fromisoformat(expected)


def test_bad_rule() -> None:
    with pytest.raises(ValueError, match="unknown recurrence"):
        parse_rule("fortnightly-ish")


RECURRING = "---\ntitle: Weekly report\nstatus: in-progress\ndue: 2026-11-27\nrecurrence: weekly\n---\n\n- [x] Draft\n- [ ] Send\n\n## Log\n\n- 2026-11-20 A: sent\n"


def test_completing_a_recurring_task_creates_the_next(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc("projects/web/tasks/weekly-report.md", RECURRING)
    result = wm("-C", str(ws), "move", "weekly-report", "done")
    assert result.exit_code == 0, result.output
    new = ws / "projects/web/tasks/weekly-report-2026-12-04.md"
    assert new.read_text(encoding="utf-8") == (
        "---\ntitle: Weekly report\nstatus: todo\ndue: 2026-12-04\nrecurrence: weekly\nprevious: weekly-report\nstart: 2026-11-27\n---\n\n- [ ] Draft\n- [ ] Send\n"
    )
    again = wm("-C", str(ws), "recur")
    assert "no recurring task is missing" in again.output
    assert wm("-C", str(ws), "validate").exit_code == 0


def test_the_next_instance_is_created_today_not_when_the_series_began(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc("projects/web/tasks/weekly-report.md", RECURRING.replace("recurrence: weekly\n", "recurrence: weekly\ncreated: 2026-10-17\n"))
    assert wm("-C", str(ws), "move", "weekly-report", "done").exit_code == 0
    new = (ws / "projects/web/tasks/weekly-report-2026-12-04.md").read_text(encoding="utf-8")
    assert "created: 2026-11-26\n" in new and "2026-10-17" not in new  # WM_TODAY
    assert "created: 2026-10-17\n" in (ws / "projects/web/tasks/weekly-report.md").read_text(encoding="utf-8")


def test_recur_catches_up_a_task_completed_by_hand(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc("projects/web/tasks/backup-check.md", "---\nstatus: done\ndone: 2026-11-25\ndue: 2026-11-25\nrecurrence: daily\n---\n")
    result = wm("-C", str(ws), "recur")
    assert result.exit_code == 0
    assert (ws / "projects/web/tasks/backup-check-2026-11-26.md").is_file()
    assert "no recurring task is missing" in wm("-C", str(ws), "recur").output


def test_set_done_with_a_date_plans_from_that_date_as_recur_does(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    """`wm set X status=done done=DATE` days after: the next instance is the one `wm recur` makes for that done date."""
    text = "---\ntitle: Weekly\nstatus: todo\ndue: 2026-11-20\nrecurrence: weekly\n---\n"
    write_doc("projects/web/tasks/by-set.md", text)
    write_doc("projects/web/tasks/by-recur.md", text.replace("status: todo", "status: done\ndone: 2026-11-20"))
    assert wm("-C", str(ws), "--today", "2026-12-05", "set", "by-set", "status=done", "done=2026-11-20").exit_code == 0
    assert wm("-C", str(ws), "--today", "2026-12-05", "recur").exit_code == 0
    made = sorted(p.name for p in (ws / "projects/web/tasks").glob("by-*-*.md"))
    assert made == ["by-recur-2026-11-27.md", "by-set-2026-11-27.md"]  # from 11-20 both, not from "today" (12-05) for one


def test_validate_warns_of_a_forked_series_and_a_done_date_on_open_work(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    """Two clones each completed a weekly task, then merged: two open instances continue it. A merge kept `done:` on a
    task another side reopened."""
    write_doc("projects/web/tasks/weekly.md", "---\ntitle: Weekly\nstatus: done\ndone: 2026-11-20\nrecurrence: weekly\n---\n")
    for day in ("2026-11-27", "2026-12-04"):
        write_doc(f"projects/web/tasks/weekly-{day}.md", f"---\ntitle: Weekly\nstatus: todo\ndue: {day}\nrecurrence: weekly\nprevious: weekly\n---\n")
    write_doc("projects/web/tasks/reopened.md", "---\ntitle: Reopened\nstatus: review\ndone: 2026-11-20\n---\n")
    result = wm("-C", str(ws), "validate")
    assert result.exit_code == 0  # warnings
    lines = [line for line in result.stdout.splitlines() if "forked" in line or "open instances" in line or "done: 2026" in line]
    assert lines == [
        "projects/web/tasks/reopened.md:4: warning: done: 2026-11-20 on a task that is review; remove the date, or move the task to a done status",
        "projects/web/tasks/weekly-2026-11-27.md:6: warning: 2 open instances continue 'weekly' (weekly-2026-11-27, weekly-2026-12-04): "
        "keep one (cancel or delete the others), or each makes its own next instance",
        "projects/web/tasks/weekly-2026-12-04.md:6: warning: 2 open instances continue 'weekly' (weekly-2026-11-27, weekly-2026-12-04): "
        "keep one (cancel or delete the others), or each makes its own next instance",
    ]


# -- process templates ----------------------------------------------------------------


def test_a_second_person_project_or_client_of_the_same_name_is_refused(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    """Two "Alice"s would split her time and work: refused, naming the one there, nothing written; --id makes another
    on purpose. A task may share its title with another (two projects each have a "Setup")."""
    person = wm("-C", str(ws), "new", "person", " alice ")
    assert person.exit_code == 2 and person.output == "wm: a person named ' alice ' exists already: alice (people/alice.md); pass --id NAME to make another\n"
    project = wm("-C", str(ws), "new", "project", "WEB")
    assert project.exit_code == 2 and "a project named 'WEB' exists already: web (projects/web/project.md)" in project.output
    assert sorted(p.relative_to(ws).as_posix() for p in ws.rglob("*.md")) == ["people/alice.md", "projects/web/project.md", "projects/web/tasks/setup.md"]
    assert wm("-C", str(ws), "new", "person", "Alice", "--id", "alice-b").exit_code == 0
    assert wm("-C", str(ws), "new", "task", "Setup").exit_code == 0


def test_apply_sample_process_template(tmp_path: Path, wm) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root)
    result = wm("-C", str(root), "apply", "client-onboarding", "--project", "harbor-shop-relaunch",
                "--start", "2026-12-01", "-a", "pm=alice", "-a", "developer=bob", "-a", "designer=carol")
    assert result.exit_code == 0, result.output
    created = result.stdout.split()
    assert len(created) == 7
    # -C from elsewhere: paths that work from the current folder (as `wm new` prints them), here absolute
    assert all(p.startswith(f"{root.resolve()}/projects/harbor-shop-relaunch/tasks/harbor-shop-relaunch-") for p in created)
    assert all(Path(p).is_file() for p in created)
    assert result.stderr == (  # the sample's harbor-shop-relaunch is done
        "wm: harbor-shop-relaunch is done: its new tasks are open work in a finished project (reopen it with 'wm move harbor-shop-relaunch active')\n"
    )
    plan = (root / "projects/harbor-shop-relaunch/tasks/harbor-shop-relaunch-project-plan.md").read_text(encoding="utf-8")
    assert "depends_on: [harbor-shop-relaunch-kickoff-workshop, harbor-shop-relaunch-technical-audit]" in plan
    assert "start: 2026-12-10\n" in plan and "assignee: alice\n" in plan and "estimate: 1d\n" in plan
    check = wm("-C", str(root), "validate")
    assert check.exit_code == 0, check.output
    listed = wm("-C", str(root), "templates")
    assert "client-onboarding" in listed.output and "pm, developer, designer" in listed.output


def test_apply_twice_is_refused_unless_again_which_makes_unique_ids(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    """A second `wm apply` of the same template to the same project would make its tasks twice: refused, naming
    what is there, nothing written; with --again, the new tasks get names of their own."""
    (ws / "templates/processes").mkdir(parents=True)
    (ws / "templates/processes/release.md").write_text(
        "---\ntitle: Release\ntasks:\n  - {id: build, title: Build, estimate: 2h}\n"
        "  - {id: ship, title: Ship, estimate: 1h, offset_days: 1, depends_on: [build]}\n---\n", encoding="utf-8"
    )
    assert wm("-C", str(ws), "apply", "release", "-p", "web", "--start", "2026-11-27").exit_code == 0
    second = wm("-C", str(ws), "apply", "release", "-p", "web", "--start", "2026-11-27")
    assert second.exit_code == 2 and second.output == (
        "wm: the process 'release' was applied to web already: 2 of its tasks are there (web-build, …); "
        "pass --again to make its tasks a second time (named after their titles where those are new, else with the start date), "
        "or give each run a project of its own (wm new project TITLE, then wm apply release --project ID)\n"
    )
    assert len(list((ws / "projects/web/tasks").glob("web-*.md"))) == 2
    assert wm("-C", str(ws), "apply", "release", "-p", "web", "--start", "2026-11-27", "--again").exit_code == 0
    names = sorted(p.stem for p in (ws / "projects/web/tasks").glob("web-*.md"))
    assert len(names) == 4 and len(set(names)) == 4
    ship = (ws / "projects/web/tasks/web-ship.md").read_text(encoding="utf-8")
    assert "start: 2026-11-30\n" in ship  # one working day after Friday
    assert wm("-C", str(ws), "validate").exit_code == 0


@pytest.mark.parametrize(
    ("tasks", "message"),
    [
        ("  - {id: a, title: A, depends_on: [zz]}\n", "templates/processes/bad.md:4: depends_on: 'zz' is not a task"),
        ("  - {id: a, title: A, estimate: soon}\n", "templates/processes/bad.md:4: estimate: expected a duration"),
        ("  - {id: a, title: A, depends_on: [b]}\n  - {id: b, title: B, depends_on: [a]}\n", "depends_on cycle"),
        ("  - {id: a}\n", "each task needs at least 'id' and 'title'"),
    ],
)
def test_bad_process_template(ws: Path, wm, tasks: str, message: str) -> None:  # type: ignore[no-untyped-def]
    (ws / "templates/processes").mkdir(parents=True)
    (ws / "templates/processes/bad.md").write_text(f"---\ntitle: Bad\ntasks:\n{tasks}---\n", encoding="utf-8")
    result = wm("-C", str(ws), "apply", "bad", "-p", "web")
    assert result.exit_code == 1
    assert message in result.output
    assert sorted(p.name for p in (ws / "projects/web/tasks").iterdir()) == ["setup.md"]


# -- committing -------------------------------------------------------------------


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(ws: Path) -> Path:
    git(ws, "init", "-q")
    git(ws, "config", "user.name", "Tester")
    git(ws, "config", "user.email", "t@example.com")
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "start")
    return ws


def test_commands_never_commit_unless_asked(repo: Path, wm) -> None:  # type: ignore[no-untyped-def]
    assert wm("-C", str(repo), "move", "setup", "in-progress").exit_code == 0
    assert git(repo, "log", "--format=%s") == "start\n"


def test_commit_commits_only_touched_files_with_a_message(repo: Path, wm) -> None:  # type: ignore[no-untyped-def]
    (repo / "notes").mkdir()
    (repo / "notes/scratch.md").write_text("unrelated, not staged\n", encoding="utf-8")
    result = wm("-C", str(repo), "move", "setup", "in-progress", "--commit")
    assert result.exit_code == 0, result.output
    assert git(repo, "log", "-1", "--format=%s") == "task setup: todo -> in-progress\n"
    assert git(repo, "show", "--name-only", "--format=", "HEAD") == "projects/web/tasks/setup.md\n"
    assert "notes/scratch.md" in git(repo, "status", "--porcelain", "--untracked-files=all")


def test_commit_refused_when_other_changes_are_staged(repo: Path, wm) -> None:  # type: ignore[no-untyped-def]
    (repo / "people/alice.md").write_text("---\nname: Alice B\n---\n", encoding="utf-8")
    git(repo, "add", "people/alice.md")
    result = wm("-C", str(repo), "move", "setup", "in-progress", "--commit")
    assert result.exit_code == 1
    assert "other changes are staged (people/alice.md)" in result.output
    assert "status: in-progress" not in (repo / "projects/web/tasks/setup.md").read_text(encoding="utf-8")


def test_autocommit_setting(repo: Path, wm) -> None:  # type: ignore[no-untyped-def]
    (repo / "workspace.yml").write_text("name: test\ngit:\n  autocommit: true\n", encoding="utf-8")
    git(repo, "commit", "-qam", "autocommit on")
    result = wm("-C", str(repo), "new", "task", "Fresh", "-p", "web")
    assert result.exit_code == 0, result.output
    assert git(repo, "log", "-1", "--format=%s") == "task fresh: created\n"
    assert git(repo, "status", "--porcelain") == ""


def test_move_says_what_it_did_to_done_and_what_is_still_open(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    """Leaving done removes `done:` (the date was lost unseen); finishing a task whose dependencies are open is
    allowed, and said."""
    write_doc("projects/web/tasks/api.md", "---\ntitle: API\nstatus: todo\n---\n")
    write_doc("projects/web/tasks/ui.md", "---\ntitle: UI\nstatus: todo\ndepends_on: [api]\n---\n")
    finished = wm("-C", str(ws), "move", "ui", "done")
    assert finished.exit_code == 0
    assert finished.stdout == "task ui: todo -> done (done: 2026-11-26)\n"
    assert finished.stderr == "wm: ui depends on api (todo), not done yet\n"
    reopened = wm("-C", str(ws), "move", "ui", "todo")
    assert reopened.stdout == "task ui: done -> todo (done: 2026-11-26 removed)\n" and reopened.stderr == ""
    assert wm("-C", str(ws), "move", "api", "cancelled").stderr == ""


def test_set_of_a_misspelt_field_is_written_and_said(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    """`asignee=bob` was written and nothing read it: the user's own key stays theirs, but a likely typo is said."""
    write_doc("projects/web/tasks/api.md", "---\ntitle: API\nstatus: todo\n---\n")
    typo = wm("-C", str(ws), "set", "api", "asignee=alice")
    assert typo.exit_code == 0 and "asignee: alice\n" in (ws / "projects/web/tasks/api.md").read_text(encoding="utf-8")
    assert typo.stderr == "wm: asignee is not a field of a task; did you mean 'assignee'? (set as written; wm does not read it)\n"
    assert wm("-C", str(ws), "set", "api", "colour=blue").stderr == ""


def test_commands_take_a_document_s_file_as_well_as_its_id(ws: Path, write_doc, wm, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """As a shell's completion gives it: relative to the workspace or the current folder, with or without .md."""
    write_doc("projects/web/tasks/api.md", "---\ntitle: API\nstatus: todo\n---\n")
    assert wm("-C", str(ws), "show", "projects/web/tasks/api.md").stdout.startswith("API\ntask api")
    assert wm("-C", str(ws), "set", "projects/web/tasks/api", "priority=high").stdout == "task api: set priority=high\n"
    monkeypatch.chdir(ws / "projects" / "web")
    assert wm("-C", str(ws), "move", "tasks/api.md", "in-progress").stdout == "task api: todo -> in-progress\n"
    assert wm("-C", str(ws), "show", "tasks/nope.md").exit_code != 0
