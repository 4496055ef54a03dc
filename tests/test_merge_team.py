"""Merging in a team: time logs entry by entry, add/add of two documents, the driver's setup in every clone, and
autocommit's refusals (detached HEAD, rebase or merge in progress, glob characters in file names)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from workspace_tool.gitops import GITATTRIBUTES, commit_blocker, driver_problem, unmerged_paths
from workspace_tool.merge import merge_entries, merge_text, merge_timelog

LOG = "---\nperson: alice\n---\n\n- 2026-11-20 1h design\n- 2026-11-27 30m ci-pipeline review\n"
EDITED = LOG.replace("30m ci-pipeline", "45m ci-pipeline")
APPENDED = LOG + "- 2026-11-27 15m sso-login notes\n"


# -- the pure time-log merge ---------------------------------------------------------


def test_an_edit_and_an_append_keep_only_the_edited_entry() -> None:
    assert merge_timelog(LOG, APPENDED, EDITED) == (EDITED + "- 2026-11-27 15m sso-login notes\n", False)
    assert merge_timelog(LOG, EDITED, APPENDED) == (EDITED + "- 2026-11-27 15m sso-login notes\n", False)


def test_a_stopped_timer_is_not_revived() -> None:
    running = LOG + "- 2026-11-27 09:00- sso-login\n"
    stopped = LOG + "- 2026-11-27 09:00-10:00 sso-login\n"
    other = running + "- 2026-11-27 20m ci-pipeline\n"
    text, conflict = merge_timelog(running, other, stopped)
    assert not conflict
    assert text == stopped + "- 2026-11-27 20m ci-pipeline\n"
    assert "09:00- sso-login" not in text


def test_a_deletion_and_an_append() -> None:
    deleted = LOG.replace("- 2026-11-20 1h design\n", "")
    assert merge_timelog(LOG, APPENDED, deleted) == (APPENDED.replace("- 2026-11-20 1h design\n", ""), False)
    assert merge_timelog(LOG, deleted, APPENDED) == (APPENDED.replace("- 2026-11-20 1h design\n", ""), False)


def test_appends_on_both_sides_keep_both_ours_first() -> None:
    theirs = LOG + "- 2026-11-28 2h design\n"
    assert merge_timelog(LOG, APPENDED, theirs) == (APPENDED + "- 2026-11-28 2h design\n", False)


def test_the_same_line_added_on_both_sides_is_kept_once() -> None:
    assert merge_timelog(LOG, APPENDED, APPENDED) == (APPENDED, False)
    both = LOG + "- 2026-11-28 2h design\n- 2026-11-27 15m sso-login notes\n"
    assert merge_timelog(LOG, APPENDED, both) == (APPENDED + "- 2026-11-28 2h design\n", False)


def test_lines_count_as_a_multiset() -> None:
    base = "- 2026-11-20 30m x\n- 2026-11-20 30m x\n"
    # theirs removes one of two identical entries; ours appends: one stays
    assert merge_entries(base, base + "- 2026-11-21 1h y\n", "- 2026-11-20 30m x\n") == ("- 2026-11-20 30m x\n- 2026-11-21 1h y\n", False)
    # ours added it once, theirs twice: theirs' second one is a second entry
    once, twice = base + "- 2026-11-22 1h z\n", base + "- 2026-11-22 1h z\n- 2026-11-22 1h z\n"
    assert merge_entries(base, once, twice) == (twice, False)
    # ours edits one of two identical entries, theirs appends: the other one stays
    edited = "- 2026-11-20 45m x\n- 2026-11-20 30m x\n"
    assert merge_entries(base, edited, base + "- 2026-11-21 1h y\n") == (edited + "- 2026-11-21 1h y\n", False)
    assert merge_entries(base, base + "- 2026-11-21 1h y\n", edited) == (edited + "- 2026-11-21 1h y\n", False)


def test_one_entry_edited_two_ways_conflicts_for_that_line_only() -> None:
    theirs = LOG.replace("30m ci-pipeline", "1h ci-pipeline")
    text, conflict = merge_timelog(LOG, EDITED + "- 2026-11-28 2h design\n", theirs + "- 2026-11-29 1h design\n", ("ours x.md", "theirs x.md"))
    assert conflict
    assert text == (
        "---\nperson: alice\n---\n\n- 2026-11-20 1h design\n"
        "<<<<<<< ours x.md\n- 2026-11-27 45m ci-pipeline review\n=======\n- 2026-11-27 1h ci-pipeline review\n>>>>>>> theirs x.md\n"
        "- 2026-11-28 2h design\n- 2026-11-29 1h design\n"
    )


def test_edited_on_one_side_removed_on_the_other_conflicts() -> None:
    deleted = LOG.replace("- 2026-11-27 30m ci-pipeline review\n", "")
    text, conflict = merge_timelog(LOG, deleted, EDITED)
    assert conflict and "=======\n- 2026-11-27 45m ci-pipeline review\n>>>>>>>" in text


def test_removed_on_both_sides_and_edited_the_same_way_on_both_are_clean() -> None:
    deleted = LOG.replace("- 2026-11-20 1h design\n", "")
    assert merge_timelog(LOG, deleted, deleted) == (deleted, False)
    assert merge_timelog(LOG, EDITED, EDITED + "- 2026-11-29 1h design\n") == (EDITED + "- 2026-11-29 1h design\n", False)


def test_a_month_created_on_both_sides_keeps_both_entries() -> None:
    ours = "---\nperson: alice\n---\n\n- 2026-12-01 1h design\n"
    theirs = "---\nperson: alice\n---\n\n- 2026-12-01 2h review\n"
    assert merge_timelog("", ours, theirs) == (ours + "- 2026-12-01 2h review\n", False)


def test_time_log_frontmatter_merges_key_by_key() -> None:
    ours = APPENDED.replace("person: alice\n", "person: alice\nnote: ours\n")
    text, conflict = merge_timelog(LOG, ours, EDITED.replace("person: alice", "person: bob"))
    assert (text, conflict) == ("---\nperson: bob\nnote: ours\n---\n\n- 2026-11-20 1h design\n- 2026-11-27 45m ci-pipeline review\n- 2026-11-27 15m sso-login notes\n", False)


# -- add/add of two documents -----------------------------------------------------------


def _lines(base: str, ours: str, theirs: str) -> tuple[str, bool]:
    from workspace_tool.gitops import merge_body

    return merge_text(base, ours, theirs, body_merge=merge_body)


def test_two_documents_created_under_one_name_are_a_whole_file_conflict() -> None:
    ours = "---\ntitle: Update docs\nassignee: alice\nestimate: 2h\n---\n"
    theirs = "---\ntitle: Update docs\nassignee: bob\ndue: 2026-12-10\n---\n"
    assert _lines("", ours, theirs) == (f"<<<<<<< ours\n{ours}=======\n{theirs}>>>>>>> theirs\n", True)
    same = "---\ntitle: Fix login bug\n---\n"
    assert _lines("", same, same) == (same, False)


# -- real git repositories ----------------------------------------------------------------


def git(root: Path, *args: str, check: bool = True, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(["git", *args], cwd=root, check=check, capture_output=True, text=True, env={**os.environ, **(env or {})})


@pytest.fixture
def repo(tmp_path: Path, wm: Callable[..., Result]) -> Path:
    root = tmp_path / "ws"
    assert wm("init", str(root)).exit_code == 0
    git(root, "config", "user.name", "Tester")
    git(root, "config", "user.email", "t@example.com")
    git(root, "checkout", "-q", "-b", "main")
    (root / "people/alice.md").write_text("---\nname: Alice\n---\n", encoding="utf-8")
    (root / "projects/web/tasks").mkdir(parents=True)
    (root / "projects/web/project.md").write_text("---\ntitle: Web\n---\n", encoding="utf-8")
    for task in ("design", "ci-pipeline", "sso-login"):
        (root / f"projects/web/tasks/{task}.md").write_text(f"---\ntitle: {task}\nstatus: todo\n---\n", encoding="utf-8")
    (root / "timelogs/alice").mkdir(parents=True)
    (root / "timelogs/alice/2026-11.md").write_text(LOG, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    return root


def on_branch(root: Path, branch: str, relpath: str, text: str) -> None:
    git(root, "checkout", "-q", "-B", branch, "main") if branch != "main" else git(root, "checkout", "-q", "main")
    (root / relpath).parent.mkdir(parents=True, exist_ok=True)
    (root / relpath).write_text(text, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", f"on {branch}")


TIMELOG = "timelogs/alice/2026-11.md"


@pytest.mark.parametrize(
    ("theirs", "ours", "expected"),
    [
        (EDITED, APPENDED, EDITED + "- 2026-11-27 15m sso-login notes\n"),  # the audit's scenario
        (LOG.replace("- 2026-11-27 30m ci-pipeline review\n", ""), APPENDED, APPENDED.replace("- 2026-11-27 30m ci-pipeline review\n", "")),
        (LOG + "- 2026-11-28 2h design\n", APPENDED, APPENDED + "- 2026-11-28 2h design\n"),
        (APPENDED, APPENDED + "- 2026-11-28 2h design\n", APPENDED + "- 2026-11-28 2h design\n"),
    ],
    ids=["edit", "delete", "both-append", "identical-append"],
)
def test_git_merges_time_logs_entry_by_entry(repo: Path, wm: Callable[..., Result], theirs: str, ours: str, expected: str) -> None:
    on_branch(repo, "feature", TIMELOG, theirs)
    on_branch(repo, "main", TIMELOG, ours)
    result = git(repo, "merge", "-q", "--no-edit", "feature", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (repo / TIMELOG).read_text(encoding="utf-8") == expected
    assert wm("-C", str(repo), "validate").exit_code == 0


def test_wm_stop_on_one_side_and_an_append_on_the_other_by_rebase(repo: Path, wm: Callable[..., Result]) -> None:
    running = LOG + "- 2026-11-26 09:00- sso-login\n"
    on_branch(repo, "main", TIMELOG, running)
    on_branch(repo, "feature", TIMELOG, running + "- 2026-11-26 20m design\n")
    on_branch(repo, "main", TIMELOG, LOG + "- 2026-11-26 09:00-10:00 sso-login\n")
    git(repo, "checkout", "-q", "feature")
    result = git(repo, "rebase", "main", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (repo / TIMELOG).read_text(encoding="utf-8") == LOG + "- 2026-11-26 09:00-10:00 sso-login\n- 2026-11-26 20m design\n"
    status = wm("-C", str(repo), "status", "--person", "alice")
    assert "no timer running" in status.stdout and "1h20m logged by alice (2 entries)" in status.stdout


def test_the_same_title_created_in_two_clones_conflicts_as_two_documents(repo: Path, wm: Callable[..., Result]) -> None:
    task = "projects/web/tasks/update-docs.md"
    alice = "---\ntitle: Update docs\nstatus: todo\nassignee: alice\nestimate: 2h\n---\n"
    bob = "---\ntitle: Update docs\nstatus: todo\nassignee: bob\ndue: 2026-12-10\n---\n"
    on_branch(repo, "feature", task, alice)
    on_branch(repo, "main", task, bob)
    result = git(repo, "merge", "--no-edit", "feature", check=False)
    assert result.returncode == 1
    assert "two different documents were created with this file name" in result.stderr + result.stdout
    assert (repo / task).read_text(encoding="utf-8") == f"<<<<<<< HEAD\n{bob}=======\n{alice}>>>>>>> feature\n"
    assert wm("-C", str(repo), "validate").exit_code == 1
    assert unmerged_paths(repo) == [task]


def test_git_setup_replaces_the_old_union_line_and_says_every_clone_needs_it(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = tmp_path / "old"
    root.mkdir()
    git(root, "init", "-q")
    old = (
        "*.png binary\n# wm: documents merge frontmatter key by key (wm merge-driver, set up by wm git-setup)\n*.md merge=wm\n"
        "# wm: time logs only ever gain lines, so git merges them by keeping both sides\ntimelogs/**/*.md merge=union\n*.csv -diff\n"
    )
    (root / ".gitattributes").write_text(old, encoding="utf-8")
    (root / "workspace.yml").write_text("name: old\n", encoding="utf-8")
    assert driver_problem(root) is not None and "wm git-setup" in str(driver_problem(root))
    result = wm("-C", str(root), "git-setup")
    assert result.exit_code == 0
    assert (root / ".gitattributes").read_text(encoding="utf-8") == "*.png binary\n" + GITATTRIBUTES + "*.csv -diff\n"
    assert "every clone of this repository must run 'wm git-setup' once" in result.stdout
    assert git(root, "check-attr", "merge", "timelogs/bob/2026-12.md").stdout.strip().endswith("merge: wm-timelog")
    assert driver_problem(root) is None
    assert wm("-C", str(root), "git-setup").stdout == "the wm merge driver is already set up\n"
    git(root, "config", "merge.wm.driver", "/nonexistent/venv/bin/python -m workspace_tool merge-driver %O %A %B %P")
    assert "/nonexistent/venv/bin/python is gone" in str(driver_problem(root))


def test_init_says_every_clone_must_run_git_setup(tmp_path: Path, wm: Callable[..., Result]) -> None:
    result = wm("init", str(tmp_path / "new"))
    assert "every clone of this repository must run 'wm git-setup' once" in result.stdout
    assert (tmp_path / "new/.gitattributes").read_text(encoding="utf-8") == GITATTRIBUTES


def test_demo_writes_gitattributes_and_registers_the_driver(repo: Path, tmp_path: Path, wm: Callable[..., Result]) -> None:
    dest = tmp_path / "demo"
    result = wm("-C", str(repo), "demo", str(dest), "--no-site")
    assert result.exit_code == 0, result.output
    assert (dest / ".gitattributes").read_text(encoding="utf-8") == GITATTRIBUTES
    assert git(dest, "status", "--porcelain").stdout == ""
    assert "merge-driver %O %A %B %P" in git(dest, "config", "--get", "merge.wm.driver").stdout
    assert "merge-driver --timelog" in git(dest, "config", "--get", "merge.wm-timelog.driver").stdout
    assert driver_problem(dest) is None


def test_a_version_wm_cannot_read_is_merged_by_lines_with_markers(repo: Path) -> None:
    note = "notes/latin.md"
    on_branch(repo, "main", note, "---\ntitle: Caf\xe9\n---\n\nOne.\n")
    (repo / note).write_bytes(b"---\ntitle: Caf\xe9\n---\n\nOne.\n")
    git(repo, "commit", "-qam", "latin-1")
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / note).write_bytes(b"---\ntitle: Caf\xe9\n---\n\nTheirs.\n")
    git(repo, "commit", "-qam", "theirs")
    git(repo, "checkout", "-q", "main")
    (repo / note).write_bytes(b"---\ntitle: Caf\xe9\n---\n\nOurs.\n")
    git(repo, "commit", "-qam", "ours")
    result = git(repo, "merge", "--no-edit", "feature", check=False)
    assert result.returncode == 1
    assert "not UTF-8 text; merging it by lines" in result.stderr + result.stdout
    text = (repo / note).read_bytes()
    assert b"<<<<<<< HEAD\nOurs.\n=======\nTheirs.\n>>>>>>> feature\n" in text


# -- autocommit -----------------------------------------------------------------------------


def test_commit_takes_file_names_literally(repo: Path, wm: Callable[..., Result]) -> None:
    tasks = repo / "projects/web/tasks"
    (tasks / "fix[1].md").write_text("---\ntitle: Fix one\nstatus: todo\n---\n", encoding="utf-8")
    (tasks / "fix1.md").write_text("---\ntitle: Fix plain\nstatus: todo\n---\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "add")
    with open(tasks / "fix1.md", "a", encoding="utf-8") as handle:
        handle.write("unrelated WIP\n")
    result = wm("-C", str(repo), "set", str(tasks / "fix[1].md"), "priority=high", "--commit")
    assert result.exit_code == 0, result.output
    assert git(repo, "show", "--name-only", "--format=", "HEAD").stdout == "projects/web/tasks/fix[1].md\n"
    assert git(repo, "status", "--porcelain").stdout == " M projects/web/tasks/fix1.md\n"


def test_commit_refused_on_a_detached_head(repo: Path, wm: Callable[..., Result]) -> None:
    git(repo, "checkout", "-q", "--detach")
    task = repo / "projects/web/tasks/design.md"
    before = task.read_text(encoding="utf-8")
    result = wm("-C", str(repo), "set", "design", "priority=high", "--commit")
    assert result.exit_code == 1
    assert "HEAD is detached" in result.stderr and "nothing was changed" in result.stderr
    assert task.read_text(encoding="utf-8") == before
    (repo / "workspace.yml").write_text((repo / "workspace.yml").read_text(encoding="utf-8") + "git:\n  autocommit: true\n", encoding="utf-8")
    head = git(repo, "rev-parse", "HEAD").stdout
    result = wm("-C", str(repo), "set", "design", "priority=high")
    assert result.exit_code == 0
    assert "wm: not committing (git.autocommit): HEAD is detached" in result.stderr
    assert "priority: high" in task.read_text(encoding="utf-8")
    assert git(repo, "rev-parse", "HEAD").stdout == head


def test_commit_refused_during_a_rebase_and_a_merge(repo: Path) -> None:
    on_branch(repo, "main", "projects/web/tasks/design.md", "---\ntitle: design\nstatus: done\n---\n")
    result = git(repo, "rebase", "-i", "HEAD~1", env={"GIT_SEQUENCE_EDITOR": "sed -i '1i break'"}, check=False)
    assert result.returncode == 0, result.stderr
    assert commit_blocker(repo) == "a rebase is in progress; finish or abort it first"
    git(repo, "rebase", "--continue")
    assert commit_blocker(repo) is None
    on_branch(repo, "feature", "notes/a.md", "---\ntitle: A\n---\n")
    on_branch(repo, "main", "notes/b.md", "---\ntitle: B\n---\n")
    git(repo, "merge", "--no-commit", "--no-ff", "feature")
    assert commit_blocker(repo) == "a merge is in progress; finish or abort it first"


def test_a_commit_a_hook_refuses_says_the_change_was_written_and_leaves_nothing_staged(repo: Path, wm: Callable[..., Result]) -> None:
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text('#!/bin/sh\necho "pre-commit: lint failed" >&2\nexit 1\n', encoding="utf-8")
    hook.chmod(0o755)
    result = wm("-C", str(repo), "set", "design", "priority=high", "--commit")
    assert result.exit_code == 1
    assert "pre-commit: lint failed; the change was written (projects/web/tasks/design.md) but not committed" in result.stderr
    assert "priority: high" in (repo / "projects/web/tasks/design.md").read_text(encoding="utf-8")
    assert git(repo, "diff", "--cached", "--name-only").stdout == ""  # not staged: the next --commit is not blocked by it
    hook.unlink()
    assert wm("-C", str(repo), "set", "ci-pipeline", "priority=low", "--commit").exit_code == 0


def test_a_commit_without_a_git_identity_is_refused_before_writing(repo: Path, wm: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    git(repo, "config", "--unset", "user.name")
    git(repo, "config", "--unset", "user.email")
    monkeypatch.setenv("HOME", str(repo.parent / "nohome"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL", "EMAIL", "GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.delenv(name, raising=False)
    before = (repo / "projects/web/tasks/design.md").read_text(encoding="utf-8")
    result = wm("-C", str(repo), "set", "design", "priority=high", "--commit")
    assert result.exit_code == 1 and "git does not know who you are" in result.stderr and "nothing was changed" in result.stderr
    assert (repo / "projects/web/tasks/design.md").read_text(encoding="utf-8") == before


def test_comments_made_on_two_clones_merge_without_a_conflict(repo: Path, wm: Callable[..., Result]) -> None:
    """`wm comment` on each side appends to the task's `## Log`: both kept, ours first (git's line merge conflicted)."""
    task = "projects/web/tasks/sso-login.md"
    git(repo, "checkout", "-q", "-B", "feature", "main")
    assert wm("-C", str(repo), "comment", "sso-login", "SAML lib chosen", "--person", "alice").exit_code == 0
    git(repo, "commit", "-qam", "bob's comment")
    git(repo, "checkout", "-q", "main")
    assert wm("-C", str(repo), "comment", "sso-login", "IdP metadata received", "--person", "alice").exit_code == 0
    git(repo, "commit", "-qam", "alice's comment")
    result = git(repo, "merge", "-q", "--no-edit", "feature", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    text = (repo / task).read_text(encoding="utf-8")
    assert text.count("## Log") == 1  # each side started the section: it is there once
    log = text.split("## Log", 1)[1]
    assert log.index("alice: IdP metadata received") < log.index("alice: SAML lib chosen")
    assert wm("-C", str(repo), "validate").exit_code == 0


def test_a_body_edit_beside_comments_is_still_a_line_merge() -> None:
    from workspace_tool.merge import log_appends

    base = "Intro.\n\n## Log\n\n- 2026-11-20 a: one\n"
    ours = base + "- 2026-11-27 alice: two\n"
    assert log_appends(base, ours, base.replace("Intro.", "Intro, edited.") + "- 2026-11-27 bob: three\n") is None
    assert log_appends(base, ours, base.replace("- 2026-11-20 a: one\n", "")) is None  # a removal is no append
    assert log_appends("No log.\n", "No log.\nmore\n", "No log.\nelse\n") is None
    assert log_appends(base, ours, ours) == ours  # the same comment on both sides: once
