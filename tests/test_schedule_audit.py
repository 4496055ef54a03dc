"""Findings of the read-side audit (/tmp/audit/query.md) about the schedule, `wm next` and `wm blocked`.

#1 slack on the person's own calendar, #2 a dependency on an unreadable file,
#4 subtasks of a waiting parent, #5 `--why`, #11 case-insensitive `--who`/`--project`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path
from typing import Callable

from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scheduling_helpers import index_of, write_workspace

from workspace_tool.scheduling import Plan, Resource, SchedInput, SchedTask, WorkCalendar, schedule, schedule_index
from workspace_tool.views import blocked_tasks, board, next_tasks

MONDAY = dt.date(2026, 11, 30)


def _plan(tasks: list[SchedTask], people: dict[str, Resource], calendar: WorkCalendar | None = None) -> Plan:
    return schedule(SchedInput(MONDAY, calendar or WorkCalendar(), tuple(tasks), people))


def _chain(**person: object) -> Plan:
    """The audit's one-person chain a -> b -> c, 8h each, for ann."""
    tasks = [
        SchedTask("a", 8, "p", "ann"),
        SchedTask("b", 8, "p", "ann", depends_on=("a",)),
        SchedTask("c", 8, "p", "ann", depends_on=("b",)),
    ]
    return _plan(tasks, {"ann": Resource("ann", **person)})  # type: ignore[arg-type]


# -- #1: slack on the person's own calendar ------------------------------------


def test_one_person_chain_with_leave_is_critical_throughout() -> None:
    plan = _chain(leave=((dt.date(2026, 12, 1), dt.date(2026, 12, 1)),))
    assert [(t, plan.tasks[t].slack_hours, plan.tasks[t].critical) for t in "abc"] == [("a", 0.0, True), ("b", 0.0, True), ("c", 0.0, True)]


def test_one_person_chain_part_time_is_critical_throughout() -> None:
    plan = _chain(capacity=4)
    assert [plan.tasks[t].slack_hours for t in "abc"] == [0.0, 0.0, 0.0]
    assert all(plan.tasks[t].critical for t in "abc")


def test_slack_is_counted_in_the_persons_own_hours() -> None:
    """A part-time side task next to a full-time chain: its slack is the hours its person could still give it."""
    tasks = [
        SchedTask("long", 40, "p", "bob"),
        SchedTask("side", 4, "p", "ann"),
    ]
    plan = _plan(tasks, {"ann": Resource("ann", capacity=4), "bob": Resource("bob")})
    # long ends Friday 17:00; ann (4h a day) could give side four more days of 4h
    assert plan.tasks["long"].critical
    assert plan.tasks["side"].slack_hours == 16.0


def test_predecessor_may_use_the_hours_a_part_time_successor_can_make_up() -> None:
    """bob's task ends Monday 17:00; ann (4h a day) starts Tuesday 09:00 but could start at 13:00 and still end the same."""
    tasks = [
        SchedTask("x", 8, "p", "bob"),
        SchedTask("y", 8, "p", "ann", depends_on=("x",)),
    ]
    people = {"ann": Resource("ann", capacity=4), "bob": Resource("bob")}
    plan = _plan(tasks, people)
    assert plan.tasks["y"].critical
    assert plan.tasks["x"].slack_hours == 4.0
    assert _end(_grown(tasks, people, "x", 4 * 60)) == _end(plan)
    assert _end(_grown(tasks, people, "x", 4 * 60 + 1)) > _end(plan)


def test_sample_content_strategy_is_critical_iff_lengthening_it_moves_the_end(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(Path(__file__).resolve().parent.parent / "sample_workspace", root)
    start = dt.date(2026, 11, 26)
    before = schedule_index(index_of(root), start)
    path = root / "projects" / "studio-website" / "tasks" / "website-content-strategy.md"
    path.write_text(path.read_text(encoding="utf-8").replace("estimate: 3d", "estimate: 3.5d"), encoding="utf-8")
    after = schedule_index(index_of(root), start)
    task = before.tasks["website-content-strategy"]
    assert after.projects["studio-website"].end is not None and before.projects["studio-website"].end is not None
    assert after.projects["studio-website"].end > before.projects["studio-website"].end
    assert task.critical and task.slack_hours == 0.0


# -- #1: brute force on small random plans -------------------------------------


def _end(plan: Plan) -> dt.datetime:
    return max(t.end_at for t in plan.tasks.values())


def _grown(tasks: list[SchedTask], people: dict[str, Resource], tid: str, minutes: int) -> Plan:
    """The plan with task `tid` longer by `minutes`."""
    return _plan([dataclasses.replace(t, effort=(round(t.effort * 60) + minutes) / 60) if t.id == tid else t for t in tasks], people)


_DAYS = [MONDAY + dt.timedelta(days=k) for k in range(28)]


@st.composite
def _people(draw: st.DrawFn) -> dict[str, Resource]:
    people = {}
    for k in range(draw(st.integers(1, 3))):
        capacity = draw(st.sampled_from([None, 2.0, 3.5, 4.0, 6.0, 8.0]))
        weekdays = draw(st.one_of(st.none(), st.frozensets(st.integers(0, 4), min_size=1)))
        leave = tuple(sorted(draw(st.lists(st.sampled_from(_DAYS).map(lambda d: (d, d + dt.timedelta(days=1))), max_size=2))))
        people[f"p{k}"] = Resource(f"p{k}", capacity, weekdays, leave)
    return people


@st.composite
def _networks(draw: st.DrawFn) -> SchedInput:
    """Either each person's tasks in one chain (no competition), or (`competing`) tasks that compete for their person
    with random priorities, so that levelling splits some around others; cross dependencies, part-time capacity,
    workdays, leave, holidays, unassigned tasks and milestones."""
    people = draw(_people())
    competing = draw(st.booleans())
    tasks: list[SchedTask] = []
    last: dict[str | None, str] = {}
    for k in range(draw(st.integers(2, 10))):
        who = draw(st.sampled_from([*people, None]))
        milestone = draw(st.integers(0, 9)) == 0
        deps = set(draw(st.lists(st.sampled_from([t.id for t in tasks]), max_size=2))) if tasks else set()
        if who is not None and who in last and not competing:
            deps.add(last[who])
        tid = f"t{k}"
        effort = 0.0 if milestone else draw(st.integers(1, 40)) * 30 / 60
        priority = draw(st.integers(0, 3)) if competing else 2
        tasks.append(SchedTask(tid, effort, "p", who, priority, depends_on=tuple(sorted(deps)), milestone=milestone))
        if who is not None:
            last[who] = tid
    holidays = frozenset(draw(st.lists(st.sampled_from(_DAYS), max_size=2)))
    return SchedInput(MONDAY, WorkCalendar(holidays=holidays), tuple(tasks), people)


def _placed(inp: SchedInput) -> dict[str, list[str]]:
    """Each person's tasks in the order levelling placed them."""
    from workspace_tool.scheduling.engine import level

    return {pid: list(person.sequence) for pid, person in level(inp).people.items()}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_networks())
def test_slack_against_brute_force(inp: SchedInput) -> None:
    """A task with slack s can grow by s without moving the end; zero slack is critical. With no competition the
    figure is exact: a minute more moves the end, and so does a critical task 1h longer. With competition (tasks
    split around others) slack assumes the levelled order stays, and may understate: it is checked only for
    growths that keep that order, and only never to overstate."""
    plan = schedule(inp)
    end = _end(plan)
    order = _placed(inp)
    competing = any(t.priority != 2 for t in inp.tasks)

    def grown(tid: str, minutes: int) -> tuple[dt.datetime, bool]:
        tasks = tuple(dataclasses.replace(t, effort=(round(t.effort * 60) + minutes) / 60) if t.id == tid else t for t in inp.tasks)
        longer = dataclasses.replace(inp, tasks=tasks)
        return _end(schedule(longer)), _placed(longer) == order

    for task in inp.tasks:
        if task.milestone:
            continue
        slack = round(plan.tasks[task.id].slack_hours * 60)
        assert plan.tasks[task.id].critical == (slack == 0), task.id
        if competing:
            if slack > 0:
                moved, same_order = grown(task.id, slack)
                assert moved <= end or not same_order, task.id
        elif slack == 0:
            assert grown(task.id, 60)[0] > end, task.id
        else:
            assert grown(task.id, slack)[0] == end, task.id
            assert grown(task.id, slack + 1)[0] > end, task.id


# -- #4: subtasks wait for their parent; #2: a dependency on an unreadable file --------------------


def _task(root: Path, tid: str, text: str) -> None:
    path = root / "projects" / "p" / "tasks" / f"{tid}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{text}\n---\n", encoding="utf-8")


def _parents(root: Path) -> Path:
    """The audit's setup of #4: build-api's parent waits for design; later-sub's parent starts in January."""
    write_workspace(root, {}, start="2026-11-26", people={"bob": {}})
    _task(root, "design", "title: Design\nassignee: bob\nestimate: 16h")
    _task(root, "build", "title: Build (parent)\ndepends_on: [design]")
    _task(root, "build-api", "title: Build the API\nparent: build\nassignee: bob\nestimate: 8h\npriority: high")
    _task(root, "later", "title: Later (parent)\nstart: 2027-01-04")
    _task(root, "later-sub", "title: Later subtask\nparent: later\nassignee: bob\nestimate: 4h")
    return root


def test_next_leaves_out_subtasks_of_a_blocked_or_later_parent(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = _parents(tmp_path)
    index = index_of(root)
    assert [r.task.id for r in next_tasks(index)] == ["design"]
    found = {b.task.id: [d.id for d in b.blockers] for b in blocked_tasks(index)}
    assert found == {"build": ["design"], "build-api": ["build"]}
    assert wm("-C", str(root), "list", "is:blocked", "--json").output.count('"id"') == 2
    ready = wm("-C", str(root), "list", "is:ready", "--fields", "id").output
    assert "build-api" not in ready and "design" in ready
    plan = schedule_index(index)
    assert plan.tasks["build-api"].start_at >= plan.tasks["design"].end_at
    assert plan.tasks["later-sub"].start == dt.date(2027, 1, 4)
    table = wm("-C", str(root), "blocked").output
    assert "build-api" in table and "build (todo)" in table


def test_a_blocked_grandparent_blocks_and_a_done_parent_does_not(tmp_path: Path) -> None:
    write_workspace(tmp_path, {}, start="2026-11-26", people={"bob": {}})
    _task(tmp_path, "gate", "title: Gate\nassignee: bob\nestimate: 4h")
    _task(tmp_path, "epic", "title: Epic\ndepends_on: [gate]")
    _task(tmp_path, "story", "title: Story\nparent: epic")
    _task(tmp_path, "leaf", "title: Leaf\nparent: story\nassignee: bob\nestimate: 2h")
    _task(tmp_path, "closed", "title: Closed\nstatus: done\ndepends_on: [gate]")
    _task(tmp_path, "child", "title: Child of a done parent\nparent: closed\nassignee: bob\nestimate: 2h")
    index = index_of(tmp_path)
    found = {b.task.id: [d.id for d in b.blockers] for b in blocked_tasks(index)}
    assert found == {"epic": ["gate"], "leaf": ["epic"], "story": ["epic"]}
    assert sorted(r.task.id for r in next_tasks(index)) == ["child", "gate"]


def test_a_dependency_on_an_unreadable_file_blocks(tmp_path: Path, wm: Callable[..., Result]) -> None:
    write_workspace(tmp_path, {}, start="2026-11-26", people={"ann": {}})
    _task(tmp_path, "a", "title: A\nassignee: ann\nestimate: 8h")
    _task(tmp_path, "b", "title: B: the middle step\nassignee: ann\nestimate: 8h\ndepends_on: [a]")  # invalid YAML
    _task(tmp_path, "c", "title: C\nassignee: ann\nestimate: 8h\ndepends_on: [b]")
    index = index_of(tmp_path)
    assert [r.task.id for r in next_tasks(index)] == ["a"]
    [blocked] = blocked_tasks(index)
    assert blocked.task.id == "c"
    assert [(d.id, getattr(d, "status", None)) for d in blocked.blockers] == [("b", "unreadable: projects/p/tasks/b.md")]
    table = wm("-C", str(tmp_path), "blocked")
    assert "b (unreadable: projects/p/tasks/b.md)" in table.output
    listed = wm("-C", str(tmp_path), "list", "is:blocked", "--fields", "id")
    assert "c" in listed.output.split()


def test_a_parent_with_an_unreadable_dependency_blocks_its_subtasks(tmp_path: Path) -> None:
    write_workspace(tmp_path, {}, start="2026-11-26", people={"ann": {}})
    _task(tmp_path, "broken", "title: Broken: yes")
    _task(tmp_path, "epic", "title: Epic\ndepends_on: [broken]")
    _task(tmp_path, "leaf", "title: Leaf\nparent: epic\nassignee: ann\nestimate: 2h")
    index = index_of(tmp_path)
    assert next_tasks(index) == []
    assert {b.task.id: [d.id for d in b.blockers] for b in blocked_tasks(index)} == {"epic": ["broken"], "leaf": ["epic"]}


# -- #5: `wm schedule --why` -----------------------------------------------------------------------


def test_why_names_the_parents_predecessor_not_the_parent(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = _parents(tmp_path)
    out = wm("-C", str(root), "schedule", "--why", "build-api").output
    assert "start set by: predecessor design of its parent build, which ends 2026-11-27 17:00" in out
    assert "start set by: predecessor design, which ends 2026-11-27 17:00" in wm("-C", str(root), "schedule", "--why", "build").output
    later = wm("-C", str(root), "schedule", "--why", "later-sub").output
    assert "start set by: the start date of its parent later" in later


def test_why_does_not_call_a_predecessor_competing_work() -> None:
    from workspace_tool.scheduling.explain import explain

    plan = _chain(capacity=4)
    lines = explain(plan, "b")
    assert lines is not None
    assert lines[1] == (
        "  start set by: predecessor a, which ends 2026-12-01 13:00; ann could not work on it before 2026-12-02 09:00"
        " (capacity used up that day, leave or a day off)"
    )
    assert "busy" not in "\n".join(lines)


def test_why_still_names_competing_work() -> None:
    from workspace_tool.scheduling.explain import explain

    tasks = [SchedTask("urgent", 8, "p", "ann", priority=0), SchedTask("other", 4, "p", "ann")]
    lines = explain(_plan(tasks, {"ann": Resource("ann")}), "other")
    assert lines is not None and lines[1] == "  start set by: ann is busy with urgent (until 2026-11-30 17:00), which went first"


def test_why_chain_ends_where_it_ends(tmp_path: Path, wm: Callable[..., Result]) -> None:
    """A person's next task in another project: the chain runs to that project's end, and says so."""
    tasks = [
        SchedTask("x1", 4, "p", "erin"),
        SchedTask("y1", 16, "q", "erin", depends_on=("x1",)),
        SchedTask("y2", 8, "q", "dan", depends_on=("y1",)),
    ]
    from workspace_tool.scheduling.explain import critical_chain, explain

    plan = _plan(tasks, {"erin": Resource("erin"), "dan": Resource("dan")})
    lines = explain(plan, "x1")
    assert lines is not None
    assert lines[2] == "  chain to the end of project q (2026-12-03):"
    assert lines[-1] == "    -> end of project q (2026-12-03)"
    assert lines[3].startswith("    -> y1 (erin, q): ")
    assert critical_chain(plan, "p") == ["x1"]


# -- #11: --who / --project in any case ------------------------------------------------------------


def test_who_and_project_ignore_case(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = _parents(tmp_path)
    index = index_of(root)
    assert [r.task.id for r in next_tasks(index, who="BOB")] == ["design"]
    assert [b.task.id for b in blocked_tasks(index, who="Bob", project="P")] == ["build-api"]
    cards = [c.id for col in board(index, project="P") for c in col.cards]
    assert cards and cards == [c.id for col in board(index, project="p") for c in col.cards]
    for args in (("next", "--who", "Bob"), ("agenda", "--who", "BOB"), ("board", "--project", "P", "--no-history"), ("blocked", "--project", "P")):
        result = wm("-C", str(root), *args)
        assert result.exit_code == 0, (args, result.output)
    assert wm("-C", str(root), "next", "--who", "nobody").exit_code == 1  # not found, as an unknown ID (docs/index.md)
