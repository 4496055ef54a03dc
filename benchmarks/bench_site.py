"""Benchmark `wm site build` against a plain `mkdocs build` of the same Markdown files.

usage: python benchmarks/bench_site.py [--docs 2000] [--commits 5000] [--workspace DIR]
                                       [--mkdocs] [--revision-date] [--full-nav] [--floor] [--repeat 1]

Generates a synthetic workspace with a git history (benchmarks/generate.py),
then measures, each in a fresh process (wall time, CPU time, peak memory of
the largest process):

* cold: no index cache, no history cache, no site record or plan, no
  compiled templates, an output folder no run has used (`FRESH_OUTPUT`;
  the last row is a cold build into a folder deleted just before);
* no-op: the same build again (nothing changed);
* incremental: one task's text edited (not committed), then a build; and
  one task's status changed (a field: its project, board, people and
  overview pages change too), then a build; and one note added (not
  committed, linking to a task), then a build (after each run the note is
  deleted and the site built again, untimed); and a new month's time log
  added (its first person's, for the month after the last: entries against
  a task; deleted after each run likewise); and one task's edit
  committed, then a build (what CI does on a push, with `.wm/` kept; the
  commits are reset away at the end);
* serve: the rebuild `wm site serve` makes after one task's text is edited
  (the resident process: no start-up, imports or index cache to read; the
  median of several edits);
* CI: a build in a fresh clone made after one new commit, with `.wm/`
  copied in from the last build (as a CI cache restores it) and the output
  folder where that build left it, with `WM_TRUST_CACHE=1` and without it
  (docs/site.md, "Publishing from CI");
* with --mkdocs: `mkdocs build` of the same Markdown files as issue #8
  defines the plain build: the built-in theme, a short nav (`SHORT_NAV`
  pages; every other page is still built), no plugins (`plugins: []`:
  without a `plugins` key MkDocs adds its search plugin, which until
  2026-11-27 the plain row included);
* with --revision-date: the same with mkdocs-git-revision-date-localized-plugin
  (pip install mkdocs-git-revision-date-localized-plugin);
* with --full-nav: also the plain build with MkDocs' automatic navigation,
  which lists every page on every page (so its time grows with the square
  of the pages: 28-35 s at 2,000 documents where the short nav takes 2.5 s).
  Until 2026-11-27 this was the only MkDocs row, and the ratios in the docs
  were against it;
* with --floor: the floor (benchmarks/site_floor.py): a page per document
  from the same files with wm's libraries and nothing else (frontmatter
  loaded with LibYAML, body rendered with markdown-it-py, one Jinja2
  template, pages written by two forked processes), into a folder no run
  has used.

Prints a Markdown table (paste it into docs/site.md "Performance").
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from checkout import PYTHON, child_env  # noqa: E402

TODAY = "2026-11-26"  # the builds' today (WM_TODAY); every edit and commit below is dated on it

FRESH_OUTPUT = """Every cold build, wm's and MkDocs', writes into a folder no run has used, with the caches of the
last run moved aside (`.wm/` holds a few hundred files), and the bench deletes them all at the end. On this
machine's ext4 (mounted without a journal), creating a file within a minute (five, while the inode table is not
yet written back) of deleting others makes the kernel skip every recently deleted inode of the group
(`recently_deleted` in `find_inode_bit`): deleting a 2,000-page site just before building it again took a 2.5 s
build to 3.9 s (2 CPU-seconds more, all of it in the kernel). A CI runner builds into a fresh clone, where
nothing was deleted; the last row measures the other case, so that the cost shows."""

SHORT_NAV = 5
"""Pages in the MkDocs builds' nav: issue #8's plain build has "a short nav"; MkDocs still builds every other page."""
FLOOR_ROW = "floor: a page per document with wm's libraries only (site_floor.py, 2 processes)"
NO_PLUGINS = "plugins: []\n"
"""Issue #8's plain build has no plugins. A config without a `plugins` key gets MkDocs' built-in search plugin
(its index of every page: about 0.25 CPU-seconds at 2,000 documents); an empty list leaves it out."""

RUNNER = r"""
import json, resource, sys, time
args = json.loads(sys.argv[1])
wall, cpu = time.perf_counter(), time.process_time()
if args["tool"] == "wm":
    from workspace_tool.cli import main
    try:
        main(args["argv"], standalone_mode=False)
    except SystemExit:
        pass
elif args["tool"] == "floor":
    sys.path.insert(0, args["bench"])
    from site_floor import main
    main(args["argv"])
else:
    from mkdocs.__main__ import cli
    try:
        cli(args["argv"], standalone_mode=False)
    except SystemExit:
        pass
own = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({
    "wall": time.perf_counter() - wall,
    "cpu": time.process_time() - cpu + kids.ru_utime + kids.ru_stime,
    "peak_mb": max(own.ru_maxrss, kids.ru_maxrss) / 1024,
}))
"""


USER_CACHE = Path(tempfile.mkdtemp(prefix="wm-bench-xdg-"))
"""The per-user cache (compiled templates) of every run: emptied for cold builds, never the user's own."""


def run(tool: str, argv: list[str], cwd: Path | None = None, **extra: str) -> dict[str, float]:
    env = child_env(WM_TODAY=TODAY, XDG_CACHE_HOME=str(USER_CACHE), **extra)
    done = subprocess.run([*PYTHON, "-c", RUNNER, json.dumps({"tool": tool, "argv": argv, "bench": str(HERE)})], capture_output=True, text=True, env=env, cwd=cwd)
    if done.returncode != 0:
        raise SystemExit(f"{tool} {' '.join(argv)} failed:\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


SERVE_RUNNER = r"""
import datetime as dt, json, os, statistics, sys, time
from pathlib import Path
from workspace_tool.site import BuildOptions
from workspace_tool.site.serve import SiteServer
ws, out, edits, today = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), dt.date.fromisoformat(sys.argv[4])
server = SiteServer(ws, BuildOptions(out), port=0, today=today, log=lambda line: None)
try:
    server.rebuild()
    task = sorted((ws / "projects").glob("*/tasks/*.md"))[0]
    original = task.read_text(encoding="utf-8")
    times, cpus = [], []
    for n in range(edits):
        marker = f"Served edit {os.urandom(4).hex()}."
        task.write_text(original + "\n" + marker + "\n", encoding="utf-8")
        moment = dt.datetime.combine(today, dt.time(13)).timestamp() + n  # on the server's today, as in the builds above
        os.utime(task, (moment, moment))
        wall, cpu = time.perf_counter(), time.process_time()
        server.rebuild()
        times.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        if marker not in (out / "d" / f"{task.stem}.html").read_text(encoding="utf-8"):
            raise SystemExit("the edit is not in the served page")
    task.write_text(original, encoding="utf-8")
finally:
    server.httpd.server_close()
print(json.dumps({"wall": statistics.median(times), "cpu": statistics.median(cpus), "peak_mb": 0}))
"""


def serve_rebuild(ws: Path, out: Path, edits: int) -> dict[str, float]:
    env = child_env(WM_TODAY=TODAY, XDG_CACHE_HOME=str(USER_CACHE))
    done = subprocess.run([*PYTHON, "-c", SERVE_RUNNER, str(ws), str(out), str(edits), TODAY], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"serve rebuild failed:\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def best(tool: str, argv: list[str], repeat: int, before: object = None, after: object = None, **extra: str) -> dict[str, float]:
    """The median run by wall time (the machine is shared: report CPU time next to it); `extra`: environment variables."""
    runs = []
    for _ in range(repeat):
        if callable(before):
            before()
        runs.append(run(tool, argv, **extra))
        if callable(after):
            after()
    runs.sort(key=lambda r: r["wall"])
    walls = ", ".join(f"{r['wall']:.2f}" for r in runs)
    print(f"  {tool}: runs of {walls} s (sorted; the median is reported)", file=sys.stderr)
    return runs[len(runs) // 2]


def generate(dest: Path, docs: int, commits: int) -> None:
    if (dest / "workspace.yml").exists():
        return
    subprocess.run([sys.executable, str(HERE / "generate.py"), str(dest), "--docs", str(docs), "--commits", str(commits)], check=True)


def compile_package() -> None:
    """Bytecode for every module of the package, as an installed package has it: with PYTHONDONTWRITEBYTECODE set
    (or a read-only checkout) each fresh process would otherwise compile the modules changed since their last `.pyc`."""
    import compileall

    import workspace_tool

    compileall.compile_dir(str(Path(workspace_tool.__file__).parent), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--workspace", type=Path, help="reuse (or create) the generated workspace here")
    parser.add_argument("--mkdocs", action="store_true", help="also time a plain mkdocs build of the same files")
    parser.add_argument("--revision-date", action="store_true", help="also time mkdocs with the git-revision-date-localized plugin")
    parser.add_argument("--full-nav", action="store_true", help="also time mkdocs with its automatic nav (every page on every page)")
    parser.add_argument("--floor", action="store_true", help="also time the floor: a page per document with wm's libraries only (site_floor.py)")
    parser.add_argument("--repeat", type=int, default=1)
    options = parser.parse_args()

    compile_package()
    scratch = Path(tempfile.mkdtemp(prefix="wm-bench-site-"))
    ws = options.workspace or scratch / "ws"
    generate(ws, options.docs, options.commits)
    out = scratch / "site"
    rows: list[tuple[str, dict[str, float]]] = []
    build = ["-C", str(ws), "site", "build", "--out", str(out)]
    fresh = [0]

    def fresh_folder(name: str) -> Path:
        """A folder no run has used: see FRESH_OUTPUT."""
        fresh[0] += 1
        return scratch / f"{name}-{fresh[0]}"

    def set_aside(folder: Path) -> None:
        """Out of the way without deleting it (see FRESH_OUTPUT): moved into the scratch folder, deleted at the end."""
        if not folder.exists():
            return
        try:
            folder.rename(fresh_folder("set-aside"))
        except OSError:  # another file system
            shutil.rmtree(folder, ignore_errors=True)

    def cold() -> None:
        nonlocal out
        set_aside(ws / ".wm")
        set_aside(USER_CACHE / "wm")
        out = fresh_folder("site")
        build[-1] = str(out)

    rows.append(("wm site build, cold", best("wm", build, options.repeat, cold)))
    rows.append(("wm site build, nothing changed", best("wm", build, options.repeat)))
    tasks = sorted((ws / "projects").glob("*/tasks/*.md"))
    if not tasks:
        raise SystemExit(f"{ws} has no task to edit: generate at least a few hundred documents (--docs 400)")
    task = tasks[0]
    original = task.read_text(encoding="utf-8")

    marker = [""]

    edits = [0]

    def dated(path: Path) -> float:
        """An edit on the builds' TODAY (a second after the last): a working copy is dated by its file's time, and one
        dated after the site's today is not in its activity, so an edit made on a later real day would not remake the
        activity, the dashboard and the feeds, and would be cheaper than the edit it stands for."""
        edits[0] += 1
        moment = dt.datetime.fromisoformat(f"{TODAY}T12:00:00").timestamp() + edits[0]
        os.utime(path, (moment, moment))
        return moment

    def edit() -> None:
        marker[0] = f"Edited at {os.urandom(4).hex()}."
        task.write_text(original + f"\n{marker[0]}\n", encoding="utf-8")
        dated(task)

    def check() -> None:
        page = out / "d" / f"{task.stem}.html"
        if marker[0] not in page.read_text(encoding="utf-8"):
            raise SystemExit(f"the edit is not in {page}")

    rows.append(("wm site build, one document's text edited (uncommitted)", best("wm", build, options.repeat, edit, check)))
    statuses = ["in-progress", "review"]

    def edit_status() -> None:
        statuses.reverse()
        marker[0] = statuses[0]
        task.write_text(re.sub(r"(?m)^status: .*$", f"status: {statuses[0]}", original, count=1), encoding="utf-8")
        dated(task)

    def check_status() -> None:
        page = out / "d" / f"{task.stem}.html"
        if f"chip-{marker[0]}" not in page.read_text(encoding="utf-8"):
            raise SystemExit(f"the new status is not in {page}")

    rows.append(("wm site build, one task's status changed (uncommitted)", best("wm", build, options.repeat, edit_status, check_status)))
    task.write_text(original, encoding="utf-8")
    run("wm", build)
    note = ws / "notes" / "bench-new-note.md"

    def add_note() -> None:
        marker[0] = f"Written at {os.urandom(4).hex()}."
        note.parent.mkdir(exist_ok=True)
        note.write_text(f"# A new note\n\nAbout [[{task.stem}]]. {marker[0]}\n", encoding="utf-8")
        dated(note)

    def check_note_then_delete() -> None:
        page = out / "d" / "notes" / "bench-new-note.html"
        if marker[0] not in page.read_text(encoding="utf-8"):
            raise SystemExit(f"the new note is not in {page}")
        note.unlink()
        run("wm", build)  # untimed: the next run adds it again

    rows.append(("wm site build, one note added (uncommitted)", best("wm", build, options.repeat, add_note, check_note_then_delete)))
    logs = sorted((ws / "timelogs").glob("*/*.md"))
    log_folder = logs[0].parent if logs else ws / "timelogs" / "bench"
    latest = max((log.stem for log in logs if re.fullmatch(r"\d{4}-\d{2}", log.stem)), default="2026-11")
    year, month = int(latest[:4]), int(latest[5:])
    new_log = log_folder / f"{year + month // 12}-{month % 12 + 1:02d}.md"  # the month after the last: the month's first log

    def add_log() -> None:
        marker[0] = f"logged-{os.urandom(4).hex()}"
        new_log.parent.mkdir(parents=True, exist_ok=True)
        new_log.write_text(f"---\nperson: {log_folder.name}\n---\n- {TODAY} 3h {task.stem} {marker[0]}\n", encoding="utf-8")
        dated(new_log)

    def check_log_then_delete() -> None:
        page = out / "d" / "timelogs" / log_folder.name / f"{new_log.stem}.html"
        if marker[0] not in page.read_text(encoding="utf-8"):
            raise SystemExit(f"the new time log is not in {page}")
        new_log.unlink()
        run("wm", build)  # untimed: the next run adds it again

    rows.append(("wm site build, a new month's time log added (uncommitted)", best("wm", build, options.repeat, add_log, check_log_then_delete)))
    start = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ws, capture_output=True, text=True, check=True).stdout.strip()

    def commit_edit() -> None:
        edit()
        when = f"@{int(dated(task))} +0000"
        subprocess.run(
            ["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.com", "commit", "-q", "-am", marker[0]],
            cwd=ws, check=True, env={**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when},
        )

    try:
        rows.append(("wm site build, one document's edit committed", best("wm", build, options.repeat, commit_edit, check)))
    finally:
        subprocess.run(["git", "reset", "-q", "--hard", start], cwd=ws, check=True)  # the workspace's history as generated
    rows.append(("wm site serve, rebuild after one document's text edited (median of 5 edits)", serve_rebuild(ws, out, 5)))
    ci_build = ["-C", "", "site", "build", "--out", str(out)]  # a new clone each run; the output folder where it was built

    def ci_clone() -> None:
        """CI after a push: a fresh clone (one commit after the last build) with `.wm/` restored (a copy: another folder
        than the one it was written in) from the last build, at HEAD before the commit. The output folder is restored
        where it was: CI checks out at the same path every run, and the site's record is kept by the output's path."""
        subprocess.run(["git", "reset", "-q", "--hard", start], cwd=ws, check=True)
        commit_edit()
        clone = fresh_folder("ci-clone")
        subprocess.run(["git", "clone", "-q", str(ws), str(clone)], check=True)
        shutil.copytree(ws / ".wm", clone / ".wm")
        ci_build[1] = str(clone)

    def ci_check() -> None:
        page = out / "d" / f"{task.stem}.html"
        if marker[0] not in page.read_text(encoding="utf-8"):
            raise SystemExit(f"the commit is not in {page}")

    try:
        for trust in ("1", "0"):
            label = f"wm site build in CI: a fresh clone after a commit, .wm/ and output restored, WM_TRUST_CACHE={trust}"
            rows.append((label, best("wm", ci_build, options.repeat, ci_clone, ci_check, WM_TRUST_CACHE=trust)))
    finally:
        subprocess.run(["git", "reset", "-q", "--hard", start], cwd=ws, check=True)

    config = scratch / "mkdocs.yml"
    pages = sorted(path.relative_to(ws).as_posix() for path in ws.rglob("*.md") if ".wm" not in path.parts)
    short_nav = "nav:\n" + "".join(f"  - {page}\n" for page in pages[:SHORT_NAV])
    plugin = "plugins:\n  - git-revision-date-localized\n"
    variants = []
    if options.mkdocs:
        variants.append(("mkdocs build (built-in theme, short nav, no plugins)", short_nav + NO_PLUGINS))
    if options.revision_date:
        variants.append(("mkdocs build + git-revision-date-localized (short nav)", short_nav + plugin))
    if options.full_nav:
        variants.append(("mkdocs build (built-in theme, automatic nav listing every page, no plugins)", NO_PLUGINS))
    for label, extra in variants:

        def configure(extra: str = extra) -> None:
            site = fresh_folder("mkdocs-site")
            config.write_text(f"site_name: bench\ndocs_dir: {ws}\nsite_dir: {site}\ntheme: mkdocs\n{extra}", encoding="utf-8")

        rows.append((label, best("mkdocs", ["build", "-q", "-f", str(config)], options.repeat, configure)))

    if options.floor:
        floor_argv = [str(ws), ""]

        def floor_fresh() -> None:
            floor_argv[-1] = str(fresh_folder("floor-site"))

        rows.append((FLOOR_ROW, best("floor", floor_argv, options.repeat, floor_fresh)))

    def emptied() -> None:
        shutil.rmtree(ws / ".wm", ignore_errors=True)
        shutil.rmtree(USER_CACHE / "wm", ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)

    rows.append(("wm site build, cold, its output folder deleted just before (see FRESH_OUTPUT)", best("wm", build, options.repeat, emptied)))

    commits = options.commits if not options.workspace else "?"
    print(f"\n{options.docs} documents, {commits} commits, {os.cpu_count()} cores\n")
    print("| build | wall s | CPU s | peak MB |")
    print("|---|---:|---:|---:|")
    for label, figures in rows:
        peak = f"{figures['peak_mb']:.0f}" if figures["peak_mb"] else "—"
        print(f"| {label} | {figures['wall']:.2f} | {figures['cpu']:.2f} | {peak} |")
    cold = rows[0][1]["wall"]
    by_label = dict(rows)
    for label, figures in rows:
        if label.startswith("mkdocs"):  # issue #8: at least 3x the plain build, 30x the build with the plugin (short nav both)
            print(f"\nwm's cold build against {label}: {figures['wall'] / cold:.1f}x", end="")
    if FLOOR_ROW in by_label:
        floor = by_label[FLOOR_ROW]["wall"]
        print(f"\nwm's cold build against the floor: {cold / floor:.1f}x the floor's time", end="")
        for label, figures in rows:
            if label.startswith("mkdocs"):
                print(f"\nthe floor against {label}: {figures['wall'] / floor:.1f}x", end="")
    print()
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.rmtree(USER_CACHE, ignore_errors=True)


if __name__ == "__main__":
    main()
