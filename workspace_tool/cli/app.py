"""What every command shares: the workspace, today's date, and the loaded index."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from workspace_tool.errors import UsageError
from workspace_tool.index import Index
from workspace_tool.workspace import load_index, locate, today_from_env


@dataclass
class App:
    directory: str | None = None
    today_text: str | None = None
    debug: bool = False
    _index: Index | None = field(default=None, repr=False)
    _root: Path | None = field(default=None, repr=False)

    @property
    def root(self) -> Path:
        if self._root is None:
            self._root = locate(self.directory)
        return self._root

    @property
    def today(self) -> dt.date:
        return today_from_env(self.today_text)

    def index(self, with_history: bool = False, history_texts: int = 0) -> Index:
        """The workspace's index, loaded once; `with_history`: the command reads the git history next (see `load_index`)."""
        if self._index is None:
            self._index = load_index(self.root, self.today, with_history=with_history, history_texts=history_texts)
        return self._index

    def reload(self) -> Index:
        self._index = None
        return self.index()


def date_option(value: str | None, option: str) -> dt.date | None:
    """A `--from`/`--to`-style date option: None when not given, else YYYY-MM-DD or a usage error."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"bad date for {option}: {value!r} (use YYYY-MM-DD)") from None
