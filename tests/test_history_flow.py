"""Flow metrics from status history, checked to the hour, and the `wm flow` / `wm activity` / `wm digest` commands."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

import pytest
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st
from test_history_support import Repo, git

from workspace_tool.config import load_settings
from workspace_tool.history.flow import done_dates, flow_report, iso_week, percentile, task_flow
from workspace_tool.history.model import DocHistory, Version

NOW = dt.datetime(2026, 1, 20, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.write("people/alice.md", "---\nname: Alice\nemail: alice@example.com\n---\n")
    repo.task("projects/web/tasks/build.md", "todo", estimate="2d", assignee="alice", due="2026-11-24")
    repo.task("tasks/old.md", "done", done="2025-12-01", created="2025-11-20")
    repo.commit("plan", "2026-01-05T09:00:00+00:00")
    repo.task("projects/web/tasks/build.md", "in-progress", estimate="3d", assignee="alice", due="2026-11-24")
    repo.commit("start", "2026-01-06T13:00:00+00:00", author=("Bob", "bob@example.com"))
    repo.task("projects/web/tasks/build.md", "review", estimate="3d", assignee="alice", due="2026-11-24")
    repo.commit("review", "2026-01-08T10:00:00+00:00")
    repo.task("projects/web/tasks/build.md", "done", estimate="3d", assignee="alice", due="2026-11-24")
    repo.commit("done", "2026-01-09T16:00:00+00:00")
    return repo


def task(report: dict[str, Any], task_id: str) -> dict[str, Any]:
    return next(t for t in report["tasks"] if t["id"] == task_id)


def test_lead_cycle_and_time_in_status_to_the_hour(repo: Repo) -> None:
    report = flow_report(repo.history(), dt.date(2026, 1, 20), NOW)
    build = task(report, "build")
    assert build["created_at"] == "2026-01-05T09:00:00+00:00"
    assert build["started_at"] == "2026-01-06T13:00:00+00:00"
    assert build["done_at"] == "2026-01-09T16:00:00+00:00"
    assert build["lead_days"] == round((4 * 24 + 7) / 24, 4)
    assert build["cycle_days"] == round((3 * 24 + 3) / 24, 4)
    assert build["time_in_status_days"] == {
        "todo": round(28 / 24, 4),
        "in-progress": round(45 / 24, 4),
        "review": round(30 / 24, 4),
    }
    assert build["project"] == "web"


def test_task_done_before_history_uses_done_and_created_dates(repo: Repo) -> None:
    old = task(flow_report(repo.history(), dt.date(2026, 1, 20), NOW), "old")
    assert old["created_at"] == "2025-11-20T00:00:00+00:00"
    assert old["done_at"] == "2025-12-01T00:00:00+00:00"
    assert old["lead_days"] == 11.0 and old["cycle_days"] is None


def test_series_throughput_cumulative_flow_and_burndown(repo: Repo) -> None:
    report = flow_report(repo.history(), dt.date(2026, 1, 10), NOW, start=dt.date(2026, 1, 5))
    series = report["workspace"]
    assert series["throughput"] == {iso_week(dt.date(2026, 1, 9)): 1}
    flow = {row["date"]: row for row in series["cumulative_flow"]}
    assert flow["2026-01-05"]["todo"] == 1 and flow["2026-01-05"]["done"] == 0
    assert flow["2026-01-07"]["in-progress"] == 1
    assert flow["2026-01-09"]["done"] == 1
    burn = {row["date"]: row for row in series["burndown"]}
    assert burn["2026-01-05"]["scope_hours"] == 16 and burn["2026-01-06"]["scope_change_hours"] == 8
    assert burn["2026-01-09"]["remaining_hours"] == 0 and burn["2026-01-09"]["done_hours"] == 24
    assert [w["count"] for w in series["wip"]] == [0, 1, 1, 1, 0, 0]
    assert set(report["projects"]) == {"web"}
    assert series["cycle_time_days"]["count"] == 1


def test_series_count_the_days_before_the_first_commit_from_created_and_done_dates(tmp_path: Path) -> None:
    """A workspace put in git after the work began: its tasks count from their `created:` dates, in the first status,
    and done from their `done:` dates, not only from the first commit (the charts were zero up to it, then jumped)."""
    repo = Repo(tmp_path / "repo")
    repo.task("projects/web/tasks/shipped.md", "done", estimate="1d", created="2026-01-01", done="2026-01-03")
    repo.task("projects/web/tasks/doing.md", "in-progress", estimate="2d", created="2026-01-02")
    repo.task("projects/web/tasks/dropped.md", "cancelled", estimate="1d", created="2026-01-01")
    repo.commit("put the project in git", "2026-01-06T09:00:00+00:00")
    report = flow_report(repo.history(), dt.date(2026, 1, 7), NOW)
    assert report["from"] == "2026-01-01"
    flow = {row["date"]: row for row in report["projects"]["web"]["cumulative_flow"]}
    counts = {day: (row["todo"], row["in-progress"], row["done"], row["cancelled"]) for day, row in flow.items()}
    assert counts == {
        "2026-01-01": (1, 0, 0, 1), "2026-01-02": (2, 0, 0, 1), "2026-01-03": (1, 0, 1, 1), "2026-01-04": (1, 0, 1, 1),
        "2026-01-05": (1, 0, 1, 1), "2026-01-06": (0, 1, 1, 1), "2026-01-07": (0, 1, 1, 1),
    }
    burn = {row["date"]: (row["scope_hours"], row["done_hours"], row["remaining_hours"]) for row in report["projects"]["web"]["burndown"]}
    assert burn["2026-01-01"] == (8, 0, 8) and burn["2026-01-02"] == (24, 0, 24)
    assert burn["2026-01-03"] == (24, 8, 16) and burn["2026-01-06"] == (24, 8, 16)  # nothing jumps at the first commit
    shipped, doing = task(report, "shipped"), task(report, "doing")
    assert shipped["done_at"] == "2026-01-03T00:00:00+00:00" and shipped["lead_days"] == 2.0
    assert doing["started_at"] == "2026-01-06T09:00:00+00:00"  # when it started is not known: the task's own dates keep to history


def test_done_dates_for_the_scheduler(repo: Repo) -> None:
    dates = repo.history().done_dates()
    assert dates["build"].isoformat() == "2026-01-09T16:00:00+00:00"
    assert dates["old"].isoformat() == "2025-12-01T00:00:00+00:00"


def test_scheduler_done_dates_of_committed_tasks_are_kept_until_head_moves(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """`done_dates_from` keeps committed tasks' dates in `.wm/done-dates.marshal`: the next run walks only the working
    copy's tasks, and a new commit walks them all again (the kept dates are by HEAD)."""
    import os

    from workspace_tool.history import flow, load_history
    from workspace_tool.history.done_cache import DONE_CACHE
    from workspace_tool.scheduling.adapter import done_dates_from
    from workspace_tool.workspace import load_index

    walked: list[str] = []
    real = flow._entered_done
    monkeypatch.setattr(flow, "_entered_done", lambda doc, workflow: walked.append(doc.id) or real(doc, workflow))

    def dates() -> dict[str, str]:
        walked.clear()
        index = load_index(repo.ws, dt.date(2026, 1, 20))
        return {k: v.isoformat() for k, v in done_dates_from(index, load_history(index, progress=False)).items()}

    assert dates() == {"build": "2026-01-09"} and walked == ["build"]
    assert (repo.ws / DONE_CACHE).is_file()
    assert dates() == {"build": "2026-01-09"} and walked == []
    repo.task("tasks/extra.md", "done")  # done in the working copy only, dated by its file
    os.utime(repo.ws / "tasks/extra.md", (1768910400, 1768910400))  # 2026-01-20 12:00 UTC
    assert dates() == {"build": "2026-01-09", "extra": "2026-01-20"} and walked == ["extra"]
    repo.commit("extra", "2026-01-21T09:00:00+00:00")
    assert dates() == {"build": "2026-01-09", "extra": "2026-01-21"} and sorted(walked) == ["build", "extra"]
    assert dates() == {"build": "2026-01-09", "extra": "2026-01-21"} and walked == []
    repo.task("projects/web/tasks/build.md", "cancelled", estimate="3d", assignee="alice", due="2026-11-24")  # not committed
    os.utime(repo.ws / "projects/web/tasks/build.md", (1769083200, 1769083200))  # 2026-01-22 12:00 UTC
    assert dates() == {"build": "2026-01-22", "extra": "2026-01-21"} and walked == ["build"]  # another done status, entered now


def test_done_dates_kept_from_an_incomplete_history_are_not_those_of_the_whole(repo: Repo) -> None:
    """A shallow clone dates an old done task at its first commit; the same HEAD, unshallowed, must not reuse that."""
    from dataclasses import dataclass

    from workspace_tool.history import done_cache

    @dataclass
    class Seen:
        head: str
        settings: object
        complete: bool
        working_paths: frozenset[str] = frozenset()

    settings = load_settings("", "workspace.yml")[0]
    done_cache.save(repo.ws, Seen("abc", settings, False), {"old": ("2026-01-01", "x")})
    assert done_cache.load(repo.ws, Seen("abc", settings, False)) == {"old": ("2026-01-01", "x")}
    assert done_cache.load(repo.ws, Seen("abc", settings, True)) == {}


def test_percentile_nearest_rank() -> None:
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.85) == 9
    assert percentile([], 0.85) is None


# -- the commands --------------------------------------------------------


def run(wm: Callable[..., Result], repo: Repo, *args: str) -> Result:
    return wm("-C", str(repo.ws), *args)


def test_flow_command_json(wm: Callable[..., Result], repo: Repo) -> None:
    result = run(wm, repo, "flow", "--project", "web", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [t["id"] for t in data["tasks"]] == ["build"]
    assert data["workspace"] is None and "web" in data["projects"]
    assert "throughput" in data["projects"]["web"] and "cumulative_flow" in data["projects"]["web"]


def test_history_command_json_shape(wm: Callable[..., Result], repo: Repo) -> None:
    result = run(wm, repo, "history", "build", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"id", "path", "complete", "versions"}
    assert data["id"] == "build" and data["complete"] is True
    newest = data["versions"][0]
    assert set(newest) >= {"commit", "author", "email", "date", "message", "path", "deleted", "unparseable", "changes"}
    assert newest["date"] == "2026-01-09T16:00:00+00:00"
    assert newest["changes"] == [{"field": "status", "old": "review", "new": "done"}]
    text = run(wm, repo, "history", "build", "--diff").stdout
    assert "status: review -> done" in text and "+status: done" in text


def test_diff_command(wm: Callable[..., Result], repo: Repo) -> None:
    sha = repo.history().versions("build")[1].commit or ""
    result = run(wm, repo, "diff", "build", sha[:8])
    assert result.exit_code == 0, result.output
    assert "-status: in-progress" in result.stdout and "+status: review" in result.stdout
    assert run(wm, repo, "diff", "build", "deadbeef").exit_code != 0


def test_activity_in_words(wm: Callable[..., Result], repo: Repo) -> None:
    result = run(wm, repo, "activity", "--since", "2026-01-01", "--who", "alice")
    assert result.exit_code == 0, result.output
    assert "alice moved build to review" in result.stdout
    assert "2026-01-08 (Thu)" in result.stdout
    data = json.loads(run(wm, repo, "activity", "--since", "2026-01-01", "--project", "web", "--json").stdout)
    assert {e["id"] for e in data["events"]} == {"build"}
    assert any(e["text"] == "Bob moved build to in-progress, changed estimate of build from 2d to 3d" for e in data["events"])


def test_activity_and_digest_stop_at_a_pinned_today(wm: Callable[..., Result], repo: Repo) -> None:
    """With --today in the past, what happened after that day is not listed (as on the site)."""
    result = run(wm, repo, "--today", "2026-01-07", "activity", "--since", "2026-01-01", "--json")
    texts = [e["text"] for e in json.loads(result.stdout)["events"]]
    assert any("moved build to in-progress" in t for t in texts)
    assert not any("to review" in t or "to done" in t for t in texts)  # 2026-01-08 and 2026-01-09
    digest = run(wm, repo, "--today", "2026-01-07", "digest", "--who", "alice", "--since", "2026-01-01").stdout
    assert "in-progress" in digest and "review" not in digest


def test_flow_stops_at_a_pinned_today(wm: Callable[..., Result], repo: Repo) -> None:
    """Tasks, throughput and cycle times as they were that day, like the series, `wm activity` and the site."""
    repo.task("tasks/later.md", "todo", estimate="1d")
    repo.commit("a task made after that day", "2026-01-08T09:00:00+00:00")
    report = json.loads(run(wm, repo, "--today", "2026-01-07", "flow", "--json").stdout)
    build = task(report, "build")
    assert (build["status"], build["done_at"], build["cycle_days"]) == ("in-progress", None, None)
    assert "review" not in build["entered"]
    assert "later" not in [t["id"] for t in report["tasks"]]
    assert report["workspace"]["throughput"] == {"2025-W49": 1}  # the old task only: build was done on 01-09
    assert report["workspace"]["cycle_time_days"]["count"] == 0
    assert report["workspace"]["wip"][-1]["count"] == 1
    whole = json.loads(run(wm, repo, "--today", "2026-01-20", "flow", "--json").stdout)
    assert task(whole, "build")["status"] == "done" and "later" in [t["id"] for t in whole["tasks"]]


def test_a_workflow_s_own_cancelled_status_is_no_throughput_and_no_scope(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("workspace.yml", "name: test\nworkflows:\n  task:\n    statuses: [todo, doing, done, dropped]\n    done: [done, dropped]\n")
    repo.task("tasks/a.md", "todo", estimate="4h")
    repo.task("tasks/b.md", "todo", estimate="4h")
    repo.commit("plan", "2026-01-05T09:00:00+00:00")
    repo.task("tasks/a.md", "done", estimate="4h")
    repo.task("tasks/b.md", "dropped", estimate="4h")
    repo.commit("one done, one dropped", "2026-01-06T09:00:00+00:00")
    series = flow_report(repo.history(), dt.date(2026, 1, 7), NOW)["workspace"]
    assert series["throughput"] == {iso_week(dt.date(2026, 1, 6)): 1}  # a only
    burn = {row["date"]: row for row in series["burndown"]}
    assert burn["2026-01-05"]["scope_hours"] == 8 and burn["2026-01-06"]["scope_hours"] == 4  # b left the scope


def test_board_says_how_long_each_open_card_has_been_in_its_column(wm: Callable[..., Result], tmp_path: Path) -> None:
    """From the commit that moved the task there; in the first status since its first version, from `created:`;
    nothing for a task in another status since its first commit (when it got there is not known) or a done one."""
    repo = Repo(tmp_path / "repo")
    repo.task("tasks/build.md", "todo")
    repo.task("tasks/idea.md", "todo", created="2025-12-31")
    repo.task("tasks/legacy.md", "in-progress")
    repo.task("tasks/shipped.md", "done", done="2025-12-01")
    repo.commit("plan", "2026-01-05T09:00:00+00:00")
    repo.task("tasks/build.md", "in-progress")
    repo.commit("start", "2026-01-06T13:00:00+00:00")
    repo.task("tasks/build.md", "review")
    repo.commit("review", "2026-01-08T10:00:00+00:00")
    result = run(wm, repo, "--today", "2026-01-20", "board", "--json")
    assert result.exit_code == 0, result.output
    cards = {card["id"]: (card["entered"], card["days_in_column"]) for column in json.loads(result.stdout) for card in column["cards"]}
    assert cards == {"build": ("2026-01-08", 12), "idea": ("2025-12-31", 20), "legacy": (None, None), "shipped": (None, None)}
    text = run(wm, repo, "--today", "2026-01-20", "board").stdout
    assert "12 d · " in text and "20 d · " in text
    assert "d · " not in run(wm, repo, "--today", "2026-01-20", "board", "--no-history").stdout
    assert "today · " in run(wm, repo, "--today", "2026-01-08", "board").stdout


def test_board_in_a_repository_without_commits_warns_of_nothing(wm: Callable[..., Result], tmp_path: Path) -> None:
    """The history only adds the days in a column to the board: a repository with no commits yet (just after
    `wm init`) is no reason for a warning on every `wm board`, as it is for `wm history`."""
    repo = Repo(tmp_path / "repo")
    repo.task("tasks/build.md", "todo")
    result = run(wm, repo, "board")
    assert result.exit_code == 0 and "build" in result.stdout
    assert result.stderr == ""
    assert "no commits yet" in run(wm, repo, "activity", "--since", "2026-01-01").stderr


def test_activity_sums_up_a_large_commit(wm: Callable[..., Result], tmp_path: Path) -> None:
    """One commit that created six tasks: its first three changes and a line saying how many more; --all lists
    every one, and --json has every one."""
    repo = Repo(tmp_path / "repo")
    for n in range(6):
        repo.task(f"tasks/t{n}.md", "todo")
    commit = repo.commit("plan", "2026-01-05T09:00:00+00:00")
    repo.task("tasks/t0.md", "in-progress")
    repo.commit("start", "2026-01-06T13:00:00+00:00")
    text = run(wm, repo, "activity", "--since", "2026-01-01").stdout
    assert len([line for line in text.splitlines() if "created task" in line]) == 3
    assert f"… and 3 more changes in commit {commit[:7]} (--all lists every one)" in text
    assert "moved t0 to in-progress" in text  # a commit of one change is listed as it is
    every = run(wm, repo, "activity", "--since", "2026-01-01", "--all").stdout
    assert len([line for line in every.splitlines() if "created task" in line]) == 6 and "more changes" not in every
    assert len(json.loads(run(wm, repo, "activity", "--since", "2026-01-01", "--json").stdout)["events"]) == 7


def test_digest_markdown(wm: Callable[..., Result], repo: Repo) -> None:
    result = run(wm, repo, "digest", "--who", "alice", "--since", "2026-01-01")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Digest for alice")
    assert "## Changes to your work" in result.stdout and "alice moved build to done" in result.stdout
    assert "## Due and overdue" in result.stdout


def test_digest_groups_changes_by_project_and_sums_up_a_large_commit(wm: Callable[..., Result], tmp_path: Path) -> None:
    """A digest lists the person's changes under their project's title, the project changed last first, and of a
    commit that made many changes, the first three and how many more (`--all`: every one); a commit of four is
    listed whole, since "1 more change" would save no line."""
    repo = Repo(tmp_path / "repo")
    repo.write("projects/web/project.md", "---\ntitle: New website\nstatus: active\n---\n")
    repo.write("projects/app/project.md", "---\ntitle: Mobile app\nstatus: active\n---\n")
    for n in range(6):
        repo.task(f"projects/web/tasks/w{n}.md", "todo", assignee="alice")
    for n in range(4):
        repo.task(f"projects/app/tasks/a{n}.md", "todo", assignee="alice")
    bulk = repo.commit("plan", "2026-01-05T09:00:00+00:00")
    repo.task("tasks/loose.md", "todo", assignee="alice")
    repo.commit("loose", "2026-01-06T13:00:00+00:00")
    repo.task("projects/app/tasks/a0.md", "in-progress", assignee="alice")
    repo.commit("start", "2026-01-07T13:00:00+00:00")
    text = run(wm, repo, "--today", "2026-01-10", "digest", "--who", "alice", "--since", "2026-01-01").stdout
    headings = [line for line in text.splitlines() if line.startswith("### ")]
    assert headings == ["### Mobile app (app)", "### Not in a project", "### New website (web)"]
    web = text.split("### New website (web)")[1].split("## Decisions")[0]
    assert len([line for line in web.splitlines() if "created task w" in line]) == 3
    assert f"- … and 3 more changes in commit {bulk[:7]} (`wm digest --all` lists every one)" in web
    app = text.split("### Mobile app (app)")[1].split("### ")[0]
    assert "moved a0 to in-progress" in app and len([line for line in app.splitlines() if "created task a" in line]) == 4
    every = run(wm, repo, "--today", "2026-01-10", "digest", "--who", "alice", "--since", "2026-01-01", "--all").stdout
    assert len([line for line in every.splitlines() if "created task w" in line]) == 6 and "more change" not in every


def test_not_found_and_bad_since(wm: Callable[..., Result], repo: Repo) -> None:
    assert run(wm, repo, "history", "nope").exit_code == 1
    assert run(wm, repo, "activity", "--since", "soon").exit_code == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("activity", "--since", "2026-01-01", "--who", "zed"), "no person 'zed'; valid people: alice"),
        (("activity", "--since", "2026-01-01", "--project", "wbe"), "no project 'wbe'; valid projects:"),
        (("digest", "--who", "alcie"), "no person 'alcie' (did you mean 'alice'?); valid people: alice"),
        (("flow", "--project", "wbe"), "no project 'wbe'; valid projects:"),
    ],
)
def test_a_who_or_project_that_names_nothing_is_refused(wm: Callable[..., Result], repo: Repo, args: tuple[str, ...], message: str) -> None:
    """A typo gave "no changes", a digest of nothing or an empty flow report, as if all were well."""
    result = run(wm, repo, *args)
    assert result.exit_code != 0 and message in result.stderr


def test_a_git_author_who_is_no_person_can_still_be_asked_about(wm: Callable[..., Result], repo: Repo) -> None:
    result = run(wm, repo, "activity", "--since", "2026-01-01", "--who", "Bob")
    assert result.exit_code == 0 and "Bob moved build to in-progress" in result.stdout


def test_a_deleted_task_is_not_listed_but_counted_while_it_existed(wm: Callable[..., Result], tmp_path: Path) -> None:
    """list, board and the scope total leave a deleted task out; flow listed it as open work."""
    repo = Repo(tmp_path / "repo")
    repo.task("tasks/keep.md", "todo", estimate="1d")
    repo.task("tasks/drop.md", "todo", estimate="2d")
    repo.commit("plan", "2026-01-05T09:00:00+00:00")
    (repo.ws / "tasks/drop.md").unlink()
    repo.commit("drop", "2026-01-07T09:00:00+00:00")
    data = json.loads(run(wm, repo, "--today", "2026-01-08", "flow", "--json").stdout)
    assert [t["id"] for t in data["tasks"]] == ["keep"]
    scope = {day["date"]: day["scope_hours"] for day in data["workspace"]["burndown"]}
    assert scope["2026-01-05"] == 24 and scope["2026-01-08"] == 8
    assert "drop" not in run(wm, repo, "--today", "2026-01-08", "flow").stdout


def test_flow_text_without_a_finished_task_says_so(wm: Callable[..., Result], tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.task("tasks/a.md", "todo")
    repo.commit("plan", "2026-01-05T09:00:00+00:00")
    text = run(wm, repo, "flow").stdout
    assert "cycle time (days): no task has gone from started to done yet" in text and "None" not in text


def test_flow_text_rounds_days_as_its_table_does(wm: Callable[..., Result], repo: Repo) -> None:
    text = run(wm, repo, "flow").stdout
    assert "cycle time (days): 1 done, average 3.1, median 3.1, 85th percentile 3.1" in text


def test_commands_leave_no_git_process(wm: Callable[..., Result], repo: Repo) -> None:
    from test_history_support import git_children

    for args in (("history", "build", "--diff"), ("diff", "build"), ("activity", "--since", "1y"), ("flow",)):
        assert run(wm, repo, *args).exit_code == 0
        assert git_children() == []


def test_progress_bar_only_on_a_terminal() -> None:
    import io

    from workspace_tool.history import progress

    quiet = io.StringIO()
    meter = progress.Progress("reading", 10, stream=quiet)
    meter.advance(5)
    meter.close()
    assert quiet.getvalue() == ""  # not a terminal
    shown = io.StringIO()
    meter = progress.Progress("reading", 10, stream=shown, enabled=True)
    meter._start -= progress.DELAY  # as if half a second had passed
    meter.advance(5)
    assert "reading [" in shown.getvalue() and "5/10" in shown.getvalue()
    meter.close()
    assert shown.getvalue().endswith("\r")


_STEP = st.one_of(
    st.sampled_from(["todo", "in-progress", "review", "done", "cancelled", None, ""]).map(lambda s: ("status", s)),
    st.just(("deleted", None)),
    st.just(("unparseable", None)),
    st.sampled_from(["2025-12-01", "not a date"]).map(lambda d: ("done-key", d)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_STEP, min_size=0, max_size=7), min_size=1, max_size=5))
def test_done_dates_agree_with_task_flow(docs: list[list[tuple[str, Any]]]) -> None:
    """The scheduler's fast walk over statuses gives `task_flow`'s done date for every document, and `only` filters."""
    settings_, problems = load_settings("", "workspace.yml")
    assert not problems
    workflow = settings_.workflow("task")
    assert workflow is not None
    histories = []
    for n, steps in enumerate(docs):
        versions, fields = [], {"status": "todo"}
        for k, (kind, value) in enumerate(steps):
            at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=k)
            if kind == "deleted":
                versions.append(Version(f"c{k}", "A", "a@x", at, "m", f"t{n}.md", f"t{n}", "task", deleted=True))
                continue
            if kind == "unparseable":
                versions.append(Version(f"c{k}", "A", "a@x", at, "m", f"t{n}.md", f"t{n}", "task", unparseable=True))
                continue
            fields = {**fields, "status": value} if kind == "status" else {**fields, "done": value}
            versions.append(Version(f"c{k}", "A", "a@x", at, "m", f"t{n}.md", f"t{n}", "task", fields=fields))
        histories.append(DocHistory(f"t{n}", "task", f"t{n}.md", tuple(versions)))
    history = SimpleNamespace(settings=settings_, documents=histories, working_paths=frozenset({"t1.md"}))
    expected = {}
    for doc in histories:
        flow = task_flow(doc, workflow, settings_, NOW) if not doc.deleted else None
        if flow is not None and flow.done_at is not None:
            expected[doc.id] = flow.done_at
    assert done_dates(history) == expected
    assert done_dates(history, {"t0"}) == {k: v for k, v in expected.items() if k == "t0"}
    kept: dict[str, Any] = {}
    assert done_dates(history, None, kept) == expected  # walked, and kept for the committed files
    assert "t1.md" not in kept and all(entry[0] == path[:-3] for path, entry in kept.items())
    assert done_dates(history, None, kept) == expected  # from what was kept
    damaged = {path: (entry[0], "not a date") for path, entry in kept.items()} | {"t0.md": ("another-id", None)}
    assert done_dates(history, None, damaged) == expected


def test_activity_builds_only_the_documents_changed_since(tmp_path: Path) -> None:
    """`events` skips documents whose newest version is older than `since` without building their versions, and misses nothing."""
    from workspace_tool.history.activity import events

    repo = Repo(tmp_path / "repo")
    for n in range(6):
        repo.task(f"tasks/t{n}.md", "todo")
    repo.commit("plan", "2026-01-01T09:00:00+00:00")
    repo.task("tasks/t1.md", "in-progress")
    repo.commit("start t1", "2026-01-10T09:00:00+00:00")
    repo.task("tasks/t2.md", "done")
    repo.commit("finish t2", "2026-01-12T09:00:00+00:00")
    repo.task("tasks/t3.md", "review")  # uncommitted: the working copy's version is the newest
    repo.history()  # writes the cache
    history = repo.history()  # read from it: versions are built on first use
    since = dt.datetime(2026, 1, 9, tzinfo=dt.UTC)
    found = events(history.documents, {}, since)
    assert sorted(e.doc_id for e in found) == ["t1", "t2", "t3"]
    built = [d.id for d in history.documents if "lazy" not in repr(d)]
    assert sorted(built) == ["t1", "t2", "t3"]  # the three untouched ones were never built
    fresh = repo.history(use_cache=False)
    naive = sorted((v.date, v.doc_id) for d in fresh.documents for v in d.versions if v.date >= since)
    assert sorted((e.date, e.doc_id) for e in found) == naive


@given(st.one_of(st.none(), st.text(max_size=8), st.sampled_from(["3d", "1w", "2.5h", "90m", "1h30m", " 2d ", "x"]), st.integers(-3, 40)))
@settings(max_examples=200)
def test_hours_kept_by_text_are_the_hours_of_each_calendar(value: Any) -> None:
    from workspace_tool.history import flow
    from workspace_tool.values import parse_duration

    for text in ("", "calendar:\n  hours_per_day: 6\n  days_per_week: 4\n"):
        calendar = load_settings(text, "workspace.yml")[0].calendar
        try:
            expected = 0.0 if value is None else parse_duration(value, calendar.hours_per_day, calendar.days_per_week).hours
        except ValueError:
            expected = 0.0
        for _ in range(2):  # the second read is the kept one
            assert flow._hours(value, load_settings(text, "workspace.yml")[0]) == expected


_STEP = st.builds(
    lambda day, hour, status, estimate, exists: (day, hour, status, estimate, exists),
    st.integers(0, 400), st.integers(0, 23), st.sampled_from(["todo", "in-progress", "review", "done", "cancelled"]),
    st.sampled_from([0.0, 2.0, 8.0, 16.5]), st.booleans(),
)


@given(st.lists(st.lists(_STEP, min_size=1, max_size=6), max_size=8), st.integers(2, 500), st.integers(1, 40))
@settings(max_examples=150, deadline=None)
def test_every_nth_days_rows_are_those_of_the_daily_series(tasks: list[list[Any]], days: int, every: int) -> None:
    from workspace_tool.history.flow import Step, TaskFlow, series

    workflow = load_settings("", "workspace.yml")[0].workflow("task")
    assert workflow is not None
    start = dt.date(2025, 6, 1)
    flows = []
    for n, raw in enumerate(tasks):
        steps = tuple(
            Step(dt.datetime(2025, 5, 20, hour, tzinfo=dt.UTC) + dt.timedelta(days=day), status, estimate, exists)
            for day, hour, status, estimate, exists in sorted(raw)
        )
        last = steps[-1]
        done = last.at if last.status in ("done", "cancelled") else None
        flows.append(TaskFlow(f"t{n}", None, last.status, steps[0].at, None, done, {}, {}, steps, cancelled=last.status == "cancelled"))
    end = start + dt.timedelta(days=days - 1)
    daily = series(flows, workflow, start, end)
    sampled = series(flows, workflow, start, end, every=every)
    for name in ("cumulative_flow", "wip", "burndown"):
        rows = daily[name]
        assert sampled[name] == [row for i, row in enumerate(rows) if i % every == 0 or i == len(rows) - 1]
    assert {k: v for k, v in sampled.items() if k not in ("cumulative_flow", "wip", "burndown")} == {
        k: v for k, v in daily.items() if k not in ("cumulative_flow", "wip", "burndown")
    }


def test_digest_due_items_are_the_agenda_s(wm: Callable[..., Result], repo: Repo) -> None:
    """The digest's "Due and overdue" left out a risk its person owns and took one day more than `wm agenda`."""
    repo.write("risks/vendor.md", "---\ntitle: Vendor may slip\nstatus: open\nowner: alice\ndue: 2026-01-12\n---\n")
    repo.task("projects/web/tasks/later.md", "todo", assignee="alice", due="2026-01-17")  # the eighth day
    repo.task("projects/web/tasks/late.md", "todo", assignee="alice", due="2026-01-02")
    repo.commit("more", "2026-01-09T17:00:00+00:00")
    digest = run(wm, repo, "--today", "2026-01-10", "digest", "--who", "alice", "--since", "2026-01-01").stdout
    due = digest.split("## Due and overdue", 1)[1]
    assert "vendor: Vendor may slip (due 2026-01-12, open)" in due and "late" in due and "later" not in due
    agenda = run(wm, repo, "--today", "2026-01-10", "agenda", "--who", "alice").stdout
    assert "vendor" in agenda and "later" not in agenda


def test_diff_at_a_commit_git_names(wm: Callable[..., Result], repo: Repo) -> None:
    """HEAD~1, a branch: the version the document had then (made in that commit or before it)."""
    repo.write("notes.md", "---\ntitle: Notes\n---\n")
    repo.commit("unrelated", "2026-01-10T09:00:00+00:00")
    at_head = run(wm, repo, "diff", "build", "HEAD")
    assert at_head.exit_code == 0 and "-status: review" in at_head.stdout and "+status: done" in at_head.stdout
    earlier = run(wm, repo, "diff", "build", "HEAD~2")
    assert "-status: in-progress" in earlier.stdout and "+status: review" in earlier.stdout
    assert "+status: done" in run(wm, repo, "diff", "build", "main").stdout
    unknown = run(wm, repo, "diff", "build", "no-such-branch")
    assert unknown.exit_code != 0 and "no commit git knows by that name" in unknown.stderr
    before = run(wm, repo, "diff", "notes", "HEAD~1")
    assert before.exit_code != 0 and "notes did not exist yet at 'HEAD~1'" in before.stderr


def test_a_version_dated_before_the_one_it_follows_never_makes_a_time_negative(tmp_path: Path) -> None:
    """A rebased or cherry-picked commit keeps its author date: done 'before' it started."""
    repo = Repo(tmp_path / "repo")
    repo.task("projects/p/project.md", "active")
    repo.task("projects/p/tasks/t.md", "todo")
    repo.commit("create", "2026-11-15T10:00:00+00:00")
    repo.task("projects/p/tasks/t.md", "in-progress")
    repo.commit("start", "2026-11-17T10:00:00+00:00")
    repo.task("projects/p/tasks/t.md", "done")
    repo.commit("done (rebased, author date kept)", "2026-11-16T10:00:00+00:00")
    report = flow_report(repo.history(), dt.date(2026, 11, 20), NOW)
    t = task(report, "t")
    assert t["lead_days"] == 2.0 and t["cycle_days"] == 0.0
    assert t["time_in_status_days"] == {"todo": 2.0, "in-progress": 0.0}
    assert all(v >= 0 for v in report["workspace"]["cycle_time_days"].values() if isinstance(v, (int, float)))


def test_a_merged_branch_keeps_its_dates_when_main_has_a_later_commit(tmp_path: Path) -> None:
    """An ordinary `git pull` after a commit of your own: the branch's status changes keep their own dates (team audit #3)."""
    repo = Repo(tmp_path / "repo")
    repo.task("projects/p/project.md", "active")
    repo.task("projects/p/tasks/t.md", "todo", estimate="2d")
    repo.commit("create", "2026-12-01T10:00:00+00:00")
    git(repo.root, "checkout", "-q", "-b", "alice")
    repo.task("projects/p/tasks/t.md", "in-progress", estimate="2d")
    repo.commit("start", "2026-12-07T10:00:00+00:00")
    repo.task("projects/p/tasks/t.md", "done", estimate="2d")
    repo.commit("done", "2026-12-09T10:00:00+00:00")
    git(repo.root, "checkout", "-q", "main")
    repo.task("projects/p/tasks/t.md", "todo", estimate="4d")
    repo.commit("estimate on main", "2026-12-11T10:00:00+00:00", author=("Bob", "bob@example.com"))
    git(repo.root, "merge", "-q", "alice", check=False)
    repo.task("projects/p/tasks/t.md", "done", estimate="4d")
    repo.commit("merge alice", "2026-12-11T11:00:00+00:00", author=("Bob", "bob@example.com"))
    report = flow_report(repo.history(), dt.date(2026, 12, 31), NOW.replace(year=2026, month=12, day=31))
    t = task(report, "t")
    assert (t["started_at"], t["done_at"], t["cycle_days"]) == ("2026-12-07T10:00:00+00:00", "2026-12-09T10:00:00+00:00", 2.0)
    assert t["time_in_status_days"] == {"todo": 6.0, "in-progress": 2.0}  # done is not waiting, though edited after
    burn = {row["date"]: row for row in report["workspace"]["burndown"]}
    # done on the 9th at the branch's estimate; main's later estimate edit changes the size of done work, not its state
    assert burn["2026-12-09"]["remaining_hours"] == 0 and burn["2026-12-10"]["remaining_hours"] == 0
    assert burn["2026-12-11"]["done_hours"] == 32 and burn["2026-12-11"]["remaining_hours"] == 0


def test_a_rebased_commit_counts_from_the_commit_it_was_replayed_on(tmp_path: Path) -> None:
    """`git pull --rebase`: the replayed commit keeps its older author date but descends from main's later one."""
    repo = Repo(tmp_path / "repo")
    repo.task("projects/p/project.md", "active")
    repo.task("projects/p/tasks/t.md", "todo")
    repo.commit("create", "2026-12-01T10:00:00+00:00")
    git(repo.root, "checkout", "-q", "-b", "mine")
    repo.task("projects/p/tasks/t.md", "done")
    repo.commit("done here", "2026-12-05T10:00:00+00:00")
    git(repo.root, "checkout", "-q", "main")
    repo.task("projects/p/tasks/t.md", "in-progress")
    repo.commit("started upstream", "2026-12-08T10:00:00+00:00")
    git(repo.root, "checkout", "-q", "mine")
    git(repo.root, "rebase", "-q", "main", check=False)
    repo.task("projects/p/tasks/t.md", "done")
    git(repo.root, "add", "-A")
    git(repo.root, "-c", "core.editor=true", "rebase", "--continue", date="2026-12-09T10:00:00+00:00", check=False)
    assert "done here" in git(repo.root, "log", "-1", "--format=%s")
    t = task(flow_report(repo.history(), dt.date(2026, 12, 31), NOW.replace(year=2026, month=12, day=31)), "t")
    assert (t["started_at"], t["done_at"]) == ("2026-12-08T10:00:00+00:00", "2026-12-08T10:00:00+00:00")
    assert all(days >= 0 for days in t["time_in_status_days"].values())


def test_activity_shows_a_commit_dated_minutes_ahead(wm: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A committer's clock a few minutes fast: `wm activity` and `wm digest` list the commit, as `wm history` does."""
    monkeypatch.delenv("WM_TODAY")  # today as it is, not pinned
    repo = Repo(tmp_path / "repo")
    repo.write("people/alice.md", "---\nname: Alice\nemail: alice@example.com\n---\n")
    repo.task("tasks/build.md", "todo", assignee="alice")
    ahead = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).replace(microsecond=0)
    if ahead.astimezone().date() != dt.date.today():
        pytest.skip("five minutes from now is tomorrow")
    repo.commit("plan", ahead.isoformat())
    result = run(wm, repo, "activity", "--since", "1d", "--json")
    assert result.exit_code == 0, result.output
    assert sorted(e["id"] for e in json.loads(result.stdout)["events"]) == ["alice", "build"]
    assert "build" in run(wm, repo, "digest", "--who", "alice", "--since", "1d").stdout


def test_activity_project_matches_in_any_case(wm: Callable[..., Result], repo: Repo) -> None:
    lower = run(wm, repo, "activity", "--since", "2026-01-01", "--project", "web", "--json")
    upper = run(wm, repo, "activity", "--since", "2026-01-01", "--project", "WEB", "--json")
    assert upper.exit_code == 0 and json.loads(upper.stdout)["events"] == json.loads(lower.stdout)["events"] != []


def test_done_dates_outside_git_are_the_files_dates_without_reading_the_workspace_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside a repository the scheduler dates an undated done task by its file's modification time, as `wm history`
    dates its one version, and reads only those files: loading the history re-read every file (6 s at 50,000)."""
    import os

    from scheduling_helpers import index_of, write_workspace

    from workspace_tool import history
    from workspace_tool.scheduling import adapter

    root = write_workspace(tmp_path, {"a": {"status": "done"}, "b": {"status": "cancelled"}, "c": {"status": "done", "done": "2026-01-02"}, "d": {}})
    os.utime(root / "projects/p/tasks/a.md", (1768910400, 1768910400))  # 2026-01-20 12:00 UTC
    os.utime(root / "projects/p/tasks/b.md", (1769083200, 1769083200))  # 2026-01-22 12:00 UTC
    index = index_of(root)
    expected = adapter.done_dates_from(index, history.load_history(index, progress=False))
    monkeypatch.setattr(history, "load_history", lambda *a, **k: pytest.fail("the whole history was loaded"))
    found = adapter.history_done_dates(index)
    assert found == expected
    assert {k: v.isoformat() for k, v in found.items()} == {"a": "2026-01-20", "b": "2026-01-22"}
    from workspace_tool.site import sources  # the site: no history (not read either), the same done dates

    assert sources._history(index) is None
    assert sources._done_dates(index, None) == expected
