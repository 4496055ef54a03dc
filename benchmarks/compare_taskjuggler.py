"""Compare `wm schedule` with TaskJuggler (tj3) on the same generated projects.

    python benchmarks/compare_taskjuggler.py --sizes 50,200,1000

For each size, writes the generated projects (see bench_schedule.generate) as
a wm workspace and as a `.tjp` file with the same calendar (09:00-17:00
Mon-Fri, same holidays, leave, per-person workdays, `limits { dailymax Nh }`
for capacity), runs both, and compares each task's start and end (date and
clock time) and the plan's length. Prints a table; details per differing
task with --show N.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_schedule import Spec, generate, write_workspace  # noqa: E402

TJ_PRIORITY = {"critical": 900, "high": 700, "medium": 500, "low": 300}
FMT = "%Y-%m-%d %H:%M"


def aligned_priorities(spec: Spec) -> dict[str, int]:
    """TaskJuggler priorities (1-1000) that spell out wm's own order: priority, longer chain of work after, ID.

    With these, tj3's pathcriticalness tie-break never decides, so any remaining
    difference is in the booking itself (calendars, capacity, splitting).
    """
    rank = {p: k for k, p in enumerate(("critical", "high", "medium", "low"))}
    succs: dict[str, list[str]] = {t.id: [] for t in spec.tasks}
    for t in spec.tasks:
        for d in t.depends_on:
            succs[d].append(t.id)
    tail: dict[str, int] = {}
    for t in reversed(spec.tasks):  # dependencies point to earlier tasks only
        tail[t.id] = t.hours + max((tail[s] for s in succs[t.id]), default=0)
    order = sorted(spec.tasks, key=lambda t: (rank[t.priority], -tail[t.id], t.id))
    return {t.id: 1000 - k for k, t in enumerate(order)}


def write_tjp(spec: Spec, path: Path, aligned: bool = False) -> None:
    """The spec as a TaskJuggler project."""
    priorities = aligned_priorities(spec) if aligned else {t.id: TJ_PRIORITY[t.priority] for t in spec.tasks}
    out = [
        f'project bench "bench" {spec.start.isoformat()} +{3 + len(spec.tasks) // 600}y {{',
        '  timezone "UTC"',
        "  timingresolution 60min",
        "  dailyworkinghours 8",
        "  workinghours mon - fri 9:00 - 17:00",
        "  workinghours sat, sun off",
        f"  now {spec.start.isoformat()}",
        "}",
    ]
    out.extend(f'leaves holiday "h{k}" {h.isoformat()} +1d' for k, h in enumerate(spec.holidays))
    for p in spec.people:
        body = []
        if p.capacity is not None:
            body.append(f"limits {{ dailymax {p.capacity}h }}")
        if p.off:
            body.append("workinghours " + ", ".join(p.off) + " off")
        body.extend(f"leaves annual {s.isoformat()} +{n}d" for s, n in p.leave)
        out.append(f'resource {p.id} "{p.id}" {{ ' + " ".join(body) + " }")
    for project in spec.projects:
        out.append(f'task {project} "{project}" {{')
        for t in (t for t in spec.tasks if t.project == project):
            out.append(f'  task {t.id} "{t.id}" {{ priority {priorities[t.id]} {_tj_body(t, spec)} }}')
        out.append("}")
    out.append('taskreport out "out" { formats csv columns id, start, end timeformat "%Y-%m-%d %H:%M" }')
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def _tj_body(t, spec: Spec) -> str:  # type: ignore[no-untyped-def]
    project_of = {x.id: x.project for x in spec.tasks}
    parts: list[str] = []
    if t.milestone:
        parts.append("milestone")
    elif t.assignee:
        parts.append(f"effort {t.hours}h allocate {t.assignee}")
    else:
        parts.append(f"length {t.hours}h")
    if t.depends_on:
        parts.append("depends " + ", ".join(f"{project_of[d]}.{d}" for d in t.depends_on))
    if not t.depends_on and not t.milestone:
        parts.append(f"start {spec.start.isoformat()}")
    if t.milestone and not t.depends_on:
        parts.append(f"start {spec.start.isoformat()}")
    return " ".join(parts)


def run_tj(tjp: Path, outdir: Path) -> tuple[dict[str, tuple[dt.datetime, dt.datetime]], float]:
    began = time.perf_counter()
    result = subprocess.run(["tj3", "--no-color", "-o", str(outdir), str(tjp)], capture_output=True, text=True)
    elapsed = time.perf_counter() - began
    if result.returncode != 0:
        raise SystemExit(f"tj3 failed:\n{result.stderr[-3000:]}")
    rows: dict[str, tuple[dt.datetime, dt.datetime]] = {}
    with open(outdir / "out.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            tid = row["Id"].split(".")[-1]
            if tid.startswith("t"):
                rows[tid] = (dt.datetime.strptime(row["Start"], FMT), dt.datetime.strptime(row["End"], FMT))
    return rows, elapsed


def run_wm(root: Path) -> tuple[dict[str, tuple[dt.datetime, dt.datetime]], float]:
    subprocess.run([sys.executable, "-m", "workspace_tool", "-C", str(root), "validate"], capture_output=True)  # warm the cache
    began = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "workspace_tool", "-C", str(root), "schedule", "--json"], capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - began
    data = json.loads(result.stdout)
    return {t["id"]: (dt.datetime.fromisoformat(t["start_at"]), dt.datetime.fromisoformat(t["end_at"])) for t in data["tasks"]}, elapsed


def compare(size: int, people: int, deps_per_task: float, seed: int, keep: Path | None, show: int, solo: bool = False, aligned: bool = False) -> dict[str, Any]:
    spec = generate(size, size if solo else people, int(size * deps_per_task), seed, solo)
    work = keep or Path(tempfile.mkdtemp(prefix="wm-tj-"))
    root, tjdir = work / f"ws{size}", work / f"tj{size}"
    shutil.rmtree(root, ignore_errors=True)
    tjdir.mkdir(parents=True, exist_ok=True)
    write_workspace(spec, root)
    write_tjp(spec, tjdir / "plan.tjp", aligned)
    wm, wm_s = run_wm(root)
    tj, tj_s = run_tj(tjdir / "plan.tjp", tjdir)
    ids = sorted(set(wm) & set(tj))
    same_start = sum(wm[i][0] == tj[i][0] for i in ids)
    same_end = sum(wm[i][1] == tj[i][1] for i in ids)
    same_dates = sum(wm[i][0].date() == tj[i][0].date() and wm[i][1].date() == tj[i][1].date() for i in ids)
    wm_end, tj_end = max(v[1] for v in wm.values()), max(v[1] for v in tj.values())
    for i in [i for i in ids if wm[i] != tj[i]][:show]:
        print(f"  {i}: wm {wm[i][0]:{FMT}} -> {wm[i][1]:{FMT}}   tj {tj[i][0]:{FMT}} -> {tj[i][1]:{FMT}}")
    return {
        "tasks": size, "compared": len(ids), "same_start": same_start, "same_end": same_end, "same_dates": same_dates,
        "wm_end": wm_end, "tj_end": tj_end, "wm_s": wm_s, "tj_s": tj_s,
    }


def _pct(r: dict[str, Any], key: str) -> str:
    return f"{100 * r[key] / r['compared']:5.1f}%" if r["compared"] else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,200,1000")
    parser.add_argument("--people", type=int, default=0, help="people (default: tasks/40, at least 3, at most 50)")
    parser.add_argument("--deps", type=float, default=2.0, help="dependencies per task")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    parser.add_argument("--solo", action="store_true", help="one person per task: no competition, checks calendar arithmetic")
    parser.add_argument("--aligned", action="store_true", help="give tj3 priorities that spell out wm's tie-break order (up to 999 tasks)")
    parser.add_argument("--show", type=int, default=0, help="print the first N differing tasks per size")
    args = parser.parse_args()
    print(f"{'tasks':>6} {'same start':>11} {'same end':>9} {'same dates':>11} {'wm plan end':>17} {'tj plan end':>17} {'wm s':>6} {'tj s':>7} {'tj/wm':>6}")
    for size in (int(s) for s in args.sizes.split(",")):
        people = args.people or max(3, min(50, size // 40))
        r = compare(size, people, args.deps, args.seed, args.keep, args.show, args.solo, args.aligned)
        print(
            f"{size:>6} {_pct(r, 'same_start'):>11} {_pct(r, 'same_end'):>9} {_pct(r, 'same_dates'):>11} {r['wm_end']:{FMT}} {r['tj_end']:{FMT}}"
            f" {r['wm_s']:6.2f} {r['tj_s']:7.2f} {r['tj_s'] / r['wm_s']:6.1f}"
        )


if __name__ == "__main__":
    main()
