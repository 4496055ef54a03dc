"""Plans kept between runs (`scheduling.plan_cache`): an equal input is not planned again, any other is; a damaged or
planted file is never believed; only the newest few are kept; `WM_NO_CACHE` keeps none."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from scheduling_helpers import index_of, write_workspace

from workspace_tool import scheduling
from workspace_tool.scheduling import plan_cache, schedule, schedule_index
from workspace_tool.scheduling.adapter import build_input
from workspace_tool.scheduling.plan_cache import KEPT, PLAN_FOLDER, cached_schedule, checksum


@pytest.fixture(autouse=True)
def _keep_every_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """These plans take milliseconds: keep them anyway (only a plan that takes long is kept)."""
    monkeypatch.setattr(plan_cache, "SAVE_MIN_SECONDS", 0.0)


def _workspace(tmp_path: Path) -> Path:
    return write_workspace(tmp_path, {"a": {"estimate": "16h", "assignee": "ann"}, "b": {"estimate": "8h", "assignee": "ann", "depends_on": ["a"]}},
                           people={"ann": {}}, start="2026-11-30")


def _no_planning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scheduling, "schedule", lambda inp: pytest.fail("planned again"))


def test_an_equal_input_reads_the_kept_plan_and_it_equals_a_fresh_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _workspace(tmp_path)
    fresh = schedule(build_input(index_of(root)))
    first = schedule_index(index_of(root))
    assert len(list((root / PLAN_FOLDER).glob("*.pickle"))) == 1
    _no_planning(monkeypatch)
    kept = schedule_index(index_of(root))  # another index of the same files: an equal input
    assert kept == first == fresh


def test_a_changed_input_is_planned_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _workspace(tmp_path)
    before = schedule_index(index_of(root))
    (root / "projects/p/tasks/a.md").write_text("---\ntitle: a\nestimate: 40h\nassignee: ann\n---\n", encoding="utf-8")
    after = schedule_index(index_of(root))
    assert after.tasks["b"].start > before.tasks["b"].start
    assert len(list((root / PLAN_FOLDER).glob("*.pickle"))) == 2


def test_a_damaged_or_planted_file_is_not_believed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _workspace(tmp_path)
    inp = build_input(index_of(root))
    good = cached_schedule(root, inp)
    [path] = (root / PLAN_FOLDER).glob("*.pickle")
    path.write_bytes(path.read_bytes()[:-20])  # cut short: the checksum no longer holds
    assert cached_schedule(root, inp) == good

    class Planted:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, ("echo planted > planted.txt",))

    payload = pickle.dumps(Planted(), protocol=5)
    path.write_bytes(checksum(payload).encode() + b"\n" + payload)  # a valid checksum, a hostile pickle
    assert cached_schedule(root, inp) == good
    assert not (Path.cwd() / "planted.txt").exists() and not (root / "planted.txt").exists()


def test_only_the_newest_plans_are_kept(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    for hours in range(KEPT + 3):
        (root / "projects/p/tasks/a.md").write_text(f"---\ntitle: a\nestimate: {hours + 1}h\nassignee: ann\n---\n", encoding="utf-8")
        schedule_index(index_of(root))
    assert len(list((root / PLAN_FOLDER).glob("*.pickle"))) == KEPT


def test_wm_no_cache_keeps_no_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _workspace(tmp_path)
    monkeypatch.setenv("WM_NO_CACHE", "1")
    schedule_index(index_of(root))
    assert not (root / PLAN_FOLDER).exists()


def test_a_plan_made_quickly_is_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing a plan costs about a fifth of making it: a small workspace's plan, made in milliseconds, is not kept."""
    monkeypatch.setattr(plan_cache, "SAVE_MIN_SECONDS", 0.2)
    root = _workspace(tmp_path)
    schedule_index(index_of(root))
    assert not (root / PLAN_FOLDER).exists()
