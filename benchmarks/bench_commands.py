"""Benchmark: every everyday read command at scale, warm and cold, against Taskwarrior where it has the command.

Generates a workspace (`generate.py`; or takes one with `--workspace`),
then times whole `wm` processes: warm (the cache made by one unrecorded
run; median and minimum of `--runs`) and, with `--cold`, cold (no `.wm/`:
each run starts without the cache, which is then removed again). Peak RSS
is the largest of the warm runs. With Taskwarrior installed and a generated
workspace, the same tasks are imported into a scratch TASKDATA (without
dependencies: with them, Taskwarrior 2.6 spends 70-100 s per command at
50,000 tasks) and `task` runs its nearest commands.

    python benchmarks/bench_commands.py --docs 10000            # 10,000 documents, no git
    python benchmarks/bench_commands.py --docs 10000 --commits 20000 --cold
    python benchmarks/bench_commands.py --workspace /tmp/w50k --runs 3

Commands that need git history (`history`, `activity`, `flow`) run only in a repository.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402
from checkout import PYTHON, child_env  # noqa: E402

TODAY = "2026-11-26"
ENV = child_env(WM_TODAY=TODAY)
WM = [*PYTHON, "-m", "workspace_tool"]

COMMANDS: list[tuple[str, list[str]]] = [
    ("list project:P", ["list", "project:{project}"]),
    ("list status + assignee", ["list", "status:todo,in-progress", "assignee:{person}"]),
    ("list is:overdue", ["list", "is:overdue"]),
    ("list is:critical", ["list", "is:critical"]),
    ("list text search", ["list", "migration"]),
    ("list --json all tasks", ["list", "--json", "--type", "task"]),
    ("show TASK", ["show", "{task}"]),
    ("board", ["board"]),
    ("agenda", ["agenda"]),
    ("next", ["next"]),
    ("blocked", ["blocked"]),
    ("schedule", ["schedule"]),
    ("workload", ["workload"]),
    ("report projects", ["report", "projects"]),
    ("report people", ["report", "people"]),
    ("report time --by project", ["report", "time", "--by", "project"]),
    ("report estimates", ["report", "estimates"]),
    ("report goals", ["report", "goals"]),
    ("validate", ["validate"]),
    ("export json", ["export", "json", "-o", "{out}/x.json"]),
    ("export csv --type task", ["export", "csv", "--type", "task", "-o", "{out}/x.csv"]),
    ("export ical", ["export", "ical", "-o", "{out}/x.ics"]),
]
GIT_COMMANDS: list[tuple[str, list[str]]] = [
    ("history TASK", ["history", "{task}"]),
    ("activity", ["activity"]),
    ("flow", ["flow"]),
]
TASKWARRIOR: list[tuple[str, list[str]]] = [
    ("list project:P", ["project:{project}", "list"]),
    ("list is:overdue", ["+OVERDUE", "list"]),
    ("list text search", ["/migration/", "list"]),
    ("next", ["next"]),
    ("export json", ["export"]),
]

Sample = tuple[float, int]  # wall seconds, peak RSS in KB


def run(cmd: list[str], env: dict[str, str]) -> Sample:
    """One whole process: its wall time and its peak RSS (a fresh `getrusage` of a single child, by `wait4`)."""
    started = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"failed ({child.returncode}): {' '.join(cmd)}")
    return wall, usage.ru_maxrss


def fill(args: list[str], names: dict[str, str]) -> list[str]:
    return [arg.format(**names) for arg in args]


def measure(root: Path, runs: int, cold: bool, out: Path) -> list[tuple[str, list[Sample], list[Sample]]]:
    names = {"project": _first(root / "projects", is_dir=True), "person": _first(root / "people"), "task": _task(root), "out": str(out)}
    commands = COMMANDS + (GIT_COMMANDS if (root / ".git").exists() else [])
    cache = root / ".wm"
    rows = []
    for label, args in commands:
        cmd = [*WM, "-C", str(root), *fill(args, names)]
        colds: list[Sample] = []
        for _ in range(runs if cold else 0):
            shutil.rmtree(cache, ignore_errors=True)
            colds.append(run(cmd, ENV))
        run(cmd, ENV)  # the cache
        warms = [run(cmd, ENV) for _ in range(runs)]
        rows.append((label, warms, colds))
        print(f"  {label}: {statistics.median(w for w, _ in warms):.2f} s", file=sys.stderr)
    return rows


def measure_taskwarrior(sizes: generate.Sizes, seed: int, runs: int, project: str) -> dict[str, list[Sample]]:
    task = shutil.which("task")
    if task is None:
        return {}
    data = Path(tempfile.mkdtemp(prefix="tw-"))
    try:
        rc = data / "taskrc"
        rc.write_text(f"data.location={data}\nconfirmation=off\nhooks=off\nverbose=nothing\nnews.version=2.6.2\n", encoding="utf-8")
        env = ENV | {"TASKRC": str(rc), "TASKDATA": str(data)}
        (data / "import.json").write_text(json.dumps(generate.taskwarrior_json(sizes, seed, False)), encoding="utf-8")
        subprocess.run([task, "import", str(data / "import.json")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        found = {}
        for label, args in TASKWARRIOR:
            cmd = [task, "rc.verbose=nothing", *fill(args, {"project": project})]
            run(cmd, env)
            found[label] = [run(cmd, env) for _ in range(runs)]
        return found
    finally:
        shutil.rmtree(data, ignore_errors=True)


def _first(folder: Path, is_dir: bool = False) -> str:
    names = sorted(p.name if is_dir else p.stem for p in folder.iterdir() if p.is_dir() == is_dir and not p.name.startswith("."))
    return names[0]


def _task(root: Path) -> str:
    return min((p.stem for p in root.glob("projects/*/tasks/*.md")), default="")


def table(rows: list[tuple[str, list[Sample], list[Sample]]], peers: dict[str, list[Sample]]) -> str:
    def med(samples: list[Sample]) -> str:
        return f"{statistics.median(w for w, _ in samples):.2f} s (min {min(w for w, _ in samples):.2f})" if samples else ""

    lines = ["| command | warm | cold | peak MB (warm) | Taskwarrior, same tasks |", "|---|---:|---:|---:|---:|"]
    for label, warms, colds in rows:
        peak = max(r for _, r in warms) / 1024
        lines.append(f"| `wm {label}` | {med(warms)} | {med(colds)} | {peak:.0f} | {med(peers.get(label, []))} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--workspace", type=Path, help="an existing workspace (else one is generated in a temporary folder)")
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--commits", type=int, default=0, help="generate a git history of N commits")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="also time runs without the cache (.wm/ is removed)")
    parser.add_argument("--no-taskwarrior", action="store_true")
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="wm-commands-"))
    try:
        root = args.workspace
        sizes = generate.Sizes(args.docs, 40, 20, 6, 5)
        if root is None:
            root = scratch / "ws"
            generate.main([str(root), "--docs", str(args.docs), "--commits", str(args.commits), "--seed", str(args.seed)])
        rows = measure(root, args.runs, args.cold, scratch)
        project = _first(root / "projects", is_dir=True)
        peers = {} if args.no_taskwarrior or args.workspace else measure_taskwarrior(sizes, args.seed, args.runs, project)
        print(f"{root}: {args.runs} runs each; median (minimum); WM_TODAY={TODAY}")
        print(table(rows, peers))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
