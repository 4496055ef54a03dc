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

from workspace_tool import background
from workspace_tool.cli.app import App
from workspace_tool.errors import WorkspaceError

COMMANDS_BY_MODULE: dict[str, tuple[str, ...]] = {
    "basic": ("init", "validate", "show"),
    "query": ("list", "board", "next", "blocked", "agenda"),
    "edit": ("new", "set", "move", "assign", "comment", "apply", "templates", "recur"),
    "track": ("log", "start", "stop", "status"),
    "gitcmds": ("merge-driver", "git-setup", "demo"),
    "schedule": ("schedule", "workload"),
    "reports": ("report", "invoice"),
    "exports": ("export", "import"),
    "history": ("history", "diff", "activity", "digest", "flow"),
    "site": ("site",),
    "watch": ("watch",),
}
"""Which module defines each command: a command's module is imported only when it runs
(a test checks this table against the modules' `COMMANDS`)."""

COMMAND_MODULES: tuple[str, ...] = tuple(COMMANDS_BY_MODULE)


class WmGroup(click.Group):
    """Loads command modules lazily, and turns every error into one line on stderr
    (a traceback only with --debug)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *(n for names in COMMANDS_BY_MODULE.values() for n in names)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            for module_name, names in COMMANDS_BY_MODULE.items():
                if cmd_name in names:
                    module = importlib.import_module(f"workspace_tool.cli.{module_name}")
                    for command in module.COMMANDS:
                        self.add_command(command)
                    break
        return self.commands.get(cmd_name)

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
        except OSError as exc:  # a file or folder the system refused: name it, with the system's reason
            if _debug(ctx):
                traceback.print_exc()
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"wm: {where}{exc.strerror or exc} (run with --debug for the traceback)", err=True)
            ctx.exit(1)
        except OverflowError as exc:  # `--days 10000000`, `--from 9999-12-31`: counted past the calendar's end
            if _debug(ctx):
                traceback.print_exc()
            click.echo(
                f"wm: a date out of range ({exc}): dates run from year 1 to 9999; use a nearer --from, --to, --today or a smaller --days",
                err=True,
            )
            ctx.exit(2)
        except Exception as exc:  # the one boundary: never a bare traceback
            if _debug(ctx):
                traceback.print_exc()
            click.echo(f"wm: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", err=True)
            ctx.exit(70)
        finally:
            background.stop_all()  # a command that failed before it used what a child was making: the child goes too


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

