"""Command: watch."""

from __future__ import annotations

import signal
import threading
import time
from types import FrameType

import click

from workspace_tool.cli.app import App
from workspace_tool.output import diagnostics_summary
from workspace_tool.watch import Change, watch


def _summary(change: Change) -> str:
    return diagnostics_summary(len(change.index), change.diagnostics)


@click.command("watch")
@click.option("--debounce", default=100, show_default=True, metavar="MS", help="Quiet time to wait after a burst of changes.")
@click.option("--verbose", "-v", is_flag=True, help="Also say what each re-index parsed and how long it took.")
@click.pass_obj
def watch_cmd(app: App, debounce: int, verbose: bool) -> None:
    """Keep the index warm; print new and fixed diagnostics as files change.

    Prints the current diagnostics, then after each burst of changes the ones
    that appeared (`new`) and the ones that went away (`fixed`). Stops on
    Ctrl-C or SIGTERM. Ignores .wm/ (the cache), site/ and hidden folders.

    \b
    Example:
      wm watch            # in one terminal; edit files in another
    """
    root = app.root
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    in_main = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)} if in_main else {}

    def on_ready(change: Change) -> None:
        for diagnostic in change.diagnostics:
            click.echo(str(diagnostic))
        click.echo(f"watching {root}: {_summary(change)} (Ctrl-C to stop)", err=True)

    def on_change(change: Change) -> None:
        stats = change.stats
        if not (change.new or change.fixed or stats.parsed or stats.dropped):
            return
        stamp = time.strftime("%H:%M:%S")
        for diagnostic in change.new:
            click.echo(f"new    {diagnostic}")
        for diagnostic in change.fixed:
            click.echo(f"fixed  {diagnostic}")
        detail = f" ({stats.parsed} parsed, {stats.dropped} removed, {change.seconds * 1000:.0f} ms)" if verbose else ""
        click.echo(f"[{stamp}] {_summary(change)}{detail}", err=True)

    def on_error(message: str) -> None:
        click.echo(f"wm watch: {message}", err=True)

    try:
        watch(root, on_ready, on_change, on_error, stop, today=app.today, debounce=debounce / 1000)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("stopped watching", err=True)


COMMANDS: list[click.Command] = [watch_cmd]
