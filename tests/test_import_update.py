"""`wm import ... --update` and `--commit`, and Taskwarrior's `--status`.

`--update` brings a task imported before up to date with a newer export, field by field, where the team has not
changed the field in wm since the import: the import's value is read from the commit that created the file (real git
repositories here). `--commit` commits exactly what the import wrote, refused before anything is written when git's
state would refuse the commit.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Callable

import pytest
from click.testing import Result

Wm = Callable[..., Result]
HEADER = "Summary,Issue key,Issue id,Project name,Project key,Status,Status Category,Resolution,Resolved,Due Date,Priority\n"
V1 = HEADER + "Pay,P-1,101,Proj,P,To Do,To Do,,,01/Dec/26 12:00 AM,High\nShip,P-2,102,Proj,P,To Do,To Do,,,,Low\n"
PAY = "projects/proj/tasks/pay.md"
SHIP = "projects/proj/tasks/ship.md"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def committed(workspace: Path) -> Path:
    """The workspace as a git repository with one commit (workspace.yml)."""
    git(workspace, "init", "-q", "-b", "main")
    git(workspace, "config", "user.name", "Tester")
    git(workspace, "config", "user.email", "tester@example.com")
    git(workspace, "add", "-A")
    git(workspace, "commit", "-qm", "workspace")
    return workspace


@pytest.fixture
def repo(workspace: Path) -> Path:
    return committed(workspace)



def commits(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD").strip())


def imported(repo: Path, wm: Wm, export: Callable[[str, str], Path]) -> None:
    """V1 imported and committed: the baseline of every later test."""
    result = wm("-C", str(repo), "import", "jira", str(export("v1.csv", V1)), "--commit")
    assert result.exit_code == 0, result.output
    assert git(repo, "status", "--porcelain") == ""


def test_update_takes_what_changed_in_the_export(repo: Path, wm: Wm, export: Callable[[str, str], Path]) -> None:
    imported(repo, wm, export)
    before = (repo / PAY).read_text(encoding="utf-8")
    newer = export("v2.csv", HEADER + "Pay the bill,P-1,101,Proj,P,Done,Done,Done,04/Dec/26 3:00 PM,05/Dec/26 12:00 AM,High\nShip,P-2,102,Proj,P,To Do,To Do,,,,Low\n")
    result = wm("-C", str(repo), "import", "jira", str(newer), "--update")
    assert result.exit_code == 0, result.output
    assert f"updated {PAY}  (task pay: title Pay -> Pay the bill; status todo -> done (done: 2026-12-04); due 2026-12-01 -> 2026-12-05)" in result.stdout
    assert "0 tasks imported, 2 already imported: 1 task updated (3 fields), 0 fields kept as conflicts\n" in result.stderr
    after = (repo / PAY).read_text(encoding="utf-8")
    changed = {line for line in after.splitlines() if line not in before.splitlines()}
    assert changed == {"title: Pay the bill", "status: done", "due: 2026-12-05", "done: 2026-12-04"}  # only the lines that must change
    assert len(after.splitlines()) == len(before.splitlines()) + 1
    assert (repo / SHIP).read_text(encoding="utf-8") == git(repo, "show", f"HEAD:{SHIP}")


def test_a_field_changed_in_wm_and_in_the_export_is_kept_and_said(repo: Path, wm: Wm, export: Callable[[str, str], Path]) -> None:
    imported(repo, wm, export)
    assert wm("-C", str(repo), "set", "pay", "due=2026-12-10").exit_code == 0  # not committed: the team's edit all the same
    newer = export("v2.csv", V1.replace("01/Dec/26", "05/Dec/26"))
    result = wm("-C", str(repo), "import", "jira", str(newer), "--update")
    assert result.exit_code == 0, result.output
    line = (repo / PAY).read_text(encoding="utf-8").splitlines().index("due: 2026-12-10") + 1
    assert (
        f"wm: warning: {PAY}:{line}: due: changed in wm (2026-12-10) and in the export (2026-12-05) since the import (2026-12-01): wm's is kept"
        " (to take the export's: wm set pay due=2026-12-05)\n"
    ) in result.stderr
    assert "0 tasks updated (0 fields), 1 field kept as a conflict" in result.stderr
    assert "updated" not in result.stdout


def test_a_field_changed_in_wm_does_not_keep_another_from_being_updated(repo: Path, wm: Wm, export: Callable[[str, str], Path]) -> None:
    imported(repo, wm, export)
    assert wm("-C", str(repo), "set", "pay", "priority=critical", "--commit").exit_code == 0
    newer = export("v2.csv", V1.replace("01/Dec/26", "05/Dec/26").replace(",High\n", ",Low\n", 1))  # a new due date and priority
    result = wm("-C", str(repo), "import", "jira", str(newer), "--update")
    assert result.exit_code == 0, result.output
    text = (repo / PAY).read_text(encoding="utf-8")
    assert "due: 2026-12-05\n" in text and "priority: critical\n" in text
    assert "priority: changed in wm (critical) and in the export (low) since the import (high)" in result.stderr


def test_an_edit_in_wm_the_export_does_not_contradict_is_kept_quietly(repo: Path, wm: Wm, export: Callable[[str, str], Path]) -> None:
    imported(repo, wm, export)
    assert wm("-C", str(repo), "move", "ship", "in-progress").exit_code == 0
    result = wm("-C", str(repo), "import", "jira", str(export("same.csv", V1)), "--update")
    assert result.exit_code == 0
    assert "status: in-progress\n" in (repo / SHIP).read_text(encoding="utf-8")
    assert "0 fields kept as conflicts" in result.stderr
    assert "1 field the team changed in wm since the import, which the Jira export still has as imported: kept as wm has them" in result.stderr


@pytest.mark.parametrize("in_git", [True, False])
def test_a_task_whose_import_is_not_committed_is_not_updated(workspace: Path, wm: Wm, export: Callable[[str, str], Path], in_git: bool) -> None:
    if in_git:
        git(workspace, "init", "-q")
    assert wm("-C", str(workspace), "import", "jira", str(export("v1.csv", V1))).exit_code == 0
    before = (workspace / PAY).read_text(encoding="utf-8")
    result = wm("-C", str(workspace), "import", "jira", str(export("v2.csv", V1.replace("01/Dec/26", "05/Dec/26"))), "--update")
    assert result.exit_code == 0, result.output
    assert (workspace / PAY).read_text(encoding="utf-8") == before
    if in_git:
        assert f"1 task differs from the Jira export, but its import is not committed yet ({PAY})" in result.stderr
        assert "commit the import (git add and git commit, or import with --commit), then import with --update again" in result.stderr
    else:
        assert f"1 task differs from the Jira export, but was not updated ({PAY}): {workspace} is not in a git repository" in result.stderr
    assert "0 tasks updated (0 fields)" in result.stderr


def test_dry_run_update_lists_the_changes_and_conflicts_and_writes_nothing(repo: Path, wm: Wm, export: Callable[[str, str], Path]) -> None:
    imported(repo, wm, export)
    assert wm("-C", str(repo), "set", "ship", "priority=high", "--commit").exit_code == 0
    newer = export("v2.csv", HEADER + "Pay,P-1,101,Proj,P,To Do,To Do,,,05/Dec/26 12:00 AM,High\nShip,P-2,102,Proj,P,To Do,To Do,,,,Medium\nNew,P-3,103,Proj,P,To Do,To Do,,,,\n")
    head = git(repo, "rev-parse", "HEAD")
    result = wm("-C", str(repo), "import", "jira", str(newer), "--update", "--dry-run", "--commit")
    assert result.exit_code == 0, result.output
    assert f"would update {PAY}  (task pay: due 2026-12-01 -> 2026-12-05)\n" in result.stdout
    assert "would create projects/proj/tasks/new.md" in result.stdout
    assert "priority: changed in wm (high) and in the export (medium) since the import (low)" in result.stderr
    assert "1 task to import, 2 already imported: 1 task to update (1 field), 1 field kept as a conflict" in result.stderr
    assert git(repo, "status", "--porcelain") == "" and git(repo, "rev-parse", "HEAD") == head


def test_commit_makes_one_commit_of_exactly_the_files_written(repo: Path, wm: Wm, export: Callable[[str, str], Path]) -> None:
    (repo / "notes").mkdir()
    (repo / "notes/draft.md").write_text("---\ntitle: Draft\n---\n", encoding="utf-8")  # the user's own work, not the import's
    result = wm("-C", str(repo), "import", "jira", str(export("jira.csv", V1)), "--commit")
    assert result.exit_code == 0, result.output
    assert commits(repo) == 2
    assert git(repo, "log", "-1", "--format=%s") == "Import 2 tasks and 1 new project from jira.csv\n"
    files = sorted(git(repo, "show", "--name-only", "--format=", "HEAD").split())
    assert files == sorted(["projects/proj/project.md", PAY, SHIP])
    assert git(repo, "status", "--porcelain") == "?? notes/\n"
    assert "wm: committed " in result.stderr and "autocommit" not in result.stderr
    newer = export("jira2.csv", V1.replace("01/Dec/26", "05/Dec/26") + "Third,P-3,103,Proj,P,To Do,To Do,,,,\n")
    result = wm("-C", str(repo), "import", "jira", str(newer), "--update", "--commit")
    assert result.exit_code == 0, result.output
    assert commits(repo) == 3
    assert git(repo, "log", "-1", "--format=%s") == "Import 1 task from jira2.csv; update 1 task imported before\n"
    assert sorted(git(repo, "show", "--name-only", "--format=", "HEAD").split()) == sorted([PAY, "projects/proj/tasks/third.md"])


def test_commit_of_a_time_import(repo: Path, wm: Wm, export: Callable[[str, str], Path]) -> None:
    (repo / "people").mkdir()
    (repo / "people/al.md").write_text("---\nname: Al\n---\n", encoding="utf-8")
    (repo / "tasks").mkdir()
    (repo / "tasks/one.md").write_text("---\ntitle: One\n---\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "docs")
    clock = export("hours.timeclock", "i 2026/11/20 09:00:00 one\no 2026/11/20 10:00:00\n")
    result = wm("-C", str(repo), "import", "timeclock", str(clock), "--person", "al", "--commit")
    assert result.exit_code == 0, result.output
    assert git(repo, "log", "-1", "--format=%s") == "Import 1 time entry for al from hours.timeclock\n"
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["timelogs/al/2026-11.md"]


@pytest.mark.parametrize("state", ["detached", "rebase"])
def test_commit_is_refused_before_anything_is_written(repo: Path, wm: Wm, export: Callable[[str, str], Path], state: str) -> None:
    if state == "detached":
        git(repo, "checkout", "-q", "--detach")
        said = "--commit: HEAD is detached (not on a branch)"
    else:
        (Path(git(repo, "rev-parse", "--absolute-git-dir").strip()) / "rebase-merge").mkdir()
        said = "--commit: a rebase is in progress; finish or abort it first; nothing was changed"
    result = wm("-C", str(repo), "import", "jira", str(export("v1.csv", V1)), "--commit")
    assert result.exit_code == 1
    assert said in result.stderr
    assert not (repo / "projects").exists() and git(repo, "status", "--porcelain") == ""
    assert commits(repo) == 1


def test_commit_is_refused_without_a_git_identity(repo: Path, wm: Wm, export: Callable[[str, str], Path], monkeypatch: pytest.MonkeyPatch) -> None:
    git(repo, "config", "--unset", "user.name")
    git(repo, "config", "--unset", "user.email")
    monkeypatch.setenv("HOME", str(repo / "nohome"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(repo / "nohome" / "gitconfig"))
    if subprocess.run(["git", "var", "GIT_COMMITTER_IDENT"], cwd=repo, capture_output=True).returncode == 0:
        pytest.skip("git makes up an identity from the system here")
    result = wm("-C", str(repo), "import", "jira", str(export("v1.csv", V1)), "--commit")
    assert result.exit_code == 1 and "git does not know who you are" in result.stderr
    assert not (repo / "projects").exists()


def test_without_commit_nothing_is_committed_and_autocommit_says_how(repo: Path, wm: Wm, export: Callable[[str, str], Path]) -> None:
    (repo / "workspace.yml").write_text("name: t\ngit:\n  autocommit: true\n", encoding="utf-8")
    git(repo, "commit", "-qam", "autocommit")
    result = wm("-C", str(repo), "import", "jira", str(export("v1.csv", V1)))
    assert result.exit_code == 0
    assert commits(repo) == 2
    assert result.stderr.endswith(
        "wm: warning: git.autocommit is on, but wm import commits only when asked: review what it wrote (git status), then commit it with git,"
        " or import with --commit\n"
    )


def test_a_task_reopened_in_the_tracker_follows_the_same_rule(repo: Path, wm: Wm, export: Callable[[str, str], Path]) -> None:
    done = HEADER + "Pay,P-1,101,Proj,P,Done,Done,Done,20/Nov/26 9:00 AM,,High\nShip,P-2,102,Proj,P,To Do,To Do,,,,Low\n"
    assert wm("-C", str(repo), "import", "jira", str(export("v1.csv", done)), "--commit").exit_code == 0
    assert "done: 2026-11-20\n" in (repo / PAY).read_text(encoding="utf-8")
    assert wm("-C", str(repo), "move", "ship", "done", "--commit").exit_code == 0  # done in wm
    reopened = export("v2.csv", HEADER + "Pay,P-1,101,Proj,P,In Progress,In Progress,,,,High\nShip,P-2,102,Proj,P,In Progress,In Progress,,,,Low\n")
    result = wm("-C", str(repo), "import", "jira", str(reopened), "--update")
    assert result.exit_code == 0, result.output
    pay = (repo / PAY).read_text(encoding="utf-8")
    assert "status: in-progress\n" in pay and "done:" not in pay  # reopened where wm had not changed it: `done:` goes, as with wm move
    assert f"updated {PAY}  (task pay: status done -> in-progress (done: 2026-11-20 removed))" in result.stdout
    assert "status: done\n" in (repo / SHIP).read_text(encoding="utf-8")  # done in wm, reopened in Jira: a conflict, wm's kept
    assert "status: changed in wm (done) and in the export (in-progress) since the import (todo)" in result.stderr


def test_done_without_a_date_in_the_export_is_dated_as_wm_move_dates_it(repo: Path, wm: Wm, export: Callable[[str, str], Path]) -> None:
    imported(repo, wm, export)
    result = wm("-C", str(repo), "import", "jira", str(export("v2.csv", V1.replace("Ship,P-2,102,Proj,P,To Do,To Do", "Ship,P-2,102,Proj,P,Done,Done"))), "--update")
    assert result.exit_code == 0, result.output
    assert "done: 2026-11-26\n" in (repo / SHIP).read_text(encoding="utf-8")  # WM_TODAY, as `wm move ship done` would write


def test_an_empty_cell_removes_nothing(repo: Path, wm: Wm, export: Callable[[str, str], Path]) -> None:
    imported(repo, wm, export)
    result = wm("-C", str(repo), "import", "jira", str(export("v2.csv", V1.replace("01/Dec/26 12:00 AM", ""))), "--update")
    assert result.exit_code == 0
    assert "due: 2026-12-01\n" in (repo / PAY).read_text(encoding="utf-8")


def test_a_task_imported_before_jira_id_gets_it_and_its_subtask_its_parent(repo: Path, wm: Wm, export: Callable[[str, str], Path]) -> None:
    """An older wm wrote `jira: KEY` alone, so a later export's sub-task (its `Parent` an issue id) did not find its parent.
    The sub-task is imported without one, saying how to fix it; an export with both, imported with --update, adds the
    parent's `jira_id:` and the sub-task's `parent:`, and a later export's sub-task then finds its parent."""
    tasks = repo / "projects/mob/tasks"
    tasks.mkdir(parents=True)
    (repo / "projects/mob/project.md").write_text("---\ntitle: Mob\nstatus: active\n---\n", encoding="utf-8")
    (tasks / "story-one.md").write_text("---\ntitle: Story one\nstatus: todo\njira: M-1\n---\n", encoding="utf-8")  # as an older wm wrote it
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "an older import")
    header = "Summary,Issue key,Issue id,Project name,Parent,Parent summary\n"
    result = wm("-C", str(repo), "import", "jira", str(export("sub.csv", header + "Sub,M-2,20002,Mob,20001,Story one\n")), "--commit")
    assert result.exit_code == 0
    assert "sub's parent 20001 is not in the export; it is imported without one (tasks imported before wm kept jira_id: are not found by it" in result.stderr
    both = header + "Story one,M-1,20001,Mob,,\nSub,M-2,20002,Mob,20001,Story one\n"
    result = wm("-C", str(repo), "import", "jira", str(export("both.csv", both)), "--update", "--commit")
    assert result.exit_code == 0, result.output
    assert "jira_id: '20001'\n" in (tasks / "story-one.md").read_text(encoding="utf-8")
    assert "parent: story-one\n" in (tasks / "sub.md").read_text(encoding="utf-8")
    result = wm("-C", str(repo), "import", "jira", str(export("later.csv", header + "Sub two,M-3,20003,Mob,20001,Story one\n")))
    assert result.exit_code == 0 and "parent" not in result.stderr
    assert "parent: story-one\n" in (tasks / "sub-two.md").read_text(encoding="utf-8")


def test_without_update_the_note_names_update(repo: Path, wm: Wm, export: Callable[[str, str], Path]) -> None:
    imported(repo, wm, export)
    result = wm("-C", str(repo), "import", "jira", str(export("v2.csv", V1.replace(",High\n", ",Low\n"))))
    assert "1 task imported before differ from the Jira export (priority: 1; pay)" in result.stderr
    assert "or import again with --update" in result.stderr
    assert git(repo, "status", "--porcelain") == ""


def test_baselines_are_read_in_a_fixed_number_of_git_calls_and_follow_a_rename(
    repo: Path, wm: Wm, export: Callable[[str, str], Path], monkeypatch: pytest.MonkeyPatch,
) -> None:
    from workspace_tool.import_baseline import read_baselines

    rows = "".join(f"Task {n},P-{n},{100 + n},Proj,P,To Do,To Do,,,,\n" for n in range(1, 13))
    assert wm("-C", str(repo), "import", "jira", str(export("many.csv", HEADER + rows)), "--commit").exit_code == 0
    git(repo, "mv", "projects/proj/tasks/task-1.md", "projects/proj/tasks/renamed.md")
    renamed = repo / "projects/proj/tasks/renamed.md"
    renamed.write_text(renamed.read_text(encoding="utf-8").replace("title: Task 1\n", "title: Renamed\n"), encoding="utf-8")
    git(repo, "commit", "-qam", "rename and retitle in one commit")
    (repo / "projects/proj/tasks/task-2.md").write_text("edited\n", encoding="utf-8")
    paths = ["projects/proj/tasks/renamed.md", *(f"projects/proj/tasks/task-{n}.md" for n in range(2, 13)), "projects/proj/tasks/none.md"]
    calls = []
    real = subprocess.Popen

    def counting(args: list[str], *rest: object, **options: object) -> subprocess.Popen[bytes]:
        calls.append(args)
        return real(args, *rest, **options)  # type: ignore[call-overload,no-any-return]

    monkeypatch.setattr(subprocess, "Popen", counting)
    found = read_baselines(repo, paths)
    assert len(calls) <= 3, calls  # where the repository is, git log, git cat-file: not one per file
    assert "title: Task 1\n" in found.texts["projects/proj/tasks/renamed.md"]  # the version the import wrote, before the rename
    assert "title: Task 2\n" in found.texts["projects/proj/tasks/task-2.md"]  # the committed import, not the file now
    assert "projects/proj/tasks/none.md" not in found.texts and found.reason("projects/proj/tasks/none.md") == "its import is not committed yet"


TW = """[
{"uuid":"00000000-0000-4000-8000-000000000001","description":"Waits","status":"waiting","entry":"20261101T090000Z"},
{"uuid":"00000000-0000-4000-8000-000000000002","description":"Under way","status":"pending","start":"20261102T090000Z","entry":"20261101T090000Z"},
{"uuid":"00000000-0000-4000-8000-000000000003","description":"Plain","status":"pending","entry":"20261101T090000Z"},
{"uuid":"00000000-0000-4000-8000-000000000004","description":"Finished","status":"completed","entry":"20261101T090000Z","end":"20261103T090000Z"}
]
"""


def test_taskwarrior_status_maps_taskwarrior_statuses(workspace: Path, wm: Wm, export: Callable[[str, str], Path]) -> None:
    source = str(export("tasks.json", TW))
    result = wm("-C", str(workspace), "import", "taskwarrior", source, "--status", "waiting=review", "--status", "Started=review", "--status", "completed=cancelled")
    assert result.exit_code == 0, result.output
    status = {name: (workspace / f"tasks/{name}.md").read_text(encoding="utf-8") for name in ("waits", "under-way", "plain", "finished")}
    assert "status: review\n" in status["waits"] and "status: review\n" in status["under-way"]
    assert "status: todo\n" in status["plain"]  # not mapped: as without --status
    assert "status: cancelled\n" in status["finished"] and "done:" not in status["finished"]
    assert "warning" not in result.stderr


@pytest.mark.parametrize(
    ("mapping", "said"),
    [
        ("active=review", "--status active=...: Taskwarrior's statuses to map are pending, waiting, started, completed, deleted"),
        ("recurring=review", "--status recurring=...: a recurring task's template is not imported (its instances are)"),
        ("waiting=nosuch", "'nosuch' is not a status of the task workflow (todo, in-progress, review, done, cancelled)"),
    ],
)
def test_taskwarrior_status_refuses_a_name_it_cannot_map(workspace: Path, wm: Wm, export: Callable[[str, str], Path], mapping: str, said: str) -> None:
    result = wm("-C", str(workspace), "import", "taskwarrior", str(export("tasks.json", TW)), "--status", mapping)
    assert result.exit_code == 2
    assert said in result.stderr
    assert not (workspace / "tasks").exists()
