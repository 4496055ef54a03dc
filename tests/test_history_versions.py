"""History from real git repositories: versions, field changes, renames, merges, odd input."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from test_history_support import Repo, git, git_children

from workspace_tool.history.read import NO_COMMITS_WARNING, NO_GIT_WARNING, SHALLOW_WARNING


def changes(version: object) -> list[tuple[str, object, object]]:
    return [(c.field, c.old, c.new) for c in version.changes]  # type: ignore[attr-defined]


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


def test_versions_and_field_changes(repo: Repo) -> None:
    repo.task("tasks/design.md", "todo", assignee="bob", estimate="2d")
    first = repo.commit("add design", "2026-01-05T10:00:00+01:00")
    repo.task("tasks/design.md", "in-progress", assignee="alice", estimate="3d")
    second = repo.commit("start design", "2026-01-06T11:30:00+01:00", author=("Bob", "bob@example.com"))
    versions = repo.history().versions("design")
    assert [v.commit for v in versions] == [second, first]
    newest = versions[0]
    assert (newest.author, newest.email, newest.message) == ("Bob", "bob@example.com", "start design")
    assert newest.date.isoformat() == "2026-01-06T11:30:00+01:00"
    assert changes(newest) == [("status", "todo", "in-progress"), ("assignee", "bob", "alice"), ("estimate", "2d", "3d")]
    assert versions[1].created and not versions[1].deleted


def test_rename_between_folders_and_workspace_in_subfolder(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo", prefix="sample_workspace")
    repo.task("tasks/a/move-me.md", "todo")
    repo.commit("add", "2026-01-05T10:00:00+00:00")
    git(repo.root, "mv", "sample_workspace/tasks/a/move-me.md", "sample_workspace/tasks/move-me.md")
    moved = repo.commit("move", "2026-01-06T10:00:00+00:00")
    versions = repo.history().versions("move-me")
    assert versions[0].commit == moved
    assert (versions[0].old_path, versions[0].path) == ("tasks/a/move-me.md", "tasks/move-me.md")
    assert len(versions) == 2


def test_deletion_and_recreation_under_same_id(repo: Repo) -> None:
    repo.task("tasks/phoenix.md", "todo")
    repo.commit("add", "2026-01-01T09:00:00+00:00")
    (repo.ws / "tasks/phoenix.md").unlink()
    deleted = repo.commit("delete", "2026-01-02T09:00:00+00:00")
    repo.task("notes/elsewhere.md", "done", id="phoenix", type="task")
    repo.commit("recreate elsewhere", "2026-01-03T09:00:00+00:00")
    versions = repo.history().versions("phoenix")
    assert [v.message for v in versions] == ["recreate elsewhere", "delete", "add"]
    assert versions[1].deleted and versions[1].commit == deleted
    assert versions[0].path == "notes/elsewhere.md"


def test_id_edit_is_followed(repo: Repo) -> None:
    repo.task("tasks/old-name.md", "todo")
    repo.commit("add", "2026-01-01T09:00:00+00:00")
    repo.task("tasks/old-name.md", "todo", id="new-name")
    repo.commit("rename id", "2026-01-02T09:00:00+00:00")
    history = repo.history()
    assert [v.message for v in history.versions("new-name")] == ["rename id", "add"]
    assert history.versions("old-name") == history.versions("new-name")
    assert ("id", None, "new-name") in changes(history.versions("new-name")[0])


def test_merge_keeps_branch_author_and_date(repo: Repo) -> None:
    repo.task("tasks/t.md", "todo", assignee="bob")
    repo.commit("add", "2026-01-01T09:00:00+00:00")
    git(repo.root, "checkout", "-q", "-b", "feature")
    repo.task("tasks/t.md", "review", assignee="bob")
    branch = repo.commit("review on branch", "2026-01-03T09:00:00+00:00", author=("Carol", "carol@example.com"))
    git(repo.root, "checkout", "-q", "main")
    repo.write("tasks/other.md", "---\nstatus: todo\n---\n")
    repo.commit("other work", "2026-01-02T09:00:00+00:00")
    git(repo.root, "merge", "-q", "--no-ff", "-m", "merge feature", "feature", date="2026-01-04T09:00:00+00:00")
    versions = repo.history().versions("t")
    assert [v.commit for v in versions][0] == branch
    assert versions[0].author == "Carol" and versions[0].date.isoformat() == "2026-01-03T09:00:00+00:00"
    assert changes(versions[0]) == [("status", "todo", "review")]


def test_broken_old_version_is_unparseable_rest_still_read(repo: Repo) -> None:
    repo.task("tasks/t.md", "todo")
    repo.commit("ok", "2026-01-01T09:00:00+00:00")
    repo.write("tasks/t.md", "---\nstatus: [unclosed\n---\n")
    repo.commit("broken", "2026-01-02T09:00:00+00:00")
    repo.task("tasks/t.md", "done")
    repo.commit("fixed", "2026-01-03T09:00:00+00:00")
    versions = repo.history().versions("t")
    assert [v.unparseable for v in versions] == [False, True, False]
    assert changes(versions[0]) == [("status", "todo", "done")]


def test_binary_huge_non_utf8_and_future_dates(repo: Repo) -> None:
    repo.task("tasks/t.md", "todo")
    repo.write("tasks/blob.md", b"\x00\x01binary")
    repo.write("tasks/big.md", "---\nstatus: todo\n---\n" + "x" * (6 * 1024 * 1024))
    repo.commit("add", "2030-01-01T09:00:00+00:00")  # in the future
    repo.task("tasks/t.md", "done")
    git(repo.root, "add", "-A")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": b"J\xf6rg",
        "GIT_AUTHOR_DATE": "2020-01-01T00:00:00+00:00",
        "GIT_COMMITTER_DATE": "2020-01-01T00:00:00+00:00",
    }
    subprocess.run([b"git", b"commit", b"-q", b"-m", b"caf\xe9 latin-1"], cwd=repo.root, check=True, env=env)  # type: ignore[arg-type]
    history = repo.history()
    newest = history.versions("t")[0]
    assert newest.author in ("J\xf6rg", "J\ufffdrg") and newest.message[:3] == "caf" and newest.message.endswith(" latin-1")
    assert newest.date.year == 2020  # dates out of order: the order is git's (topological)
    assert changes(newest) == [("status", "todo", "done")]
    assert history.versions("blob")[0].unparseable
    assert history.versions("big")[0].unparseable


def test_working_copy_version_on_top(repo: Repo) -> None:
    repo.task("tasks/t.md", "todo")
    repo.commit("add", "2026-01-01T09:00:00+00:00")
    repo.task("tasks/t.md", "in-progress")
    repo.task("tasks/new.md", "todo")
    history = repo.history()
    top = history.versions("t")[0]
    assert top.commit is None and top.author == "Wendy"
    assert changes(top) == [("status", "todo", "in-progress")]
    assert history.versions("new")[0].commit is None and history.versions("new")[0].created
    (repo.ws / "tasks/t.md").unlink()
    assert repo.history().versions("t")[0].deleted


def test_no_git_and_no_commits(tmp_path: Path) -> None:
    ws = tmp_path / "plain"
    ws.mkdir()
    (ws / "workspace.yml").write_text("name: x\n")
    (ws / "tasks").mkdir()
    (ws / "tasks/t.md").write_text("---\nstatus: todo\n---\n")
    from workspace_tool.history import load_history
    from workspace_tool.workspace import load_index

    history = load_history(load_index(ws), progress=False)
    assert not history.complete and history.warnings == (NO_GIT_WARNING,)
    assert [v.commit for v in history.versions("t")] == [None]
    git(ws, "init", "-q")
    history = load_history(load_index(ws), progress=False)
    assert NO_COMMITS_WARNING in history.warnings
    assert history.versions("t")[0].created


def test_shallow_clone_is_incomplete(repo: Repo, tmp_path: Path) -> None:
    for day in range(1, 4):
        repo.task("tasks/t.md", ["todo", "in-progress", "done"][day - 1])
        repo.commit(f"c{day}", f"2026-01-0{day}T09:00:00+00:00")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True)
    from workspace_tool.history import load_history
    from workspace_tool.workspace import load_index

    history = load_history(load_index(clone), progress=False)
    assert not history.complete
    assert SHALLOW_WARNING in history.warnings and "git fetch --unshallow" in SHALLOW_WARNING
    assert [v.message for v in history.versions("t")] == ["c3"]


def test_unshallowing_reads_the_whole_history_and_the_site_is_made_again(repo: Repo, tmp_path: Path) -> None:
    """Nothing of a shallow clone's history is kept: after `git fetch --unshallow` (same HEAD) every version shows,
    and the site, whose build warned of the shallow clone (`--strict` fails), makes every page again."""
    import datetime as dt

    from workspace_tool.errors import WorkspaceError
    from workspace_tool.history import load_history
    from workspace_tool.site import BuildOptions, build_site
    from workspace_tool.workspace import load_index

    for day in range(1, 4):
        repo.task("tasks/t.md", ["todo", "in-progress", "done"][day - 1])
        repo.commit(f"c{day}", f"2026-01-0{day}T09:00:00+00:00")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True)
    today = dt.date(2026, 1, 10)
    assert [v.message for v in load_history(load_index(clone, today), progress=False).versions("t")] == ["c3"]
    out = tmp_path / "site"
    result = build_site(load_index(clone, today), BuildOptions(out, jobs=1))
    assert SHALLOW_WARNING in result.warnings
    with pytest.raises(WorkspaceError, match="shallow clone"):
        build_site(load_index(clone, today), BuildOptions(tmp_path / "strict", jobs=1, strict=True))
    subprocess.run(["git", "-C", str(clone), "fetch", "-q", "--unshallow"], check=True)
    history = load_history(load_index(clone, today), progress=False)
    assert history.complete and [v.message for v in history.versions("t")] == ["c3", "c2", "c1"]
    again = build_site(load_index(clone, today), BuildOptions(out, jobs=1))
    assert again.warnings == [] and again.models == again.pages  # every page made again
    assert "c1" in (out / "d/t.html").read_text(encoding="utf-8")


def test_cache_is_incremental_and_correct(repo: Repo) -> None:
    repo.task("tasks/t.md", "todo")
    repo.commit("add", "2026-01-01T09:00:00+00:00")
    cold = repo.history()
    assert (repo.ws / ".wm/history/manifest.json").exists()
    repo.task("tasks/t.md", "review")
    repo.commit("review", "2026-01-02T09:00:00+00:00")
    warm = repo.history()
    assert [v.message for v in warm.versions("t")] == ["review", "add"]
    assert warm.versions("t") == repo.history(use_cache=False).versions("t")
    assert cold.head != warm.head
    git(repo.root, "reset", "-q", "--hard", "HEAD~1")  # HEAD moved back: not an ancestor, rebuilt
    assert [v.message for v in repo.history().versions("t")] == ["add"]


def test_detached_head_worktree_and_many_branches(repo: Repo, tmp_path: Path) -> None:
    repo.task("tasks/t.md", "todo")
    repo.commit("add", "2026-01-01T09:00:00+00:00")
    for n in range(50):
        git(repo.root, "branch", f"b{n}")
    git(repo.root, "checkout", "-q", "-b", "side")
    repo.task("tasks/t.md", "done")
    repo.commit("side change", "2026-01-02T09:00:00+00:00")
    git(repo.root, "checkout", "-q", "--detach", "main")
    assert [v.message for v in repo.history().versions("t")] == ["add"]  # only HEAD's history
    worktree = tmp_path / "wt"
    git(repo.root, "worktree", "add", "-q", str(worktree), "side")
    assert (worktree / ".git").is_file()
    from workspace_tool.history import load_history
    from workspace_tool.workspace import load_index

    assert [v.message for v in load_history(load_index(worktree), progress=False).versions("t")] == ["side change", "add"]


def test_no_git_process_outlives_the_read(repo: Repo) -> None:
    repo.task("tasks/t.md", "todo")
    repo.commit("add", "2026-01-01T09:00:00+00:00")
    repo.history(use_cache=False)
    assert git_children() == []


def test_blob_reader_closes_its_process(repo: Repo) -> None:
    repo.task("tasks/t.md", "todo")
    repo.commit("add", "2026-01-01T09:00:00+00:00")
    from workspace_tool.history.blobs import BlobReader
    from workspace_tool.history.gitrepo import GitRepo

    opened = GitRepo.open(repo.ws)
    assert opened is not None
    seen: list[str] = []
    with opened as handle:
        sha = git(repo.root, "rev-parse", "HEAD:tasks/t.md").strip()
        with BlobReader(handle, lambda s, d: seen.append(s)) as reader:
            reader.request(sha)
            assert any("cat-file" in c for c in git_children())
            proc = handle._children[-1]
        assert proc.returncode is not None
    assert seen == [sha]
    assert git_children() == []


def test_cached_increments_equal_a_fresh_read(repo: Repo) -> None:
    """After each commit the incremental read (cache + `git log OLD..HEAD`) equals a read without cache."""

    def same() -> None:
        from workspace_tool.history import store

        cached, fresh = repo.history(), repo.history(use_cache=False)
        store._LOADED.clear()
        store._SHARDS.clear()
        reloaded = repo.history()  # as a new process: every lineage restored from the cache
        for history in (cached, reloaded):  # what is known before any version is built (from the rows' summaries)
            assert sorted((d.id, d.path, sorted(d.aliases), d.deleted, d.newest()) for d in history.documents) == sorted(
                (d.id, d.path, sorted(d.aliases), d.deleted, d.newest()) for d in fresh.documents
            )
            assert sorted((d.id, d.path, d.versions) for d in history.documents) == sorted(
                (d.id, d.path, d.versions) for d in fresh.documents
            )

    repo.task("tasks/a.md", "todo", estimate="1d")
    repo.task("tasks/b.md", "todo")
    repo.commit("add", "2026-01-01T09:00:00+00:00")
    same()
    git(repo.root, "mv", "tasks/a.md", "tasks/moved-a.md")
    repo.task("tasks/b.md", "in-progress", id="bee")
    repo.commit("move a, id of b", "2026-01-02T09:00:00+00:00")
    same()
    (repo.ws / "tasks/b.md").unlink()
    repo.commit("delete b", "2026-01-03T09:00:00+00:00")
    same()
    repo.task("tasks/again.md", "todo", id="bee")
    repo.write("tasks/a.md", "---\nstatus: [broken\n---\n")
    repo.commit("recreate bee, broken a", "2026-01-04T09:00:00+00:00")
    same()
    history = repo.history()
    assert [v.message for v in history.versions("bee")] == ["recreate bee, broken a", "delete b", "move a, id of b", "add"]
    assert [v.message for v in history.versions("moved-a")] == ["move a, id of b", "add"]
    assert [(v.message, v.unparseable) for v in history.versions("a")] == [("recreate bee, broken a", True)]
    repo.task("tasks/moved-a.md", "done")  # uncommitted: the working copy's version is the newest
    repo.task("tasks/again.md", "done", id="bee")
    same()


def test_a_process_reads_the_history_cache_once_per_save(tmp_path: Path) -> None:
    """`store.load` again with the same manifest gives the same values from memory, in containers a reader may change."""
    from workspace_tool.history import store

    repo = Repo(tmp_path / "repo")
    repo.task("tasks/a.md", "todo")
    repo.commit("a", "2026-01-01T09:00:00+00:00")
    repo.history()
    first = store.load(repo.ws)
    first.blobs["planted"] = None
    first.commits.append(("x",))
    second = store.load(repo.ws)
    assert "planted" not in second.blobs and ("x",) not in second.commits
    assert second.head == first.head and second.rows == first.rows
    repo.task("tasks/a.md", "done")
    repo.commit("done", "2026-01-02T09:00:00+00:00")
    history = repo.history()  # saves: a new manifest
    third = store.load(repo.ws)
    assert third.head == history.head != second.head
    assert [v.fields["status"] for v in history.document("a").versions] == ["todo", "done"]
