"""Flow metrics from the status changes in history. Pure: no I/O, `now` is passed in.

Per task: when it entered each status, lead time (created -> done), cycle
time (first started -> done) and time in each status. Per set of tasks:
throughput per ISO week, cycle-time statistics, WIP per day, a cumulative
flow series (tasks per status per day) and a burn-down/burn-up series.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass
from typing import Any, Collection, Iterable, Mapping, Sequence

from workspace_tool.config import Settings, Workflow
from workspace_tool.history.model import DocHistory, Fields, Version
from workspace_tool.index import nfc_id
from workspace_tool.parse import path_project
from workspace_tool.values import parse_duration

DAY = 86400.0


@dataclass(frozen=True)
class Step:
    """The task's state from `at` on: its status, estimate in hours, and whether it exists."""

    at: dt.datetime
    status: str
    estimate: float
    exists: bool = True


@dataclass(frozen=True)
class TaskFlow:
    """One task's path through its workflow."""

    id: str
    project: str | None
    status: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    done_at: dt.datetime | None
    entered: Mapping[str, dt.datetime]  # the last time it entered each status
    time_in_status: Mapping[str, float]  # days
    steps: tuple[Step, ...]
    before: tuple[Step, ...] = ()  # what its fields say about the days before its first commit (`_before_history`)
    cancelled: bool = False  # its status now is one of the workflow's cancelled ones (`Workflow.cancelled_statuses`)

    @property
    def lead_days(self) -> float | None:
        return _days(self.created_at, self.done_at)

    @property
    def cycle_days(self) -> float | None:
        return _days(self.started_at, self.done_at) if self.started_at else None

    @property
    def finished(self) -> bool:
        """Done, and not cancelled (cancelled tasks are not throughput)."""
        return self.done_at is not None and not self.cancelled

    def entered_day(self, first_status: str) -> dt.date | None:
        """The day the task entered its status, when its history tells (a board's "days in this column").

        A task in the same status since its first version was not seen
        entering it: its first commit may come long after (a workspace put in
        git after the work began). It has been in the workflow's first status
        (`first_status`) since it was created (`created:`, or that commit), and
        in a status its fields date before history (`done:`) since then; of
        any other, the day is not known.
        """
        at = self.entered.get(self.status)
        first = self.steps[0]
        if at is None or (at == first.at and first.status == self.status):
            if self.before and self.before[-1].status == self.status:
                at = self.before[-1].at
            elif self.status == first_status:
                at = self.created_at
            else:
                return None
        return at.date()


def _days(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / DAY, 4)


def started_statuses(workflow: Workflow) -> frozenset[str]:
    """Statuses that mean work has begun: from `in-progress` on (else after the first), not done."""
    order = list(workflow.statuses)
    first = order.index("in-progress") if "in-progress" in order else 1
    return frozenset(s for s in order[first:] if not workflow.is_done(s))


def task_flow(doc: DocHistory, workflow: Workflow, settings: Settings, now: dt.datetime, until: dt.datetime | None = None) -> TaskFlow | None:
    """A task's flow from its versions (None when it has none), as it was before `until` (None: every version)."""
    steps = _steps(doc, workflow, settings)
    if until is not None:
        steps = tuple(step for step in steps if step.at < until)  # `_steps` are in time order: a prefix
    if not steps:
        return None
    fields = doc.last_fields
    created = _created_at(steps[0].at, fields)
    started_set = started_statuses(workflow)
    entered: dict[str, dt.datetime] = {}
    started = done = None
    previous = None
    for step in steps:
        if not step.exists or step.status == previous:
            continue
        entered[step.status] = step.at
        if started is None and step.status in started_set:
            started = step.at
        if workflow.is_done(step.status):
            done = step.at if previous is not None else _done_date(step.at, fields)
        else:
            done = None
        previous = step.status
    last = steps[-1]
    return TaskFlow(
        doc.id,
        project_of(doc),
        last.status,
        created,
        started,
        done if last.exists else None,
        entered,
        _time_in_status(steps, workflow, now),
        steps,
        _before_history(doc, steps, workflow, created),
        workflow.is_cancelled(last.status),
    )


def _before_history(doc: DocHistory, steps: Sequence[Step], workflow: Workflow, created: dt.datetime) -> tuple[Step, ...]:
    """The task's states between its `created:` date and its first commit, as far as its first version's fields tell.

    A workspace is often put in git after the work began: without these, the
    cumulative flow and burn-up count such a task only from its first commit,
    so a project charts nothing up to the day it was committed, then jumps.
    Before history the task is in the workflow's first status, from `created`;
    one done in its first version is done from its `done:` date, if it has one
    (else from its first commit: when it was done is not known), and one
    cancelled without a `done:` date is cancelled throughout (never in scope,
    as in the burn-up from dates). Only the series count these days; the
    task's own dates and metrics do not change.
    """
    first = steps[0]
    if not first.exists or created >= first.at:
        return ()
    fields = next((version.fields for version in doc.versions if version.fields is not None), None) or {}
    done = _midnight(fields.get("done"), first.at) if fields.get("done") and workflow.is_done(first.status) else None
    if workflow.is_cancelled(first.status) and done is None:
        return (Step(created, first.status, first.estimate),)
    before = [Step(created, workflow.default, first.estimate)]
    if done is not None and done < first.at:
        before.append(Step(max(done, created), first.status, first.estimate))
    return tuple(before)


def _steps(doc: DocHistory, workflow: Workflow, settings: Settings) -> tuple[Step, ...]:
    """The document's status and estimate after each version, in time order (`_in_time_order`).

    Each version changes the status and estimate only as far as it changed
    them itself (`_own`), so the versions of parallel branches, taken in the
    order they were made, add up to what each branch did.
    """
    steps: list[Step] = []
    status, estimate, exists = workflow.default, 0.0, False
    for at, version in _in_time_order(doc.versions):
        if version.deleted:
            steps.append(Step(at, status, estimate, exists=False))
            exists = False
            continue
        fields = version.fields
        if fields is not None:
            status = _status_after(version, status, exists, workflow.default)
            value = fields.get("remaining", fields.get("estimate"))
            own = _own(version, exists)
            if own is None or own.get("remaining", own.get("estimate")) != value:
                estimate = _hours(value, settings)
        exists = True
        steps.append(Step(at, status, estimate))
    return tuple(steps)


def _in_time_order(versions: Sequence[Version]) -> list[tuple[dt.datetime, Version]]:
    """The versions with the moment each counts from, sorted by it (ties: git's order).

    `versions` come in `git log --topo-order`, branch by branch: a merged
    branch's commits after those of the branch it was merged into, although
    they may be older (an ordinary `git pull` after a commit of your own).
    Each counts from its author date, but never before the version it
    descends from (a rebased or cherry-picked commit keeps its older author
    date, and must not be done before it started). A version descends from
    the latest one before it whose file is the one it changed (`old_blob`);
    a merge and the working copy descend from every version before them, and
    a version whose parent file is none of those (a file made anew) from the
    version before it.
    """
    moments: list[dt.datetime] = []
    latest_of_blob: dict[str, int] = {}
    latest = None
    for i, version in enumerate(versions):
        at = version.date
        if version.merge or version.commit is None:
            floor = latest
        else:
            parent = latest_of_blob.get(version.old_blob) if version.old_blob is not None else None
            floor = moments[parent] if parent is not None else moments[i - 1] if i else None
        if floor is not None and at < floor:
            at = floor
        moments.append(at)
        latest = at if latest is None or at > latest else latest
        if version.blob is not None:
            latest_of_blob[version.blob] = i
    order = sorted(range(len(versions)), key=lambda i: (moments[i], i))
    return [(moments[i], versions[i]) for i in order]


def _own(version: Version, exists: bool) -> Fields | None:
    """The fields `version`'s own change is measured from, when only that change counts (None: take its fields whole).

    Versions come in `git log --topo-order`: a merged branch's after the
    branch it was merged into, so one may descend from an older version than
    the one before it (done on a branch, then an estimate edited on main,
    whose file still says in progress). Its own change is from the version
    it descends from (`previous`). A merge and the working copy descend from
    every version before them, and a new file has no earlier state: their
    fields are whole.
    """
    return version.previous if exists and not version.merge and version.commit is not None else None


def _status_after(version: Version, status: str, exists: bool, default: str) -> str:
    """The status after a readable version, `status` before it (`_own`'s rule)."""
    assert version.fields is not None
    new = str(version.fields.get("status") or default)
    if new == status:
        return status
    own = _own(version, exists)
    if own is not None and str(own.get("status") or default) == new:
        return status  # the version did not change the status: its file says what its branch said
    return new


def _hours(value: Any, settings: Settings) -> float:
    if value is None:
        return 0.0
    calendar = settings.calendar
    key = (value, calendar.hours_per_day, calendar.days_per_week) if isinstance(value, str) else None
    found = _HOURS.get(key) if key is not None else None
    if found is None:
        try:
            found = parse_duration(value, calendar.hours_per_day, calendar.days_per_week).hours
        except ValueError:
            found = 0.0
        if key is not None and len(_HOURS) < 10_000:
            _HOURS[key] = found
    return found


_HOURS: dict[tuple[str, float, float], float] = {}
"""`_hours` of the texts read so far, by text and calendar: a project's versions repeat a few estimates thousands of times."""


def _midnight(text: Any, like: dt.datetime) -> dt.datetime | None:
    try:
        day = dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None
    return dt.datetime.combine(day, dt.time(0), like.tzinfo)


def _created_at(first: dt.datetime, fields: Fields) -> dt.datetime:
    """The first commit, unless the `created:` date is earlier."""
    declared = _midnight(fields.get("created"), first) if fields.get("created") else None
    return declared if declared is not None and declared < first else first


def _done_date(first: dt.datetime, fields: Fields) -> dt.datetime:
    """A task already done in its first version finished before history: use its `done:` date."""
    declared = _midnight(fields.get("done"), first) if fields.get("done") else None
    return declared or first


def _time_in_status(steps: Sequence[Step], workflow: Workflow, now: dt.datetime) -> dict[str, float]:
    """Days in each status; the current one up to now, unless it is a done status (finished work is not waiting in it,
    however often its file is edited after)."""
    last = len(steps)
    while last and steps[last - 1].exists and workflow.is_done(steps[last - 1].status) and steps[last - 1].status == steps[-1].status:
        last -= 1
    spent: dict[str, float] = {}
    for step, following in zip(steps[:last], [*steps[1:], None]):
        if not step.exists:
            continue
        end = following.at if following is not None else max(now, step.at)
        spent[step.status] = round(spent.get(step.status, 0.0) + (end - step.at).total_seconds() / DAY, 4)
    return spent


def project_of(doc: DocHistory) -> str | None:
    value = doc.last_fields.get("project")
    if isinstance(value, str) and value.strip():
        return value.strip()
    project = path_project(doc.path)
    return nfc_id(project) if project is not None else None


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile (85th: the value 85 % of items are at or under)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(values: Sequence[float]) -> dict[str, float | int | None]:
    if not values:
        return {"count": 0, "average": None, "median": None, "p85": None}
    return {
        "count": len(values),
        "average": round(statistics.fmean(values), 4),
        "median": round(statistics.median(values), 4),
        "p85": round(percentile(values, 0.85) or 0.0, 4),
    }


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def series(flows: Iterable[TaskFlow], workflow: Workflow, start: dt.date, end: dt.date, every: int = 1) -> dict[str, Any]:
    """Throughput, cycle/lead statistics, WIP, cumulative flow and burn-down for a set of tasks.

    The daily rows are of every day from `start` to `end`; with `every` > 1,
    of every `every`-th day and the last (what a chart of a few points keeps:
    each row as in the daily series).
    """
    flows = list(flows)
    days = max(0, (end - start).days + 1)
    finished = [f for f in flows if f.finished and f.done_at is not None and f.done_at.date() >= start]
    throughput: dict[str, int] = {}
    for flow in sorted(finished, key=lambda f: f.done_at or f.created_at):
        assert flow.done_at is not None
        week = iso_week(flow.done_at.date())
        throughput[week] = throughput.get(week, 0) + 1
    counts = {s: [0] * (days + 1) for s in workflow.statuses}
    scope = [0.0] * (days + 1)
    remaining = [0.0] * (days + 1)
    for flow in flows:
        _sweep(flow, workflow, start, days, counts, scope, remaining)
    started = started_statuses(workflow)
    cumulative, wip, burn = [], [], []
    running = {s: 0 for s in counts}
    total_scope = total_remaining = 0.0
    previous_scope = None
    for i in range(days):
        for status in running:
            running[status] += counts[status][i]
        total_scope += scope[i]
        total_remaining += remaining[i]
        if i % every and i != days - 1:
            previous_scope = total_scope
            continue
        day = (start + dt.timedelta(days=i)).isoformat()
        cumulative.append({"date": day, **{s: running[s] for s in workflow.statuses}})
        wip.append({"date": day, "count": sum(running[s] for s in started)})
        change = 0.0 if previous_scope is None else total_scope - previous_scope
        burn.append(
            {
                "date": day,
                "scope_hours": round(total_scope, 2),
                "remaining_hours": round(total_remaining, 2),
                "done_hours": round(total_scope - total_remaining, 2),
                "scope_change_hours": round(change, 2),
            }
        )
        previous_scope = total_scope
    return {
        "throughput": throughput,
        "cycle_time_days": summary([f.cycle_days for f in finished if f.cycle_days is not None]),
        "lead_time_days": summary([f.lead_days for f in finished if f.lead_days is not None]),
        "wip": wip,
        "cumulative_flow": cumulative,
        "burndown": burn,
    }


def _sweep(
    flow: TaskFlow,
    workflow: Workflow,
    start: dt.date,
    days: int,
    counts: dict[str, list[int]],
    scope: list[float],
    remaining: list[float],
) -> None:
    """Add the task's end-of-day state to difference arrays (a change on day i holds from i on)."""
    current: Step | None = None
    steps = (*flow.before, *flow.steps)
    for step, following in zip(steps, [*steps[1:], None]):
        if following is not None and following.at.date() == step.at.date():
            continue  # only the last state of each day counts
        index = max(0, (step.at.date() - start).days)
        if index > days:
            break
        if current is not None:
            _apply(current, workflow, index, counts, scope, remaining, -1)
        _apply(step, workflow, index, counts, scope, remaining, +1)
        current = step


def _apply(
    step: Step,
    workflow: Workflow,
    index: int,
    counts: dict[str, list[int]],
    scope: list[float],
    remaining: list[float],
    sign: int,
) -> None:
    if not step.exists:
        return
    if step.status in counts:
        counts[step.status][index] += sign
    if workflow.is_cancelled(step.status):
        return
    scope[index] += sign * step.estimate
    if not workflow.is_done(step.status):
        remaining[index] += sign * step.estimate


def done_dates(history: Any, only: Collection[str] | None = None, kept: dict[str, Any] | None = None) -> dict[str, dt.datetime]:
    """When each document now in a done status entered it (by current ID); with `only`, for those IDs only.

    The same dates as `task_flow(...).done_at`, found by walking the
    statuses alone (no estimates, no time in status): the scheduler asks for
    thousands of them on every cold run. `kept` (`done_cache`): the dates
    of documents whose file is as committed, by path, taken from it and
    added to it; the working copy's documents are always walked.
    """
    result: dict[str, dt.datetime] = {}
    settings: Settings = history.settings
    working = history.working_paths if kept is not None else None
    for doc in history.documents:
        if doc.deleted or (only is not None and doc.id not in only):
            continue
        workflow = settings.workflow(doc.type)
        if workflow is None:
            continue
        if kept is not None and working is not None and doc.path not in working:
            found = _kept_done(kept, doc, workflow)
        else:
            found = _entered_done(doc, workflow)
        if found is not None:
            result[doc.id] = found
    return result


def _kept_done(kept: dict[str, Any], doc: DocHistory, workflow: Workflow) -> dt.datetime | None:
    """A committed document's done date from `kept` when it holds one for its ID, else walked and added."""
    entry = kept.get(doc.path)
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == doc.id:
        try:
            return None if entry[1] is None else dt.datetime.fromisoformat(entry[1])
        except (TypeError, ValueError):
            pass  # a damaged entry: walked again
    found = _entered_done(doc, workflow)
    kept[doc.path] = (doc.id, None if found is None else found.isoformat())
    return found


def _entered_done(doc: DocHistory, workflow: Workflow) -> dt.datetime | None:
    """When the document's last status change happened, if that status is a done one (`task_flow`'s rule)."""
    status, previous, done, exists = workflow.default, None, None, False
    for version in doc.versions:
        if version.deleted:
            exists = False
            continue
        if version.fields is not None:
            status = _status_after(version, status, exists, workflow.default)
        exists = True
        if status == previous:
            continue
        done = (version.date if previous is not None else _done_date(version.date, doc.last_fields)) if workflow.is_done(status) else None
        previous = status
    return done


def entered_days(history: Any, ids: Iterable[str], today: dt.date) -> dict[str, dt.date]:
    """The day each of these tasks entered its status (`TaskFlow.entered_day`), for those whose history tells, by
    `today` (every change of that day counts; one after it, with a pinned `--today`, does not)."""
    settings: Settings = history.settings
    workflow = settings.workflow("task")
    if workflow is None:
        return {}
    now = dt.datetime.combine(today, dt.time(23, 59), dt.UTC)
    found: dict[str, dt.date] = {}
    for task_id in ids:
        doc = history.document(task_id)
        flow = task_flow(doc, workflow, settings, now) if doc is not None and not doc.deleted else None
        if flow is not None and (day := flow.entered_day(workflow.default)) is not None and day <= today:
            found[task_id] = day
    return found


def flow_report(
    history: Any, today: dt.date, now: dt.datetime, project: str | None = None, start: dt.date | None = None
) -> dict[str, Any]:
    """The `wm flow --json` document: per-task flow, then series for the workspace and each project.

    With `project`, only that project's tasks and series. Series run from
    `start` (default: the first task's creation) to `today`. Changes made
    after `today` (a pinned `--today` looks back) are left out, as
    `wm activity` and the site leave them out. A task whose file is gone
    counts in the series while it existed, and is not listed.
    """
    settings: Settings = history.settings
    workflow = settings.workflow("task")
    if workflow is None:
        return {"complete": history.complete, "tasks": [], "workspace": None, "projects": {}}
    until = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), now.tzinfo)  # the end of `today`, where `now` is
    flows = [f for d in history.documents if d.type == "task" for f in [task_flow(d, workflow, settings, now, until)] if f is not None]
    gone = {id(f) for f in flows if not f.steps[-1].exists}  # a task whose file is gone: counted in the series' past, not listed
    if project is not None:
        flows = [f for f in flows if f.project == project]
    flows = [f for f in flows if start is None or f.done_at is None or f.done_at.date() >= start]
    flows.sort(key=lambda f: (f.created_at, f.id))
    begin = start or min((f.created_at.date() for f in flows), default=today)
    by_project: dict[str, list[TaskFlow]] = {}
    for flow in flows:
        if flow.project:
            by_project.setdefault(flow.project, []).append(flow)
    return {
        "complete": history.complete,
        "from": begin.isoformat(),
        "to": today.isoformat(),
        "project": project,
        "tasks": [task_record(f) for f in flows if id(f) not in gone],
        "workspace": None if project else series(flows, workflow, begin, today),
        "projects": {name: series(items, workflow, begin, today) for name, items in sorted(by_project.items())},
    }


def task_record(flow: TaskFlow) -> dict[str, Any]:
    def iso(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": flow.id,
        "project": flow.project,
        "status": flow.status,
        "created_at": iso(flow.created_at),
        "started_at": iso(flow.started_at),
        "done_at": iso(flow.done_at),
        "lead_days": flow.lead_days,
        "cycle_days": flow.cycle_days,
        "entered": {k: iso(v) for k, v in flow.entered.items()},
        "time_in_status_days": dict(flow.time_in_status),
    }
