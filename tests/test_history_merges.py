"""Renames across branches and in merge commits, and the history cache's format, on real git repositories."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_history_store import fresh_process
from test_history_support import Repo, git

from workspace_tool.history import History


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.task("tasks/a.md", "todo", estimate="1d")
    repo.commit("add", "2026-01-01T09:00:00+00:00")
    return repo


def summary(history: History, doc_id: str) -> list[tuple[str, str, str | None, list[tuple[str, object, object]]]]:
    return [(v.message, v.path, v.old_path, [(c.field, c.old, c.new) for c in v.changes]) for v in history.versions(doc_id)]


def documents(history: History) -> list[tuple[str, str, bool]]:
    return sorted((d.id, d.path, d.deleted) for d in history.documents if d.type == "task")


def same_as_fresh(repo: Repo) -> History:
    cached, fresh = repo.history(), repo.history(use_cache=False)
    key = sorted((d.id, d.path, d.deleted, d.aliases, d.versions) for d in fresh.documents)
    assert sorted((d.id, d.path, d.deleted, d.aliases, d.versions) for d in cached.documents) == key
    return cached


def merge(repo: Repo, date: str) -> None:
    git(repo.root, "checkout", "-q", "main")
    git(repo.root, "merge", "-q", "--no-ff", "-m", "merge feature", "feature", date=date)


def test_rename_on_branch_and_edit_on_main(repo: Repo) -> None:
    repo.history()  # a cache at the first commit: the rest is read incrementally
    git(repo.root, "checkout", "-q", "-b", "feature")
    git(repo.root, "mv", "tasks/a.md", "tasks/b.md")
    repo.commit("rename on branch", "2026-01-02T09:00:00+00:00")
    git(repo.root, "checkout", "-q", "main")
    repo.task("tasks/a.md", "in-progress", estimate="1d")
    repo.commit("edit on main", "2026-01-03T09:00:00+00:00")
    merge(repo, "2026-01-04T09:00:00+00:00")
    assert (repo.ws / "tasks/b.md").exists() and not (repo.ws / "tasks/a.md").exists()
    history = same_as_fresh(repo)
    assert documents(history) == [("b", "tasks/b.md", False)]
    assert [v.message for v in history.versions("b")] == ["merge feature", "rename on branch", "edit on main", "add"]
    assert history.document("b").last_fields["status"] == "in-progress"  # type: ignore[union-attr]
    assert history.versions("a") == history.versions("b")
    # tasks/a.md is gone after the merge: a new file there is a new document
    repo.task("tasks/a.md", "todo", id="fresh")
    repo.commit("a new a.md", "2026-01-05T09:00:00+00:00")
    history = same_as_fresh(repo)
    assert documents(history) == [("b", "tasks/b.md", False), ("fresh", "tasks/a.md", False)]
    assert [v.message for v in history.versions("fresh")] == ["a new a.md"]
    assert [v.message for v in history.versions("b")][0] == "merge feature"


def test_edit_on_branch_and_rename_on_main(repo: Repo) -> None:
    git(repo.root, "checkout", "-q", "-b", "feature")
    repo.task("tasks/a.md", "in-progress", estimate="1d")
    repo.commit("edit on branch", "2026-01-02T09:00:00+00:00", author=("Carol", "carol@example.com"))
    git(repo.root, "checkout", "-q", "main")
    git(repo.root, "mv", "tasks/a.md", "tasks/b.md")
    repo.commit("rename on main", "2026-01-03T09:00:00+00:00")
    merge(repo, "2026-01-04T09:00:00+00:00")
    history = same_as_fresh(repo)
    assert documents(history) == [("b", "tasks/b.md", False)]
    found = summary(history, "b")
    # main already had the file as tasks/b.md: the rename is main's commit's, and the merge moved nothing (audit #3 B)
    assert [(m, p, o) for m, p, o, _ in found] == [
        ("merge feature", "tasks/b.md", None),
        ("edit on branch", "tasks/a.md", None),
        ("rename on main", "tasks/b.md", "tasks/a.md"),
        ("add", "tasks/a.md", None),
    ]
    # the status change belongs to the branch's commit only, not again to the merge
    assert [(m, c) for m, _, _, c in found if c][:1] == [("edit on branch", [("status", "todo", "in-progress")])]
    assert found[0][3] == []
    repo.task("tasks/a.md", "todo", id="fresh")
    repo.commit("a new a.md", "2026-01-05T09:00:00+00:00")
    assert documents(same_as_fresh(repo)) == [("b", "tasks/b.md", False), ("fresh", "tasks/a.md", False)]


def test_rename_made_in_the_merge_commit(repo: Repo) -> None:
    git(repo.root, "checkout", "-q", "-b", "feature")
    repo.task("tasks/other.md", "todo")
    repo.commit("other on branch", "2026-01-02T09:00:00+00:00")
    git(repo.root, "checkout", "-q", "main")
    repo.task("tasks/c.md", "todo")
    repo.commit("c on main", "2026-01-02T10:00:00+00:00")
    git(repo.root, "merge", "-q", "--no-ff", "--no-commit", "feature")
    git(repo.root, "mv", "tasks/a.md", "tasks/b.md")
    git(repo.root, "commit", "-q", "-m", "merge with rename", date="2026-01-04T09:00:00+00:00")
    history = same_as_fresh(repo)
    assert documents(history) == [("b", "tasks/b.md", False), ("c", "tasks/c.md", False), ("other", "tasks/other.md", False)]
    assert summary(history, "b")[0] == ("merge with rename", "tasks/b.md", "tasks/a.md", [])
    assert [v.message for v in history.versions("a")] == ["merge with rename", "add"]


def test_conflict_resolution_is_measured_from_the_first_parent(repo: Repo) -> None:
    git(repo.root, "checkout", "-q", "-b", "feature")
    repo.task("tasks/a.md", "review", estimate="1d")
    repo.commit("review on branch", "2026-01-02T09:00:00+00:00")
    git(repo.root, "checkout", "-q", "main")
    repo.task("tasks/a.md", "in-progress", estimate="2d")
    repo.commit("start on main", "2026-01-03T09:00:00+00:00")
    git(repo.root, "merge", "-q", "--no-commit", "feature", check=False)
    repo.task("tasks/a.md", "done", estimate="2d")
    repo.commit("merge feature", "2026-01-04T09:00:00+00:00")
    found = summary(same_as_fresh(repo), "a")
    assert found[0] == ("merge feature", "tasks/a.md", None, [("status", "in-progress", "done")])
    assert {m for m, _, _, _ in found} == {"merge feature", "review on branch", "start on main", "add"}


def test_cache_is_marshal_segments_and_not_loaded_when_copied(repo: Repo, tmp_path: Path) -> None:
    first = repo.history()
    folder = repo.ws / ".wm/history"
    names = sorted(p.name for p in folder.iterdir())
    assert names[0] == ".gitignore" and "manifest.json" in names
    assert any(n.startswith("segment-") and n.endswith(".marshal") for n in names)
    assert any(n.startswith("state-") for n in names)
    assert not any(n.endswith(".json") and n.startswith("segment-") for n in names)
    # a copy of the workspace (or a cache committed and cloned) has another cache folder: it is rebuilt, not read
    copy = tmp_path / "copy"
    shutil.copytree(repo.root, copy)
    for segment in (copy / ".wm/history").glob("segment-*"):
        segment.write_bytes(b"not marshal data")
    from workspace_tool.history import load_history
    from workspace_tool.workspace import load_index

    copied = load_history(load_index(copy), progress=False)
    assert copied.versions("a") == first.versions("a")
    # a damaged segment in place is rebuilt too
    for segment in folder.glob("segment-*"):
        segment.write_bytes(b"\x00\x01")
    assert repo.history().versions("a") == first.versions("a")


def test_a_cache_restored_into_a_clone_is_read_on_from_its_head_only_when_vouched_for(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CI: `.wm/` restored into a fresh clone made after a new commit. Without WM_TRUST_CACHE the cache (written in
    another folder) is not believed and every commit is read; with it, only the commits after its HEAD are."""
    import importlib

    from workspace_tool.history import load_history
    from workspace_tool.workspace import load_index

    read_module = importlib.import_module("workspace_tool.history.read")  # the package's `read` is a function
    repo.history()
    cached_head = git(repo.root, "rev-parse", "HEAD").strip()
    repo.task("tasks/a.md", "doing", estimate="1d")
    head = repo.commit("start a", "2026-01-02T09:00:00+00:00")
    scanned: list[str] = []
    real_scan = read_module.scan
    monkeypatch.setattr(read_module, "scan", lambda git_repo, revisions, *rest: scanned.append(revisions) or real_scan(git_repo, revisions, *rest))
    for name, trust, expected in (("untrusted", "0", head), ("trusted", "1", f"{cached_head}..{head}")):
        clone = tmp_path / name
        git(tmp_path, "clone", "-q", str(repo.root), str(clone))
        shutil.copytree(repo.ws / ".wm", clone / ".wm")
        monkeypatch.setenv("WM_TRUST_CACHE", trust)
        scanned.clear()
        history = load_history(load_index(clone), progress=False)
        assert scanned == [expected], name
        assert summary(history, "a") == summary(repo.history(use_cache=False), "a")
        monkeypatch.setenv("WM_TRUST_CACHE", "0")
        scanned.clear()
        load_history(load_index(clone), progress=False)  # saved as this folder's own: believed without the variable
        assert scanned == [], name


def test_a_cache_written_by_other_code_is_read_again(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another checkout of wm under the same version (`codeprint`): its folds are not this code's, so every commit is read."""
    import importlib

    from workspace_tool import codeprint

    read_module = importlib.import_module("workspace_tool.history.read")
    first = repo.history()
    scanned: list[str] = []
    real_scan = read_module.scan
    monkeypatch.setattr(read_module, "scan", lambda git_repo, revisions, *rest: scanned.append(revisions) or real_scan(git_repo, revisions, *rest))
    assert summary(repo.history(), "a") == summary(first, "a") and scanned == []
    monkeypatch.setattr(codeprint, "_CODE", ["0.1.0+other-code"])
    fresh_process()  # a new `wm` process, of the other code
    assert summary(repo.history(), "a") == summary(first, "a")
    assert scanned == [git(repo.root, "rev-parse", "HEAD").strip()]


def test_versions_from_the_cache_are_built_on_first_use(repo: Repo) -> None:
    repo.task("tasks/a.md", "done", estimate="1d")
    repo.commit("done", "2026-01-02T09:00:00+00:00")
    (repo.ws / "tasks/a.md").unlink()
    repo.commit("delete", "2026-01-03T09:00:00+00:00")
    repo.history()
    history = repo.history()
    doc = next(d for d in history.documents if d.id == "a")
    assert "lazy" in repr(doc) and doc.deleted and doc.aliases == {"a"}
    assert [v.message for v in doc.versions] == ["add", "done", "delete"]
    assert "lazy" not in repr(doc)


def test_a_merge_that_combines_two_branches_fields_says_nothing_of_its_own(repo: Repo) -> None:
    """Priority changed on a branch, the estimate on main, merged key by key (the result is neither parent's): the
    merge's field changes were measured from main and repeated the branch's 'priority' change under the merger's
    name. Now each change is its own commit's; the merge is a version with none, and no event of the activity."""
    import datetime as dt

    from workspace_tool.history.activity import events

    git(repo.root, "checkout", "-q", "-b", "feature")
    repo.task("tasks/a.md", "todo", estimate="1d", priority="high")
    repo.commit("priority on branch", "2026-01-02T09:00:00+00:00")
    git(repo.root, "checkout", "-q", "main")
    repo.task("tasks/a.md", "todo", estimate="2d")
    repo.commit("estimate on main", "2026-01-03T09:00:00+00:00")
    git(repo.root, "merge", "-q", "--no-commit", "feature", check=False)
    repo.task("tasks/a.md", "todo", estimate="2d", priority="high")  # what wm's merge driver makes of the two
    repo.commit("merge feature", "2026-01-04T09:00:00+00:00", author=("Mia", "mia@example.com"))
    history = same_as_fresh(repo)
    found = summary(history, "a")
    assert found[0] == ("merge feature", "tasks/a.md", None, [])
    changes = {m: c for m, _, _, c in found[1:]}
    assert changes["estimate on main"] == [("estimate", "1d", "2d")] and changes["priority on branch"] == [("priority", None, "high")]
    said = [(e.actor, e.text) for e in events(history.documents, {}, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))]
    assert not any(actor == "Mia" for actor, _ in said)
