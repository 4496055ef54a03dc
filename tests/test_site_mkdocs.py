"""The MkDocs plugin: generated pages from the same page models; the repo's docs build with --strict."""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
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


# -- configuration: root and today ---------------------------------------------


def plugin_for(tmp_path: Path, **options: object) -> tuple[WorkspacePlugin, list[str]]:
    """The plugin configured as `tmp_path/project/mkdocs.yml` would configure it, with its configuration errors."""
    (tmp_path / "project").mkdir(exist_ok=True)
    plugin = WorkspacePlugin()
    errors, _ = plugin.load_config(dict(options), str(tmp_path / "project" / "mkdocs.yml"))
    plugin.on_startup(command="build", dirty=False)
    return plugin, [f"{key}: {error}" for key, error in errors]


def mkdocs_config(tmp_path: Path) -> MkDocsConfig:
    """The MkDocs configuration of `tmp_path/project/mkdocs.yml` (without plugins: tests call the plugin themselves)."""
    docs = tmp_path / "project" / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text("# Home\n")
    config = MkDocsConfig(config_file_path=str(tmp_path / "project" / "mkdocs.yml"))
    config.load_dict({"site_name": "T", "plugins": []})
    errors, _ = config.validate()
    assert not errors
    return config


def test_a_relative_root_is_taken_from_the_folder_of_mkdocs_yml(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    plugin, errors = plugin_for(tmp_path, root="../ws")
    assert errors == [] and plugin.config.root == str(ws)
    plugin.on_config(mkdocs_config(tmp_path))
    assert plugin._root == ws


@pytest.mark.parametrize(
    ("root", "expected"),
    [
        ("../nowhere", "{tmp}/nowhere: no such folder. root: must name a workspace's folder, the one holding workspace.yml"),
        ("../ws/workspace.yml", "{tmp}/ws/workspace.yml: a file, not a folder. root: must name a workspace's folder, the one holding workspace.yml"),
        ("../plain", "no workspace.yml in {tmp}/plain. root: must name a workspace's folder, the one holding workspace.yml"),
        ("../ws/projects", "no workspace.yml in {tmp}/ws/projects. root: must name"),
    ],
)
def test_a_root_that_is_not_a_workspace_is_a_config_error(tmp_path: Path, root: str, expected: str) -> None:
    make_site_workspace(tmp_path)
    (tmp_path / "plain").mkdir()
    _, errors = plugin_for(tmp_path, root=root)
    assert len(errors) == 1 and errors[0].startswith("root: " + expected.format(tmp=tmp_path.resolve())), errors
    assert "relative path is taken from mkdocs.yml's folder" in errors[0]
    if root == "../ws/projects":
        assert errors[0].endswith(f"the workspace this folder is in is {tmp_path.resolve()}/ws: set root: to it")
    if root == "../plain":
        assert errors[0].endswith(f"or make one there with 'wm init {tmp_path.resolve()}/plain'")
    assert not (tmp_path / "nowhere").exists() and not (tmp_path / "plain/.wm").exists()


@pytest.mark.parametrize("today", [dt.date(2026, 11, 26), "2026-11-26", dt.datetime(2026, 11, 26, 9, 30)])
def test_today_takes_a_yaml_date_or_an_iso_string(tmp_path: Path, today: object) -> None:
    ws = make_site_workspace(tmp_path)
    plugin, errors = plugin_for(tmp_path, root=str(ws), today=today)
    assert errors == [] and plugin.config.today == dt.date(2026, 11, 26)
    plugin._root = ws
    assert "2026-11-26" in plugin.generate()["workspace/index.md"]


@pytest.mark.parametrize("today", ["26.11.2026", "tomorrow", 20261126])
def test_a_bad_today_is_a_config_error(tmp_path: Path, today: object) -> None:
    ws = make_site_workspace(tmp_path)
    _, errors = plugin_for(tmp_path, root=str(ws), today=today)
    assert errors == [f"today: expected a date as YYYY-MM-DD (e.g. 2026-11-26), got {today!r}"]


# -- unreadable documents ------------------------------------------------------


def test_unreadable_documents_are_warnings_naming_file_and_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    ws = make_site_workspace(tmp_path)
    (ws / "projects/alpha/tasks/broken.md").write_text("---\ntitle: [unclosed\n---\n")
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins"):
        files = generate(ws)
    assert "workspace/projects/alpha.md" in files
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name.startswith("mkdocs.plugins.")]
    assert len(warnings) == 1, [r.getMessage() for r in caplog.records]
    message = warnings[0].getMessage()
    assert f"{ws}/projects/alpha/tasks/broken.md:2: invalid YAML" in message and "left out of the pages" in message


def test_a_broken_workspace_yml_is_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    ws = make_site_workspace(tmp_path)
    (ws / "workspace.yml").write_text("name: Acme Test\nrate: [\n")
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins"):
        generate(ws)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and f"{ws}/workspace.yml:" in warnings[0] and "settings are taken as the defaults" in warnings[0], warnings


# -- mkdocs build end to end ---------------------------------------------------


def mkdocs_build(project: Path, plugin_options: str) -> subprocess.CompletedProcess[str]:
    (project / "docs").mkdir(parents=True, exist_ok=True)
    (project / "docs/index.md").write_text("# Home\n")
    (project / "mkdocs.yml").write_text(f"site_name: T\nplugins:\n  - workspace:\n{plugin_options}")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(project / "out")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=project, timeout=300,
    )


@pytest.mark.skipif(not _registered(), reason="the `workspace` entry point is not installed")
def test_strict_build_fails_on_a_wrong_root_and_writes_nothing_there(tmp_path: Path) -> None:
    result = mkdocs_build(tmp_path / "project", "      root: ../nowhere\n      today: \"2026-11-26\"\n")
    assert result.returncode != 0 and "Aborted with a configuration error" in result.stdout
    assert f"option 'root': {tmp_path.resolve()}/nowhere: no such folder" in result.stdout
    assert not (tmp_path / "nowhere").exists() and not (tmp_path / "project/out/workspace").exists()


@pytest.mark.skipif(not _registered(), reason="the `workspace` entry point is not installed")
def test_strict_build_fails_on_an_unreadable_document(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    options = "      root: ../ws\n      today: \"2026-11-26\"\n"
    assert mkdocs_build(tmp_path / "project", options).returncode == 0
    (ws / "notes/broken.md").write_text("---\ntitle: [unclosed\n---\n")
    result = mkdocs_build(tmp_path / "project", options)
    assert result.returncode != 0 and "Aborted with 1 warnings in strict mode" in result.stdout
    assert f"{ws}/notes/broken.md:2: invalid YAML" in result.stdout


# -- mkdocs serve --------------------------------------------------------------


class RecordingServer:
    def __init__(self) -> None:
        self.watched: list[tuple[str, bool]] = []

    def watch(self, path: str, func: None = None, *, recursive: bool = True) -> None:
        self.watched.append((path, recursive))


def triggers(watched: list[tuple[str, bool]], path: Path) -> bool:
    """Whether a change to the file `path` is seen by a watch: under a folder watched recursively, in one watched
    without, or the file itself."""
    return any(path == Path(w) or (recursive and Path(w) in path.parents) or path.parent == Path(w) for w, recursive in watched)


def test_serve_watches_the_workspace_but_not_its_cache(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    (ws / ".git/refs/heads").mkdir(parents=True)
    (ws / ".git/HEAD").write_text("ref: refs/heads/main\n")
    plugin, _ = plugin_for(tmp_path, root=str(ws), today="2026-11-26")
    config = mkdocs_config(tmp_path)
    config.plugins["workspace"] = plugin
    config.plugins.on_config(config)
    server = RecordingServer()
    assert plugin.on_serve(server, config=config, builder=None) is server
    plugin.generate()  # writes the cache
    assert (ws / ".wm").is_dir()
    for path in (ws / ".wm").rglob("*"):
        assert not triggers(server.watched, path), path
    for changed in ("workspace.yml", "projects/alpha/tasks/design.md", "notes/meeting.md", "timelogs/bob/2026-11.md", ".git/HEAD", ".git/refs/heads/main"):
        assert triggers(server.watched, ws / changed), changed
    assert not triggers(server.watched, ws / ".git/objects/ab/cdef")
    (ws / "goals").mkdir()  # a folder added while serving is watched from the next build on
    config.plugins.on_files(Files([]), config=config)
    assert triggers(server.watched, ws / "goals/g.md")
    assert len(server.watched) == len(set(server.watched))  # nothing watched twice


def test_serve_rebuilds_once_per_workspace_edit(tmp_path: Path) -> None:
    """With MkDocs' own server and watcher: the cache the build writes does not ask for another build; an edit does."""
    from mkdocs.livereload import LiveReloadServer

    ws = make_site_workspace(tmp_path)
    plugin, _ = plugin_for(tmp_path, root=str(ws), today="2026-11-26")
    config = mkdocs_config(tmp_path)
    plugin.on_config(config)
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path / "out"), polling_interval=0.1)
    if not hasattr(server, "_want_rebuild"):
        server.server_close()
        pytest.skip("this MkDocs' server keeps its rebuild flag elsewhere")
    plugin.on_serve(server, config=config, builder=None)
    server.observer.start()
    try:
        plugin.generate()  # what each build does, writing its cache into .wm/
        assert (ws / ".wm").is_dir()
        time.sleep(1.0)
        assert not server._want_rebuild
        with (ws / "notes/meeting.md").open("a") as f:
            f.write("More text.\n")
        deadline = time.monotonic() + 10
        while not server._want_rebuild and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server._want_rebuild
    finally:
        server.observer.stop()
        server.observer.join()
        server.server_close()
