"""Benchmark the index, the cache and `wm list` against the LibYAML floor and Taskwarrior.

    python benchmarks/run.py                  # 10,000 documents in a temporary folder
    python benchmarks/run.py --docs 2000 --repeat 3 --markdown
    python benchmarks/run.py --storage        # also compare cache storage formats

Each figure is the median of `--repeat` runs (min in brackets). In-process
figures time `load_index` in a fresh interpreter (so module caches are cold
but the OS page cache is warm, as for a user re-running a command). Whole
process figures run the real `wm` console script. Peak RSS comes from
`resource.getrusage(RUSAGE_CHILDREN)` of a helper that runs only that command.
Taskwarrior (`task`, if installed) gets the same tasks via `task import`,
with dependencies and without, each in its own temporary TASKDATA.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
from checkout import PYTHON, child_env  # noqa: E402

PROJECT = "proj-001"
"""The project queried (`proj-000` when the workspace has only one)."""
CHILD_ENV = {k: v for k, v in child_env(WM_TODAY="2026-11-26").items() if k not in ("PYTHONDONTWRITEBYTECODE", "WM_NO_CACHE")}

TIME_LOAD = """
import resource, sys, time
from pathlib import Path
from workspace_tool.workspace import load_index
t, c = time.perf_counter(), time.process_time()
index = load_index(Path(sys.argv[1]), use_cache=sys.argv[2] == "1")
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
own = time.process_time() - c
print(time.perf_counter() - t, own + kids.ru_utime + kids.ru_stime, own, len(index))
"""

FLOOR = """
import sys, time, yaml
from pathlib import Path
from workspace_tool.loader import discover, read_settings
root = Path(sys.argv[1])
t, c = time.perf_counter(), time.process_time()
settings, _ = read_settings(root)
files, _ = discover(root, settings)
for f in files:
    text = (root / f.relpath).read_bytes().decode("utf-8")
    if text.startswith("---\\n"):
        end = text.find("\\n---\\n", 3)
        yaml.load(text[4:end], Loader=yaml.CSafeLoader)
print(time.perf_counter() - t, time.process_time() - c, len(files))
"""

COUNT = """
import sys
from pathlib import Path
from workspace_tool.loader import discover, read_settings
root = Path(sys.argv[1])
print(len(discover(root, read_settings(root)[0])[0]))
"""
"""The documents of the workspace (its files wm reads), whatever made it."""

CHANGE_COST = """
import statistics, sys, time
from pathlib import Path
from workspace_tool.cache import ParseCache
from workspace_tool.loader import discover, read_settings
from workspace_tool.workspace import assemble_index
root, target, repeat = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
settings, _ = read_settings(root)
cache = ParseCache(root, settings)
cache.refresh(discover(root, settings)[0])
original = target.read_text(encoding="utf-8")
same, edited, marginal = [], [], []
def timed():
    t = time.perf_counter()
    files, _ = discover(root, settings)
    parsed = cache.refresh(files)
    t1 = time.perf_counter()
    assemble_index(root, settings, parsed, [], None)
    return time.perf_counter() - t, t1 - t
for number in range(repeat):
    same.append(timed()[1])
    target.write_text(original.replace("status:", f"# bench {number}\\nstatus:", 1), encoding="utf-8")
    total, refresh = timed()
    assert cache.stats.parsed == 1, cache.stats
    edited.append(total)
    marginal.append(refresh - same[-1])
target.write_text(original, encoding="utf-8")
print(min(edited), statistics.median(edited), statistics.median(marginal), statistics.median(marginal))  # a min of differences means nothing
"""

PEAK_RSS = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _python(code: str, *args: str) -> str:
    result = subprocess.run([*PYTHON, "-c", code, *args], capture_output=True, text=True, env=CHILD_ENV, check=True)
    return result.stdout.strip()


Sample = tuple[float, float]
"""(wall seconds, CPU seconds: user + system, children included)."""
Figure = tuple[float, float, float]
"""(median wall, min wall, median CPU)."""


def _wall(cmd: list[str], env: dict[str, str] | None = None) -> Sample:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env or CHILD_ENV, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _in_process(code: str, *args: str) -> Sample:
    wall, cpu, *_ = _python(code, *args).split()
    return float(wall), float(cpu)


def _stat(samples: list[Sample]) -> Figure:
    walls = [w for w, _ in samples]
    return statistics.median(walls), min(walls), statistics.median(c for _, c in samples)


def wm_script() -> str:
    """The real console script next to this interpreter (not a pyenv shim, which adds its own startup)."""
    candidate = Path(sys.executable).parent / "wm"
    return str(candidate) if candidate.exists() else shutil.which("wm") or "wm"


def pick_project(root: Path) -> str:
    return PROJECT if (root / "projects" / PROJECT).is_dir() else "proj-000"


def measure_wm(root: Path, repeat: int) -> dict[str, Figure]:
    project = pick_project(root)
    cache = root / ".wm"
    results: dict[str, Figure] = {}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(generate.__file__).parent.parent / "workspace_tool")], stdout=subprocess.DEVNULL, check=False)
    results["floor: read + LibYAML CSafeLoader"] = _stat([_in_process(FLOOR, str(root)) for _ in range(repeat)])
    results["index without cache (serial)"] = _stat([_in_process(TIME_LOAD, str(root), "0") for _ in range(repeat)])
    cold, own = [], []
    for _ in range(repeat):
        shutil.rmtree(cache, ignore_errors=True)
        wall, cpu, parent, *_ = map(float, _python(TIME_LOAD, str(root), "1").split())
        cold.append((wall, cpu))
        own.append((parent, parent))
    results["cold index (no cache; parse + write cache)"] = _stat(cold)
    # The parent's CPU alone is the cold wall time when the second core is free (the workers finish
    # first): on a shared machine it is the figure to compare with the floor.
    results["  cold index: this process's CPU only (= wall with a free second core)"] = _stat(own)
    results["warm index (nothing changed)"] = _stat([_in_process(TIME_LOAD, str(root), "1") for _ in range(repeat)])
    target = next((root / "projects" / project / "tasks").glob("*.md"))
    original = target.read_text(encoding="utf-8")
    changed = []
    for number in range(repeat):
        target.write_text(original.replace("status:", f"# edit {number}\nstatus:", 1), encoding="utf-8")
        changed.append(_in_process(TIME_LOAD, str(root), "1"))
    target.write_text(original, encoding="utf-8")
    _python(TIME_LOAD, str(root), "1")
    results["one file changed (warm index + re-parse)"] = _stat(changed)
    best, median, best_extra, median_extra = map(float, _python(CHANGE_COST, str(root), str(target), str(repeat)).split())
    results["one file changed, in a warm process (wm watch): stat walk + re-parse + index"] = (median, best, median)
    results["  of which the change itself (re-parse + delta write; median of differences)"] = (median_extra, best_extra, median_extra)
    wm = wm_script()
    results["process: python -c pass"] = _stat([_wall([sys.executable, "-c", "pass"]) for _ in range(repeat)])
    results["process: wm --help"] = _stat([_wall([wm, "--help"]) for _ in range(repeat)])
    results["process: floor (python + read + LibYAML, as a whole process)"] = _stat(
        [_wall([*PYTHON, "-c", FLOOR, str(root)]) for _ in range(repeat)]
    )
    validate = []
    for _ in range(repeat):
        shutil.rmtree(cache, ignore_errors=True)
        validate.append(_wall([wm, "-C", str(root), "validate"]))
    results["process: wm validate (cold: no cache)"] = _stat(validate)
    cmd = [wm, "-C", str(root), "list", f"project:{project}"]
    _wall(cmd)
    results[f"process: wm list project:{project} (warm)"] = _stat([_wall(cmd) for _ in range(repeat)])
    rss = int(_python(PEAK_RSS, *cmd))
    results["peak RSS of wm list (MB)"] = (rss / 1024, rss / 1024, 0.0)
    return results


def measure_taskwarrior(root: Path, sizes: generate.Sizes, seed: int, repeat: int) -> dict[str, Figure]:
    task = shutil.which("task")
    if task is None:
        return {}
    results: dict[str, Figure] = {}
    project = pick_project(root)
    for label, deps in (("with dependencies", True), ("without dependencies", False)):
        data = Path(tempfile.mkdtemp(prefix="tw-"))
        rc = data / "taskrc"
        rc.write_text(f"data.location={data}\nconfirmation=off\nhooks=off\nverbose=nothing\nnews.version=2.6.2\n", encoding="utf-8")
        env = CHILD_ENV | {"TASKRC": str(rc), "TASKDATA": str(data)}
        records = generate.taskwarrior_json(sizes, seed, deps)
        (data / "import.json").write_text(json.dumps(records), encoding="utf-8")
        started = time.perf_counter()
        subprocess.run([task, "rc.verbose=nothing", "rc.hooks=off", "import", str(data / "import.json")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        results[f"taskwarrior import {len(records)} tasks ({label}; once)"] = (time.perf_counter() - started,) * 3
        cmd = [task, "rc.verbose=nothing", "rc.confirmation=off", "rc.hooks=off", f"project:{project}", "list"]
        _wall(cmd, env)
        results[f"process: task project:{project} list ({label})"] = _stat([_wall(cmd, env) for _ in range(repeat)])
        shutil.rmtree(data, ignore_errors=True)
    return results


def measure_storage(root: Path, repeat: int) -> dict[str, Figure]:
    """Candidate cache stores for the same parse results: one pickle file vs SQLite rows."""
    code = """
import gc, os, pickle, sqlite3, sys, time, statistics
from pathlib import Path
from workspace_tool.loader import discover, read_settings, parse_file
root = Path(sys.argv[1]); repeat = int(sys.argv[2])
settings, _ = read_settings(root); files, _ = discover(root, settings)
entries = {f.relpath: (f.size, f.mtime_ns, parse_file(root, f.relpath, settings)) for f in files}
tmp = Path(sys.argv[3]); gc.disable()
def t(fn):
    out = []
    for _ in range(repeat):
        s = time.perf_counter(); fn(); out.append(time.perf_counter() - s)
    return statistics.median(out), min(out), statistics.median(out)
res = {}
def pw():
    (tmp / "c.pickle").write_bytes(pickle.dumps(entries, protocol=5))
res["pickle file: write all"] = t(pw)
res["pickle file: read all"] = t(lambda: pickle.loads((tmp / "c.pickle").read_bytes()))
def sw():
    if (tmp / "c.db").exists(): os.remove(tmp / "c.db")
    db = sqlite3.connect(tmp / "c.db"); db.execute("create table f(path text primary key, size int, mtime int, data blob)")
    with db: db.executemany("insert into f values (?,?,?,?)", [(k, a, b, pickle.dumps(p, protocol=5)) for k, (a, b, p) in entries.items()])
    db.close()
res["sqlite rows: write all"] = t(sw)
def sr():
    db = sqlite3.connect(tmp / "c.db"); {k: (a, b, pickle.loads(d)) for k, a, b, d in db.execute("select * from f")}; db.close()
res["sqlite rows: read all"] = t(sr)
key = next(iter(entries))
def s1():
    db = sqlite3.connect(tmp / "c.db")
    with db: db.execute("replace into f values (?,?,?,?)", (key, 1, 2, pickle.dumps(entries[key][2], protocol=5)))
    db.close()
res["sqlite rows: update one"] = t(s1)
def d1():
    (tmp / "d.pickle").write_bytes(pickle.dumps({key: entries[key]}, protocol=5))
res["pickle delta file: write one"] = t(d1)
res["(pickle file size MB)"] = ((tmp / "c.pickle").stat().st_size / 1e6,) * 3
res["(sqlite file size MB)"] = ((tmp / "c.db").stat().st_size / 1e6,) * 3
print(repr(res))
"""
    with tempfile.TemporaryDirectory() as tmp:
        import ast

        return ast.literal_eval(_python(code, str(root), str(repeat), tmp))


def render(results: dict[str, Figure], markdown: bool) -> str:
    rows = []
    for name, (median, best, cpu) in results.items():
        if "MB" in name:
            rows.append((name, f"{median:.0f}", "", ""))
        else:
            rows.append((name, f"{median * 1000:.0f} ms", f"{best * 1000:.0f} ms", f"{cpu * 1000:.0f} ms"))
    if markdown:
        lines = ["| measurement | median | min | CPU (median) |", "|---|---:|---:|---:|"] + [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
        return "\n".join(lines)
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{a:<{width}}  {b:>9}  {c:>9}  {d:>9}" for a, b, c, d in rows)


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()} {platform.release()}"


def _sizes(docs: int) -> generate.Sizes:
    """The sizes of a generated workspace of `docs` documents (and of the Taskwarrior data compared with it)."""
    return generate.Sizes(docs, max(docs // 250, 1), 20, 6)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark wm's index and cache.")
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workspace", type=Path, help="use (and keep) this folder; generated there when empty (Taskwarrior gets tasks generated for as many documents)")
    parser.add_argument("--storage", action="store_true", help="also compare cache storage formats")
    parser.add_argument("--no-taskwarrior", action="store_true")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables (for docs/performance.md)")
    args = parser.parse_args(argv)
    temp = None
    root = args.workspace
    if root is None:
        temp = tempfile.mkdtemp(prefix="wm-bench-")
        root = Path(temp) / "ws"
    if not root.exists() or not any(root.iterdir()):
        generate.write_files(root, generate.build_files(_sizes(args.docs), args.seed))
    try:
        documents = int(_python(COUNT, str(root)))  # a --workspace given may hold any number (not --docs)
        sizes = _sizes(documents)
        print(f"machine: {machine()}\nworkspace: {documents} documents ({root})\n")
        results = measure_wm(root, args.repeat)
        if not args.no_taskwarrior:
            results |= measure_taskwarrior(root, sizes, args.seed, args.repeat)
        print(render(results, args.markdown))
        floor = results["floor: read + LibYAML CSafeLoader"]
        cold = results["cold index (no cache; parse + write cache)"]
        own = results["  cold index: this process's CPU only (= wall with a free second core)"]
        print(f"\ncold index / floor: {cold[0] / floor[0]:.2f}x (medians of wall), {cold[1] / floor[1]:.2f}x (mins of wall); "
              f"this process's CPU / floor CPU: {own[2] / floor[2]:.2f}x")
        if args.storage:
            print("\ncache storage candidates (in-process, GC off):\n")
            print(render(measure_storage(root, args.repeat), args.markdown))
    finally:
        if temp:
            shutil.rmtree(temp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
