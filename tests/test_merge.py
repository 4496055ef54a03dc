"""The merge driver: the pure key-by-key merge, and real `git merge` runs in temporary repositories."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from workspace_tool.gitops import merge_body
from workspace_tool.merge import merge_text
from workspace_tool.parse import parse_document

BASE = "---\ntitle: Design mockups\nstatus: todo  # comment\nassignee: alice\nestimate: 3d\n---\n\nLine one.\nLine two.\nLine three.\n"


def merged(base: str, ours: str, theirs: str) -> tuple[str, bool]:
    return merge_text(base, ours, theirs, body_merge=merge_body)


def test_different_keys_both_kept() -> None:
    ours = BASE.replace("status: todo", "status: in-progress")
    theirs = BASE.replace("assignee: alice", "assignee: bob").replace("estimate: 3d\n", "estimate: 3d\npriority: high\n")
    text, conflict = merged(BASE, ours, theirs)
    assert not conflict
    assert text == BASE.replace("status: todo", "status: in-progress").replace("assignee: alice", "assignee: bob").replace(
        "estimate: 3d\n", "estimate: 3d\npriority: high\n"
    )


def test_same_key_changed_the_same_way_is_clean() -> None:
    side = BASE.replace("status: todo", "status: done")
    assert merged(BASE, side, side) == (side, False)


def test_removed_on_one_side_changed_on_none() -> None:
    theirs = BASE.replace("estimate: 3d\n", "")
    assert merged(BASE, BASE, theirs) == (theirs, False)


def test_same_key_changed_differently_conflicts_for_that_key_only() -> None:
    ours = BASE.replace("status: todo", "status: review").replace("assignee: alice", "assignee: carol")
    theirs = BASE.replace("status: todo", "status: done")
    text, conflict = merged(BASE, ours, theirs)
    assert conflict
    assert text == (
        "---\ntitle: Design mockups\n<<<<<<< ours\nstatus: review  # comment\n=======\nstatus: done  # comment\n>>>>>>> theirs\n"
        "assignee: carol\nestimate: 3d\n---\n\nLine one.\nLine two.\nLine three.\n"
    )
    parsed = parse_document(text, "tasks/x.md")
    assert [(d.line, d.code) for d in parsed.diagnostics] == [(3, "merge-conflict"), (5, "merge-conflict"), (7, "merge-conflict")]


def test_body_merged_by_lines_and_frontmatter_by_keys() -> None:
    ours = BASE.replace("status: todo", "status: done").replace("Line one.", "Line ONE.")
    theirs = BASE.replace("estimate: 3d", "estimate: 5d").replace("Line three.", "Line THREE.")
    text, conflict = merged(BASE, ours, theirs)
    assert not conflict
    assert "status: done" in text and "estimate: 5d" in text and "Line ONE." in text and "Line THREE." in text


def test_body_conflict_uses_git_markers() -> None:
    text, conflict = merged(BASE, BASE.replace("Line two.", "Ours."), BASE.replace("Line two.", "Theirs."))
    assert conflict
    assert "<<<<<<< ours\nOurs.\n=======\nTheirs.\n>>>>>>> theirs\n" in text


def test_no_frontmatter_falls_back_to_a_line_merge() -> None:
    text, conflict = merged("a\nb\nc\n", "A\nb\nc\n", "a\nb\nC\n")
    assert (text, conflict) == ("A\nb\nC\n", False)


# -- real git merges -------------------------------------------------------------------


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, check=check, capture_output=True, text=True)


@pytest.fixture
def repo(tmp_path: Path, wm: Callable[..., object]) -> Path:
    root = tmp_path / "ws"
    wm("init", str(root))
    git(root, "config", "user.name", "Tester")
    git(root, "config", "user.email", "t@example.com")
    git(root, "checkout", "-q", "-b", "main")
    (root / "people").mkdir(exist_ok=True)
    (root / "people/alice.md").write_text("---\nname: Alice\n---\n", encoding="utf-8")
    (root / "people/bob.md").write_text("---\nname: Bob\n---\n", encoding="utf-8")
    (root / "people/carol.md").write_text("---\nname: Carol\n---\n", encoding="utf-8")
    (root / "tasks").mkdir()
    (root / "tasks/design-mockups.md").write_text(BASE, encoding="utf-8")
    (root / "timelogs/alice").mkdir(parents=True)
    (root / "timelogs/alice/2026-11.md").write_text("---\nperson: alice\n---\n\n- 2026-11-02 1h design-mockups\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    return root


def branch_edit(root: Path, branch: str, edits: dict[str, Callable[[str], str]]) -> None:
    git(root, "checkout", "-q", "-B", branch, "main") if branch != "main" else git(root, "checkout", "-q", "main")
    for relpath, change in edits.items():
        path = root / relpath
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    git(root, "commit", "-qam", f"edit on {branch}")


def test_git_setup_registers_the_driver(repo: Path, wm) -> None:  # type: ignore[no-untyped-def]
    driver = git(repo, "config", "--get", "merge.wm.driver").stdout
    assert "-m workspace_tool merge-driver %O %A %B %P" in driver
    attributes = (repo / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert attributes.index("*.md merge=wm") < attributes.index("timelogs/**/*.md merge=wm-timelog")  # was merge=union (see test_merge_team)
    assert git(repo, "check-attr", "merge", "tasks/design-mockups.md").stdout.strip().endswith("merge: wm")
    assert git(repo, "check-attr", "merge", "timelogs/alice/2026-11.md").stdout.strip().endswith("merge: wm-timelog")
    assert "merge-driver --timelog %O %A %B %P" in git(repo, "config", "--get", "merge.wm-timelog.driver").stdout
    assert wm("-C", str(repo), "git-setup").stdout == "the wm merge driver is already set up\n"


def test_git_merge_keeps_both_keys(repo: Path, wm) -> None:  # type: ignore[no-untyped-def]
    task = "tasks/design-mockups.md"
    branch_edit(repo, "feature", {task: lambda t: t.replace("status: todo", "status: in-progress")})
    branch_edit(repo, "main", {task: lambda t: t.replace("assignee: alice", "assignee: bob")})
    result = git(repo, "merge", "-q", "--no-edit", "feature", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (repo / task).read_text(encoding="utf-8") == BASE.replace("status: todo", "status: in-progress").replace("assignee: alice", "assignee: bob")
    assert wm("-C", str(repo), "validate").exit_code == 0


def test_git_merge_conflict_on_one_key(repo: Path, wm) -> None:  # type: ignore[no-untyped-def]
    task = "tasks/design-mockups.md"
    branch_edit(repo, "feature", {task: lambda t: t.replace("status: todo", "status: done")})
    branch_edit(repo, "main", {task: lambda t: t.replace("status: todo", "status: review").replace("assignee: alice", "assignee: carol")})
    result = git(repo, "merge", "-q", "--no-edit", "feature", check=False)
    assert result.returncode == 1
    text = (repo / task).read_text(encoding="utf-8")
    assert "<<<<<<< HEAD\nstatus: review  # comment\n=======\nstatus: done  # comment\n>>>>>>> feature\n" in text
    assert "assignee: carol\n" in text
    check = wm("-C", str(repo), "validate")
    assert check.exit_code == 1
    assert f"{task}:3: error: unresolved merge conflict marker '<<<<<<<'" in check.stdout


def test_git_merge_body_and_frontmatter(repo: Path, wm) -> None:  # type: ignore[no-untyped-def]
    task = "tasks/design-mockups.md"
    branch_edit(repo, "feature", {task: lambda t: t.replace("estimate: 3d", "estimate: 5d").replace("Line three.", "Line THREE.")})
    branch_edit(repo, "main", {task: lambda t: t.replace("status: todo", "status: review").replace("Line one.", "Line ONE.")})
    assert git(repo, "merge", "-q", "--no-edit", "feature", check=False).returncode == 0
    text = (repo / task).read_text(encoding="utf-8")
    assert text == BASE.replace("estimate: 3d", "estimate: 5d").replace("status: todo", "status: review").replace("Line one.", "Line ONE.").replace("Line three.", "Line THREE.")


def test_git_merge_timelogs_keep_both_sides(repo: Path, wm) -> None:  # type: ignore[no-untyped-def]
    log = "timelogs/alice/2026-11.md"
    branch_edit(repo, "feature", {log: lambda t: t + "- 2026-11-03 2h design-mockups\n"})
    branch_edit(repo, "main", {log: lambda t: t + "- 2026-11-04 3h design-mockups\n"})
    assert git(repo, "merge", "-q", "--no-edit", "feature", check=False).returncode == 0
    text = (repo / log).read_text(encoding="utf-8")
    assert "- 2026-11-03 2h design-mockups\n" in text and "- 2026-11-04 3h design-mockups\n" in text
    assert wm("-C", str(repo), "validate").exit_code == 0
