"""`wm site serve`: serves the build, rebuilds on change, reports a failing build and keeps running."""

from __future__ import annotations

import gc
import json
import time
import urllib.request
import weakref
from pathlib import Path
from typing import Any

from test_site_build import TODAY, make_site_workspace, start_git

from workspace_tool.site import BuildOptions
from workspace_tool.site import serve as server_module
from workspace_tool.site.serve import SiteServer, _ignored


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def wait_for(predicate: Any, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_serve_rebuilds_on_change_and_survives_a_broken_build(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    out = tmp_path / "out"
    lines: list[str] = []
    server = SiteServer(ws, BuildOptions(out, jobs=1), port=0, today=TODAY, log=lines.append)
    server.start()
    try:
        assert server.url.startswith("http://127.0.0.1:")
        page = fetch(server.url + "d/build.html")
        assert "Build it." in page and '<script src="/__wm/reload.js"></script></body>' in page
        assert "fetch(\"/__wm/build\"" in fetch(server.url + "__wm/reload.js")
        first = json.loads(fetch(server.url + "__wm/build"))
        assert first == {"build": 1, "error": None}

        task = ws / "projects/alpha/tasks/build.md"
        task.write_text(task.read_text().replace("Build it.", "Build it twice."))
        wait_for(lambda: json.loads(fetch(server.url + "__wm/build"))["build"] >= 2)
        assert "Build it twice." in fetch(server.url + "d/build.html")

        (ws / "site_templates").mkdir()
        (ws / "site_templates/document.html").write_text("{% extends layout %}{% block content %}{{ nope( }}{% endblock %}")
        wait_for(lambda: json.loads(fetch(server.url + "__wm/build"))["error"] is not None)
        assert "index.html" in fetch(server.url)  # still serving the last good build
        assert any(line.startswith("build failed:") for line in lines)

        (ws / "site_templates/document.html").unlink()
        wait_for(lambda: json.loads(fetch(server.url + "__wm/build"))["error"] is None)
        builds = json.loads(fetch(server.url + "__wm/build"))["build"]
        time.sleep(1)
        assert json.loads(fetch(server.url + "__wm/build"))["build"] == builds  # a build does not trigger itself
    finally:
        server.stop()


def test_watcher_ignores_output_cache_and_git_objects(tmp_path: Path) -> None:
    root, out = tmp_path, tmp_path / "site"
    assert _ignored(str(out / "index.html"), root, out)
    assert _ignored(str(root / ".wm/cache.sqlite"), root, out)
    assert _ignored(str(root / ".git/objects/ab/cdef"), root, out)
    assert not _ignored(str(root / ".git/HEAD"), root, out)
    assert not _ignored(str(root / "projects/a/tasks/t.md"), root, out)


def test_rebuilds_do_not_keep_the_last_builds_data_alive(tmp_path: Path) -> None:
    """A long-running server must let each build's index go: builds freeze what they load, the server unfreezes it."""
    ws = make_site_workspace(tmp_path)
    start_git(ws)  # with history, site data and its history view refer to each other
    server = SiteServer(ws, BuildOptions(tmp_path / "out", jobs=1), port=0, today=TODAY, log=lambda line: None)
    try:
        seen: list[weakref.ref[Any]] = []
        original = server_module.build_site

        def build(index: Any, options: BuildOptions) -> Any:
            seen.append(weakref.ref(index))
            return original(index, options)

        server_module.build_site = build  # type: ignore[assignment]
        try:
            for _ in range(3):
                server.rebuild()
        finally:
            server_module.build_site = original  # type: ignore[assignment]
        gc.collect()
        assert [ref() is None for ref in seen] == [True, True, True]
    finally:
        server.httpd.server_close()


def test_a_port_in_use_is_one_line_naming_it_and_the_fix(tmp_path: Path, wm: Any) -> None:
    import socket

    ws = make_site_workspace(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = wm("-C", str(ws), "site", "serve", "--port", str(port), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1 and result.output == (
        f"wm: cannot serve on 127.0.0.1:{port}: another program is serving on it; pick another port with --port (0: any free one)\n"
    )
