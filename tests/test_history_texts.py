"""A cold history read keeps the texts of each document file's newest changes, and a full site build's diffs read them
instead of asking git again (`history.texts`, `history_view.kept_texts`)."""

from __future__ import annotations

import datetime as dt
import marshal
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_history_store import fresh_process, many_documents
from test_history_support import TODAY, Repo, git

from workspace_tool import background
from workspace_tool.cli import main
from workspace_tool.history import blobs
from workspace_tool.history.model import Commit, FileChange
from workspace_tool.history.texts import TEXTS_FILE, load, newest_blobs

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="forking is POSIX only")
WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def commit(sha: str, *changes: FileChange) -> Commit:
    return Commit(sha, (), "A", "a@example.com", WHEN, "m", changes)


def test_newest_blobs_are_both_sides_of_each_files_newest_changes() -> None:
    commits = [  # oldest first
        commit("c1", FileChange("A", "a.md", new_blob="b1")),
        commit("c2", FileChange("M", "a.md", old_blob="b1", new_blob="b2"), FileChange("A", "notes.txt", new_blob="n1")),
        commit("c3", FileChange("M", "a.md", old_blob="b2", new_blob="b3")),
        commit("c4", FileChange("R", "b.md", old_path="a.md", old_blob="b3", new_blob="b4")),
        commit("c5", FileChange("D", "c.md", old_blob="c1")),
    ]
    is_document = lambda path: path.endswith(".md")  # noqa: E731
    assert newest_blobs(commits, is_document, 1) == {"b2", "b3", "b4", "c1"}
    assert newest_blobs(commits, is_document, 2) == {"b1", "b2", "b3", "b4", "c1"}
    assert newest_blobs(commits, is_document, 3) == {"b1", "b2", "b3", "b4", "c1"}  # "n1" is not a document's


def test_a_damaged_or_planted_file_gives_no_texts(tmp_path: Path) -> None:
    path = tmp_path / TEXTS_FILE
    path.parent.mkdir()
    assert load(tmp_path) == {}
    path.write_bytes(b"\x00not marshal")
    assert load(tmp_path) == {}
    path.write_bytes(marshal.dumps((1, {"a": b"text", 2: b"number", "b": "not bytes"})))
    assert load(tmp_path) == {"a": b"text"}
    path.write_bytes(marshal.dumps((99, {"a": b"text"})))  # another format
    assert load(tmp_path) == {}


@pytest.fixture
def git_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file each `read_blobs` (the diffs' `git cat-file`) appends the number of blobs it asked for to, in workers too."""
    log = tmp_path / "reads.log"
    original = blobs.read_blobs

    def logged(repo: Any, shas: list[str]) -> Any:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{len(set(shas))}\n")
        return original(repo, shas)

    monkeypatch.setattr(blobs, "read_blobs", logged)
    return log


def asked(log: Path) -> int:
    return sum(int(line) for line in log.read_text(encoding="utf-8").split()) if log.exists() else 0


def files_of(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@needs_fork
def test_a_cold_site_build_keeps_the_newest_texts_and_diffs_come_out_the_same_from_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, git_reads: Path
) -> None:
    from workspace_tool.site import make

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(make, "KEPT_TEXTS_MIN_PAGES", make.PARALLEL_MIN_PAGES)  # this small site's full builds read the kept texts
    repo = Repo(tmp_path / "repo")
    many_documents(repo, count=60, rounds=2)  # over `PARALLEL_MIN_PAGES`: a parallel build
    for day in range(12):  # one task with more changes than the pages show diffs of
        repo.task("tasks/t-00.md", "in-progress", estimate=f"{day + 1}d")
        repo.commit(f"t-00 again {day}", f"2026-02-{day + 1:02d}T09:00:00+00:00")
    oldest = git(repo.root, "rev-list", "--reverse", "HEAD").split()[0]
    first_text = git(repo.root, "rev-parse", f"{oldest}:tasks/t-00.md").strip()
    newest_text = git(repo.root, "rev-parse", "HEAD:tasks/t-00.md").strip()

    def build(out: str) -> None:
        fresh_process()
        result = CliRunner().invoke(main, ["-C", str(repo.ws), "--today", TODAY, "site", "build", "--out", str(tmp_path / out)])
        assert result.exit_code == 0, result.output
        assert background.busy() == 0

    build("cold")  # the history is read by a child beside the parse, which keeps the texts
    kept = load(repo.ws)
    assert newest_text in kept and first_text not in kept  # each file's newest changes only
    assert kept[newest_text] == (repo.ws / "tasks/t-00.md").read_bytes()
    assert asked(git_reads) == 0  # every diff's texts were kept
    git_reads.unlink(missing_ok=True)
    monkeypatch.setattr(make, "KEPT_TEXTS_MIN_PAGES", 1000)  # as shipped: a build of fewer page models asks git
    for name in os.listdir(repo.ws / ".wm/site"):
        (repo.ws / ".wm/site" / name).unlink()  # no record: every page is made again, with diffs from git this time
    build("from-git")
    assert asked(git_reads) > 0 and (repo.ws / TEXTS_FILE).is_file()
    assert files_of(tmp_path / "from-git") == files_of(tmp_path / "cold")
