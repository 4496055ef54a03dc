"""Benchmark the history index against one `git log --follow` per file.

usage: python benchmarks/bench_history.py [--docs 2000] [--commits 20000] [--sample 20] [--repo DIR]

Builds a synthetic workspace repository with `git fast-import` (tasks with
status/assignee/estimate changes, projects, decisions), then times: the cold
history index (no cache), a warm read (same HEAD), the read after one new
commit (alone, then with one document's versions, then with every version
built: the cache builds versions on first use), and `git log --follow` per
file on a sample, extrapolated to all files. Timings that are repeated
report the median, with the CPU seconds of that same run.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from workspace_tool.history import load_history
from workspace_tool.workspace import load_index

STATUSES = ["todo", "in-progress", "review", "done"]
PEOPLE = [("Alice", "alice@example.com"), ("Bob", "bob@example.com"), ("Carol", "carol@example.com"), ("Dan", "dan@example.com")]


def doc_paths(count: int) -> list[str]:
    paths = []
    for i in range(count):
        kind = i % 10
        if kind == 0:
            paths.append(f"projects/p-{i:05d}/project.md")
        elif kind == 1:
            paths.append(f"decisions/d-{i:05d}.md")
        else:
            paths.append(f"tasks/t-{i:05d}.md")
    return paths


def content(path: str, rev: int, rng: random.Random) -> str:
    name = path.rsplit("/", 1)[-1][:-3]
    body = "\n".join(f"Paragraph {j} of {name} rev {rev}. " + "lorem ipsum dolor sit amet " * 8 for j in range(4))
    if path.startswith("tasks/"):
        fm = (
            f"title: Task {name}\nstatus: {rng.choice(STATUSES)}\nassignee: {rng.choice(PEOPLE)[0].lower()}\n"
            f"estimate: {rng.randint(1, 5)}d\nproject: p-{rng.randrange(0, 2000, 10):05d}\n"
        )
    elif path.startswith("projects/"):
        fm = f"title: Project {name}\nstatus: active\nowner: {rng.choice(PEOPLE)[0].lower()}\n"
    else:
        fm = f"title: Decision {name}\nstatus: {rng.choice(['proposed', 'accepted'])}\n"
    if rng.random() < 0.5:  # half the edits touch only the body
        fm += f"rev: {rev}\n"
    return f"---\n{fm}---\n\n# {name}\n\n{body}\n"


def make_repo(dest: Path, docs: int, commits: int) -> None:
    rng = random.Random(42)
    subprocess.run(["git", "init", "-q", "-b", "main", str(dest)], check=True)
    proc = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=dest, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    write = proc.stdin.write
    paths = doc_paths(docs)
    revs: dict[str, int] = {}
    stamp = 1_700_000_000
    for mark in range(1, commits + docs // 200 + 2):
        first = mark <= docs // 200 + 1
        files = paths[(mark - 1) * 200 : mark * 200] if first else rng.sample(paths, k=rng.randint(1, 3))
        if first and mark == 1:
            files = ["workspace.yml", *files]
        stamp += 600 if first else rng.randint(60, 7200)
        name, email = rng.choice(PEOPLE)
        message = f"update {len(files)} docs (#{mark})".encode()
        write(
            f"commit refs/heads/main\nmark :{mark}\nauthor {name} <{email}> {stamp} +0100\ncommitter {name} <{email}> {stamp} +0100\n".encode()
        )
        write(b"data %d\n%s\n" % (len(message), message))
        if mark > 1:
            write(f"from :{mark - 1}\n".encode())
        for path in files:
            revs[path] = revs.get(path, 0) + 1
            data = b"name: bench\n" if path == "workspace.yml" else content(path, revs[path], rng).encode()
            write(f"M 100644 inline {path}\n".encode() + b"data %d\n" % len(data) + data + b"\n")
        write(b"\n")
    proc.stdin.close()
    proc.wait()
    subprocess.run(["git", "reset", "-q", "--hard"], cwd=dest, check=True)


CPU: list[tuple[float, float]] = []
LOAD = ""


def timed(fn: object) -> float:
    """Wall seconds; the CPU seconds of this process and of git (its children) go to CPU."""
    start, before = time.perf_counter(), os.times()
    fn()  # type: ignore[operator]
    after = os.times()
    CPU.append(
        (
            after.user + after.system - before.user - before.system,
            after.children_user + after.children_system - before.children_user - before.children_system,
        )
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--commits", type=int, default=20000)
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--repo", type=Path, help="reuse (or create) the repository here")
    args = parser.parse_args()
    temp = None
    repo = args.repo
    if repo is None:
        temp = tempfile.mkdtemp(prefix="wm-bench-")
        repo = Path(temp) / "repo"
    if not (repo / ".git").exists():
        print(f"building {args.docs} docs / {args.commits} commits in {repo} ...", file=sys.stderr)
        make_repo(repo, args.docs, args.commits)
    global LOAD
    LOAD = " ".join(f"{x:.2f}" for x in os.getloadavg())
    count = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
    index = load_index(repo.resolve())
    shutil.rmtree(repo / ".wm", ignore_errors=True)
    rows = []
    cold = [timed(lambda: load_history(index, use_cache=False, progress=False)) for _ in range(3)]
    cpu = [_median_cpu(cold)]
    rows.append(("cold history index (no cache), median of 3", statistics.median(cold)))
    shutil.rmtree(repo / ".wm", ignore_errors=True)
    rows.append(("first read, writing the cache", timed(lambda: load_history(index, progress=False))))
    cpu.append(CPU[-1])
    rows.append(("warm read (cache at HEAD)", timed(lambda: load_history(index, progress=False))))
    cpu.append(CPU[-1])
    reads = [
        ("after one new commit (median of 5)", lambda: load_history(index, progress=False)),
        ("  ... and one document's versions (median of 5)", lambda: load_history(index, progress=False).versions("t-00002")),
        ("  ... and every version built (median of 5)", lambda: [d.versions for d in load_history(index, progress=False).documents]),
    ]
    commit = 0
    for label, read in reads:
        after = []
        for _ in range(5):
            target = repo / "tasks" / f"t-{2 + 10 * (commit % 150):05d}.md"
            target.write_text(target.read_text().replace("status:", "status: done\nold_status:", 1))
            subprocess.run(["git", "commit", "-qam", f"bench commit {commit}"], cwd=repo, check=True, env=_env())
            commit += 1
            after.append(timed(read))
        rows.append((label, statistics.median(after)))
        cpu.append(_median_cpu(after))
    files = subprocess.run(["git", "ls-files", "*.md"], cwd=repo, capture_output=True, text=True).stdout.split()
    sample = random.Random(1).sample(files, min(args.sample, len(files)))
    per_file = timed(
        lambda: [
            subprocess.run(
                ["git", "log", "--follow", "--format=%H %an %aI %s", "--", f], cwd=repo, capture_output=True, check=True
            )
            for f in sample
        ]
    )
    per_file_total = per_file / len(sample) * len(files)
    rows.append((f"`git log --follow` per file: {len(sample)} files, extrapolated to {len(files)}", per_file_total))
    scale = len(files) / len(sample)
    cpu.append((CPU[-1][0] * scale, CPU[-1][1] * scale))
    print(
        f"repository: {len(files)} documents, {count} commits; git {subprocess.run(['git', '--version'], capture_output=True, text=True).stdout.split()[-1]}"
    )
    width = max(len(r[0]) for r in rows)
    print(f"load average before: {LOAD}; cpus: {os.cpu_count()}")
    print(f"{'measurement':<{width}}  wall s  python cpu s  git cpu s")
    print(f"{'-' * width}  ------  ------------  ---------")
    for (label, seconds), (own, children) in zip(rows, cpu):
        print(f"{label:<{width}}  {seconds:6.3f}  {own:12.3f}  {children:9.3f}")
    print(f"speed-up of the cold index over per-file --follow: {per_file_total / statistics.median(cold):.0f}x")
    if temp:
        shutil.rmtree(temp, ignore_errors=True)


def _median_cpu(walls: list[float]) -> tuple[float, float]:
    """The CPU figures of the run with the median wall time among the last `len(walls)` timings."""
    order = sorted(range(len(walls)), key=walls.__getitem__)
    return CPU[len(CPU) - len(walls) + order[len(walls) // 2]]


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "GIT_AUTHOR_NAME": "Bench",
        "GIT_AUTHOR_EMAIL": "b@example.com",
        "GIT_COMMITTER_NAME": "Bench",
        "GIT_COMMITTER_EMAIL": "b@example.com",
    }


if __name__ == "__main__":
    main()
