"""Critical path and slack against published worked examples.

Source: Bernard W. Taylor III, *Introduction to Management Science*, chapter 8
"Project Management", solutions manual (pages 114-115; seen at
https://ar.scribd.com/doc/47113515/TaylCh08). Both are activity-on-arrow
networks: activity `i-j` runs from event i to event j, so it depends on every
activity ending at event i. The published tables give, per activity, the
duration and ES, EF, LS, LF and slack (days):

Network 1 (critical path 1-3-4-5-6, 20 days)::

    1-2  7   0  7  2  9  2        3-4  5  10 15 10 15  0
    1-3 10   0 10  0 10  0        3-5  4  10 14 14 18  4
    2-4  6   7 13  9 15  2        4-5  3  15 18 15 18  0
                                  5-6  2  18 20 18 20  0

Network 2 (critical path 1-3-5-7-8-9, 38 days; 4-5 is a dummy)::

    1-2  8   0  8  1  9  1        4-7  7   9 16 20 27 11
    1-3 10   0 10  0 10  0        5-7 12  15 27 15 27  0
    1-4  9   0  9  6 15  6        5-8 15  15 30 16 31  1
    2-5  6   8 14  9 15  1        6-9 18  12 30 20 38  8
    2-6  4   8 12 16 20  8        7-8  4  27 31 27 31  0
    3-5  5  10 15 10 15  0        8-9  7  31 38 31 38  0
    4-5  0   9  9 15 15  6

The workspaces use unassigned tasks with estimates in days (8 h), the
default Monday-Friday calendar and no holidays, so one published day is one
working day and slack in hours is 8 x the published slack.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scheduling_helpers import index_of, write_workspace

from workspace_tool.scheduling import schedule_index

# activity: (duration, ES, EF, LS, LF, slack)
NETWORK_1 = {
    "1-2": (7, 0, 7, 2, 9, 2),
    "1-3": (10, 0, 10, 0, 10, 0),
    "2-4": (6, 7, 13, 9, 15, 2),
    "3-4": (5, 10, 15, 10, 15, 0),
    "3-5": (4, 10, 14, 14, 18, 4),
    "4-5": (3, 15, 18, 15, 18, 0),
    "5-6": (2, 18, 20, 18, 20, 0),
}
NETWORK_2 = {
    "1-2": (8, 0, 8, 1, 9, 1),
    "1-3": (10, 0, 10, 0, 10, 0),
    "1-4": (9, 0, 9, 6, 15, 6),
    "2-5": (6, 8, 14, 9, 15, 1),
    "2-6": (4, 8, 12, 16, 20, 8),
    "3-5": (5, 10, 15, 10, 15, 0),
    "4-5": (0, 9, 9, 15, 15, 6),
    "4-7": (7, 9, 16, 20, 27, 11),
    "5-7": (12, 15, 27, 15, 27, 0),
    "5-8": (15, 15, 30, 16, 31, 1),
    "6-9": (18, 12, 30, 20, 38, 8),
    "7-8": (4, 27, 31, 27, 31, 0),
    "8-9": (7, 31, 38, 31, 38, 0),
}


def _task_id(activity: str) -> str:
    return "a" + activity.replace("-", "")


def _tasks(network: dict[str, tuple[int, ...]]) -> dict[str, dict[str, object]]:
    tasks: dict[str, dict[str, object]] = {}
    for activity, (days, *_rest) in network.items():
        tail = activity.split("-")[0]
        preds = [_task_id(a) for a in network if a.split("-")[1] == tail]
        fields: dict[str, object] = {"milestone": True} if days == 0 else {"estimate": f"{days}d"}
        if preds:
            fields["depends_on"] = preds
        tasks[_task_id(activity)] = fields
    return tasks


@pytest.mark.parametrize(("network", "length", "path"), [(NETWORK_1, 20, ["1-3", "3-4", "4-5", "5-6"]), (NETWORK_2, 38, ["1-3", "3-5", "5-7", "7-8", "8-9"])])
def test_published_cpm_tables(tmp_path: Path, network: dict[str, tuple[int, ...]], length: int, path: list[str]) -> None:
    plan = schedule_index(index_of(write_workspace(tmp_path, _tasks(network), start="2024-01-01")))
    assert plan.warnings == ()
    hours = 8
    origin = plan.tasks[_task_id(path[0])].start_at
    for activity, (days, es, ef, _ls, _lf, slack) in network.items():
        task = plan.tasks[_task_id(activity)]
        assert task.slack_hours == slack * hours, activity
        assert task.critical == (slack == 0), activity
        assert task.effort_hours == days * hours, activity
        assert _working_hours(origin, task.start_at) == es * hours or days == 0, activity
        assert _working_hours(origin, task.end_at) == ef * hours, activity
    critical = sorted(t.id for t in plan.tasks.values() if t.critical)
    assert critical == sorted(_task_id(a) for a in path)
    # `length` working days from Monday 2024-01-01 with Mon-Fri weeks
    assert _working_hours(origin, max(t.end_at for t in plan.tasks.values())) == length * hours
    assert plan.projects["p"].end == plan.end


def _working_hours(origin, moment) -> int:  # type: ignore[no-untyped-def]
    """Working hours between two datetimes on a Mon-Fri 09:00-17:00 calendar."""
    import datetime as dt

    day, total = origin.date(), 0
    while day < moment.date():
        if day.weekday() < 5:
            total += 8
        day += dt.timedelta(days=1)
    return total + int((moment - dt.datetime.combine(moment.date(), dt.time(9))).total_seconds() // 3600) - int(
        (origin - dt.datetime.combine(origin.date(), dt.time(9))).total_seconds() // 3600
    )
