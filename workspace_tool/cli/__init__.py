"""The `wm` command line: a thin layer over the library with one error boundary.

Each command group lives in its own module listed in `COMMAND_MODULES`;
a module exposes `COMMANDS`, a list of click commands.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from typing import Any

import click

from workspace_tool.cli.app import App
from workspace_tool.errors import WorkspaceError

COMMAND_MODULES: tuple[str, ...] = ("basic", "reports", "query", "schedule", "edit", "track", "gitcmds", "history")


class WmGroup(click.Group):
    """Turns every error into one line on stderr; a traceback only with --debug."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WorkspaceError as exc:
            if _debug(ctx):
                traceback.print_exc()
            click.echo(f"wm: {exc.message}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("wm: interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            sys.stderr.close()
            ctx.exit(0)
        except Exception as exc:  # the one boundary: never a bare traceback
            if _debug(ctx):
                traceback.print_exc()
            click.echo(f"wm: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", err=True)
            ctx.exit(70)


def _debug(ctx: click.Context) -> bool:
    obj = ctx.find_object(App)
    return bool(obj and obj.debug)


@click.group(cls=WmGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-C", "directory", metavar="DIR", help="Run in the workspace at DIR (default: WM_WORKSPACE, else from the current folder upwards).")
@click.option("--today", metavar="DATE", help="Pin today's date (YYYY-MM-DD); also WM_TODAY.")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="workspace_tool", prog_name="wm")
@click.pass_context
def main(ctx: click.Context, directory: str | None, today: str | None, debug: bool) -> None:
    """wm: projects, tasks, time and decisions as Markdown files in git.

    \b
    Examples:
      wm init my-workspace
      wm -C sample_workspace validate
      wm list status:todo assignee:alice
    """
    ctx.obj = App(directory=directory, today_text=today, debug=debug)


for _name in COMMAND_MODULES:
    _module = importlib.import_module(f"workspace_tool.cli.{_name}")
    for _command in _module.COMMANDS:
        main.add_command(_command)
