"""MkDocs plugin `workspace`: the dashboard, boards, Gantt, decision log, people and time as pages of a MkDocs site.

    plugins:
      - workspace:
          root: sample_workspace     # the workspace, relative to mkdocs.yml
          path: workspace            # where the pages go in the docs site
          today: 2026-11-26          # optional: pin the date (else WM_TODAY, else today)

The pages come from the same page models, templates and charts as
`wm site build`, rendered with a bare layout into generated Markdown
files (raw HTML blocks). Only the overview pages and one page per project
are added; documents are not listed in the nav and are shown as titles.
Private documents never appear (there is no option to include them).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files

from workspace_tool.errors import WorkspaceError

log = get_plugin_logger(__name__)

OVERVIEW = {"index.html": "index.md", "attention.html": "attention.md", "decisions.html": "decisions.md", "people.html": "people.md", "time.html": "time.md"}


class WorkspaceConfig(Config):
    root = c.Type(str, default=".")
    path = c.Type(str, default="workspace")
    today = c.Optional(c.Type(str))
    audience = c.Optional(c.Type(str))


class WorkspacePlugin(BasePlugin[WorkspaceConfig]):
    """Adds `<path>/index.md` (dashboard), attention (overdue, blocked, due this week), decisions, people, time and `<path>/projects/<id>.md` pages."""

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self._root: Path | None = None  # kept across `mkdocs serve` rebuilds

    def on_config(self, config: Any) -> Any:
        base = Path(config.config_file_path or ".").parent
        self._root = (base / self.config.root).resolve()
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
        return files

    def on_serve(self, server: Any, config: Any, builder: Any) -> Any:
        if self._root is not None:
            server.watch(str(self._root))
        return server

    def generate(self, use_directory_urls: bool = True) -> dict[str, str]:
        """src_uri -> content of every generated file (Markdown pages and the stylesheet)."""
        from workspace_tool.site.build import BuildOptions, load_stage
        from workspace_tool.site.pages_overview import attention_page, dashboard, decision_log, people_page, time_page
        from workspace_tool.site.pages_project import collect as project_pages
        from workspace_tool.site.privacy import Audience
        from workspace_tool.site.render import RenderSettings, make_env, render_page, template_dirs
        from workspace_tool.workspace import load_index, today_from_env

        assert self._root is not None
        today = dt.date.fromisoformat(self.config.today) if self.config.today else today_from_env()
        index = load_index(self._root, today)
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


def _template_file(dirs: list[Path], relpath: str) -> str:
    """A file from the first template folder that has it (the workspace's own, then the built-in one)."""
    return next((d / relpath).read_text(encoding="utf-8") for d in dirs if (d / relpath).is_file())


_LIGHT = re.compile(r"^:root\s*\{(?P<vars>[^}]*)\}", re.M)
_DARK = re.compile(r"@media\s*\(prefers-color-scheme:\s*dark\)\s*\{\s*:root\s*\{(?P<vars>[^}]*)\}")


def theme_css(components: str, fixes: str) -> str:
    """The components' stylesheet for a MkDocs site: its colours follow the theme's own light or dark scheme
    (Material's `data-md-color-scheme` toggle, the built-in theme's `data-bs-theme`), not only the system's
    preference, so a card or chart is never dark on a light page or light on a dark one; then `fixes`.

    The colour variables are taken from the stylesheet's first `:root { … }` and its
    `@media (prefers-color-scheme: dark) { :root { … } }`; a stylesheet without them is left as it is.
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
