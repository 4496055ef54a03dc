"""Benchmark: `wm report time` on 100,000 time entries versus `hledger bal` on the same entries.

Generates a workspace in a temporary folder (20 people, 4 clients, 16
projects, 320 tasks, 100,000 entries over two years), warms the cache with
one run, then times whole `wm` processes and `hledger -f FILE bal` on the
`wm export timeclock` of the same entries, and checks that both give the
same per-project and total hours (to hledger's 2-decimal rounding).

    python benchmarks/bench_reports.py [--entries N] [--runs R] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from checkout import PYTHON, child_env  # noqa: E402

PEOPLE = 20
CLIENTS = 4
PROJECTS = 16
TASKS_PER_PROJECT = 20
START = dt.date(2025, 1, 1)


def generate(root: Path, entries: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "workspace.yml").write_text("name: Bench\ncurrency: EUR\nrate: 90\n", encoding="utf-8")
    for c in range(CLIENTS):
        _write(root / f"clients/client-{c}.md", f"---\nname: Client {c}\nrate: {100 + 10 * c}\n---\n")
    for p in range(PEOPLE):
        _write(root / f"people/p{p:02d}.md", f"---\nname: Person {p}\nrate: {60 + p}\n---\n")
    tasks = []
    for j in range(PROJECTS):
        client = f"client: client-{j % CLIENTS}\n" if j % 8 else ""
        _write(root / f"projects/proj-{j:02d}/project.md", f"---\ntitle: Project {j}\nstatus: active\n{client}billable: {'true' if j % 8 else 'false'}\n---\n")
        for k in range(TASKS_PER_PROJECT):
            task = f"t{j:02d}-{k:02d}"
            tasks.append(task)
            _write(root / f"projects/proj-{j:02d}/tasks/{task}.md", f"---\ntitle: Task {task}\nestimate: {rng.randint(2, 40)}h\n---\n")
    by_file: dict[Path, list[str]] = defaultdict(list)
    days = 730
    for n in range(entries):
        person = f"p{n % PEOPLE:02d}"
        day = START + dt.timedelta(days=(n * days) // entries)
        ref = rng.choice(tasks)
        minutes = rng.choice((15, 30, 45, 60, 90, 120, 20))
        tag = " #nonbillable" if n % 17 == 0 else ""
        by_file[root / f"timelogs/{person}/{day:%Y-%m}.md"].append(f"- {day.isoformat()} {minutes}m {ref} work{tag}")
    for path, lines in by_file.items():
        _write(path, f"---\nperson: {path.parent.name}\n---\n\n" + "\n".join(lines) + "\n")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


CPU: list[float] = []
"""CPU seconds (user + system) of each run, alongside wall time: steadier on a busy machine."""


def _run(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    begin = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=True)
    wall = time.perf_counter() - begin
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return wall, done.stdout


def _hledger_balances(text: str) -> dict[str, float]:
    found = {}
    for line in text.splitlines():
        match = re.match(r"^\s*([\d.,]+)h\s+(\S+)$", line)
        if match:
            found[match.group(2)] = float(match.group(1).replace(",", ""))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", metavar="DIR", help="Generate into DIR and keep it.")
    options = parser.parse_args()
    root = Path(options.keep) if options.keep else Path(tempfile.mkdtemp(prefix="wm-bench-reports-"))
    env = child_env(WM_TODAY="2027-01-15", WM_NOW="12:00")
    wm = [*PYTHON, "-m", "workspace_tool", "-C", str(root)]
    try:
        begin = time.perf_counter()
        generate(root, options.entries)
        print(f"generated {options.entries} entries in {time.perf_counter() - begin:.1f}s at {root}")
        cold, _ = _run([*wm, "report", "time", "--by", "client,project", "--json"], env)
        warm = []
        CPU.clear()
        for _ in range(options.runs):
            seconds, output = _run([*wm, "report", "time", "--by", "client,project", "--json"], env)
            warm.append(seconds)
        wm_cpu = statistics.median(CPU)
        report = json.loads(output)
        print(f"wm report time --by client,project --json: first run {cold:.2f}s, warm median {statistics.median(warm):.2f}s "
              f"(min {min(warm):.2f}s), CPU median {wm_cpu:.2f}s")
        clock = root / "bench.timeclock"
        seconds, _ = _run([*wm, "export", "timeclock", "-o", str(clock)], env)
        print(f"wm export timeclock: {seconds:.2f}s")
        if shutil.which("hledger") is None:
            print("hledger not installed: comparison skipped")
            return 0
        ledger = []
        CPU.clear()
        for _ in range(max(1, options.runs // 2)):
            seconds, text = _run(["hledger", "-f", str(clock), "bal", "--flat", "--no-total"], env)
            ledger.append(seconds)
        ledger_cpu = statistics.median(CPU)
        print(f"hledger -f FILE bal: median {statistics.median(ledger):.2f}s, CPU median {ledger_cpu:.2f}s -> wm is "
              f"{statistics.median(ledger) / statistics.median(warm):.1f}x faster (wall), {ledger_cpu / wm_cpu:.1f}x (CPU); "
              f"10x would need wm at {statistics.median(ledger) / 10:.2f}s")
        return _compare(report, _hledger_balances(text), root)
    finally:
        if not options.keep:
            shutil.rmtree(root, ignore_errors=True)


def _compare(report: dict[str, object], balances: dict[str, float], root: Path) -> int:
    sessions: dict[str, int] = defaultdict(int)
    for line in (root / "bench.timeclock").read_text().splitlines():
        if line.startswith("i "):
            sessions[line.split()[3]] += 1
    bad = 0
    total = 0.0
    for row in report["rows"]:  # type: ignore[attr-defined]
        client, project = row["key"]
        account = f"{client}:{project}" if client else project
        total += balances.get(account, 0.0)
        # 20-minute sessions are 0.33h each in hledger
        if abs(balances.get(account, 0.0) - row["hours"]) > 0.005 * sessions[account] + 1e-6:
            bad += 1
            print(f"MISMATCH {account}: hledger {balances.get(account)} wm {row['hours']}")
    if abs(total - report["total_hours"]) > 0.005 * sum(sessions.values()):  # type: ignore[operator]
        bad += 1
    print(f"per-project hours agree for {len(report['rows']) - bad}/{len(report['rows'])} projects; "  # type: ignore[arg-type]
          f"total wm {report['total_hours']} hledger {total:.2f} (hledger rounds each session to 0.01h)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
