"""`TimeEntry` (slotted, frozen) and its compact form in the parse cache (columns per timelog)."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import io
import pickle

import pytest

from workspace_tool import cache_chunks
from workspace_tool.model import TimeEntry, TimeLog

DAY = dt.date(2026, 11, 2)


def _entries() -> tuple[TimeEntry, ...]:
    return (
        TimeEntry("ann", DAY, "t-1", 1.5, 5, "timelogs/ann/2026-11.md"),
        TimeEntry("ann", DAY, "t-2", 0.0, 6, "timelogs/ann/2026-11.md", dt.time(9, 0), None, "running", ("x",)),
        TimeEntry("ann", DAY, "t-1", 2.25, 7, "timelogs/ann/2026-11.md", dt.time(13, 0), dt.time(15, 15), "call", ("billable", "x")),
    )


def test_a_time_entry_is_a_frozen_slotted_dataclass() -> None:
    entry = _entries()[2]
    assert dataclasses.is_dataclass(entry) and not hasattr(entry, "__dict__")
    assert [f.name for f in dataclasses.fields(entry)] == ["person", "date", "ref", "hours", "line", "path", "start", "end", "note", "tags"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.hours = 3.0  # type: ignore[misc]
    assert entry == TimeEntry(*dataclasses.astuple(entry)) and hash(entry) == hash(TimeEntry(*dataclasses.astuple(entry)))
    assert dataclasses.replace(entry, hours=1.0).hours == 1.0
    assert pickle.loads(pickle.dumps(entry)) == entry and copy.deepcopy(entry) == entry
    assert entry.span() == (dt.datetime(2026, 11, 2, 13, 0), dt.datetime(2026, 11, 2, 15, 15)) and not entry.running
    assert _entries()[1].running


def _roundtrip(value: object) -> object:
    return cache_chunks.Unpickler(io.BytesIO(cache_chunks._dumps(value))).load()


def test_timelogs_are_cached_as_columns_and_come_back_equal() -> None:
    log = TimeLog("timelogs/ann/2026-11", "timelogs/ann/2026-11.md", "Ann", person="ann", entries=_entries())
    empty = TimeLog("timelogs/bob/2026-11", "timelogs/bob/2026-11.md", "Bob", person="bob")
    assert cache_chunks._reduce_timelog(log)[0] is cache_chunks._timelog
    back = _roundtrip({"a": log, "b": empty})
    assert back == {"a": log, "b": empty}
    assert all(type(e) is TimeEntry for e in back["a"].entries)  # type: ignore[index]
    assert back["a"].entries[1].tags == ("x",) and back["a"].entries[2].start == dt.time(13, 0)  # type: ignore[index]


@pytest.mark.parametrize(
    "columns",
    [(2, ("ann",)), (1, *[("x",)] * 9), ("1", *[("x",)] * 10), (1, *[("x",)] * 9, ["x"]), (1, *[("x",)] * 9, ("x", "y"))],
)
def test_damaged_timelog_columns_are_refused(columns: tuple[object, ...]) -> None:
    with pytest.raises(pickle.UnpicklingError):
        cache_chunks._timelog({"entries": columns})
