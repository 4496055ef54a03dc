"""`wm site build`: load index -> collect page models -> render (parallel) -> write changed files -> check links -> post-build.

Each stage takes one object and returns one. Incremental: a page whose
inputs (its context, body, templates and site-wide values) hash the same
as in the last build, and whose file is still there, is neither rendered
nor written. The manifest lives in `<workspace>/.wm/site-manifest.json`.
Files a previous build wrote that this one does not (a document deleted
or made private) are removed.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import posixpath
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from workspace_tool.errors import UsageError, WorkspaceError
from workspace_tool.index import Index
from workspace_tool.site import render as render_module
from workspace_tool.site.context import SiteData, doc_page
from workspace_tool.site.feeds import atom
from workspace_tool.site.pages import Page, collect_pages
from workspace_tool.site.privacy import Audience, visibility
from workspace_tool.site.render import (
    Rendered,
    RenderSettings,
    init_worker,
    render_pages,
    render_range,
    template_dirs,
    templates_digest,
    write_if_changed,
)
from workspace_tool.site.search import search_records, search_script
from workspace_tool.site.sources import load_sources

MANIFEST = ".wm/site-manifest.json"
MANIFEST_VERSION = 1
PARALLEL_MIN_PAGES = 48
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


@dataclass
class BuildResult:
    out: Path
    pages: int = 0
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
    data: SiteData
    pages: list[Page]
    salt: str
    settings: RenderSettings
    extra: dict[str, str] = field(default_factory=dict)  # post-build text files: path -> content
    digests: dict[str, str] = field(default_factory=dict)  # page path -> input hash


def build_site(index: Index, options: BuildOptions) -> BuildResult:
    """Build the site for `index` into `options.out`; WorkspaceError when --strict finds broken links."""
    started = clock = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 3)
        clock = now

    out = _check_out(index.root, options.out)
    data = load_stage(index, options)
    lap("load")
    collected = collect_stage(data, options)
    lap("collect")
    manifest = _read_manifest(index.root)
    previous = manifest.get("outputs", {}).get(str(out), {})
    result = BuildResult(out, len(collected.pages), timings=timings)
    links, errors = render_stage(collected, previous, out, options, result)
    lap("render")
    result.warnings.extend(data.sources.warnings)
    result.warnings.extend(f"{path}: page failed to render: {error}" for path, error in errors)
    files = write_stage(collected, out, result)
    result.removed = _remove_stale(out, previous, files)
    lap("write")
    result.warnings.extend(check_links(links, files))
    lap("links")
    _write_manifest(index.root, manifest, str(out), collected, links, files)
    lap("manifest")
    result.seconds = time.perf_counter() - started
    if errors:
        raise WorkspaceError(f"site build failed: {len(errors)} page(s) failed to render; first: {result.warnings[len(data.sources.warnings)]}")
    if options.strict and result.warnings:
        raise WorkspaceError(f"site build --strict: {len(result.warnings)} warning(s); first: {result.warnings[0]}")
    return result


def _check_out(root: Path, out: Path) -> Path:
    out = out.resolve()
    root = root.resolve()
    if out == root or root.is_relative_to(out):
        raise UsageError(f"--out {out} would write the site over the workspace; choose a folder such as {root / 'site'}")
    return out


# -- stage 1: load ---------------------------------------------------------


def load_stage(index: Index, options: BuildOptions) -> SiteData:
    vis = visibility(index, options.audience)
    sources = load_sources(index, with_history=options.history)
    data = SiteData(index, vis, sources, allow_html=index.settings.allow_html)
    from workspace_tool.site.history_view import prepare

    data.history = prepare(data)
    return data


# -- stage 2: collect ------------------------------------------------------


def collect_stage(data: SiteData, options: BuildOptions) -> Collected:
    pages = collect_pages(data)
    present = {p.path for p in pages}
    nav = [{"url": url, "label": label, "section": section} for url, label, section in NAV if url in present]
    projects = [{"url": doc_page(p), "label": p.title} for p in data.projects() if not data.is_done(p)]
    site_globals = {
        "site_name": data.index.settings.name,
        "nav": nav,
        "nav_projects": projects,
        "today": data.today.isoformat(),
        "audience": data.vis.audience.label,
        "internal": data.vis.audience.internal,
        "money": data.money,
        "base_url": options.base_url,
    }
    dirs = template_dirs(data.index.root)
    from workspace_tool.site.history_view import hidden_titles

    settings = RenderSettings(tuple(str(d) for d in dirs), site_globals, data.allow_html, hidden=hidden_titles(data))
    salt = hashlib.sha256((templates_digest(dirs) + json.dumps(site_globals, sort_keys=True) + str(data.allow_html)).encode()).hexdigest()
    collected = Collected(data, pages, salt, settings)
    collected.extra = post_build_files(data, pages, options)
    return collected


def post_build_files(data: SiteData, pages: list[Page], options: BuildOptions) -> dict[str, str]:
    """The search index and the Atom feeds (workspace and per project)."""
    from workspace_tool.site.pages_overview import activity_events

    site_id = "urn:wm:" + hashlib.sha1(f"{data.index.settings.name}:{data.vis.audience.label}".encode()).hexdigest()[:16]
    files = {"search-index.js": search_script(search_records(data))}
    events = activity_events(data)
    files["feed.xml"] = atom(f"{data.index.settings.name}: activity", "feed.xml", "activity.html", events, options.base_url, site_id)
    for project in data.projects():
        page = doc_page(project)
        feed = f"feeds/{page.removeprefix('projects/').removesuffix('.html')}.xml"
        files[feed] = atom(f"{project.title}: activity", feed, page, activity_events(data, project.id), options.base_url, site_id)
    return files


# -- stage 3: render -------------------------------------------------------


def render_stage(collected: Collected, previous: dict[str, Any], out: Path, options: BuildOptions, result: BuildResult) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """Render the pages whose inputs changed, each written as soon as it is rendered (when its bytes changed).

    Returns the links of every page (unchanged pages: from the manifest) and the failures.
    """
    old_pages = previous.get("pages", {}) if options.incremental else {}
    links: dict[str, list[str]] = {}
    todo: list[Page] = []
    for page in collected.pages:
        digest = page.digest(collected.salt)
        collected.digests[page.path] = digest
        old = old_pages.get(page.path)
        if old and old.get("hash") == digest and (out / page.path).is_file():
            links[page.path] = old.get("links", [])
        else:
            todo.append(page)
    if todo and collected.data.sources.history is not None:
        from workspace_tool.site.history_view import with_diff_texts

        todo = with_diff_texts(collected.data.index.root, todo)
    errors: list[tuple[str, str]] = []
    out.mkdir(parents=True, exist_ok=True)
    settings = replace(collected.settings, out=str(out))
    for path, page_links, error, written in _render(todo, settings, options.jobs):
        if error:
            errors.append((path, error))
            continue
        result.rendered += 1
        result.written += written
        links[path] = page_links
    return links, errors


def _render(pages: list[Page], settings: RenderSettings, jobs: int | None) -> list[Rendered]:
    """In-process for small rebuilds; else a forked process pool over index ranges (pages are inherited, not pickled)."""
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(pages) < PARALLEL_MIN_PAGES or "fork" not in multiprocessing.get_all_start_methods():
        init_worker(settings)
        return render_pages(pages)
    size = max(8, len(pages) // (workers * 8))
    ranges = [(i, min(i + size, len(pages))) for i in range(0, len(pages), size)]
    results: list[Rendered] = []
    render_module._PAGES[:] = pages
    gc.freeze()  # forked workers must not walk (and so copy) the whole inherited heap in every collection
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=init_worker, initargs=(settings,)) as pool:
            for chunk in pool.map(render_range, ranges):
                results.extend(chunk)
    finally:
        gc.unfreeze()
        render_module._PAGES.clear()
    return results


# -- stage 4: write --------------------------------------------------------


def write_stage(collected: Collected, out: Path, result: BuildResult) -> set[str]:
    """Write the post-build files, static assets and attachments (pages were written as rendered); return every output path."""
    files = {p.path for p in collected.pages}
    for path, text in collected.extra.items():
        files.add(path)
        result.written += write_if_changed(out / path, text.encode("utf-8"))
    for relpath, source in _static_files(collected).items():
        files.add(relpath)
        result.written += _copy(source, out / relpath)
    root = collected.data.index.root
    for page in collected.pages:
        for attachment in page.attachments:
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


def _remove_stale(out: Path, previous: dict[str, Any], files: set[str]) -> int:
    removed = 0
    for path in previous.get("files", []):
        if path not in files and not path.startswith("/") and ".." not in path.split("/"):
            try:
                (out / path).unlink()
                removed += 1
            except FileNotFoundError:
                pass
    return removed


# -- stage 5: check links --------------------------------------------------


def check_links(links: dict[str, list[str]], files: set[str]) -> list[str]:
    """Every relative link of every page must name an output file; one warning per broken link, naming the page."""
    warnings = []
    seen: dict[tuple[str, str], bool] = {}
    for page, hrefs in sorted(links.items()):
        base = posixpath.dirname(page)
        for href in hrefs:
            if not href or href.startswith(("#", "mailto:", "tel:", "http:", "https:", "//", "data:")):
                continue
            target = href.split("#", 1)[0].split("?", 1)[0]
            if not target:
                continue
            ok = seen.get((base, target))
            if ok is None:
                resolved = posixpath.normpath(posixpath.join(base, target))
                ok = seen[(base, target)] = resolved in files or posixpath.join(resolved, "index.html") in files
            if not ok:
                warnings.append(f"{page}: broken link to {href}")
    return warnings


# -- manifest --------------------------------------------------------------


def _read_manifest(root: Path) -> dict[str, Any]:
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"version": MANIFEST_VERSION, "outputs": {}}
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION or not isinstance(data.get("outputs"), dict):
        return {"version": MANIFEST_VERSION, "outputs": {}}
    return data


def _write_manifest(root: Path, manifest: dict[str, Any], key: str, collected: Collected, links: dict[str, list[str]], files: set[str]) -> None:
    digests = collected.digests
    manifest.setdefault("outputs", {})[key] = {
        "pages": {path: {"hash": digests.get(path), "links": links.get(path, [])} for path in sorted(digests) if path in links},
        "files": sorted(files),
    }
    try:
        write_if_changed(root / MANIFEST, json.dumps(manifest, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    except OSError:
        pass  # a read-only workspace still builds; the next build is a full one
