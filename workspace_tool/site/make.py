"""The pages stage: each page model made, hashed, and (when its hash changed) rendered and written, across cores.

Everything a page needs happens in one place, so a full build spreads all
of it over the cores: making the model (reading through `SiteData`, with
every read recorded for `deps`), hashing it, reading the blobs its diffs
need (one `git cat-file` per chunk of pages), rendering and writing it.
Workers are forked after the load stage, so they inherit the site data and
the page specs and receive only ranges of spec numbers; what comes back is
small (`Made`: the keys a page read, its hash, its links). This process
makes ranges too, beside one worker fewer than there are cores (`run`). A
page whose hash is the last build's, and whose file is still there, is not
rendered.

Small rebuilds (under `PARALLEL_MIN_PAGES` page models) run in-process.
"""

from __future__ import annotations

import contextlib
import gc
import os
import threading
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, NamedTuple

from workspace_tool.gcpause import no_full_collections
from workspace_tool.site import deps
from workspace_tool.site.context import SiteData
from workspace_tool.site.pages import Page, PageSpec
from workspace_tool.site.render import (
    RenderSettings,
    describe_error,
    init_worker,
    links_in,
    render_page,
    worker_env,
    write_if_changed,
)

PARALLEL_MIN_PAGES = 48
GUIDED = 4  # each range is 1/(GUIDED x workers) of the pages not handed out yet: large at first, small at the end
MIN_CHUNK = 16
KEPT_TEXTS_MIN_PAGES = 1000
"""Page models from which the diffs read the texts a cold history read kept (`history.texts`) rather than asking git:
loading the file takes 0.11 s at 10,000 documents (42 MB), what git takes for the blobs of about a thousand pages."""


class Made(NamedTuple):
    """One page of this build: what its model read, its input hash, its links, and what happened to its file."""

    path: str
    keys: list[str]
    digest: str
    links: list[str]
    attachments: tuple[str, ...]
    rendered: bool
    written: bool
    error: str | None = None
    memos: dict[str, list[Any]] | None = None  # the memos its model computed (`SiteData.memo`), for the record


@dataclass(frozen=True)
class Job:
    """What making pages needs; forked workers inherit it."""

    data: SiteData
    specs: list[PageSpec]
    salt: str
    settings: RenderSettings  # with `out` set
    last_pages: dict[str, dict[str, Any]]  # the last build's record per page (hash, links)
    last_shared: Mapping[str, frozenset[str]]  # the last record's links shared by every page of a folder (`deps.page_links`)
    diffs: bool  # whether history rows may need blob texts for their diffs


_JOB: list[Job] = []
"""The running build's job: forked workers inherit it and receive only ranges of spec numbers."""


def make_pages(job: Job, start: int = 0, stop: int | None = None) -> list[Made]:
    """Make, hash and (when changed) render and write `job.specs[start:stop]`."""
    data = job.data
    out = Path(job.settings.out)
    results: list[Made] = []
    todo: list[tuple[Page, list[str], str, dict[str, list[Any]] | None]] = []
    for spec in job.specs[start:stop]:
        data.reads = set()
        try:
            page = spec.make()
        finally:
            read, data.reads = data.reads, None
            memos, data.memos_made = data.memos_made or None, {}
        keys = sorted(read or ())
        digest = page.digest(job.salt)
        before = job.last_pages.get(page.path)
        if before and before.get("hash") == digest and (out / page.path).is_file():
            links = deps.page_links(before, job.last_shared, page.path)
            results.append(Made(page.path, keys, digest, links, page.attachments, False, False, None, memos))
        else:
            todo.append((page, keys, digest, memos))
    if not todo:
        return results
    pages = [page for page, _, _, _ in todo]
    if job.diffs:
        from workspace_tool.site.history_view import with_diff_texts

        pages = with_diff_texts(data.index.root, pages)
    env = worker_env(job.settings)
    for (_, keys, digest, memos), page in zip(todo, pages):
        try:
            html = render_page(env, job.settings, page)
        except Exception as exc:  # reported with the page's path by the build
            results.append(Made(page.path, keys, digest, [], page.attachments, False, False, describe_error(exc), memos))
            continue
        written = write_if_changed(out / page.path, html.encode("utf-8"))
        results.append(Made(page.path, keys, digest, links_in(html), page.attachments, True, written, None, memos))
    return results


def _make_range(bounds: tuple[int, int]) -> list[Made]:
    return make_pages(_JOB[0], *bounds)


def chunk_ranges(paths: list[str], workers: int) -> list[tuple[int, int]]:
    """The ranges of spec numbers handed to workers, in the order they are handed out.

    The overview pages (at the top of the site, first in spec order) get a
    range of their own, handed out halfway: the dashboard and the activity
    page read the committed events, which the parent makes meanwhile for
    the feeds and keeps on disk (`history_view.committed_events`), so the
    worker that makes them by then loads those events instead of making
    them a second time (a cold build at 2,000 documents: 0.45 CPU-seconds).

    The other ranges shrink as they go (guided scheduling): few hand-outs at
    first, and at the end ranges small enough that no worker is left with a
    long one while the other waits (with equal ranges of 416 pages at 10,000
    documents, one worker finished 0.6-1.2 s before the other).
    """
    count = len(paths)
    head = next((n for n, path in enumerate(paths) if "/" in path), count)
    ranges = []
    start = head
    while start < count:
        stop = min(count, start + max(MIN_CHUNK, -(-(count - start) // (GUIDED * workers))))
        ranges.append((start, stop))
        start = stop
    if head:
        half = head + (count - head) // 2
        ranges.insert(next((n for n, (first, _) in enumerate(ranges) if first >= half), len(ranges)), (0, head))
    return ranges


def run(job: Job, jobs: int | None, meanwhile: Callable[[], None] | None = None, progress: Callable[[int], None] | None = None) -> list[Made]:
    """Every spec of `job` made: across `jobs` processes (this one and forked workers), or in-process for small rebuilds.

    `meanwhile` runs in this process first, while the workers start; then
    this process makes ranges of pages too. Each worker is kept two ranges
    ahead (`_hand_out`, between this process's ranges), so none waits for
    work. A worker fewer than processes: each forked worker copies the pages
    of memory it touches (every object it reads has its reference count
    written), which at 2,000 documents cost two workers 0.7-0.9 CPU-seconds
    in the kernel; this process makes its pages without copying anything,
    and without sending its results through a pipe.

    Pages are made in-process while another thread runs (`wm site serve`'s
    rebuilds, after its server and watcher started): a worker forked beside
    threads inherits whatever lock one of them held at that moment (a
    buffered stream's, a logger's) and would wait for it forever.

    `progress` is told how many page models each finished range made (a
    terminal's progress bar: `build.pages_stage`).
    """
    tell = progress or (lambda count: None)
    processes = jobs or os.cpu_count() or 1
    count = len(job.specs)
    gc.freeze()  # what the build has loaded stays: collections (and forked workers) no longer walk it
    if processes <= 1 or count < PARALLEL_MIN_PAGES or not hasattr(os, "fork") or threading.active_count() > 1:
        init_worker(job.settings)
        results = make_pages(job)
        tell(len(results))
        if meanwhile is not None:
            meanwhile()
        return results
    job.data.index.resolve_references()  # once, before workers fork (in-process, a page or two ask `references_to` by scans)
    waiting = deque(chunk_ranges([spec.path for spec in job.specs], processes))
    made: dict[tuple[int, int], list[Made]] = {}
    _JOB[:] = [job]
    try:
        with _kept_texts(job), no_full_collections():
            import multiprocessing  # with concurrent.futures 20 ms of imports, which a small rebuild does without
            from concurrent.futures import Future, ProcessPoolExecutor

            context = multiprocessing.get_context("fork")
            running: dict[tuple[int, int], Future[list[Made]]] = {}
            with ProcessPoolExecutor(processes - 1, mp_context=context, initializer=init_worker, initargs=(job.settings,)) as pool:
                _hand_out(pool, waiting, running, made, 2 * (processes - 1), tell)
                if meanwhile is not None:
                    meanwhile()
                init_worker(job.settings)
                while True:
                    _hand_out(pool, waiting, running, made, 2 * (processes - 1), tell)
                    if not waiting:
                        break
                    bounds = waiting.popleft()
                    made[bounds] = make_pages(job, *bounds)
                    tell(len(made[bounds]))
                for bounds, future in running.items():
                    made[bounds] = future.result()
                    tell(len(made[bounds]))
    finally:
        _JOB.clear()
    return [page for bounds in sorted(made) for page in made[bounds]]  # back in spec order


def _kept_texts(job: Job) -> contextlib.AbstractContextManager[None]:
    """The texts a cold history read kept for diffs, loaded before the workers fork (`history_view.kept_texts`), for
    builds of `KEPT_TEXTS_MIN_PAGES` page models or more (a full build, mostly)."""
    if not job.diffs or len(job.specs) < KEPT_TEXTS_MIN_PAGES:
        return contextlib.nullcontext()
    from workspace_tool.site.history_view import kept_texts

    return kept_texts(job.data.index.root)


def _hand_out(
    pool: Any, waiting: deque[tuple[int, int]], running: dict[tuple[int, int], Any], made: dict[tuple[int, int], list[Made]], ahead: int,
    tell: Callable[[int], None],
) -> None:
    """Collect the workers' finished ranges into `made` (telling how many pages each made), and submit waiting ranges
    until `ahead` are running or queued."""
    for bounds in [b for b, future in running.items() if future.done()]:
        made[bounds] = running.pop(bounds).result()
        tell(len(made[bounds]))
    while waiting and len(running) < ahead:
        bounds = waiting.popleft()
        running[bounds] = pool.submit(_make_range, bounds)
