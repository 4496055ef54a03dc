"""Commands: site build, site serve."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from workspace_tool.cli.app import App

if TYPE_CHECKING:
    from workspace_tool.site import BuildOptions


def _options(app: App, out: str | None, base_url: str, include_private: bool, audience: str | None, strict: bool, jobs: int | None) -> BuildOptions:
    from workspace_tool.site import Audience, BuildOptions

    target = Path(out) if out else app.root / "site"
    return BuildOptions(target, base_url, Audience.parse(audience, include_private), strict, jobs)


RESTORED_NOTE = (
    "note: .wm/ was written in another folder (a restored CI cache, or a copied workspace), so its caches are read again;"
    ' set WM_TRUST_CACHE=1 to use a cache you restored (docs/site.md, "Publishing from CI")'
)
_OUT = click.option("--out", metavar="DIR", help="Output folder (default: site/ in the workspace).")
_BASE = click.option("--base-url", default="", metavar="URL", help="Absolute URL the site is published at (used in feeds).")
_PRIVATE = click.option("--include-private", is_flag=True, help="Include documents with visibility: private.")
_FOR = click.option("--for", "audience", metavar="client:ID|team:NAME", help="Build a site for one client or team only.")
_JOBS = click.option("--jobs", "-j", type=click.IntRange(1, 256), help="Render processes (default: one per core).")


@click.group("site")
def site_group() -> None:
    """Build or serve the static status site (dashboard, boards, Gantt, decisions, time).

    \b
    Example:
      wm site build --out public/ && open public/index.html
    """


@site_group.command("build")
@_OUT
@_BASE
@_PRIVATE
@_FOR
@click.option("--strict", is_flag=True, help="Fail (exit 1) on any warning: a broken link, a file left out because it could not be read.")
@_JOBS
@click.pass_obj
def build_cmd(app: App, out: str | None, base_url: str, include_private: bool, audience: str | None, strict: bool, jobs: int | None) -> None:
    """Build the status site into a folder of static HTML (only changed pages are rewritten).

    In CI, check out the whole history and keep .wm/ and site/ between runs; set
    WM_TRUST_CACHE=1 so a restored .wm/ is used (docs/site.md, "Publishing
    from CI").

    \b
    Example:
      wm site build --out public/ --for client:harbor-coffee --base-url https://status.example.com/harbor/
      WM_TRUST_CACHE=1 wm site build --strict   # in CI, with .wm/ and site/ restored from its cache
    """
    from workspace_tool.history.store import written_elsewhere
    from workspace_tool.site import build_site

    options = replace(_options(app, out, base_url, include_private, audience, strict, jobs), progress=None)  # a bar on a terminal
    app.quiet_unreadable = True  # files and folders that could not be read are warnings of the build (`--strict` fails)
    if options.history and written_elsewhere(app.root):
        click.echo(RESTORED_NOTE, err=True)
    index = app.index(with_history=options.history and jobs != 1, history_texts=options.diff_texts, history_progress=None)  # -j 1: one process
    result = build_site(index, options)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(result.summary())
    if app.debug:
        click.echo("stages (s): " + ", ".join(f"{k} {v}" for k, v in result.timings.items()), err=True)


@site_group.command("serve")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port on 127.0.0.1.")
@_OUT
@_PRIVATE
@_FOR
@_JOBS
@click.pass_obj
def serve_cmd(app: App, port: int, out: str | None, include_private: bool, audience: str | None, jobs: int | None) -> None:
    """Build the site, serve it on 127.0.0.1, rebuild on every change and reload open tabs.

    A failing build, and documents that cannot be read (left out), are shown
    in a banner over the page. Ctrl-C or SIGTERM stops it.

    \b
    Example:
      wm site serve --port 8000
    """
    from workspace_tool.site.serve import serve

    options = _options(app, out, "", include_private, audience, False, jobs)
    serve(app.root, options, port, app.today)


COMMANDS = [site_group]
