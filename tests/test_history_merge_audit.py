"""Audit findings on branches, merges and moves: flow along parallel branches (#2), a rename on one branch and an edit
on the other counted once (#3), and a move done as copy then delete (#5). Real git repositories; each case also
checks that a cached read (saved part way, then read on incrementally) equals a fresh one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from test_history_support import Repo, git

from workspace_tool.history import History
from workspace_tool.history.activity import events, render_days
from workspace_tool.history.flow import flow_report

NOW = dt.datetime(2026, 11, 12, 12, 0, tzinfo=dt.UTC)
TASK = "projects/p1/tasks/t.md"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.task("projects/p1/project.md", "active")
    repo.task("projects/p2/project.md", "active")
    return repo


def same_as_fresh(repo: Repo) -> History:
    cached, fresh = repo.history(), repo.history(use_cache=False)
    key = sorted((d.id, d.path, d.deleted, d.aliases, d.versions) for d in fresh.documents)
    assert sorted((d.id, d.path, d.deleted, d.aliases, d.versions) for d in cached.documents) == key
    return cached


def flow_of(history: History, task_id: str = "t") -> dict[str, Any]:
    report = flow_report(history, NOW.date(), NOW)
    found: dict[str, Any] = next(t for t in report["tasks"] if t["id"] == task_id)
    return found


def said(history: History, task_id: str = "t") -> list[tuple[str, str, str]]:
    since = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return [
        (e.date.date().isoformat(), e.actor, ", ".join(e.phrases))
        for e in events(history.documents, {}, since)
        if e.doc_id == task_id
    ]


def day(moment: str | None) -> str | None:
    return moment[:10] if moment else None


# -- #2: flow metrics along parallel branches ------------------------------------------------------------


def test_done_on_a_branch_that_merges_main_in_is_done_once(repo: Repo) -> None:
    """Done on feature (11-03), estimate edited on main (11-05, its file still says in progress), feature merges main
    (11-06) and main fast-forwards. Was: reopened on the 5th and done again at the merge (lead 5, cycle 4)."""
    repo.task(TASK, "todo", estimate="1d")
    repo.commit("create", "2026-11-01T10:00:00+00:00")
    repo.task(TASK, "in-progress", estimate="1d")
    repo.commit("start", "2026-11-02T10:00:00+00:00")
    repo.history()  # a cache here: the rest is read on from it
    git(repo.root, "checkout", "-q", "-b", "feature")
    repo.task(TASK, "done", estimate="1d")
    repo.commit("done on feature", "2026-11-03T10:00:00+00:00")
    git(repo.root, "checkout", "-q", "main")
    repo.task(TASK, "in-progress", estimate="2d")
    repo.commit("estimate on main", "2026-11-05T10:00:00+00:00")
    git(repo.root, "checkout", "-q", "feature")
    git(repo.root, "merge", "-q", "--no-commit", "main", check=False)
    repo.task(TASK, "done", estimate="2d")  # what wm's merge driver makes of the two
    repo.commit("merge main into feature", "2026-11-06T10:00:00+00:00")
    git(repo.root, "checkout", "-q", "main")
    git(repo.root, "merge", "-q", "--ff-only", "feature")
    history = same_as_fresh(repo)
    t = flow_of(history)
    assert (day(t["done_at"]), t["lead_days"], t["cycle_days"]) == ("2026-11-03", 2.0, 1.0)
    assert {k: day(v) for k, v in t["entered"].items()} == {
        "todo": "2026-11-01",
        "in-progress": "2026-11-02",
        "done": "2026-11-03",
    }
    assert t["time_in_status_days"]["in-progress"] == 1.0 and t["time_in_status_days"]["todo"] == 1.0
    assert {k: v.date().isoformat() for k, v in history.done_dates().items()} == {"t": "2026-11-03"}
    burn = {row["date"]: row for row in flow_report(history, NOW.date(), NOW)["workspace"]["burndown"]}
    assert burn["2026-11-04"]["remaining_hours"] == 0.0 and burn["2026-11-05"]["remaining_hours"] == 0.0
    assert burn["2026-11-05"]["scope_hours"] == 16.0  # the estimate edited on main still counts from its day


def test_a_merge_that_keeps_main_s_status_decides_it(repo: Repo) -> None:
    """Done on a branch, review on main, and the merge keeps review and sets another estimate (measured from main it
    changed no status). Its content descends from both: the task is in review, not done."""
    repo.task(TASK, "in-progress", estimate="1d")
    repo.commit("create", "2026-11-01T10:00:00+00:00")
    git(repo.root, "checkout", "-q", "-b", "feature")
    repo.task(TASK, "done", estimate="1d")
    repo.commit("done on feature", "2026-11-03T10:00:00+00:00")
    git(repo.root, "checkout", "-q", "main")
    repo.task(TASK, "review", estimate="1d")
    repo.commit("review on main", "2026-11-04T10:00:00+00:00")
    git(repo.root, "merge", "-q", "--no-commit", "feature", check=False)
    repo.task(TASK, "review", estimate="2d")
    repo.commit("merge feature, still in review", "2026-11-05T10:00:00+00:00")
    history = same_as_fresh(repo)
    t = flow_of(history)
    assert t["status"] == "review" and t["done_at"] is None
    assert history.done_dates() == {}


# -- #3: a rename on one branch and an edit on the other ---------------------------------------------------


def test_edit_on_main_and_move_on_the_merged_branch_count_once(repo: Repo) -> None:
    repo.task(TASK, "todo", estimate="1d")
    repo.commit("t create", "2026-11-07T10:00:00+00:00")
    repo.history()
    git(repo.root, "checkout", "-q", "-b", "ren")
    (repo.ws / "projects/p2/tasks").mkdir(parents=True, exist_ok=True)
    git(repo.root, "mv", TASK, "projects/p2/tasks/t.md")
    repo.commit("move t to p2", "2026-11-08T10:00:00+00:00")
    git(repo.root, "checkout", "-q", "main")
    repo.task(TASK, "in-progress", estimate="1d")
    repo.commit("t start on main", "2026-11-09T10:00:00+00:00")
    git(repo.root, "merge", "-q", "--no-edit", "ren", date="2026-11-10T10:00:00+00:00", author=("Merger", "m@example.com"))
    history = same_as_fresh(repo)
    merge = history.versions("t")[0]
    assert merge.path == "projects/p2/tasks/t.md" and merge.old_path is None and merge.changes == ()
    assert said(history) == [
        ("2026-11-09", "Alice", "moved t to in-progress"),
        ("2026-11-08", "Alice", "moved t from projects/p1/tasks/t.md to projects/p2/tasks/t.md"),
        ("2026-11-07", "Alice", "created task t"),
    ]
    t = flow_of(history)
    assert {k: day(v) for k, v in t["entered"].items()} == {"todo": "2026-11-07", "in-progress": "2026-11-09"}
    assert t["time_in_status_days"] == {"todo": 2.0, "in-progress": 3.0833}


def test_move_on_main_and_edit_on_the_merged_branch_count_once(repo: Repo) -> None:
    repo.task(TASK, "todo", estimate="1d")
    repo.commit("t create", "2026-11-07T10:00:00+00:00")
    git(repo.root, "checkout", "-q", "-b", "edit")
    repo.task(TASK, "in-progress", estimate="1d")
    repo.commit("t start on branch", "2026-11-09T10:00:00+00:00")
    git(repo.root, "checkout", "-q", "main")
    (repo.ws / "projects/p2/tasks").mkdir(parents=True, exist_ok=True)
    git(repo.root, "mv", TASK, "projects/p2/tasks/t.md")
    repo.commit("move t to p2", "2026-11-08T10:00:00+00:00")
    repo.history()
    git(repo.root, "merge", "-q", "--no-edit", "edit", date="2026-11-10T10:00:00+00:00", author=("Merger", "m@example.com"))
    history = same_as_fresh(repo)
    merge = history.versions("t")[0]
    assert merge.old_path is None and merge.changes == ()
    assert not any(actor == "Merger" for _, actor, _ in said(history))
    assert [text for _, _, text in said(history)].count("moved t from projects/p1/tasks/t.md to projects/p2/tasks/t.md") == 1
    assert flow_of(history)["time_in_status_days"] == {"todo": 2.0, "in-progress": 3.0833}


# -- #5: a move done as copy, then delete -----------------------------------------------------------------


def _done_then_copied(repo: Repo) -> None:
    repo.task(TASK, "todo", estimate="1d")
    repo.commit("create", "2026-11-01T10:00:00+00:00")
    repo.task(TASK, "in-progress", estimate="1d")
    repo.commit("start", "2026-11-02T10:00:00+00:00")
    repo.task(TASK, "done", estimate="1d")
    repo.commit("done", "2026-11-03T10:00:00+00:00")
    repo.write("projects/p2/tasks/t.md", (repo.ws / TASK).read_text(encoding="utf-8"))
    repo.commit("copy t to p2", "2026-11-10T10:00:00+00:00")


def test_copy_then_delete_in_two_commits_continues_the_document(repo: Repo) -> None:
    _done_then_copied(repo)
    two = repo.history()  # two files with one ID for a while: cached here, then read on
    assert sorted(d.path for d in two.documents if d.id == "t") == [TASK, "projects/p2/tasks/t.md"]
    git(repo.root, "rm", "-q", TASK)
    repo.commit("remove the old copy", "2026-11-10T10:05:00+00:00")
    history = same_as_fresh(repo)
    docs = [d for d in history.documents if d.id == "t"]
    assert [(d.path, d.deleted) for d in docs] == [("projects/p2/tasks/t.md", False)]
    found = [(v.message, v.path, v.old_path, v.deleted) for v in history.versions("t")]
    assert found == [
        ("remove the old copy", "projects/p2/tasks/t.md", TASK, False),
        ("copy t to p2", "projects/p2/tasks/t.md", None, False),
        ("done", TASK, None, False),
        ("start", TASK, None, False),
        ("create", TASK, None, False),
    ]
    assert history.versions("t")[0].changes == ()
    t = flow_of(history)
    assert (day(t["created_at"]), day(t["started_at"]), day(t["done_at"])) == ("2026-11-01", "2026-11-02", "2026-11-03")
    assert (t["lead_days"], t["cycle_days"], t["project"]) == (2.0, 1.0, "p2")
    # the document goes on as one: deleted later, then re-created, it is still the same one
    git(repo.root, "rm", "-q", "projects/p2/tasks/t.md")
    repo.commit("delete t", "2026-11-11T10:00:00+00:00")
    repo.task(TASK, "todo", estimate="1d")
    repo.commit("t again", "2026-11-12T10:00:00+00:00")
    history = same_as_fresh(repo)
    assert [v.message for v in history.versions("t")][:3] == ["t again", "delete t", "remove the old copy"]
    assert len(history.versions("t")) == 7


def test_the_copy_reads_as_copied_with_what_it_changed_not_created(repo: Repo, wm: Any) -> None:
    _done_then_copied(repo)
    repo.task("projects/p2/tasks/t.md", "done", estimate="2d")  # edited in the copy's commit: amended below
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "--amend", "--no-edit", date="2026-11-10T10:00:00+00:00")
    git(repo.root, "rm", "-q", TASK)
    repo.commit("remove the old copy", "2026-11-10T10:05:00+00:00")
    history = same_as_fresh(repo)
    copy = history.versions("t")[1]
    assert (copy.message, copy.copied_from, copy.created) == ("copy t to p2", TASK, False)
    assert [(c.field, c.old, c.new) for c in copy.changes] == [("estimate", "1d", "2d")]
    assert history.versions("t")[-1].created  # the file that made the document
    assert ("2026-11-10", "Alice", f"copied t from {TASK} to projects/p2/tasks/t.md, changed estimate of t from 1d to 2d") in said(history)
    assert not any("created" in text for date, _, text in said(history) if date == "2026-11-10")
    shown = wm("-C", str(repo.ws), "history", "t")
    assert shown.exit_code == 0, shown.output
    assert f"copied from {TASK}\n    estimate: 1d -> 2d" in shown.output


def test_a_file_re_created_after_a_deletion_is_created_again(repo: Repo) -> None:
    repo.task(TASK, "todo")
    repo.commit("create", "2026-11-01T10:00:00+00:00")
    git(repo.root, "rm", "-q", TASK)
    repo.commit("delete", "2026-11-02T10:00:00+00:00")
    repo.task("projects/p2/tasks/t.md", "todo")
    repo.commit("again", "2026-11-03T10:00:00+00:00")
    versions = same_as_fresh(repo).versions("t")
    assert [(v.message, v.created, v.copied_from) for v in versions] == [("again", True, None), ("delete", False, None), ("create", True, None)]


def test_copy_committed_then_the_original_removed_in_the_working_copy(repo: Repo) -> None:
    _done_then_copied(repo)
    repo.history()
    (repo.ws / TASK).unlink()
    for history in (repo.history(), repo.history(use_cache=False)):  # (a deleted file's working version is dated now)
        versions = history.versions("t")
        assert [(v.commit, v.path, v.old_path, v.deleted) for v in versions[:1]] == [
            (None, "projects/p2/tasks/t.md", TASK, False)
        ]
        assert [v.message for v in versions[1:]] == ["copy t to p2", "done", "start", "create"]
        assert [(d.path, d.deleted) for d in history.documents if d.id == "t"] == [("projects/p2/tasks/t.md", False)]


def test_deleting_the_copy_leaves_the_original_alone(repo: Repo) -> None:
    """Only a later file continues a deleted one: a copy made and deleted again is not the original's history."""
    _done_then_copied(repo)
    git(repo.root, "rm", "-q", "projects/p2/tasks/t.md")
    repo.commit("drop the copy", "2026-11-10T11:00:00+00:00")
    history = same_as_fresh(repo)
    live = [d for d in history.documents if d.id == "t" and not d.deleted]
    assert [d.path for d in live] == [TASK]
    assert [v.message for v in live[0].versions] == ["create", "start", "done"]


# -- low: commits of one second (#7), an `id:` added (#10), a file git status lists twice (#11) ----------------


def test_commits_of_one_second_are_newest_first_and_each_summed_up(repo: Repo) -> None:
    """A script imported six tasks, then started them, in the same second: the events alternated between the two
    commits (the older first), so neither was summed up."""
    for n in range(6):
        repo.task(f"projects/p1/tasks/bulk{n}.md", "todo")
    imported = repo.commit("import 6 tasks", "2026-11-27T09:00:00+00:00")
    for n in range(6):
        repo.task(f"projects/p1/tasks/bulk{n}.md", "in-progress")
    started = repo.commit("start all 6", "2026-11-27T09:00:00+00:00")
    found = events(repo.history().documents, {}, dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    assert [e.commit for e in found] == [started] * 6 + [imported] * 8
    text = render_days(found)
    assert f"… and 3 more changes in commit {started[:7]}" in text and f"… and 5 more changes in commit {imported[:7]}" in text


def test_an_id_added_is_a_rename_from_the_file_name_s_id(repo: Repo) -> None:
    repo.task(TASK, "todo")
    repo.commit("create", "2026-11-20T10:00:00+00:00")
    repo.task(TASK, "todo", id="six")
    repo.commit("give t an explicit id", "2026-11-21T10:00:00+00:00")
    repo.task(TASK, "todo", id="seven")
    repo.commit("another id", "2026-11-22T10:00:00+00:00")
    repo.task(TASK, "todo")
    repo.commit("back to the file name's", "2026-11-23T10:00:00+00:00")
    found = events(repo.history().documents, {}, dt.datetime(2026, 11, 21, tzinfo=dt.UTC))
    assert [", ".join(e.phrases) for e in found] == ["renamed seven to t", "renamed six to seven", "renamed t to six"]


def test_a_file_git_status_lists_twice_is_one_working_version(repo: Repo) -> None:
    repo.task(TASK, "todo")
    repo.commit("create", "2026-11-20T10:00:00+00:00")
    git(repo.root, "rm", "-q", "--cached", TASK)  # staged as deleted, and untracked: `D ` and `??` for one path
    versions = repo.history().versions("t")
    assert [v.commit is None for v in versions] == [True, False]
