"""`wm site serve`: serves the build, rebuilds on change, reports a failing build and keeps running."""

from __future__ import annotations

import gc
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import weakref
from pathlib import Path
from typing import Any

import pytest
from test_site_build import TODAY, make_site_workspace, start_git

from workspace_tool.site import BuildOptions
from workspace_tool.site import serve as server_module
from workspace_tool.site.serve import SiteServer, _ignored


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def request(url: str, method: str = "GET") -> tuple[int, str, dict[str, str]]:
    """Status, body and headers, for any status (urlopen raises on 404)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=5) as response:
            return response.status, response.read().decode("utf-8"), dict(response.headers)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode("utf-8"), dict(error.headers)


def build_number(server: SiteServer) -> int:
    number: int = json.loads(fetch(server.url + "__wm/build"))["build"]
    return number


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


def test_a_change_that_changes_no_page_reloads_nothing_and_logs_nothing(tmp_path: Path) -> None:
    """`wm site serve 2> serve.log` inside the workspace: each log line was a change, rebuilt, logged: a loop."""
    ws = make_site_workspace(tmp_path)
    lines: list[str] = []
    server = SiteServer(ws, BuildOptions(tmp_path / "out", jobs=1), port=0, today=TODAY, log=lines.append)
    server.start()
    try:
        assert build_number(server) == 1 and len(lines) == 1
        rebuilds: list[int] = []
        original = server.rebuild
        server.rebuild = lambda: (rebuilds.append(1), original())[1]  # type: ignore[method-assign]
        (ws / "serve.log").write_text("a line\n")
        wait_for(lambda: len(rebuilds) >= 1)
        time.sleep(0.5)
        assert (build_number(server), len(lines), len(rebuilds)) == (1, 1, 1)  # no reload, no line, no loop
        task = ws / "projects/alpha/tasks/build.md"
        task.write_text(task.read_text().replace("Build it.", "Build it again."))
        wait_for(lambda: build_number(server) == 2)
        assert len(lines) == 2 and lines[1].startswith("rebuilt in ")
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


def test_an_unreadable_document_is_named_in_the_log_and_over_every_page(tmp_path: Path) -> None:
    """A document broken while serving is left out of the build (as `wm site build` does), and said so: in the log
    line and in a banner naming the file, the line and the problem; its page answers 404 until the file is fixed."""
    ws = make_site_workspace(tmp_path)
    lines: list[str] = []
    server = SiteServer(ws, BuildOptions(tmp_path / "out", jobs=1), port=0, today=TODAY, log=lines.append)
    server.start()
    try:
        assert 'id="wm-unreadable"' not in fetch(server.url)
        task = ws / "projects/alpha/tasks/build.md"
        good = task.read_text()
        task.write_text("---\ntitle: [unclosed\nstatus: todo\n---\nBuild it.\n")
        problem = "projects/alpha/tasks/build.md:2: invalid YAML: while parsing a flow sequence"
        wait_for(lambda: problem in fetch(server.url) and "could not be read" in lines[-1])  # the log line follows the state
        assert json.loads(fetch(server.url + "__wm/build"))["error"] is None  # the build ran: live reload goes on
        assert lines[-1].startswith("rebuilt in ") and "1 file could not be read and is left out: " + problem in lines[-1]
        dashboard = fetch(server.url)
        banner = dashboard.split('<pre id="wm-unreadable" role="alert"', 1)[1].split("</pre>", 1)[0]
        assert "1 file could not be read and is left out of the site" in banner and problem in banner
        assert '<body class="section-dashboard"><pre id="wm-unreadable"' in dashboard  # at the top of the page
        status, page, _ = request(server.url + "d/build.html")
        assert status == 404 and problem in page and '<script src="/__wm/reload.js"></script></body>' in page

        task.write_text(good)
        wait_for(lambda: 'id="wm-unreadable"' not in fetch(server.url) and "could not be read" not in lines[-1])
        assert "Build it." in fetch(server.url + "d/build.html")
    finally:
        server.stop()


def test_a_broken_workspace_yml_fails_the_build_and_the_last_good_site_stays(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    lines: list[str] = []
    server = SiteServer(ws, BuildOptions(tmp_path / "out", jobs=1), port=0, today=TODAY, log=lines.append)
    server.start()
    try:
        config = ws / "workspace.yml"
        good = config.read_text()
        for broken, problem in (
            ("name: [Acme\nrate: 100\n", "workspace.yml:1: invalid YAML: "),
            ("name: Acme Test\nrate: lots\n", "workspace.yml:2: rate: expected a non-negative number, got 'lots'"),
        ):
            good_builds = build_number(server)
            config.write_text(broken)
            wait_for(lambda: json.loads(fetch(server.url + "__wm/build"))["error"] is not None and lines[-1].startswith("build failed"))
            state = json.loads(fetch(server.url + "__wm/build"))
            assert state["build"] == good_builds and state["error"].startswith(problem)
            assert lines[-1].startswith("build failed: " + problem)
            assert "Acme Test" in fetch(server.url)  # not rebuilt with the default settings (site name "workspace")
            config.write_text(good)
            wait_for(lambda: json.loads(fetch(server.url + "__wm/build"))["error"] is None)
    finally:
        server.stop()


def test_a_page_that_does_not_exist_answers_404_with_a_way_back(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    server = SiteServer(ws, BuildOptions(tmp_path / "out", jobs=1), port=0, today=TODAY, log=lambda line: None)
    server.start()
    try:
        for path in ("nope.html", "nope/", "d/renamed.html", "d/%3Cb%3E.html"):
            status, page, headers = request(server.url + path)
            assert (status, headers["Content-Type"]) == (404, "text/html; charset=utf-8"), path
            assert '<a href="/">' in page and '<script src="/__wm/reload.js"></script></body>' in page  # reloads once built
            assert '<link rel="stylesheet" href="/static/components.css">' in page  # the site's colours (style.css uses them)
        assert "<code>/d/&lt;b&gt;.html</code>" in page
        assert request(server.url + "d/build.html")[0] == 200
        # HEAD answers as GET does: the same status, and the length of the page with its script
        for path in ("d/build.html", "nope.html", "__wm/build"):
            status, body, headers = request(server.url + path)
            head_status, head_body, head_headers = request(server.url + path, "HEAD")
            assert (head_status, head_body, head_headers["Content-Length"]) == (status, "", str(len(body.encode()))), path
    finally:
        server.stop()


def test_sigterm_stops_the_server_cleanly(tmp_path: Path) -> None:
    """`kill`, systemd, docker stop and timeout send SIGTERM: the server stops as on Ctrl-C, with exit status 0."""
    ws = make_site_workspace(tmp_path)
    log = tmp_path / "serve.log"
    env = {**os.environ, "WM_TODAY": TODAY.isoformat()}
    command = [sys.executable, "-m", "workspace_tool", "-C", str(ws), "site", "serve", "--port", "0", "--out", str(tmp_path / "out"), "-j", "1"]
    with log.open("w") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr, env=env)
    try:
        wait_for(lambda: "serving " in log.read_text() or process.poll() is not None, seconds=60)
        url = log.read_text().split(" at ", 1)[1].split(" ", 1)[0]
        assert fetch(url + "__wm/build").startswith('{"build": 1')
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert log.read_text().endswith("stopped serving\n")
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", port))  # the port is closed
