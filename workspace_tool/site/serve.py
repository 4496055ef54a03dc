"""`wm site serve`: build, serve on 127.0.0.1, rebuild on change, reload open tabs.

Watchdog callbacks only mark that something changed; a loop waits for
about 100 ms of quiet, then re-reads the workspace (through the cache) and
rebuilds incrementally. A failing build is logged in one line, shown over
every page by the reload script, and the server keeps running. The watcher
ignores the site output, the `.wm/` cache and git's object store.
"""

from __future__ import annotations

import datetime as dt
import errno
import functools
import gc
import http.server
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from workspace_tool.errors import WorkspaceError
from workspace_tool.site.build import BuildOptions, build_site
from workspace_tool.site.render import template_dirs
from workspace_tool.workspace import WarmIndex, today_from_env

QUIET_SECONDS = 0.1
CHANGES = frozenset({"created", "modified", "deleted", "moved", "closed"})
RELOAD_SCRIPT = '<script src="/__wm/reload.js"></script>'


@dataclass
class BuildState:
    """What the reload script polls: a build counter and the last build's error (None when it succeeded)."""

    build: int = 0
    error: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def as_json(self) -> bytes:
        with self.lock:
            return json.dumps({"build": self.build, "error": self.error}).encode("utf-8")


def _ignored(path: str, root: Path, out: Path) -> bool:
    try:
        rel = Path(path).resolve().relative_to(root)
    except ValueError:
        return True
    parts = rel.parts
    if not parts or Path(path).resolve().is_relative_to(out):
        return True
    if parts[0] == ".git":
        return not (rel.as_posix() == ".git/HEAD" or rel.as_posix().startswith(".git/refs/heads"))
    return parts[0] == ".wm" or any(p.startswith(".") for p in parts) or path.endswith((".wm-tmp", "~", ".swp"))


class Handler(http.server.SimpleHTTPRequestHandler):
    """Static files from the output folder, the build state, and the reload script injected into HTML."""

    state: BuildState
    reload_js: Path

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.split("?", 1)[0]
        if path == "/__wm/build":
            self._send(self.state.as_json(), "application/json")
        elif path == "/__wm/reload.js":
            self._send(self.reload_js.read_bytes(), "text/javascript")
        elif path.endswith((".html", "/")):
            target = Path(self.translate_path(path))
            if target.is_dir():
                target = target / "index.html"
            if target.is_file():
                html = target.read_text(encoding="utf-8")
            else:
                html = "<!doctype html><title>Not built</title><h1>No page here</h1><p>The site has not been built yet or the page does not exist.</p>"
            self._send(html.replace("</body>", RELOAD_SCRIPT + "</body>") if "</body>" in html else html + RELOAD_SCRIPT, "text/html; charset=utf-8")
        else:
            super().do_GET()

    def _send(self, body: bytes | str, kind: str) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)


class SiteServer:
    """The server, watcher and rebuild loop; `start()` returns once the first build ran and the port is open."""

    def __init__(self, root: Path, options: BuildOptions, port: int = 8000, today: dt.date | None = None, log: Callable[[str], None] = print) -> None:
        self.root = root.resolve()
        self._warm = WarmIndex(self.root)  # files whose stat is unchanged are not read again between builds
        self.options = options
        self.today = today
        self.log = log
        self.state = BuildState()
        self._dirty = threading.Event()
        self._last_change = 0.0
        self._stop = threading.Event()
        reload_js = next(d / "static/reload.js" for d in template_dirs(self.root) if (d / "static/reload.js").is_file())
        handler = type("WmHandler", (Handler,), {"state": self.state, "reload_js": reload_js})
        options.out.mkdir(parents=True, exist_ok=True)
        try:
            self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(handler, directory=str(options.out)))
        except OSError as exc:
            taken = exc.errno == errno.EADDRINUSE
            why = "another program is serving on it" if taken else (exc.strerror or str(exc))
            raise WorkspaceError(f"cannot serve on 127.0.0.1:{port}: {why}; pick another port with --port (0: any free one)") from None
        self._observer: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def rebuild(self) -> None:
        started = time.perf_counter()
        try:
            index = self._warm.load(self.today or today_from_env())
            result = build_site(index, self.options)
        except WorkspaceError as exc:
            self._fail(exc.message)
        except Exception as exc:  # the server survives any build failure
            self._fail(f"{type(exc).__name__}: {exc}")
        else:
            with self.state.lock:
                self.state.build += 1
                self.state.error = None
            self.log(f"rebuilt in {time.perf_counter() - started:.2f}s: {result.rendered} pages rendered, {len(result.warnings)} warnings")
        finally:
            # A build freezes what it loads (`gcpause`): in a one-shot command that is free, but this process
            # lives on, and the last build's index and site data must be collectable once the next one starts.
            gc.unfreeze()

    def _fail(self, message: str) -> None:
        with self.state.lock:
            self.state.error = message
        self.log(f"build failed: {message}")

    def _changed(self, event: Any) -> None:
        if event.event_type not in CHANGES:
            return  # reads (opened, closed without writing) are not changes: a build reads every file
        paths = [getattr(event, "src_path", ""), getattr(event, "dest_path", "")]
        if any(p and not _ignored(str(p), self.root, self.options.out.resolve()) for p in paths):
            self._last_change = time.monotonic()
            self._dirty.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            if not self._dirty.wait(0.2):
                continue
            while time.monotonic() - self._last_change < QUIET_SECONDS:
                time.sleep(QUIET_SECONDS / 2)
            self._dirty.clear()
            self.rebuild()

    def start(self) -> None:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        self.rebuild()
        watcher = FileSystemEventHandler()
        watcher.on_any_event = self._changed  # type: ignore[method-assign]
        self._observer = Observer()
        self._observer.schedule(watcher, str(self.root), recursive=True)
        self._observer.start()
        threading.Thread(target=self._loop, name="wm-rebuild", daemon=True).start()
        threading.Thread(target=self.httpd.serve_forever, name="wm-http", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
        self.httpd.shutdown()
        self.httpd.server_close()


def serve(root: Path, options: BuildOptions, port: int = 8000, today: dt.date | None = None) -> None:
    """Serve until interrupted (Ctrl-C)."""
    import click

    server = SiteServer(root, options, port, today, log=lambda line: click.echo(line, err=True))
    server.start()
    click.echo(f"serving {options.out} at {server.url} (Ctrl-C to stop)", err=True)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
