"""Benchmark `wm schedule --json` on generated workspaces.

    python benchmarks/bench_schedule.py --tasks 10000 --people 50 --deps 20000

Writes a workspace into a temporary folder, removed at the end (or into --out DIR,
kept), then times:
the whole process (`wm schedule --json`, cold and warm cache), index loading
alone, and the scheduler alone (build input + level + plan), in-process.
The generator here is also used by `compare_taskjuggler.py`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from checkout import PYTHON, child_env  # noqa: E402

START = dt.date(2025, 1, 6)  # a Monday
PRIORITIES = ("critical", "high", "medium", "low")


@dataclass
class GenTask:
    id: str
    project: str
    hours: int
    assignee: str | None
    priority: str
    depends_on: list[str] = field(default_factory=list)
    milestone: bool = False


@dataclass
class GenPerson:
    id: str
    capacity: int | None
    off: list[str]
    leave: list[tuple[dt.date, int]]


@dataclass
class Spec:
    start: dt.date
    holidays: list[dt.date]
    people: list[GenPerson]
    projects: list[str]
    tasks: list[GenTask]


def generate(tasks: int, people: int, deps: int, seed: int = 1, solo: bool = False) -> Spec:
    """A reproducible random set of projects: tasks with dependencies only on earlier tasks (no cycles).

    With `solo`, task k goes to person k mod `people` (with people >= tasks: no competition for anyone).
    """
    rnd = random.Random(seed)
    holidays = sorted({START + dt.timedelta(days=rnd.randrange(3, 400)) for _ in range(8)})
    holidays = [h for h in holidays if h.weekday() < 5]
    staff = [_person(rnd, k) for k in range(people)]
    projects = [f"proj{k:03d}" for k in range(max(1, tasks // 200))]
    items: list[GenTask] = []
    for k in range(tasks):
        project = projects[k * len(projects) // tasks]
        milestone = rnd.random() < 0.03
        assignee = None if milestone or rnd.random() < 0.1 else rnd.choice(staff).id
        if solo and assignee is not None:
            assignee = staff[k % len(staff)].id
        items.append(GenTask(f"t{k:05d}", project, 0 if milestone else rnd.randint(2, 40), assignee, rnd.choice(PRIORITIES), milestone=milestone))
    _add_deps(rnd, items, deps)
    return Spec(START, holidays, staff, projects, items)


def _person(rnd: random.Random, k: int) -> GenPerson:
    capacity = rnd.choice([None, None, 6, 4])
    off = ["fri"] if rnd.random() < 0.15 else []
    leave = [(START + dt.timedelta(days=rnd.randrange(0, 300)), rnd.randint(1, 10)) for _ in range(rnd.randint(0, 2))]
    return GenPerson(f"person{k:02d}", capacity, off, leave)


def _add_deps(rnd: random.Random, items: list[GenTask], deps: int) -> None:
    added = 0
    tries = 0
    while added < deps and tries < deps * 5 and len(items) > 1:
        tries += 1
        k = rnd.randrange(1, len(items))
        j = k - rnd.randint(1, min(k, 60)) if rnd.random() < 0.95 else rnd.randrange(0, k)
        dep = items[j].id
        if dep not in items[k].depends_on:
            items[k].depends_on.append(dep)
            added += 1


def write_workspace(spec: Spec, root: Path) -> None:
    """The spec as a wm workspace."""
    root.mkdir(parents=True, exist_ok=True)
    holidays = "".join(f"    - {h.isoformat()}\n" for h in spec.holidays)
    (root / "workspace.yml").write_text(f"name: bench\nschedule:\n  start: {spec.start.isoformat()}\ncalendar:\n  holidays:\n{holidays}", encoding="utf-8")
    for p in spec.projects:
        (root / "projects" / p / "tasks").mkdir(parents=True, exist_ok=True)
        (root / "projects" / p / "project.md").write_text(f"---\ntitle: {p}\nstatus: active\n---\n", encoding="utf-8")
    (root / "people").mkdir(exist_ok=True)
    for person in spec.people:
        lines = [f"title: {person.id}"]
        if person.capacity is not None:
            lines.append(f"capacity: {person.capacity}")
        if person.off:
            lines.append("workdays: [" + ", ".join(d for d in ("mon", "tue", "wed", "thu", "fri") if d not in person.off) + "]")
        if person.leave:
            lines.append("leave:")
            lines.extend(f"  - {{from: {s.isoformat()}, to: {(s + dt.timedelta(days=n - 1)).isoformat()}}}" for s, n in person.leave)
        (root / "people" / f"{person.id}.md").write_text("---\n" + "\n".join(lines) + "\n---\n", encoding="utf-8")
    for t in spec.tasks:
        lines = [f"title: {t.id}", f"priority: {t.priority}"]
        lines.append("milestone: true" if t.milestone else f"estimate: {t.hours}h")
        if t.assignee:
            lines.append(f"assignee: {t.assignee}")
        if t.depends_on:
            lines.append("depends_on: [" + ", ".join(t.depends_on) + "]")
        (root / "projects" / t.project / "tasks" / f"{t.id}.md").write_text("---\n" + "\n".join(lines) + "\n---\n", encoding="utf-8")


def time_process(root: Path) -> float:
    began = time.perf_counter()
    subprocess.run([*PYTHON, "-m", "workspace_tool", "-C", str(root), "schedule", "--json"], check=True, stdout=subprocess.DEVNULL, env=child_env())
    return time.perf_counter() - began


def time_in_process(root: Path) -> tuple[float, float, int]:
    """(index load seconds, scheduler seconds, tasks planned)."""
    from workspace_tool.scheduling import schedule
    from workspace_tool.scheduling.adapter import build_input
    from workspace_tool.workspace import load_index

    began = time.perf_counter()
    index = load_index(root)
    loaded = time.perf_counter()
    plan = schedule(build_input(index))
    done = time.perf_counter()
    return loaded - began, done - loaded, len(plan.tasks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10000)
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--deps", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="write the workspace here and keep it (default: a temporary folder, removed)")
    args = parser.parse_args()
    temp = None if args.out else Path(tempfile.mkdtemp(prefix="wm-bench-"))
    root = args.out or temp
    try:
        write_workspace(generate(args.tasks, args.people, args.deps, args.seed), root)
        cold = time_process(root)
        warm = min(time_process(root) for _ in range(3))
        load, sched, count = time_in_process(root)
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    where = root if temp is None else "a temporary folder, removed; --out DIR keeps it"
    print(f"workspace: {args.tasks} tasks, {args.people} people, {args.deps} dependencies ({where})")
    print(f"wm schedule --json, whole process: cold cache {cold:.2f} s, warm cache {warm:.2f} s")
    print(f"in process: index load {load:.2f} s, scheduler {sched:.2f} s ({count} tasks planned)")


if __name__ == "__main__":
    main()
