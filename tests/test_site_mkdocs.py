"""The MkDocs plugin: generated pages from the same page models; the repo's docs build with --strict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_site_build import PRIVATE_STRINGS, make_site_workspace

from workspace_tool.site.mkdocs_plugin import WorkspacePlugin, _url, theme_css

REPO = Path(__file__).resolve().parent.parent


def generate(ws: Path, use_directory_urls: bool = True) -> dict[str, str]:
    plugin = WorkspacePlugin()
    plugin.load_config({"root": str(ws), "today": "2026-11-26"})
    plugin.on_startup(command="build", dirty=False)
    plugin._root = ws
    return plugin.generate(use_directory_urls)


def test_generates_overview_and_project_pages_only(tmp_path: Path) -> None:
    files = generate(make_site_workspace(tmp_path))
    assert sorted(files) == [
        "workspace/attention.md", "workspace/decisions.md", "workspace/index.md", "workspace/people.md", "workspace/projects/alpha.md",
        "workspace/projects/beta.md", "workspace/time.md", "workspace/wm-components.css",
    ]
    dashboard = files["workspace/index.md"]
    assert dashboard.startswith('---\ntitle: "Dashboard"\n---\n\n<div class="wm-site">')
    assert '<a href="projects/alpha/">Alpha portal</a>' in dashboard  # project pages link at their MkDocs URLs
    assert "<header" not in dashboard and "static/" not in dashboard


def test_documents_show_as_titles_and_private_ones_not_at_all(tmp_path: Path) -> None:
    files = generate(make_site_workspace(tmp_path))
    project = files["workspace/projects/alpha.md"]
    assert '<span class="ref">Design the flamingo login page</span>' in project
    assert 'href="../../d/' not in project and "d/design.html" not in project
    text = "\n".join(files.values())
    for secret in PRIVATE_STRINGS:
        assert secret not in text


def test_urls_follow_use_directory_urls() -> None:
    assert _url("workspace/index.md", True) == "workspace/"
    assert _url("workspace/projects/a.md", True) == "workspace/projects/a/"
    assert _url("workspace/projects/a.md", False) == "workspace/projects/a.html"


def _registered() -> bool:
    """Whether MkDocs finds the plugin (asked outside the repo, where a stale *.egg-info could shadow the install)."""
    code = "import importlib.metadata as m, sys; sys.exit(0 if any(e.name == 'workspace' for e in m.entry_points(group='mkdocs.plugins')) else 1)"
    return subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True).returncode == 0


@pytest.mark.skipif(not _registered(), reason="the `workspace` entry point is not installed (pip install -e . after adding it to pyproject)")
def test_repository_docs_build_strict(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(REPO / "mkdocs.yml"), "-d", str(tmp_path / "docs-site")],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "docs-site/workspace/index.html").is_file()
    assert "Northwind" in (tmp_path / "docs-site/workspace/index.html").read_text()


def test_components_follow_the_themes_colour_scheme_toggle() -> None:
    """The plugin's stylesheet maps the theme's own scheme (Material's toggle, the built-in theme's colour mode) onto
    the components' light and dark colours, as the system preference does, then appends the theme fixes."""
    components = (REPO / "site_templates/static/components.css").read_text()
    css = theme_css(components, "/* fixes */\n")
    assert css.startswith(components.rstrip("\n")) and css.endswith("/* fixes */\n")
    light = css.split('[data-md-color-scheme="default"], [data-bs-theme="light"] {\n', 1)[1].split("}", 1)[0]
    dark = css.split('[data-md-color-scheme="slate"], [data-bs-theme="dark"] {\n', 1)[1].split("}", 1)[0]
    assert "--bg: #ffffff;" in light and "--wm-c7: #8a6a55;" in light and light.rstrip().endswith("color-scheme: light;")
    assert "--bg: #14171d;" in dark and "--wm-c7: #c4a38a;" in dark and dark.rstrip().endswith("color-scheme: dark;")
    assert light.count("color-scheme") == dark.count("color-scheme") == 1  # the components' `light dark` is not copied
    assert theme_css("a { color: red; }\n", "") == "a { color: red; }\n\n"  # a workspace's own stylesheet without the blocks


def test_generated_stylesheet_carries_the_theme_fixes(tmp_path: Path) -> None:
    css = generate(make_site_workspace(tmp_path))["workspace/wm-components.css"]
    assert '[data-md-color-scheme="slate"]' in css and "[dir] .md-typeset .facts dd { margin: 0; }" in css
