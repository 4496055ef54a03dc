"""Pages made and rendered by forked workers (`site.make`) come out exactly as when made in one process.

The other site tests build with one job (in-process); these use a workspace
with more pages than `PARALLEL_MIN_PAGES`, in git (so workers read the blobs
of diffs themselves), and compare every output file and the dependency
record with a one-process build.
"""

from __future__ import annotations

import marshal
from pathlib import Path
from typing import Any

import pytest
from test_site_build import TODAY, _git, make_site_workspace, start_git
from test_site_incremental import files_of

from workspace_tool.site import BuildOptions, build_site
from workspace_tool.site.build import record_path
from workspace_tool.site.make import PARALLEL_MIN_PAGES
from workspace_tool.workspace import load_index

TASKS = PARALLEL_MIN_PAGES + 20


def build(ws: Path, out: Path, jobs: int, incremental: bool = True) -> Any:
    index = load_index(ws, TODAY, use_cache=False)
    return build_site(index, BuildOptions(out, jobs=jobs, incremental=incremental))


def record(ws: Path, out: Path) -> dict[str, Any]:
    manifest = marshal.loads(record_path(ws, out.resolve()).read_bytes())
    found: dict[str, Any] = manifest["record"]
    return found


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = make_site_workspace(tmp_path)
    for n in range(TASKS):
        depends = f"\ndepends_on: [bulk-{n - 1:03d}]" if n % 3 else ""
        (root / "projects" / "alpha" / "tasks" / f"bulk-{n:03d}.md").write_text(
            f"---\nid: bulk-{n:03d}\ntitle: Bulk task {n}\nstatus: todo\nassignee: alice\nestimate: {1 + n % 4}h{depends}\n---\nStep {n} of the bulk work.\n",
            encoding="utf-8",
        )
    start_git(root)
    for n in range(0, TASKS, 5):
        path = root / "projects" / "alpha" / "tasks" / f"bulk-{n:03d}.md"
        path.write_text(path.read_text(encoding="utf-8").replace("status: todo", "status: in-progress"), encoding="utf-8")
    _git(root, "commit", "-q", "-am", "Start the bulk work", date="2026-11-12T09:00:00")
    edited = root / "projects" / "alpha" / "tasks" / "bulk-001.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nUncommitted note.\n", encoding="utf-8")
    return root


def test_parallel_build_equals_one_process_build(ws: Path, tmp_path: Path) -> None:
    parallel, single = tmp_path / "parallel", tmp_path / "single"
    result = build(ws, parallel, jobs=2)
    build(ws, single, jobs=1)
    assert result.models == result.pages > PARALLEL_MIN_PAGES and result.rendered == result.pages
    assert files_of(parallel) == files_of(single)
    assert record(ws, parallel)["pages"] == record(ws, single)["pages"]
    assert record(ws, parallel)["memos"] == record(ws, single)["memos"]  # made by the workers, kept by the parent
    assert record(ws, parallel)["derived"] == record(ws, single)["derived"]  # some made before the pages (`Collected.warm`), some after
    assert {"ev", "p:project=alpha"} <= record(ws, parallel)["derived"].keys()
    assert {"summary:alpha", "summary:beta", "dashboard:attention"} <= record(ws, parallel)["memos"].keys()
    assert "Uncommitted note." in (parallel / "d" / "bulk-001.html").read_text(encoding="utf-8")
    assert 'class="diff"' in (parallel / "d" / "bulk-005.html").read_text(encoding="utf-8")  # a diff read by a worker


def test_parallel_incremental_rebuild_equals_full_build(ws: Path, tmp_path: Path) -> None:
    out, full = tmp_path / "out", tmp_path / "full"
    build(ws, out, jobs=2)
    person = ws / "people" / "alice.md"
    text = person.read_text(encoding="utf-8")
    assert "name: Alice Able" in text
    person.write_text(text.replace("Alice Able", "Alicia Able"), encoding="utf-8")  # every bulk task shows its assignee
    result = build(ws, out, jobs=2)
    assert PARALLEL_MIN_PAGES <= result.models < result.pages
    build(ws, full, jobs=1, incremental=False)
    assert files_of(out) == files_of(full)
    assert "Alicia" in (out / "d" / "bulk-010.html").read_text(encoding="utf-8")


def test_a_failing_page_in_a_worker_is_reported_with_its_path(ws: Path, tmp_path: Path) -> None:
    templates = ws / "site_templates"
    templates.mkdir()
    (templates / "decisions.html").write_text("{% extends layout %}{% block content %}{{ missing.value }}{% endblock %}\n", encoding="utf-8")
    index = load_index(ws, TODAY, use_cache=False)
    with pytest.raises(Exception, match="decisions.html: page failed to render"):
        build_site(index, BuildOptions(tmp_path / "out", jobs=2))


_MAKERS: list[Any] = []  # where `_spied_make_pages` notes its process, and the function it stands in for


def _spied_make_pages(job: Any, start: int = 0, stop: int | None = None) -> Any:
    """`make.make_pages`, noting the process that made each range (forked workers inherit the spy)."""
    import os

    with open(_MAKERS[0], "a", encoding="utf-8") as handle:
        handle.write(f"{os.getpid()} {start} {stop}\n")
    return _MAKERS[1](job, start, stop)


@pytest.mark.parametrize("jobs", [2, 3])
def test_this_process_makes_pages_beside_one_worker_fewer(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    """`jobs` processes make pages: this one and `jobs - 1` forked workers, every range once, and the same site."""
    import os

    from workspace_tool.site import make

    log = tmp_path / "makers"
    _MAKERS[:] = [log, make.make_pages]
    monkeypatch.setattr(make, "MIN_CHUNK", 4)  # enough ranges for every process to take some
    monkeypatch.setattr(make, "make_pages", _spied_make_pages)
    result = build(ws, tmp_path / "parallel", jobs=jobs)
    rows = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    makers = {pid for pid, _, _ in rows}
    assert str(os.getpid()) in makers and len(makers) == jobs
    ranges = sorted((int(start), int(stop)) for _, start, stop in rows)
    assert ranges[0][0] == 0 and ranges[-1][1] == result.pages
    assert all(first[1] == second[0] for first, second in zip(ranges, ranges[1:]))  # each page in exactly one range
    build(ws, tmp_path / "single", jobs=1)
    assert files_of(tmp_path / "parallel") == files_of(tmp_path / "single")


def _full_collections_making_pages(job: Any, start: int = 0, stop: int | None = None) -> Any:
    """`make.make_pages`, keeping 200,000 new lists alive meanwhile (as page models waiting for their range do, on a
    large site), and noting how many full collections ran in this process while it did."""
    import gc
    import os

    before = gc.get_stats()[2]["collections"]
    survivors = [[] for _ in range(200_000)]
    made = _MAKERS[1](job, start, stop)
    with open(_MAKERS[0], "a", encoding="utf-8") as handle:
        handle.write(f"{os.getpid()} {gc.get_stats()[2]['collections'] - before}\n")
    del survivors
    return made


def test_no_full_collection_runs_while_pages_are_made(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the build loaded is frozen; the objects pages make after it would start full collections of everything
    made since (0.1 s each at 2,000 documents): none runs while pages are made, and the thresholds are put back."""
    import gc

    from workspace_tool.site import make

    log = tmp_path / "collections"
    _MAKERS[:] = [log, make.make_pages]
    monkeypatch.setattr(make, "MIN_CHUNK", 4)
    monkeypatch.setattr(make, "make_pages", _full_collections_making_pages)
    thresholds = gc.get_threshold()
    build(ws, tmp_path / "out", jobs=2)
    rows = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    assert len({pid for pid, _ in rows}) == 2  # this process and a worker
    assert [count for _, count in rows] == ["0"] * len(rows)
    assert gc.get_threshold() == thresholds


_SPY: list[Any] = []  # where `_spied_prints_range` notes its process, and the function it stands in for


def _spied_prints_range(start: int, stop: int) -> dict[str, list[Any]]:
    """`build._prints_range`, noting the process it ran in (module level: the pool sends the function by name)."""
    import os

    with open(_SPY[0], "a", encoding="utf-8") as handle:
        handle.write(f"{os.getpid()}\n")
    found: dict[str, list[Any]] = _SPY[1](start, stop)
    return found


def test_file_prints_taken_in_two_processes_equal_those_taken_in_one(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build without a record takes the second half of the file prints in a forked child: the same prints, in the
    same order, and the same record as a one-process build."""
    import os

    from workspace_tool.site import build as build_module

    monkeypatch.setattr(build_module, "PARALLEL_PRINTS", 10)
    children = tmp_path / "children"
    _SPY[:] = [children, build_module._prints_range]
    monkeypatch.setattr(build_module, "_prints_range", _spied_prints_range)
    index = load_index(ws, TODAY, use_cache=False)
    one = build_module._file_prints(index, None)
    assert not children.exists()
    two = build_module._file_prints(index, None, parallel=True)
    assert list(two.items()) == list(one.items()) and len(one) > 10
    assert children.read_text().split() != [str(os.getpid())] and len(children.read_text().split()) == 1  # one child, not this process
    build(ws, tmp_path / "parallel", jobs=2)
    build(ws, tmp_path / "single", jobs=1)
    assert record(ws, tmp_path / "parallel")["files"] == record(ws, tmp_path / "single")["files"]


def test_file_prints_stay_in_this_process_while_a_history_child_runs(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cold build reads the history in a forked child meanwhile: the prints then take no second child (three
    processes on two cores slowed the history, which this process waits for anyway)."""
    from workspace_tool import background
    from workspace_tool.site import build as build_module

    monkeypatch.setattr(build_module, "PARALLEL_PRINTS", 10)
    children = tmp_path / "children"
    _SPY[:] = [children, build_module._prints_range]
    monkeypatch.setattr(build_module, "_prints_range", _spied_prints_range)
    monkeypatch.setattr(background, "busy", lambda: 1)
    index = load_index(ws, TODAY, use_cache=False)
    assert list(build_module._file_prints(index, None, parallel=True).items()) == list(build_module._file_prints(index, None).items())
    assert not children.exists()


def _dying_prints_range(start: int, stop: int) -> dict[str, list[Any]]:
    import os

    os._exit(3)  # a child that dies (killed, out of memory)


def test_file_prints_fall_back_to_one_process_when_the_child_dies(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workspace_tool.site import build as build_module

    monkeypatch.setattr(build_module, "PARALLEL_PRINTS", 10)
    index = load_index(ws, TODAY, use_cache=False)
    one = build_module._file_prints(index, None)
    monkeypatch.setattr(build_module, "_prints_range", _dying_prints_range)
    assert list(build_module._file_prints(index, None, parallel=True).items()) == list(one.items())


def test_overview_pages_get_one_range_handed_out_halfway_and_the_others_shrink() -> None:
    from workspace_tool.site.make import MIN_CHUNK, chunk_ranges

    overview = ["index.html", "activity.html", "attention.html"]
    paths = overview + [f"projects/p{n}.html" for n in range(5)] + [f"d/t{n}.html" for n in range(2000)]
    ranges = chunk_ranges(paths, 2)
    covered = sorted(n for start, stop in ranges for n in range(start, stop))
    assert covered == list(range(len(paths)))  # every page once
    position = ranges.index((0, len(overview)))
    rest = ranges[:position] + ranges[position + 1 :]
    assert rest[0][0] == len(overview) and all(a[1] == b[0] for a, b in zip(rest, rest[1:]))  # in spec order, no gaps
    handed = sum(stop - start for start, stop in rest[:position])
    assert handed >= (len(paths) - 3) // 2 > sum(stop - start for start, stop in rest[: position - 1])  # the overview when half is out
    sizes = [stop - start for start, stop in rest]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] == -(-(len(paths) - 3) // 8)  # a quarter of each worker's share
    assert sizes[-1] <= MIN_CHUNK and all(size >= MIN_CHUNK for size in sizes[:-1])  # small ranges at the end
    # an incremental build of document pages only: ranges from the first page
    assert chunk_ranges(paths[3:], 2)[0] == (0, -(-(len(paths) - 3) // 8))
    assert chunk_ranges(paths[3:60], 2) == [(0, 16), (16, 32), (32, 48), (48, 57)]


def test_pages_are_made_in_this_process_while_another_thread_runs(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`wm site serve` rebuilds beside its server and watcher threads: forking then could inherit a held lock."""
    import threading

    from workspace_tool.site import make

    log = tmp_path / "makers"
    _MAKERS[:] = [log, make.make_pages]
    monkeypatch.setattr(make, "make_pages", _spied_make_pages)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, name="a server's thread", daemon=True)
    other.start()
    try:
        result = build(ws, tmp_path / "threaded", jobs=2)
    finally:
        stop.set()
        other.join()
    assert result.rendered == result.pages > PARALLEL_MIN_PAGES
    assert {line.split()[0] for line in log.read_text(encoding="utf-8").splitlines()} == {str(__import__("os").getpid())}
    log.unlink()
    build(ws, tmp_path / "forked", jobs=2)  # no other thread: a worker makes pages too
    assert len({line.split()[0] for line in log.read_text(encoding="utf-8").splitlines()}) == 2
    assert files_of(tmp_path / "threaded") == files_of(tmp_path / "forked")
