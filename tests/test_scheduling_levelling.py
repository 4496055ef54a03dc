"""Levelling: competing tasks for one person, part-time capacity, leave and holidays, fixed starts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from scheduling_helpers import index_of, write_workspace

from workspace_tool.scheduling import Cause, Resource, SchedInput, SchedTask, WorkCalendar, schedule, schedule_index

MON = dt.date(2024, 1, 1)


def _at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2024, 1, day, hour)


def _plan(*tasks: SchedTask, capacity: float | None = None, leave: tuple[tuple[dt.date, dt.date], ...] = (), holidays: frozenset[dt.date] = frozenset()):  # type: ignore[no-untyped-def]
    cal = WorkCalendar(holidays=holidays)
    return schedule(SchedInput(MON, cal, tasks, {"ann": Resource("ann", capacity, None, leave)}))


def test_higher_priority_goes_first() -> None:
    plan = _plan(SchedTask("low", 8, assignee="ann", priority=3), SchedTask("high", 8, assignee="ann", priority=1))
    assert plan.tasks["high"].start_at == _at(1, 9)
    assert plan.tasks["low"].start_at == _at(2, 9)
    assert plan.tasks["low"].cause.kind == "resource" and plan.tasks["low"].cause.ref == "high"


def test_equal_priority_longer_chain_first_then_id() -> None:
    plan = _plan(
        SchedTask("a", 4, assignee="ann"),
        SchedTask("b", 4, assignee="ann"),
        SchedTask("c", 4, assignee="ann"),
        SchedTask("after-c", 16, depends_on=("c",)),
    )
    assert [t for t in sorted(plan.tasks, key=lambda k: plan.tasks[k].start_at) if t != "after-c"] == ["c", "a", "b"]
    assert plan.tasks["c"].end_at == _at(1, 13)
    assert plan.tasks["after-c"].start_at == _at(1, 13)


def test_ready_task_is_not_held_back_for_later_higher_priority() -> None:
    plan = _plan(
        SchedTask("gate", 2),
        SchedTask("urgent", 8, assignee="ann", priority=0, depends_on=("gate",)),
        SchedTask("filler", 8, assignee="ann", priority=3),
    )
    # as in TaskJuggler: urgent goes first once ready (11:00); filler uses the gaps around it
    assert plan.tasks["urgent"].start_at == _at(1, 11)
    assert plan.tasks["filler"].start_at == _at(1, 9)
    assert [(b.date.day, b.hours) for b in plan.tasks["filler"].bookings] == [(1, 2), (2, 6)]
    assert plan.tasks["filler"].end_at == _at(2, 17)


def test_competing_again_when_the_person_frees_up() -> None:
    # c becomes ready at 10:00 while ann works on a; when a ends, c (high) beats b (low, ready since 9:00).
    plan = _plan(
        SchedTask("a", 8, assignee="ann", priority=0),
        SchedTask("b", 8, assignee="ann", priority=3),
        SchedTask("gate", 1),
        SchedTask("c", 8, assignee="ann", priority=1, depends_on=("gate",)),
    )
    assert [plan.tasks[t].start_at for t in ("a", "c", "b")] == [_at(1, 9), _at(2, 9), _at(3, 9)]


def test_part_time_capacity_spreads_work() -> None:
    plan = _plan(SchedTask("t", 10, assignee="ann"), capacity=4)
    assert [(b.date.day, b.hours) for b in plan.tasks["t"].bookings] == [(1, 4), (2, 4), (3, 2)]
    assert plan.tasks["t"].end_at == _at(3, 11)


def test_part_time_second_task_same_day_after_the_first() -> None:
    plan = _plan(SchedTask("a", 2, assignee="ann", priority=0), SchedTask("b", 4, assignee="ann", priority=1), capacity=4)
    assert plan.tasks["b"].start_at == _at(1, 11)
    assert [(b.date.day, b.hours) for b in plan.tasks["b"].bookings] == [(1, 2), (2, 2)]
    assert plan.tasks["b"].end_at == _at(2, 11)


def test_leave_and_holiday_in_the_middle_of_a_task() -> None:
    plan = _plan(SchedTask("t", 24, assignee="ann"), leave=((dt.date(2024, 1, 2), dt.date(2024, 1, 2)),), holidays=frozenset({dt.date(2024, 1, 3)}))
    assert [b.date.day for b in plan.tasks["t"].bookings] == [1, 4, 5]
    free = _plan(SchedTask("u", 24), holidays=frozenset({dt.date(2024, 1, 3)}))
    assert [b.date.day for b in free.tasks["u"].bookings] == [1, 2, 4]


def test_weekend_is_skipped_and_dependency_starts_next_working_hour() -> None:
    plan = _plan(SchedTask("a", 36), SchedTask("b", 4, depends_on=("a",)))
    assert plan.tasks["a"].end_at == dt.datetime(2024, 1, 5, 13)
    assert plan.tasks["b"].start_at == dt.datetime(2024, 1, 5, 13)
    plan = _plan(SchedTask("a", 40), SchedTask("b", 4, depends_on=("a",)), SchedTask("m", milestone=True, depends_on=("a",)))
    assert plan.tasks["b"].start_at == dt.datetime(2024, 1, 8, 9)
    assert plan.tasks["m"].start == plan.tasks["m"].end == dt.date(2024, 1, 5)


def test_fixed_start_pins_and_over_allocates() -> None:
    plan = _plan(SchedTask("long", 24, assignee="ann", priority=0), SchedTask("pinned", 8, assignee="ann", start=dt.date(2024, 1, 2)))
    assert plan.tasks["pinned"].start_at == _at(2, 9)
    assert plan.tasks["long"].bookings[1].date == dt.date(2024, 1, 2)


def test_levelled_task_skips_days_full_of_pinned_work() -> None:
    plan = _plan(
        SchedTask("pinned", 16, assignee="ann", start=dt.date(2024, 1, 2)),
        SchedTask("gate", 8),
        SchedTask("later", 16, assignee="ann", priority=3, depends_on=("gate",)),
    )
    assert [b.date.day for b in plan.tasks["pinned"].bookings] == [2, 3]
    assert [b.date.day for b in plan.tasks["later"].bookings] == [4, 5]
    assert plan.tasks["later"].cause == Cause("resource", "pinned")


def test_zero_capacity_cycle_and_cancelled_dependency_are_warnings(tmp_path: Path) -> None:
    root = write_workspace(
        tmp_path,
        {
            "x": {"estimate": "1d", "depends_on": ["y"]},
            "y": {"estimate": "1d", "depends_on": ["x"]},
            "z": {"estimate": "1d", "depends_on": ["y"]},
            "idle": {"estimate": "1d", "assignee": "bob"},
            "after-idle": {"estimate": "1d", "depends_on": ["idle"]},
            "gone": {"estimate": "1d", "status": "cancelled"},
            "needs-gone": {"estimate": "1d", "depends_on": ["gone"]},
            "vague": {},
        },
        people={"bob": {"capacity": 0}},
    )
    plan = schedule_index(index_of(root))
    text = "\n".join(map(str, plan.warnings))
    assert "x: dependency cycle" in text and "y: dependency cycle" in text
    assert "z: depends on a task in a dependency cycle" in text
    assert "idle: not scheduled: assignee 'bob' has no working time" in text
    assert "after-idle: not scheduled: depends on 'idle'" in text
    assert "needs-gone: depends on cancelled task 'gone'" in text
    assert "vague: no estimate" in text
    assert plan.tasks["needs-gone"].start == dt.date(2024, 1, 1)
    assert "x" not in plan.tasks and "after-idle" not in plan.tasks


def test_parents_span_children_and_projects_span_tasks(tmp_path: Path) -> None:
    root = write_workspace(
        tmp_path,
        {
            "epic": {"estimate": "1d"},
            "c1": {"estimate": "1d", "parent": "epic"},
            "c2": {"estimate": "2d", "parent": "epic", "depends_on": ["c1"]},
            "pre": {"estimate": "1d"},
            "after": {"estimate": "1d", "depends_on": ["epic"]},
        },
    )
    (root / "projects/p/tasks/epic.md").write_text("---\ntitle: epic\ndepends_on: [pre]\n---\n", encoding="utf-8")
    plan = schedule_index(index_of(root))
    epic = plan.tasks["epic"]
    assert epic.summary and epic.start == dt.date(2024, 1, 2) and epic.end == dt.date(2024, 1, 4)
    assert epic.effort_hours == 24
    assert plan.tasks["after"].start == dt.date(2024, 1, 5)
    assert plan.projects["p"].start == dt.date(2024, 1, 1) and plan.projects["p"].end == dt.date(2024, 1, 5)


def test_effort_uses_remaining_then_logged_time(tmp_path: Path) -> None:
    root = write_workspace(
        tmp_path,
        {
            "rem": {"estimate": "2d", "remaining": "3h"},
            "wip": {"estimate": "10h", "status": "in-progress"},
            "fresh": {"estimate": "10h"},
            "shipped": {"estimate": "10h", "status": "done", "done": "2023-12-20"},
        },
    )
    (root / "timelogs").mkdir()
    (root / "timelogs" / "2023-12.md").write_text("---\nperson: ann\n---\n- 2023-12-28 4h wip\n- 2023-12-28 2h fresh\n", encoding="utf-8")
    index = index_of(root)
    plan = schedule_index(index)
    assert plan.tasks["rem"].effort_hours == 3
    assert plan.tasks["wip"].effort_hours == 10 - index.logged_hours("wip")
    assert plan.tasks["fresh"].effort_hours == 10
    assert plan.tasks["shipped"].closed and plan.tasks["shipped"].end == dt.date(2023, 12, 20)


def test_forecasts_late_at_risk_on_track(tmp_path: Path) -> None:
    root = write_workspace(
        tmp_path,
        {"a": {"estimate": "5d", "project": "late"}, "b": {"estimate": "5d", "project": "risky"}, "c": {"estimate": "5d", "project": "fine", "due": "2024-01-03"}},
        projects={"late": {"due": "2024-01-04"}, "risky": {"due": "2024-01-05"}, "fine": {"due": "2024-01-31"}},
    )
    plan = schedule_index(index_of(root))
    assert plan.projects["late"].status == "late"
    assert plan.projects["risky"].status == "at-risk"
    assert plan.projects["fine"].status == "on-track"
    assert plan.tasks["c"].late and not plan.tasks["a"].late


def test_slack_is_measured_against_the_own_project(tmp_path: Path) -> None:
    root = write_workspace(
        tmp_path,
        {"short": {"estimate": "1d", "project": "small"}, "long": {"estimate": "5d", "project": "big"}, "tiny": {"estimate": "2d", "project": "big"}},
        projects={"small": {}, "big": {}},
    )
    plan = schedule_index(index_of(root))
    assert plan.tasks["short"].critical and plan.tasks["long"].critical
    assert plan.tasks["tiny"].slack_hours == 24


def test_many_tasks_on_one_person_do_not_hang() -> None:
    import time

    tasks = tuple(SchedTask(f"t{k:05d}", 4 + k % 7, assignee="ann", priority=k % 4, depends_on=(f"t{k - 3:05d}",) if k >= 3 and k % 5 == 0 else ()) for k in range(5000))
    began = time.perf_counter()
    plan = _plan(*tasks, capacity=6)
    assert time.perf_counter() - began < 10
    assert len(plan.tasks) == 5000 and plan.warnings == ()
    booked: dict[dt.date, float] = {}
    for t in plan.tasks.values():
        for b in t.bookings:
            booked[b.date] = booked.get(b.date, 0) + b.hours
    assert max(booked.values()) <= 6


def test_split_bookings_never_overlap() -> None:
    plan = _plan(
        SchedTask("gate", 3),
        SchedTask("urgent", 10, assignee="ann", priority=0, depends_on=("gate",)),
        SchedTask("filler", 12, assignee="ann", priority=3),
        SchedTask("mid", 5, assignee="ann", priority=2),
    )
    spans = sorted((t.start_at, t.end_at, t.id) for t in plan.tasks.values() if t.assignee)
    hours = sum(t.effort_hours for t in plan.tasks.values() if t.assignee)
    assert hours == 27
    assert plan.tasks["urgent"].start_at == _at(1, 12)
    assert spans[0][2] in ("mid", "filler")
