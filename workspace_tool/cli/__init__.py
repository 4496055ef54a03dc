"""The `wm` command line: a thin layer over the library with one error boundary.

Each command group lives in its own module listed in `COMMAND_MODULES`;
a module exposes `COMMANDS`, a list of click commands.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import sys
import traceback
from collections.abc import Sequence
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

    def main(self, args: Sequence[str] | None = None, *rest: Any, **options: Any) -> Any:
        """`--debug` anywhere on the line (`wm show nosuch --debug`, as the messages say) is wm's own option."""
        return super().main(debug_first(sys.argv[1:] if args is None else list(args)), *rest, **options)

    def invoke(self, ctx: click.Context) -> Any:
        if no_color():
            ctx.color = False  # click.echo strips the codes (it does anyway when stdout is no terminal)
        previous = _whole_stdout()
        try:
            result = super().invoke(ctx)
            if sys.stdout is not None:
                sys.stdout.flush()  # a reader that left shows here, not at the interpreter's exit
            return result
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
        except BrokenPipeError:  # `wm validate | head -1`: the reader left; as git and coreutils, the status of SIGPIPE
            _quiet_stdout()
            ctx.exit(EXIT_BROKEN_PIPE)
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
            if previous is not None:
                _restore_stdout(previous)


EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE: the status of a command whose reader left (`wm validate | head -1`), so `set -o pipefail` sees it."""


def debug_first(args: list[str]) -> list[str]:
    """`args` with every `--debug` before `--` moved to the front, where the group's option takes it."""
    end = args.index("--") if "--" in args else len(args)
    if "--debug" not in args[:end]:
        return args
    return ["--debug", *(arg for arg in args[:end] if arg != "--debug"), *args[end:]]


def no_color() -> bool:
    """NO_COLOR set to anything but empty (https://no-color.org): no colour codes, terminal or not."""
    return bool(os.environ.get("NO_COLOR"))


def _whole_stdout() -> Any:
    """Make `sys.stdout` the one place wm's output goes through that notices a reader who left during a large write
    (`output.whole_stdout`: Python's own takes the part a pipe held as all of it, so `wm export json | head -c 10`
    ended 0, not 141); the stdout it replaced, or None when it was left as it is."""
    from workspace_tool.output import whole_stdout

    whole = whole_stdout()
    if whole is None:
        return None
    previous, sys.stdout = sys.stdout, whole
    return previous


def _restore_stdout(previous: Any) -> None:
    """Put back the stdout `_whole_stdout` replaced, after writing what is left in wm's (a reader gone by then: that
    rest is dropped quietly, the command's status already set)."""
    whole, sys.stdout = sys.stdout, previous
    try:
        whole.flush()
    except (OSError, ValueError):
        _quiet_stdout()
        with contextlib.suppress(OSError, ValueError):
            whole.flush()  # into /dev/null now, so that closing it at exit has nothing to write


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so what is still buffered is not written (and no second error shown) at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):  # no stdout, or one with no file (a test's)
        pass


def _debug(ctx: click.Context) -> bool:
    obj = ctx.find_object(App)
    return bool(obj and obj.debug)


@click.group(cls=WmGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-C", "directory", metavar="DIR", help="Run in the workspace at DIR (default: WM_WORKSPACE, else from the current folder upwards).")
@click.option("--today", metavar="DATE", help="Pin today's date (YYYY-MM-DD); also WM_TODAY.")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors (also taken after the command: wm show ID --debug).")
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

