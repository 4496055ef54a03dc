"""Plans kept between runs, by a digest of their input: scheduling is pure, so the same input gives the same plan.

`wm next`, `wm schedule`, `wm workload`, `is:critical`, the portfolio
reports and `wm export ical` each plan the whole workspace; at 50,000
documents that is 1.7 s of a 3.5 s command, the same plan again while
nothing changed. `cached_schedule` makes the input (always: it is what
the key is made of), and loads the plan made from an equal input by this
code, if one is kept, instead of planning. A plan made in under
`SAVE_MIN_SECONDS` is not kept: small workspaces write nothing.

The plans are in `.wm/plans/<digest>.pickle`, the last `KEPT` used (two
commands that plan from different inputs, `wm next` without history's done
dates and `wm schedule` with them, do not push each other out). A file is
the payload's checksum on one line, then the pickled plan, read with an
unpickler that knows only the scheduler's types (a planted file cannot run
code). `WM_NO_CACHE=1` plans every time; a read-only workspace does too.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from workspace_tool.cachefile import CACHE_FOLDER, disabled, replace_file
from workspace_tool.gcpause import paused
from workspace_tool.scheduling.types import Plan, SchedInput

PLAN_FOLDER = f"{CACHE_FOLDER}/plans"
KEPT = 4
"""Plans kept: the newest used."""
SAVE_MIN_SECONDS = 0.2
"""A plan made faster than this is not kept: writing it costs about a fifth of making it (0.37 s of 1.7 s at 50,000
documents), and reading it back is worth that only for a plan that takes long (10,000 documents and more)."""


def cached_schedule(root: Path, inp: SchedInput) -> Plan:
    """The plan of `inp`: the one kept for an equal input, else planned now (and kept)."""
    from workspace_tool.scheduling import schedule

    digest = "" if disabled() else input_digest(inp)
    path = root / PLAN_FOLDER / f"{digest}.pickle" if digest else None
    if path is not None:
        kept = _load(path)
        if kept is not None:
            return kept
    started = time.perf_counter()
    plan = schedule(inp)
    if path is not None and time.perf_counter() - started >= SAVE_MIN_SECONDS:
        _save(path, plan)
    return plan


def input_digest(inp: SchedInput) -> str:
    """A digest of this code and the input, the same in every process for an equal input ("" when it has none)."""
    from workspace_tool.codeprint import code_version

    try:
        return hashlib.blake2b(code_version().encode() + stable_repr(inp).encode(), digest_size=16).hexdigest()
    except (TypeError, ValueError, RecursionError):
        return ""


def stable_repr(given: SchedInput) -> str:
    """The scheduler input's repr, the same in every process for equal input.

    Dataclasses, tuples, numbers, strings and dates print alike whenever
    equal; the only sets are of small integers (weekdays, in a fixed order)
    and of holiday dates (in hash order, which varies between processes:
    sorted here), and people are sorted by ID.
    """
    calendar = replace(given.calendar, holidays=tuple(sorted(given.calendar.holidays)))  # type: ignore[arg-type]  # (printed only)
    return repr(replace(given, calendar=calendar, resources=dict(sorted(given.resources.items()))))


class PlanUnpickler(pickle.Unpickler):
    """Only the scheduler's own types and a few standard ones: a planted file cannot run code."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in {("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"), ("datetime", "timedelta"), ("datetime", "timezone")}:
            return super().find_class(module, name)
        if module == "workspace_tool.scheduling.types" and "." not in name:
            found = super().find_class(module, name)
            if isinstance(found, type) and found.__module__ == module:
                return found
        raise pickle.UnpicklingError(f"unexpected global {module}.{name} in a kept plan")


def checksum(payload: bytes) -> str:
    return hashlib.blake2b(payload, digest_size=16).hexdigest()


def _load(path: Path) -> Plan | None:
    """The plan kept in `path`, marked as just used; None when there is none, or it is damaged."""
    try:
        data = path.read_bytes()
        check, _, payload = data.partition(b"\n")
        if check.decode("ascii") != checksum(payload):
            return None
        with paused(freeze=False):  # many small objects, none of them cyclic garbage
            plan = PlanUnpickler(io.BytesIO(payload)).load()
        os.utime(path)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError, IndexError, UnicodeDecodeError):
        return None
    return plan if isinstance(plan, Plan) else None


def _save(path: Path, plan: Plan) -> None:
    """Keep `plan` in `path` (atomically), and only the `KEPT` newest used plans beside it."""
    try:
        payload = pickle.dumps(plan, protocol=5)
        replace_file(path, checksum(payload).encode() + b"\n" + payload)
        kept = sorted(path.parent.glob("*.pickle"), key=_used, reverse=True)
        for old in kept[KEPT:]:
            old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass  # a read-only workspace plans every time


def _used(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
