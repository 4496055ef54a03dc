"""MkDocs plugin `workspace`: the dashboard, boards, Gantt, decision log, people and time as pages of a MkDocs site.

    plugins:
      - workspace:
          root: sample_workspace     # the workspace, relative to mkdocs.yml
          path: workspace            # where the pages go in the docs site
          today: 2026-11-26          # optional: pin the date (else WM_TODAY, else today)

`root` must name a workspace's folder (the one holding `workspace.yml`), and
`today` a date: anything else is a configuration error (and nothing is written
at a `root` that is not a workspace). A document that cannot be read is a
warning naming its file and line, so `mkdocs build --strict` fails.

The pages come from the same page models, templates and charts as
`wm site build`, rendered with a bare layout into generated Markdown
files (raw HTML blocks). Only the overview pages and one page per project
are added; documents are not listed in the nav and are shown as titles.
Private documents never appear (there is no option to include them).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files

from workspace_tool.errors import WorkspaceError
from workspace_tool.loader import CONFIG_NAME

if TYPE_CHECKING:
    from workspace_tool.errors import Diagnostic
    from workspace_tool.index import Index

log = get_plugin_logger(__name__)

OVERVIEW = {"index.html": "index.md", "attention.html": "attention.md", "decisions.html": "decisions.md", "people.html": "people.md", "time.html": "time.md"}


def root_problem(root: Path) -> str | None:
    """Why `root` is not a workspace's folder (None when it is), with what the `root:` option must name and the fix."""
    from workspace_tool.errors import NotFoundError
    from workspace_tool.loader import find_root

    wanted = f"root: must name a workspace's folder, the one holding {CONFIG_NAME} (a relative path is taken from mkdocs.yml's folder)"
    if not root.exists():
        return f"{root}: no such folder. {wanted}"
    if not root.is_dir():
        return f"{root}: a file, not a folder. {wanted}"
    if (root / CONFIG_NAME).is_file():
        return None
    try:
        fix = f"the workspace this folder is in is {find_root(root)}: set root: to it"
    except NotFoundError:
        fix = f"set root: to one, or make one there with 'wm init {root}'"
    return f"no {CONFIG_NAME} in {root}. {wanted}: {fix}"


class WorkspaceRoot(c.Dir):
    """`root:` the workspace's folder, relative to mkdocs.yml's; an absolute path once validated."""

    def run_validation(self, value: object) -> str:
        root = Path(super().run_validation(value)).resolve()
        problem = root_problem(root)
        if problem is not None:
            raise c.ValidationError(problem)
        return str(root)


class DateOption(c.BaseConfigOption[dt.date]):
    """A date: a YAML date (`today: 2026-11-26`) or an ISO string (`today: "2026-11-26"`)."""

    def run_validation(self, value: object) -> dt.date:
        from workspace_tool.fields import FieldError, as_date

        try:
            return as_date(value)  # the rule of every date field
        except FieldError:
            raise c.ValidationError(f"expected a date as YYYY-MM-DD (e.g. 2026-11-26), got {value!r}") from None


class WorkspaceConfig(Config):
    root = WorkspaceRoot(default=".")
    path = c.Type(str, default="workspace")
    today = c.Optional(DateOption())
    audience = c.Optional(c.Type(str))


WATCH_SKIPPED = frozenset({"site", "node_modules", "__pycache__"})
"""Top-level folders `mkdocs serve` does not watch (build output and tools' folders), besides hidden ones."""


def watched_paths(root: Path) -> list[tuple[Path, bool]]:
    """What `mkdocs serve` watches in the workspace, each with whether recursively: the top folder itself (`workspace.yml`
    and the documents there), each folder in it except hidden ones and `WATCH_SKIPPED`, and git's HEAD and branch heads
    (a commit changes the history). Not `.wm/`: the plugin writes its caches there at each build, which would start
    a second build (and reload) after every edit. MkDocs' watcher takes no ignore patterns, so the folders are listed."""
    found = [(root, False)]
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        entries = []
    found += [(Path(e.path), True) for e in entries if not e.name.startswith(".") and e.name not in WATCH_SKIPPED and e.is_dir()]
    git = root / ".git"
    found += [(path, True) for path in (git / "HEAD", git / "refs" / "heads") if path.exists()]
    return found


class WorkspacePlugin(BasePlugin[WorkspaceConfig]):
    """Adds `<path>/index.md` (dashboard), attention (overdue, blocked, due this week), decisions, people, time and `<path>/projects/<id>.md` pages."""

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self._root: Path | None = None  # kept across `mkdocs serve` rebuilds
        self._server: Any = None  # `mkdocs serve`'s server, once `on_serve` has run
        self._watched: set[Path] = set()

    def on_config(self, config: Any) -> Any:
        self._root = Path(self.config.root)  # absolute, and a workspace (`WorkspaceRoot`)
        css = f"{self.config.path}/wm-components.css"
        if css not in config.extra_css:
            config.extra_css.append(css)
        return config

    def on_files(self, files: Files, config: Any) -> Files:
        try:
            generated = self.generate(use_directory_urls=config.use_directory_urls)
        except WorkspaceError as exc:
            raise PluginError(f"workspace plugin: {exc.message}") from None
        for src_uri, content in generated.items():
            files.append(File.generated(config, src_uri, content=content))
        if self._server is not None:
            self._watch()  # a folder added to the workspace since
        return files

    def on_serve(self, server: Any, config: Any, builder: Any) -> Any:
        self._server = server
        self._watch()
        return server

    def _watch(self) -> None:
        """Have the server watch what it does not watch yet of `watched_paths`."""
        if self._root is None:
            return
        for path, recursive in watched_paths(self._root):
            if path not in self._watched:
                self._watched.add(path)
                self._server.watch(str(path), recursive=recursive)

    def generate(self, use_directory_urls: bool = True) -> dict[str, str]:
        """src_uri -> content of every generated file (Markdown pages and the stylesheet)."""
        from workspace_tool.site.build import BuildOptions, load_stage
        from workspace_tool.site.pages_overview import attention_page, dashboard, decision_log, people_page, time_page
        from workspace_tool.site.pages_project import collect as project_pages
        from workspace_tool.site.privacy import Audience
        from workspace_tool.site.render import RenderSettings, make_env, render_page, template_dirs
        from workspace_tool.workspace import load_index, today_from_env

        assert self._root is not None
        problem = root_problem(self._root)
        if problem is not None:  # checked when the config was, but it may have gone since (`mkdocs serve`)
            raise PluginError(f"workspace plugin: {problem}")
        today = self.config.today or today_from_env()
        index = load_index(self._root, today)
        for path, error in [*index.unreadable_files().items(), *_workspace_errors(index)]:
            log.warning(f"{self._root / path}:{error.line}: {error.message} ({_left_out(path)}; wm validate lists every problem)")
        options = BuildOptions(self._root / ".wm" / "mkdocs-unused", audience=Audience.parse(self.config.audience))
        data = load_stage(index, options)
        data.link_docs = False
        for warning in data.sources.warnings:
            log.info(warning)
        pages = [dashboard(data), attention_page(data), decision_log(data), people_page(data), time_page(data), *project_pages(data)]
        folder = self.config.path.strip("/")
        sources = {p.path: f"{folder}/{OVERVIEW.get(p.path, p.path.removesuffix('.html') + '.md')}" for p in pages}
        url_map = {path: _url(src, use_directory_urls) for path, src in sources.items()}
        dirs = template_dirs(index.root)
        site_globals = {
            "site_name": index.settings.name, "nav": [], "nav_projects": [], "today": today.isoformat(), "audience": data.vis.audience.title(data.index),
            "internal": data.vis.audience.internal, "money": data.money, "base_url": "", "url_map": url_map,
        }
        settings = RenderSettings(tuple(str(d) for d in dirs), site_globals, data.allow_html, layout="fragment.html")
        env = make_env(settings)
        result = {}
        for page in pages:
            html = render_page(env, settings, _at(page, url_map[page.path]))
            result[sources[page.path]] = f"---\ntitle: {_yaml_text(page.title)}\n---\n\n{html.strip()}\n"
        data.sources.settle()  # keep the plan made now for the next build
        result[f"{folder}/wm-components.css"] = theme_css(_template_file(dirs, "static/components.css"), _template_file(dirs, "mkdocs.css"))
        return result


def _workspace_errors(index: Index) -> list[tuple[str, Diagnostic]]:
    """The errors of `workspace.yml` and of folders that cannot be read, each with its path."""
    return [
        (path, next(p for p in problems if p.is_error))
        for path, problems in sorted(index.file_diagnostics.items())
        if not path.endswith(".md") and any(p.is_error for p in problems)
    ]


def _left_out(path: str) -> str:
    if path == CONFIG_NAME:
        return "its settings are taken as the defaults"
    return "the document is left out of the pages" if path.endswith(".md") else "what is in it is left out of the pages"


def _template_file(dirs: list[Path], relpath: str) -> str:
    """A file from the first template folder that has it (the workspace's own, then the built-in one)."""
    return next((d / relpath).read_text(encoding="utf-8") for d in dirs if (d / relpath).is_file())


_LIGHT = re.compile(r"^:root\s*\{(?P<vars>[^}]*)\}", re.M)
_DARK = re.compile(r"@media\s*(?:screen\s+and\s*)?\(prefers-color-scheme:\s*dark\)\s*\{\s*(?:/\*.*?\*/\s*)?:root\s*\{(?P<vars>[^}]*)\}")


def theme_css(components: str, fixes: str) -> str:
    """The components' stylesheet for a MkDocs site: its colours follow the theme's own light or dark scheme
    (Material's `data-md-color-scheme` toggle, the built-in theme's `data-bs-theme`), not only the system's
    preference, so a card or chart is never dark on a light page or light on a dark one; then `fixes`.

    The colour variables are taken from the stylesheet's first `:root { … }` and its
    `@media [screen and] (prefers-color-scheme: dark) { :root { … } }`; a stylesheet without them is left as it is.
    """
    parts = [components.rstrip("\n")]
    for selectors, found, scheme in (
        ('[data-md-color-scheme="default"], [data-bs-theme="light"]', _LIGHT.search(components), "light"),
        ('[data-md-color-scheme="slate"], [data-bs-theme="dark"]', _DARK.search(components), "dark"),
    ):
        if found:
            lines = [line.strip() for line in re.sub(r"color-scheme:[^;]*;", "", found["vars"]).splitlines() if line.strip()]
            parts.append("\n  ".join([f"{selectors} {{", *lines, f"color-scheme: {scheme};"]) + "\n}")
    parts.append(fixes.rstrip("\n"))
    return "\n".join(parts) + "\n"


def _url(src_uri: str, use_directory_urls: bool) -> str:
    """The URL path MkDocs gives a Markdown file."""
    stem = src_uri.removesuffix(".md")
    if not use_directory_urls:
        return stem + ".html"
    if stem.endswith("/index") or stem == "index":
        return stem.removesuffix("index")
    return stem + "/"


def _at(page: Any, url: str) -> Any:
    """The page model as rendered at its MkDocs URL (links are computed relative to it)."""
    from dataclasses import replace

    return replace(page, path=url + ("index.html" if url.endswith("/") or not url else ""))


def _yaml_text(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)
