"""`wm site serve`: build, serve on 127.0.0.1, rebuild on change, reload open tabs.

Watchdog callbacks only mark that something changed; a loop waits for
about 100 ms of quiet, then re-reads the workspace (through the cache) and
rebuilds incrementally. A failing build is logged in one line, shown over
every page by the reload script, and the server keeps running; a
`workspace.yml` with an error fails the build (the last good site stays).
Documents that cannot be read are left out of the build, as `wm site build`
does, and named in the log and in a banner on every page served. Pages that
do not exist answer 404. SIGTERM stops the server as Ctrl-C does. The
watcher ignores the site output, the `.wm/` cache and git's object store.
"""

from __future__ import annotations

import datetime as dt
import errno
import functools
import gc
import html
import http.server
import json
import os
import re
import signal
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, Callable

from workspace_tool.errors import Diagnostic, WorkspaceError
from workspace_tool.loader import read_settings
from workspace_tool.site.build import BuildOptions, build_site
from workspace_tool.site.render import template_dirs
from workspace_tool.workspace import WarmIndex, today_from_env

QUIET_SECONDS = 0.1
CHANGES = frozenset({"created", "modified", "deleted", "moved", "closed"})
RELOAD_SCRIPT = '<script src="/__wm/reload.js"></script>'
ATOM = "application/atom+xml"
SHOWN_UNREADABLE = 3  # in the log line; the banner names them all
NOT_FOUND = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found</title>'
    '<link rel="stylesheet" href="/static/components.css"><link rel="stylesheet" href="/static/style.css"><link rel="icon" href="data:,">'
    "</head><body><main><h1>No page here</h1>"
    "<p>Nothing is built at <code>{path}</code>: the document may have been renamed or deleted, its file may not be readable"
    ' (see the banner), or the last build failed.</p><p><a href="/">Go to the dashboard</a></p></main></body></html>'
)


@dataclass
class BuildState:
    """What the reload script polls: a build counter and the last build's error (None when it succeeded)."""

    build: int = 0
    error: str | None = None
    unreadable: tuple[Diagnostic, ...] = ()  # the served build's documents that could not be read (left out)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def as_json(self) -> bytes:
        with self.lock:
            return json.dumps({"build": self.build, "error": self.error}).encode("utf-8")

    def banner(self) -> str:
        """The HTML put at the top of every page while the served build left documents out ("" when none)."""
        with self.lock:
            found = self.unreadable
        if not found:
            return ""
        many = len(found) != 1
        head = f"{len(found)} file{'s' if many else ''} could not be read and {'are' if many else 'is'} left out of the site (fix and save; wm validate lists every problem):"
        text = "\n".join([head, *(f"{d.path}:{d.line}: {d.message}" for d in found)])
        style = "margin:0;border-radius:0;padding:.5em 1em;background:var(--alert-bg,#b3261e);color:var(--alert-fg,#fff);white-space:pre-wrap"
        return f'<pre id="wm-unreadable" role="alert" style="{style}">{html.escape(text)}</pre>'


def left_out(found: tuple[Diagnostic, ...]) -> str:
    """What the log line adds when documents could not be read: how many, and the first few with their problem."""
    if not found:
        return ""
    many = len(found) != 1
    named = "; ".join(f"{d.path}:{d.line}: {d.message}" for d in found[:SHOWN_UNREADABLE])
    more = f"; and {len(found) - SHOWN_UNREADABLE} more" if len(found) > SHOWN_UNREADABLE else ""
    return f"; {len(found)} file{'s' if many else ''} could not be read and {'are' if many else 'is'} left out: {named}{more}"


def is_feed(path: Path, out: Path) -> bool:
    """Whether a served file is one of the site's Atom feeds: `feed.xml` or `feeds/<project>.xml` in the output."""
    try:
        rel = path.relative_to(out).as_posix()
    except ValueError:
        return False
    return rel == "feed.xml" or (rel.startswith("feeds/") and rel.count("/") == 1 and rel.endswith(".xml"))


def check_settings(root: Path) -> None:
    """A `workspace.yml` with an error fails the build: built with default settings the site would lose its name,
    rates and holidays without a word."""
    errors = [d for d in read_settings(root)[1] if d.is_error]
    if errors:
        raise WorkspaceError("; ".join(f"{d.path}:{d.line}: {d.message}" for d in errors))


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
        self._respond(head=False)

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self._respond(head=True)

    def _respond(self, head: bool) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/__wm/build":
            self._send(self.state.as_json(), "application/json", head=head)
        elif path == "/__wm/reload.js":
            self._send(self.reload_js.read_bytes(), "text/javascript", head=head)
        elif path.endswith((".html", "/")):
            target = Path(self.translate_path(path))
            if target.is_dir():
                target = target / "index.html"
            if target.is_file():
                self._send(self._page(target.read_text(encoding="utf-8")), "text/html; charset=utf-8", head=head)
            else:  # with the reload script: the page appears once a build makes it
                page = NOT_FOUND.format(path=html.escape(urllib.parse.unquote(path)))
                self._send(self._page(page), "text/html; charset=utf-8", status=404, head=head)
        elif head:
            super().do_HEAD()
        else:
            super().do_GET()

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        """As the base class, but the Atom feeds (`feed.xml`, `feeds/*.xml`) say what they are, as their links do."""
        return ATOM if is_feed(Path(path), Path(self.directory)) else super().guess_type(path)

    def _page(self, text: str) -> str:
        """A page with the banner naming unreadable documents (if any) and the reload script."""
        banner = self.state.banner()
        if banner:
            text, found = re.subn(r"<body\b[^>]*>", lambda m: m.group(0) + banner, text, count=1)
            text = text if found else banner + text
        return text.replace("</body>", RELOAD_SCRIPT + "</body>", 1) if "</body>" in text else text + RELOAD_SCRIPT

    def _send(self, body: bytes | str, kind: str, status: int = 200, head: bool = False) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
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
        self._builder: threading.Thread | None = None
        self._http: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def rebuild(self) -> None:
        started = time.perf_counter()
        try:
            check_settings(self.root)
            index = self._warm.load(self.today or today_from_env())
            unreadable = tuple(index.unreadable_files().values())
            result = build_site(index, self.options)
        except WorkspaceError as exc:
            self._fail(exc.message)
        except Exception as exc:  # the server survives any build failure
            self._fail(f"{type(exc).__name__}: {exc}")
        else:
            with self.state.lock:
                # a build that changed no file (a save without a change, a file of no page's: a log written into
                # the workspace) reloads no tab and logs nothing, so it cannot set off the next one
                changed = bool(result.written or result.removed) or self.state.build == 0
                changed = changed or self.state.error is not None or unreadable != self.state.unreadable
                if changed:
                    self.state.build += 1
                self.state.error = None
                self.state.unreadable = unreadable
            if changed:
                summary = f"{result.rendered} pages rendered, {len(result.warnings)} warnings{left_out(unreadable)}"
                self.log(f"rebuilt in {time.perf_counter() - started:.2f}s: {summary}")
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
        self._builder = threading.Thread(target=self._loop, name="wm-rebuild", daemon=True)
        self._builder.start()
        self._http = threading.Thread(target=self.httpd.serve_forever, name="wm-http", daemon=True)
        self._http.start()

    def stop(self) -> None:
        """Stop watching and serving and close the port (also after a `start()` that did not finish)."""
        self._stop.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
        if self._builder is not None:
            self._builder.join(timeout=10)  # a build under way finishes writing its pages
        if self._http is not None:
            self.httpd.shutdown()  # waits for `serve_forever` to return: only once it runs
        self.httpd.server_close()


def serve(root: Path, options: BuildOptions, port: int = 8000, today: dt.date | None = None) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM), then stop watching, close the port and say so."""
    import click

    server = SiteServer(root, options, port, today, log=lambda line: click.echo(line, err=True))
    owner = os.getpid()

    def interrupt(signum: int, frame: FrameType | None) -> None:
        """SIGTERM (kill, systemd, docker stop, timeout) stops the server as Ctrl-C does."""
        if os.getpid() != owner:  # a render worker forked during a build: it ends as SIGTERM ends a process
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise KeyboardInterrupt

    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, interrupt) if in_main else None
    try:
        server.start()
        click.echo(f"serving {options.out} at {server.url} (Ctrl-C to stop)", err=True)
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        if in_main:  # from here a second SIGTERM ends the process at once
            signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)
        server.stop()
    click.echo("stopped serving", err=True)
