"""What every command shares: the workspace, today's date, and the loaded index."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from workspace_tool.errors import UsageError
from workspace_tool.index import Index
from workspace_tool.workspace import load_index, locate, today_from_env

if TYPE_CHECKING:
    from workspace_tool.history import History


@dataclass
class App:
    directory: str | None = None
    today_text: str | None = None
    debug: bool = False
    _index: Index | None = field(default=None, repr=False)
    _root: Path | None = field(default=None, repr=False)
    quiet_unreadable: bool = False  # `wm validate` and `wm watch` list the problems themselves

    @property
    def root(self) -> Path:
        if self._root is None:
            self._root = locate(self.directory)
        return self._root

    @property
    def today(self) -> dt.date:
        return today_from_env(self.today_text)

    def index(self, with_history: bool = False, history_texts: int = 0, history_progress: bool | None = False) -> Index:
        """The workspace's index, loaded once; `with_history`: the command reads the git history next (see `load_index`)."""
        if self._index is None:
            self._index = load_index(self.root, self.today, with_history=with_history, history_texts=history_texts, history_progress=history_progress)
            if not self.quiet_unreadable:
                warn_unreadable(self._index)
        return self._index

    def index_and_history(self, warn: bool = True) -> tuple[Index, History]:
        """The index and the git history, its warnings printed on stderr (unless not `warn`: a command for which the
        history only adds a detail). A history not read before (no cache) is read in a second process while this one
        parses the documents, with its progress bar on a terminal."""
        import click

        from workspace_tool.history import load_history
        from workspace_tool.history.read import prefetch
        from workspace_tool.loader import read_settings

        prefetch(self.root, read_settings(self.root)[0], progress=None)
        index = self.index()
        history = load_history(index)
        for warning in history.warnings if warn else ():
            click.echo(f"wm: warning: {warning}", err=True)
        return index, history

    def reload(self) -> Index:
        self._index = None
        return self.index()


SHOWN_UNREADABLE = 3


def warn_unreadable(index: Index) -> None:
    """One line on stderr when files could not be read: every answer leaves them out (a task whose file is broken is
    on no list or board, and what depends on it may look ready), so it is said, not left to `wm validate`."""
    import click

    folders = sorted(index.unreadable_folders())
    if folders:
        many = len(folders) != 1
        click.echo(
            f"wm: warning: {len(folders)} folder{'s' if many else ''} could not be read, so what {'they hold is' if many else 'it holds is'} "
            f"left out: {', '.join(f'{path}/' for path in folders[:SHOWN_UNREADABLE])}"
            + (f" and {len(folders) - SHOWN_UNREADABLE} more" if len(folders) > SHOWN_UNREADABLE else "") + " (wm validate shows why)",
            err=True,
        )
    found = [(path, error.line) for path, error in index.unreadable_files().items()]
    if not found:
        return
    named = ", ".join(f"{path}:{line}" for path, line in found[:SHOWN_UNREADABLE])
    more = f" and {len(found) - SHOWN_UNREADABLE} more" if len(found) > SHOWN_UNREADABLE else ""
    many = len(found) != 1
    click.echo(
        f"wm: warning: {len(found)} file{'s' if many else ''} could not be read and {'are' if many else 'is'} left out: {named}{more} "
        "(wm validate shows why)",
        err=True,
    )


def date_range(start: str | None, end: str | None, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """`--from` and `--to` (each optional, `date_option`); a usage error when both are given and `--to` comes first."""
    first, last = date_option(start, "--from", today), date_option(end, "--to", today)
    check_range(first, last)
    return first, last


def check_range(first: dt.date | None, last: dt.date | None) -> None:
    if first is not None and last is not None and last < first:
        raise UsageError(f"--to {last} is before --from {first}")


def date_option(value: str | None, option: str, today: dt.date) -> dt.date | None:
    """A `--from`/`--to`-style date option: None when not given, else a date as `wm set due=` takes it
    (YYYY-MM-DD, today, tomorrow, yesterday, +3d, -1w), or a period as `wm list` takes one (`2026-11`,
    `last-month`): its first day for `--from`, its last for `--to`; else a usage error."""
    if value is None:
        return None
    from workspace_tool.relative_dates import bound

    try:
        return bound(value, today, last=option == "--to")
    except ValueError:
        edge = "its last day" if option == "--to" else "its first day"
        raise UsageError(
            f"{option}: expected a date YYYY-MM-DD (or today, tomorrow, yesterday, +3d, -1w), got {value!r};"
            f" or a period (2026-11, this-week, last-month: {edge})"
        ) from None


def now_for(app: App) -> dt.datetime | None:
    """`WM_NOW` (HH:MM, or YYYY-MM-DDTHH:MM) pins the clock running timers count up to; default: now."""
    text = os.environ.get("WM_NOW")
    if not text:
        return None
    try:
        if "T" in text:
            return dt.datetime.fromisoformat(text)
        return dt.datetime.combine(app.today, dt.time.fromisoformat(text))
    except ValueError:
        raise UsageError(f"bad WM_NOW {text!r} (use HH:MM or YYYY-MM-DDTHH:MM)") from None
