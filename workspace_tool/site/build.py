"""`wm site build`: load -> collect (which pages to make) -> pages (make and render, in parallel) -> write -> check links -> manifest.

Each stage takes one object and returns one. Incremental, twice over:

* the collect stage picks only the page models an edit can change
  (`deps`: each page's recorded reads against the keys the changed
  documents emit), unless something global changed (settings, templates,
  HEAD, the set of documents, what is visible), when it recomputes all;
* a page whose inputs (its context, body, templates and site-wide values)
  hash the same as in the last build, and whose file is still there, is
  neither rendered nor written.

Page models are made, hashed and rendered together, in parallel (`make`);
the search index and feeds are made in this process meanwhile.

The manifest of each output folder lives in `<workspace>/.wm/site/` (`record_path`). Files a
previous build wrote that this one does not (a document deleted or made
private) are removed.
"""

from __future__ import annotations

import glob
import hashlib
import json
import marshal
import os
import posixpath
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, Iterable, Mapping

from workspace_tool import background
from workspace_tool.cachefile import replace_file
from workspace_tool.errors import UsageError, WorkspaceError
from workspace_tool.gcpause import paused
from workspace_tool.history.progress import Progress
from workspace_tool.index import Index
from workspace_tool.site import deps, make, search
from workspace_tool.site.context import SiteData, doc_page, page_clashes
from workspace_tool.site.feeds import atom
from workspace_tool.site.pages import PageSpec, ambiguous_links, page_specs
from workspace_tool.site.privacy import Audience, visibility
from workspace_tool.site.render import (
    RenderSettings,
    precompile,
    shipped_templates,
    template_dirs,
    templates_digest,
    write_if_changed,
)
from workspace_tool.site.sources import Sources, load_sources

SITE_CACHE = ".wm/site"  # one record per output folder (and its search entries), named by a hash of the folder's path
MANIFEST_VERSION = 10  # raise when what a page shows changes without its templates or inputs changing (a build after it remakes every page)
NAV = (
    ("index.html", "Dashboard", "dashboard"),
    ("decisions.html", "Decisions", "decisions"),
    ("people.html", "People", "people"),
    ("clients.html", "Clients", "clients"),
    ("goals.html", "Goals", "goals"),
    ("time.html", "Time", "time"),
    ("activity.html", "Activity", "activity"),
    ("quality.html", "Data quality", "quality"),
    ("search.html", "Search", "search"),
)


@dataclass(frozen=True)
class BuildOptions:
    out: Path
    base_url: str = ""
    audience: Audience = Audience()
    strict: bool = False
    jobs: int | None = None
    incremental: bool = True
    history: bool = True
    progress: bool | None = False  # a progress bar while pages are made: None = on a terminal (`wm site build`)

    @property
    def diff_texts(self) -> int:
        """Changes per document file whose texts a cold history read keeps for the diffs (`history.texts`): none without diffs."""
        from workspace_tool.site.history_view import MAX_DIFFS

        return MAX_DIFFS if self.history and self.audience.internal else 0


@dataclass
class BuildResult:
    out: Path
    pages: int = 0
    models: int = 0  # page models made (the others were kept: nothing they read changed)
    rendered: int = 0
    written: int = 0
    removed: int = 0
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage

    def summary(self) -> str:
        return (
            f"built {self.pages} pages into {self.out} in {self.seconds:.2f}s: {self.rendered} rendered, "
            f"{self.written} files written, {self.removed} removed, {len(self.warnings)} warning{'s' * (len(self.warnings) != 1)}"
        )


@dataclass
class Collected:
    """The collect stage's result: which page models to make in this build, and what is kept from the last one."""

    data: SiteData
    specs: list[PageSpec]  # the pages whose models are made (all of them, unless the build is incremental)
    salt: str
    settings: RenderSettings
    paths: list[str] = field(default_factory=list)  # every page of the site
    extra: dict[str, str] = field(default_factory=dict)  # post-build text files: path -> content
    kept_extra: list[str] = field(default_factory=list)  # post-build files unchanged since the last build
    digests: dict[str, str] = field(default_factory=dict)  # page path -> input hash
    attachments: dict[str, tuple[str, ...]] = field(default_factory=dict)  # page path -> files it links to (pages made now)
    record: deps.Record = field(default_factory=deps.Record)  # this build's dependency record
    reused: dict[str, dict[str, Any]] = field(default_factory=dict)  # page path -> last build's entry, for pages not remade
    full: bool = True  # every page model was made
    last: deps.Record = field(default_factory=deps.Record)  # the previous build's record
    post_build: list[str] = field(default_factory=list)  # the post-build groups to make again (`post_build_paths`: "search", "search-NN", "feeds")
    same_cards: bool = False  # nothing global changed and every changed document file changed only its body text
    same_prices: bool = False  # as `same_cards`, or tasks, notes and decisions also came or went (`deps.only_bodies_changed` with `came`)
    _prints: dict[str, str] = field(default_factory=dict, repr=False)

    def fingerprint(self, key: str) -> str:
        """A derived key's fingerprint, once per build.

        The schedule's (`s:`, `f:`) are the last build's while the plan's input
        is the same; priced time's (`p:`) too while no document's card changed
        but tasks, notes and decisions may have come or gone (it is made from
        fields and entries, and the settings, which are global).
        The activity's (`ev`) is made without reading the committed events when
        only body text changed (`HistoryView.events_print`).
        """
        found = self._prints.get(key)
        if found is None and key == deps.EVENTS and self.data.history is not None:
            last_events = self.last.events if self.same_cards and len(self.last.events) == 2 else None
            found, self.record.events = self.data.history.events_print(last_events)
            self._prints[key] = found
        if found is None:
            same_plan = bool(self.record.plan_input) and self.record.plan_input == self.last.plan_input
            keep = key.startswith(("s:", "f:")) and (same_plan or self.same_cards) or key.startswith("p:") and self.same_prices
            kept = self.last.derived.get(key) if keep else None
            found = self._prints[key] = kept if kept is not None else self.data.fingerprint(key)
        return found

    def warm(self) -> None:
        """Make now the fingerprints a full build's record needs most (the activity's, and each project's and client's
        priced time), while a worker still makes pages: after the pages this process works alone (at 2,000 documents
        these took 0.07 s there)."""
        if not self.full:
            return
        if self.data.history is not None:
            self.fingerprint(deps.EVENTS)
        for key in self.data.priced_keys():  # made already when a cold build priced the time early (`SiteData.price_early`)
            self.fingerprint(key)


def build_site(index: Index, options: BuildOptions) -> BuildResult:
    """Build the site for `index` into `options.out`; WorkspaceError when --strict finds broken links."""
    started = clock = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 3)
        clock = now

    out = _check_out(index, options.out)
    with paused():  # the history, plan and record: long-lived, and no cyclic garbage
        previous = _read_manifest(index.root, out)
        last = deps.Record.from_json(previous.get("record")) if options.incremental else deps.Record()
        prints = _file_prints(index, last, parallel=options.jobs != 1)
        lap("record")
        data = load_stage(index, options, {path: entry[2] for path, entry in prints.items()})
        lap("load")
        collected = collect_stage(data, options, last, out, prints)
        lap("collect")
    result = BuildResult(out, len(collected.paths), len(collected.specs), timings=timings)
    links, errors = pages_stage(collected, out, options, result)
    lap("pages")
    result.warnings.extend(left_out(index))
    result.warnings.extend(page_clashes(d for d in index.docs.values() if d.id in data.vis.ids))
    result.warnings.extend(data.sources.warnings)
    result.warnings.extend(f"{path}: page failed to render: {error}" for path, error in errors)
    files = write_stage(collected, out, result)
    result.removed = _remove_stale(out, previous, files)
    _write_file_list(out, files)
    lap("write")
    result.warnings.extend(link_stage(collected, links, files, set(previous.get("files", ()))))
    result.warnings.extend(ambiguous_links(data))
    lap("links")
    _write_manifest(index.root, out, collected, links, files, previous)
    lap("manifest")
    result.seconds = time.perf_counter() - started
    if errors:
        raise WorkspaceError(f"site build failed: {len(errors)} page(s) failed to render; first: {errors[0][0]}: page failed to render: {errors[0][1]}")
    if options.strict and result.warnings:
        raise WorkspaceError(f"site build --strict: {len(result.warnings)} warning(s); first: {result.warnings[0]}")
    return result


def left_out(index: Index) -> list[str]:
    """One warning per folder that could not be listed and per file that could not be read: what they hold is not on
    the site, so `--strict` fails (each names the file, the line and the first problem; `wm validate` lists them all)."""
    found = [f"{path}/: {problem.message}: what it holds is left out of the site" for path, problem in sorted(index.unreadable_folders().items())]
    found += [f"{path}:{problem.line}: {problem.message}: left out of the site (wm validate shows every problem)" for path, problem in index.unreadable_files().items()]
    return found


def _check_out(index: Index, out: Path) -> Path:
    """The output folder, resolved and made: never the workspace, a folder around it, or one holding its documents
    (the site's files would lie among them, and a later build removes the files it no longer writes)."""
    out = out.resolve()
    root = index.root.resolve()
    if out == root or root.is_relative_to(out):
        raise UsageError(f"--out {out} would write the site over the workspace; choose a folder such as {root / 'site'}")
    if out.is_relative_to(root):
        inside = out.relative_to(root).as_posix() + "/"
        documents = sorted(path for path in (*index.by_path, *index.file_diagnostics) if path.startswith(inside))
        if documents:
            raise UsageError(f"--out {out} holds workspace documents ({documents[0]}{', …' if len(documents) > 1 else ''}); build into a folder of its own, such as {root / 'site'}")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder; choose a folder such as {root / 'site'}")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkspaceError(f"--out {out}: cannot make the folder: {exc.strerror or exc}") from None
    return out


# -- stage 1: load ---------------------------------------------------------


def load_stage(index: Index, options: BuildOptions, cards: dict[str, str] | None = None) -> SiteData:
    """What the pages are made from: what is visible, the history and the plan (`cards`: see `load_sources`)."""
    from workspace_tool.site.history_view import make_events_beside, prepare

    data = SiteData(index, visibility(index, options.audience), Sources(), allow_html=index.settings.allow_html)
    cold = options.history and background.busy()  # a forked child still reads the history: a cold build
    if cold:  # this process would only wait for it: do now what needs neither the history nor the plan
        precompile(tuple(str(folder) for folder in template_dirs(index.root)))
        search.encode_early(data)
        data.price_early()

    def beside(sources: Sources) -> None:
        make_events_beside(data, sources.history)

    data.sources = load_sources(index, with_history=options.history, cards=cards, before_plan=beside if cold else None)
    data.history = prepare(data)
    return data


# -- stage 2: collect ------------------------------------------------------


def collect_stage(
    data: SiteData, options: BuildOptions, last: deps.Record | None = None, out: Path | None = None, prints: dict[str, list[Any]] | None = None
) -> Collected:
    """Decide which page models to make: all of them, or (with `last`, the previous build's record) only those an edit can have changed."""
    specs = page_specs(data)
    present = {spec.path for spec in specs}
    nav = [{"url": url, "label": label, "section": section} for url, label, section in NAV if url in present]
    projects = [{"url": doc_page(p), "label": p.title} for p in data.projects() if not data.is_done(p)]
    site_globals = {
        "site_name": data.index.settings.name,
        "nav": nav,
        "nav_projects": projects,
        "today": data.today.isoformat(),
        "audience": data.vis.audience.title(data.index),
        "internal": data.vis.audience.internal,
        "money": data.money,
        "base_url": options.base_url,
    }
    dirs = template_dirs(data.index.root)
    from workspace_tool.site.history_view import hidden_titles

    settings = RenderSettings(tuple(str(d) for d in dirs), site_globals, data.allow_html, hidden=hidden_titles(data))
    salt = hashlib.sha256((templates_digest(dirs) + json.dumps(site_globals, sort_keys=True) + str(data.allow_html)).encode()).hexdigest()
    collected = Collected(data, [], salt, settings, paths=[spec.path for spec in specs], last=last or deps.Record())
    record = collected.record
    record.key = _global_key(data, options, salt)
    record.files = prints if prints is not None else _file_prints(data.index, last)
    record.plan_input = data.sources.plan_input
    history = data.sources.history
    record.head = getattr(history, "head", None) or ""
    try:
        comparable = last is not None and last.key == record.key
        moved = _history_moved(data, last.head, record.head) if comparable and last is not None else set()
        comparable = comparable and moved is not None
        redated = _redated(data, last) if comparable and last is not None else set()
        same_head = last is not None and last.head == record.head
        working = deps.working_paths(history)
        collected.same_cards = comparable and same_head and last is not None and deps.only_bodies_changed(last, record.files, redated, None, working)
        collected.same_prices = collected.same_cards or (
            comparable
            and last is not None
            and deps.only_bodies_changed(last, record.files, redated, {p: d.type for p, d in data.index.by_path.items()}, working)
        )
        dirty = deps.dirty_keys(last, record.files, collected.fingerprint, redated, working) if comparable and last is not None else None
        if dirty is not None and moved:
            dirty.update(moved)
        if dirty is not None and last is not None:
            dirty.update(_restemmed(data.index, last.files, record.files))
    except (TypeError, ValueError, IndexError, KeyError, AttributeError):
        dirty, collected.same_cards, collected.same_prices = None, False, False  # a damaged record: build everything
        collected._prints.clear()
    collected.full = dirty is None
    if dirty is not None and last is not None:
        data.memos = last.valid_memos(dirty)
    existing = _output_files(out) if dirty is not None and out is not None else set()
    for spec in specs:
        old = last.pages.get(spec.path) if last is not None and dirty is not None else None
        keys = old.get("keys") if isinstance(old, dict) and "hash" in old else None
        if old is not None and dirty is not None and isinstance(keys, str) and not deps.reads_any(keys, dirty) and spec.path in existing:
            collected.reused[spec.path] = old
        else:
            collected.specs.append(spec)
    edited = None  # the document files changed since the last build (`_file_prints` keeps an unchanged file's entry: the same object)
    if dirty is not None and last is not None:
        then = last.files.get
        edited = [path for path, now in record.files.items() if (before := then(path)) is not now and (not before or not deps.same_text(before[0], now[0]))]
        edited.extend(path for path in last.files if path not in record.files)  # deleted: their search entries go
    fresh = {  # post-build files nothing they are made from changed in
        **search.fresh_groups(search.shard_count(data), edited, out),  # the search index's shards: none of their documents' files changed
        "feeds": dirty is not None and all(key.startswith(deps.BODY) for key in dirty),  # feeds show the activity (`ev`) and titles
    }
    for group, paths in post_build_paths(data).items():
        if fresh[group] and out is not None and all((out / path).is_file() for path in paths):
            collected.kept_extra.extend(paths)
        else:
            collected.post_build.append(group)
    return collected


def _history_moved(data: SiteData, last_head: str, head: str) -> set[str] | None:
    """The history keys (`deps.history_keys`) of the commits since the last build's HEAD; None when they cannot be
    listed (the last HEAD is not an ancestor: a rebase or a reset, or git fails): every page is made again."""
    if last_head == head:
        return set()
    history = data.sources.history
    if not last_head or history is None:
        return None
    from workspace_tool.history.read import changed_documents

    paths = changed_documents(data.index.root, data.settings, last_head, head)
    return None if paths is None else deps.history_keys(paths, data.index.by_path, history.documents)


def _restemmed(index: Index, before: Mapping[str, Any], now: Mapping[str, Any]) -> set[str]:
    """The keys (`d:ID`, packed) of the notes and time logs whose stem a file that came or went has.

    `[[stem]]` names a note or time log while it alone has that stem: one
    that comes or goes can give the link to another owner, or to none (the
    month's second time log, `YYYY-MM.md` like the first). A page that
    rendered such a link read the owner (`d:ID`), or, when none had the stem
    alone, `d:stem`, which the file that came or went emits; and each
    owner's own page, which reads `d:ID` too, lists the linking documents
    among its backlinks, which their unchanged files do not dirty.

    Not a key the pages read: who has a stem changes only when a file comes
    or goes, but any key a note or time log emits is dirtied by every edit
    of it, so such a key would remake every time log of a month (all named
    `YYYY-MM.md`) whenever one of them logs an hour.
    """
    stems = {PurePosixPath(path).stem for path in now.keys() ^ before.keys()}
    return set(deps.unpack(deps.pack([f"d:{owner}" for stem in stems for owner in index.stems.get(stem, ())])))


def _redated(data: SiteData, last: deps.Record) -> set[str]:
    """Files whose uncommitted version can move a date (`sources.dated_working`) and is of another day than the file was at the last build."""
    found = set()
    for path, (day, _) in data.sources.dated.items():
        before = last.files.get(path)
        if isinstance(before, list) and before and isinstance(before[0], str) and deps.print_day(before[0]) != day:
            found.add(path)
    return found


def _output_files(out: Path) -> set[str]:
    """Every file under the output folder, as site paths (one walk: cheaper than a check per page)."""
    found: set[str] = set()
    for folder, _, names in os.walk(out):
        relative = os.path.relpath(folder, out).replace(os.sep, "/")
        prefix = "" if relative == "." else relative + "/"
        found.update(prefix + name for name in names)
    return found


def _global_key(data: SiteData, options: BuildOptions, salt: str) -> str:
    """What every page may depend on: when it changes, every page model is made again."""
    from workspace_tool.cache import settings_fingerprint
    from workspace_tool.codeprint import code_version
    from workspace_tool.site.history_view import hidden_titles

    index = data.index
    history = data.sources.history
    return deps.global_key([
        MANIFEST_VERSION, code_version(), options.base_url, options.audience.label, options.audience.include_private, options.history,
        data.today, settings_fingerprint(index.settings), salt, data.money, data.link_docs, data.allow_html,
        # documents that are not added or deleted incrementally (see `deps.INCREMENTAL_TYPES`), and duplicate IDs
        sorted((path, doc.id, doc.type) for path, doc in index.by_path.items() if doc.type not in deps.INCREMENTAL_TYPES or index.docs.get(doc.id) is not doc),
        sorted(stem for stem in index.stems if stem in index.docs),  # `[[stem]]`s an ID takes from a note (a shared stem: `_restemmed`)
        sorted(index.docs.keys() - data.vis.ids), hidden_titles(data),  # what is hidden (a visible task comes and goes by its keys)
        sorted({entry.ref for entry in index.entries if entry.ref not in index.docs}),  # time logged against no document (yet)
        history is None, data.sources.plan is None, data.sources.warnings,  # (the HEAD is not: a commit dirties what it touched)
        sorted((path, [d.as_json() for d in found]) for path, found in index.file_diagnostics.items() if path not in index.by_path),
    ])


PARALLEL_PRINTS = 2000  # documents from which a build without a record takes its file prints in two processes
_PRINTS: list[Index] = []  # the index a forked child takes its half of the prints from (`_prints_range`)


def _file_prints(index: Index, last: deps.Record | None, parallel: bool = False) -> dict[str, list[Any]]:
    """Every document file's fingerprint, the keys it emits and its card (kept from the last build when the file is unchanged).

    With nothing to keep (no record: a cold or full build) and `parallel`,
    a forked child takes the second half: each file is read and hashed, and
    each document written out for its card, about 0.1 ms a document, all
    before the first page (the other core is idle by then). Not while a
    forked child reads the history (`background.busy`): this process would
    wait for it anyway, and a third process slowed it (at 2,000 documents the
    prints then took 0.2-0.3 s instead of 0.2 s, and the history later).
    """
    paths = list(index.by_path)
    if parallel and (last is None or not last.files) and len(paths) >= PARALLEL_PRINTS:
        from workspace_tool.background import busy, can_fork

        if can_fork() and not busy():  # a history child already takes the other core (a cold build): this process takes all
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor
            from concurrent.futures.process import BrokenProcessPool

            half = len(paths) // 2
            _PRINTS[:] = [index]
            try:
                with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
                    second = pool.submit(_prints_range, half, len(paths))
                    found = _prints_of(index, paths[:half], None)
                    found.update(second.result())
                return found
            except (OSError, BrokenProcessPool):  # no child (out of processes or memory): this process takes all
                pass
            finally:
                _PRINTS.clear()
    return _prints_of(index, paths, last)


def _prints_range(start: int, stop: int) -> dict[str, list[Any]]:
    index = _PRINTS[0]
    return _prints_of(index, list(index.by_path)[start:stop], None)


def _prints_of(index: Index, paths: list[str], last: deps.Record | None) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    root = str(index.root)
    stats, hashes = index.file_stats, index.file_hashes
    for path in paths:
        doc = index.by_path[path]
        before = last.files.get(path) if last is not None else None
        then = before[0] if isinstance(before, list) and before and isinstance(before[0], str) else None
        stat = stats.get(path)
        if then is not None and stat is not None and then.startswith(f"{stat[0]}:{stat[1]}:"):
            now = then  # the size and time the index was read at (the file was stat'ed once, by `discover`)
        elif stat is not None and (hashed := hashes.get(path)):
            now = deps.print_of(stat[0], stat[1], hashed)  # the parse cache's hash of the bytes it parsed: not read again
        else:
            now = deps.file_fingerprint(index.root, path, then, root)
        if isinstance(before, list) and len(before) == 3 and isinstance(before[1], str) and deps.same_text(before[0], now):
            found[path] = before if before[0] == now else [now, before[1], before[2]]  # the same bytes: the same keys and card
        else:
            emitted = deps.emits(doc, lambda target: getattr(index.resolve(target), "id", None))
            found[path] = [now, deps.pack(emitted), deps.card(doc, index.file_diagnostics.get(path, ()))]
    return found


def post_build_paths(data: SiteData) -> dict[str, list[str]]:
    """The files made after the pages, by group: the search index (`search.index_groups`: one group per shard), and the Atom feeds."""
    feeds = [f"feeds/{doc_page(p).removeprefix('projects/').removesuffix('.html')}.xml" for p in data.projects()]
    return {**search.index_groups(search.shard_count(data)), "feeds": ["feed.xml", *feeds]}


def post_build_files(data: SiteData, options: BuildOptions, groups: tuple[str, ...] | None = None, collected: Collected | None = None) -> dict[str, str]:
    """The search index and the Atom feeds (workspace and per project), or the `groups` of them asked for (`post_build_paths`)."""
    from workspace_tool.site.pages_overview import activity_events

    if groups is None:
        groups = tuple(post_build_paths(data))
    files: dict[str, str] = {}
    index_groups = [group for group in groups if search.is_index_group(group)]
    if index_groups:
        files.update(_search_index(data, options, collected, index_groups))
    if "feeds" not in groups:
        return files
    site_id = "urn:wm:" + hashlib.sha1(f"{data.index.settings.name}:{data.vis.audience.label}".encode()).hexdigest()[:16]
    events = activity_events(data)
    files["feed.xml"] = atom(f"{data.index.settings.name}: activity", "feed.xml", "activity.html", events, options.base_url, site_id)
    for project in data.projects():
        page = doc_page(project)
        feed = f"feeds/{page.removeprefix('projects/').removesuffix('.html')}.xml"
        files[feed] = atom(f"{project.title}: activity", feed, page, activity_events(data, project.id), options.base_url, site_id)
    return files


def _search_index(data: SiteData, options: BuildOptions, collected: Collected | None, groups: list[str]) -> dict[str, str]:
    """The search index's files of `groups` (`search.index_groups`), encoding again only the entries of files changed since the last build of this output.

    Each shard's entries are kept beside the output's record (`search_path`)
    under the build's global key (audience, hidden documents, settings), in
    ID order; marshal, plain values only, disposable like the record. Kept
    entries name the shard's documents, so making one shard reads no other.
    """
    count = search.shard_count(data)
    files: dict[str, str] = {}
    if count > 1 and "search" in groups:
        files[search.INDEX] = search.loader_script(count)
    shards = search.group_shards(groups, count)
    split: list[list[Any]] = []

    def docs_of(shard: int) -> list[Any]:
        if not split:
            split.extend(search.shard_docs(data, count))
        return split[shard]

    if collected is None or not options.incremental:
        for shard in shards:
            encoded = (found for doc in docs_of(shard) if (found := search.encoded(data, doc)) is not None)
            files[search.shard_file(shard, count)] = search.shard_script(encoded, count)
        return files
    root = data.index.root
    out = options.out.resolve()
    named = output_name(root, out)
    key = collected.record.key
    by_path = data.index.by_path
    last_files = collected.last.files
    added = {search.shard_of(file, count) for file in collected.record.files if file not in last_files}  # shards with a new document
    for shard in shards:
        path = search_path(root, out, shard if count > 1 else None)
        try:
            cache = marshal.loads(path.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            cache = None
        valid = (
            isinstance(cache, dict) and cache.get("version") == MANIFEST_VERSION and cache.get("out") == named and cache.get("key") == key
            and cache.get("shards") == count and cache.get("shard") == shard and isinstance(cache.get("entries"), dict)
        )
        kept = cache["entries"] if valid and isinstance(cache, dict) else {}
        # the same key: what is hidden is the same; the kept files still there (each checked to be of this shard), in ID
        # order as their entries are kept, are the shard's documents unless one was deleted or added since
        docs = [doc for file in kept if (doc := by_path.get(file)) is not None and search.shard_of(file, count) == shard]
        if not kept or len(docs) != len(kept) or shard in added:
            docs = docs_of(shard)
        entries = search.search_entries(data, collected.record.files, kept, docs)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            record = {"version": MANIFEST_VERSION, "out": named, "key": key, "shards": count, "shard": shard, "entries": entries}
            write_if_changed(path, marshal.dumps(record))
        except (OSError, ValueError):
            pass  # a read-only workspace encodes every entry each time
        files[search.shard_file(shard, count)] = search.shard_script((entry[1] for entry in entries.values()), count)
    if split:  # the kept entries did not serve (another key, count or output): drop those of another count
        keep = {search_path(root, out, shard if count > 1 else None).name for shard in range(count)}
        for stale in search_path(root, out).parent.glob(record_path(root, out).stem + ".search*.marshal"):
            if stale.name not in keep:
                stale.unlink(missing_ok=True)
    return files


# -- stage 3: pages -------------------------------------------------------


def pages_stage(collected: Collected, out: Path, options: BuildOptions, result: BuildResult) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """Make the chosen page models and render those whose inputs changed (in parallel, see `make`); the search index and feeds meanwhile.

    Returns the links of the pages made now (a kept page's are in its record entry) and the failures.
    """
    links: dict[str, list[str]] = {}  # of the pages made now (kept pages' are in their record entries)
    for path, old in collected.reused.items():
        collected.digests[path] = old["hash"]
    out.mkdir(parents=True, exist_ok=True)
    data = collected.data
    job = make.Job(
        data, collected.specs, collected.salt, replace(collected.settings, out=str(out)), collected.last.pages, collected.last.shared_sets(), data.sources.history is not None
    )

    def post_build() -> None:
        data.sources.settle()  # the plan made now, pickled and kept while the workers work
        if collected.post_build:
            collected.extra = post_build_files(data, options, tuple(collected.post_build), collected)
        collected.warm()

    errors: list[tuple[str, str]] = []
    record = collected.record
    record.memos = {name: [keys, value] for name, (keys, value) in data.memos.items()}  # still valid, and made in this process
    bar = Progress("wm: making pages", len(collected.specs), enabled=options.progress)  # a terminal's, after half a second
    try:
        everything = make.run(job, options.jobs, post_build, bar.advance)
    finally:
        bar.close()
    for made in everything:
        record.pages[made.path] = {"keys": made.keys}
        if made.memos:
            record.memos.update(made.memos)
        collected.digests[made.path] = made.digest
        if made.attachments:
            collected.attachments[made.path] = made.attachments
        if made.error is not None:
            errors.append((made.path, made.error))
            continue
        result.rendered += made.rendered
        result.written += made.written
        links[made.path] = made.links
    if collected.full:
        derived = {key for entry in record.pages.values() for key in entry["keys"] if deps.is_derived(key)}
    else:  # the kept pages read what they read last time (a key no page reads any more goes at the next full build)
        derived = set(collected.last.derived).union(key for entry in record.pages.values() for key in entry["keys"] if deps.is_derived(key))
    record.derived = {key: collected.fingerprint(key) for key in sorted(derived)}
    return links, errors


# -- stage 4: write --------------------------------------------------------


def write_stage(collected: Collected, out: Path, result: BuildResult) -> set[str]:
    """Write the post-build files, static assets and attachments (pages were written as rendered); return every output path."""
    files = set(collected.paths)
    files.update(collected.kept_extra)
    for path, text in collected.extra.items():
        files.add(path)
        result.written += write_if_changed(out / path, text.encode("utf-8"))
    shipped = shipped_templates()
    for relpath, source in _static_files(collected).items():
        files.add(relpath)
        result.written += _copy(source, out / relpath)
        if relpath == "static/search.js" and not source.is_relative_to(shipped):
            warning = search.outdated_script(source, search.shard_count(collected.data))
            if warning is not None:
                result.warnings.append(warning)
    root = collected.data.index.root
    attachments = [a for old in collected.reused.values() for a in old.get("attachments", [])]
    attachments.extend(a for found in collected.attachments.values() for a in found)
    for attachment in attachments:
        target = f"files/{attachment}"
        if target not in files:
            files.add(target)
            result.written += _copy(root / attachment, out / target)
    return files


def _static_files(collected: Collected) -> dict[str, Path]:
    """`static/` from the shipped templates, overridden file by file by the workspace's own."""
    found: dict[str, Path] = {}
    for folder in reversed(collected.settings.dirs):
        static = Path(folder) / "static"
        if static.is_dir():
            for path in sorted(static.rglob("*")):
                if path.is_file():
                    found["static/" + path.relative_to(static).as_posix()] = path
    return found


def _copy(source: Path, target: Path) -> bool:
    try:
        info = source.stat()
        existing = target.stat()
        if existing.st_size == info.st_size and existing.st_mtime_ns >= info.st_mtime_ns:
            return False
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return True


FILE_LIST = ".wm-files"
"""In the output folder: the files the last build wrote there, one per line, so a build whose record in `.wm/` is gone
(deleted, or a CI cache restored `site/` without it) still removes what it no longer writes: a deleted document's page,
or one made private. Public names only: what the site links to anyway."""


def _write_file_list(out: Path, files: set[str]) -> None:
    text = "".join(f"{path}\n" for path in sorted(files))
    target = out / FILE_LIST
    try:
        if not target.is_file() or target.read_text(encoding="utf-8", errors="replace") != text:
            replace_file(target, text.encode("utf-8", "surrogateescape"))
    except OSError:
        pass  # the pages are written; the next build without a record may leave a stale page, as before


def _listed_files(out: Path) -> list[str]:
    """The files the last build wrote into `out`, from its `FILE_LIST` (none when there is none)."""
    try:
        return (out / FILE_LIST).read_bytes().decode("utf-8", "surrogateescape").splitlines()
    except OSError:
        return []


def _remove_stale(out: Path, previous: dict[str, Any], files: set[str]) -> int:
    """Remove what the last build wrote into `out` that this one did not: by its record, else by the list it left in `out`."""
    removed = 0
    for path in previous.get("files") or _listed_files(out):
        if path and path not in files and not path.startswith("/") and ".." not in path.split("/"):
            try:
                (out / path).unlink()
                removed += 1
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                pass
    return removed


# -- stage 5: check links --------------------------------------------------


def link_stage(collected: Collected, links: dict[str, list[str]], files: set[str], previous_files: set[str]) -> list[str]:
    """Check the links of the pages made in this build; a page kept from the last build, when the same files exist, has the same broken links."""
    same = files == previous_files
    kept = {path: old.get("broken", []) for path, old in collected.reused.items()} if same else {}
    seen: dict[str, set[str]] = {}
    if len(kept) < len(collected.reused):  # other files than last time (a document came or went): check the kept pages again
        kept.update(_broken_in_kept(collected, files, seen))
        for path, found in kept.items():  # their record entries keep what was found now, for the next build
            old = collected.reused[path]
            if old.get("broken", []) != found:
                collected.reused[path] = {**old, "broken": found}
    broken = _broken_links(links, files, seen)
    for path, entry in collected.record.pages.items():
        entry["broken"] = broken.get(path, [])
    broken.update((path, found) for path, found in kept.items() if found)
    return [warning for path in sorted(broken) for warning in broken[path]]


def _broken_in_kept(collected: Collected, files: set[str], seen: dict[str, set[str]]) -> dict[str, list[str]]:
    """The broken-link warnings of the pages kept from the last build, against this build's files.

    A page entry that keeps only the links beside its folder's shared ones
    (`deps.links_entry`) is checked for those; the shared ones are checked
    once per folder (the navigation: most of every page's links).
    """
    shared = collected.last.shared_sets()
    shared_broken: dict[str, list[str]] = {}
    found: dict[str, list[str]] = {}
    for path, old in collected.reused.items():
        folder = deps.folder_of(path)
        rest = old.get("rest")
        if not isinstance(rest, str) or folder not in shared:
            hrefs = _broken_hrefs(path, deps.page_links(old, shared, path), files, seen)
        else:
            if folder not in shared_broken:
                shared_broken[folder] = _broken_hrefs(path, sorted(shared[folder]), files, seen)
            hrefs = _broken_hrefs(path, deps.unpacked_links(rest), files, seen)
            if shared_broken[folder]:
                hrefs = sorted({*hrefs, *shared_broken[folder]})
        found[path] = [f"{path}: broken link to {href}" for href in hrefs]
    return found


def check_links(links: dict[str, list[str]], files: set[str]) -> list[str]:
    """Every relative link of every page must name an output file; one warning per broken link, naming the page."""
    broken = _broken_links(links, files, {})
    return [warning for path in sorted(broken) for warning in broken[path]]


def _broken_links(links: dict[str, list[str]], files: set[str], seen: dict[str, set[str]]) -> dict[str, list[str]]:
    """Page -> one warning per broken link in it (pages without any are left out)."""
    warnings: dict[str, list[str]] = {}
    for page, hrefs in sorted(links.items()):
        found = _broken_hrefs(page, hrefs, files, seen)
        if found:
            warnings[page] = [f"{page}: broken link to {href}" for href in found]
    return warnings


def _broken_hrefs(page: str, hrefs: Iterable[str], files: set[str], seen: dict[str, set[str]]) -> list[str]:
    """The relative links of `page` (in their order) that name no output file.

    `seen`: by folder, the hrefs already found to be fine from there. Pages
    of a folder share most of their links (the navigation), so most hrefs
    are settled by one set look-up each.
    """
    base = posixpath.dirname(page)
    fine = seen.get(base)
    if fine is None:
        fine = seen[base] = set()
    broken = []
    for href in [href for href in hrefs if href not in fine]:
        if not href or href.startswith(("#", "mailto:", "tel:", "http:", "https:", "//", "data:")):
            fine.add(href)
            continue
        target = href.split("#", 1)[0].split("?", 1)[0]
        resolved = posixpath.normpath(posixpath.join(base, target)) if target else ""
        if not target or resolved in files or posixpath.join(resolved, "index.html") in files:
            fine.add(href)
        else:
            broken.append(href)
    return broken


# -- manifest --------------------------------------------------------------


def output_name(root: Path, out: Path) -> str:
    """How the records name the output folder `out` (resolved): its path in the workspace when it is inside it, so a
    checkout at another path (a CI runner's) with `.wm/` and the output restored keeps its record; else its absolute path."""
    try:
        return out.relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(out)


def _output_folder(root: Path, name: str) -> Path:
    """The output folder an `output_name` names."""
    path = Path(name)
    return path if path.is_absolute() else root / path


def record_path(root: Path, out: Path) -> Path:
    """The record of the builds into `out` (resolved): files written, and the dependency record."""
    name = hashlib.blake2b(output_name(root, out).encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()
    return root / SITE_CACHE / f"{name}.marshal"


def search_path(root: Path, out: Path, shard: int | None = None) -> Path:
    """The search entries kept for `out` (resolved), beside its record: of the one-file index, or of a shard (`search.shard_count`)."""
    return record_path(root, out).with_suffix(".search.marshal" if shard is None else f".search-{shard:02d}.marshal")


def _read_manifest(root: Path, out: Path) -> dict[str, Any]:
    """The last build's record for `out` (marshal: plain values only, read several times faster than JSON; a damaged file means a full build)."""
    try:
        data = marshal.loads(record_path(root, out).read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION or data.get("out") != output_name(root, out):
        return {}
    return data


def _write_manifest(root: Path, out: Path, collected: Collected, links: dict[str, list[str]], files: set[str], previous: dict[str, Any] | None = None) -> None:
    """Every file written into `out`, and the dependency record with each page's hash, links, keys and attachments.

    Not written when it is the record read at the start (`previous`): nothing changed.
    """
    digests = collected.digests
    record = collected.record
    record.shared = deps.shared_links(links) if collected.full else collected.last.shared  # kept with the key (see `deps.shared_links`)
    shared = record.shared_sets()
    attachments = {path: list(found) for path, found in collected.attachments.items()}
    for path in list(record.pages):
        if path in links and path in digests:
            entry = record.pages[path]
            entry.update(hash=digests[path], attachments=attachments.get(path, []), **deps.links_entry(path, links[path], shared))
            entry["keys"] = deps.pack(entry["keys"])
        else:
            del record.pages[path]  # failed to render: made again next time
    for path, old in collected.reused.items():
        record.pages[path] = old
    manifest = {"version": MANIFEST_VERSION, "out": output_name(root, out), "files": sorted(files), "record": record.as_json()}
    if manifest == previous:
        return
    target = record_path(root, out)
    try:
        replace_file(target, marshal.dumps(manifest))  # every build changes it (file fingerprints): not compared first
        _prune_records(root, out)
    except (OSError, ValueError):
        pass  # a read-only workspace still builds; the next build is a full one


def _prune_records(root: Path, out: Path) -> None:
    """Keep `.wm/site/outputs.json` (record file -> output folder) and delete the records of folders that are gone."""
    folder = root / SITE_CACHE
    listing = folder / "outputs.json"
    try:
        known = json.loads(listing.read_text(encoding="utf-8"))
        if not isinstance(known, dict):
            known = {}
    except (OSError, ValueError):
        known = {}
    mine = record_path(root, out).name
    known[mine] = output_name(root, out)
    for name, path in list(known.items()):
        # gone; or this folder's record under another name (kept by its absolute path, before it was named in the workspace)
        if not isinstance(path, str) or not (folder_of := _output_folder(root, path)).is_dir() or (name != mine and folder_of.resolve() == out):
            del known[name]
            if "/" not in name and name.endswith(".marshal") and name != "outputs.json":
                for stale in (folder / name, *folder.glob(glob.escape(name.removesuffix(".marshal")) + ".search*.marshal")):
                    stale.unlink(missing_ok=True)
    write_if_changed(listing, json.dumps(known, indent=1, sort_keys=True).encode("utf-8"))
