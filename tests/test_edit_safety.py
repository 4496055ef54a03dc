"""Safe writes and bad input: conflicts, a full disk, read-only files, broken files, bad values."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from workspace_tool import edit
from workspace_tool.edit import read_source
from workspace_tool.errors import ConflictError, WorkspaceError

TASK = "---\ntitle: Design mockups\nstatus: todo   # keep\nestimate: 3d\n---\n\nBody.\n"


@pytest.fixture
def ws(workspace: Path, write_doc) -> Path:  # type: ignore[no-untyped-def]
    write_doc("people/alice.md", "---\nname: Alice\nemail: alice@example.com\n---\n")
    write_doc("projects/web/project.md", "---\ntitle: Web\nstatus: active\n---\n")
    write_doc("projects/web/tasks/design-mockups.md", TASK)
    return workspace


def task_bytes(ws: Path) -> bytes:
    return (ws / "projects/web/tasks/design-mockups.md").read_bytes()


def leftovers(ws: Path) -> list[str]:
    return [p.name for p in ws.rglob("*") if p.name.endswith(".wm-tmp")]


def test_conflict_when_file_changed_after_reading(ws: Path) -> None:
    source = read_source(ws, "projects/web/tasks/design-mockups.md")
    (ws / source.relpath).write_text(TASK + "someone else\n", encoding="utf-8")
    with pytest.raises(ConflictError, match="changed on disk"):
        edit.checked_write(source, "new text")
    assert task_bytes(ws) == (TASK + "someone else\n").encode()


def test_conflict_through_the_cli(ws: Path, wm, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    real = edit.read_source

    def racing(root: Path, relpath: str):  # type: ignore[no-untyped-def]
        source = real(root, relpath)
        (root / relpath).write_text(TASK.replace("Body.", "Edited meanwhile."), encoding="utf-8")
        return source

    monkeypatch.setattr("workspace_tool.edit_ops.read_source", racing)
    result = wm("-C", str(ws), "move", "design-mockups", "in-progress")
    assert result.exit_code == 1
    assert "changed on disk" in result.output
    assert b"Edited meanwhile." in task_bytes(ws) and b"status: todo" in task_bytes(ws)


def test_full_disk_leaves_original_and_no_temp_file(ws: Path, wm, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    def full(fd: int, data: bytes) -> None:
        os.write(fd, data[:5])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(edit, "_write_bytes", full)
    result = wm("-C", str(ws), "set", "design-mockups", "priority=high")
    assert result.exit_code == 1
    assert "disk is full" in result.output and "design-mockups.md" in result.output
    assert "Traceback" not in result.output
    assert task_bytes(ws) == TASK.encode()
    assert leftovers(ws) == []


def test_interrupted_write_leaves_original(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(fd: int, data: bytes) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(edit, "_write_bytes", interrupted)
    source = read_source(ws, "projects/web/tasks/design-mockups.md")
    with pytest.raises(KeyboardInterrupt):
        edit.checked_write(source, "x")
    assert task_bytes(ws) == TASK.encode()
    assert leftovers(ws) == []


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write read-only files")
def test_read_only_file_is_refused(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    path = ws / "projects/web/tasks/design-mockups.md"
    path.chmod(0o444)
    try:
        result = wm("-C", str(ws), "set", "design-mockups", "priority=high")
    finally:
        path.chmod(0o644)
    assert result.exit_code == 1
    assert "read-only" in result.output
    assert task_bytes(ws) == TASK.encode()


def test_read_only_check_without_permissions(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The read-only check itself (also when tests run as root, who may write anything)."""
    monkeypatch.setattr(edit.os, "access", lambda path, mode: False)
    source = read_source(ws, "projects/web/tasks/design-mockups.md")
    with pytest.raises(WorkspaceError, match="read-only"):
        edit.checked_write(source, "x")
    assert task_bytes(ws) == TASK.encode()


def test_write_keeps_file_mode(ws: Path) -> None:
    path = ws / "projects/web/tasks/design-mockups.md"
    path.chmod(0o640)
    source = read_source(ws, "projects/web/tasks/design-mockups.md")
    edit.checked_write(source, TASK.replace("todo", "review"))
    assert path.stat().st_mode & 0o777 == 0o640


@pytest.fixture
def umask_027() -> Iterator[None]:
    from workspace_tool.filemode import new_file_mode

    old = os.umask(0o027)
    new_file_mode.cache_clear()
    yield
    os.umask(old)
    new_file_mode.cache_clear()


def test_new_files_get_the_mode_the_umask_gives(ws: Path, wm, umask_027: None) -> None:  # type: ignore[no-untyped-def]
    """Not the 0600 of the temporary file behind an atomic write: a document, a time log, an export, a baseline,
    and an export written again over one whose mode someone set."""
    assert wm("-C", str(ws), "new", "task", "Write copy", "--project", "web").exit_code == 0
    assert wm("-C", str(ws), "log", "design-mockups", "1h", "--person", "alice", "--date", "2026-11-20").exit_code == 0
    assert wm("-C", str(ws), "export", "csv", "--type", "task", "-o", str(ws / "out.csv")).exit_code == 0
    assert wm("-C", str(ws), "schedule", "--save-baseline", "v1").exit_code == 0
    for relpath in ("projects/web/tasks/write-copy.md", "timelogs/alice/2026-11.md", "out.csv", "baselines/v1.yml"):
        assert (ws / relpath).stat().st_mode & 0o777 == 0o640, relpath
    (ws / "out.csv").chmod(0o644)
    assert wm("-C", str(ws), "export", "csv", "--type", "entry", "-o", str(ws / "out.csv")).exit_code == 0
    assert (ws / "out.csv").stat().st_mode & 0o777 == 0o644


def test_broken_frontmatter_is_refused_with_the_diagnostic(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    broken = "---\ntitle: Broken\nstatus: [todo\n---\n"
    path = write_doc("projects/web/tasks/broken.md", broken)
    result = wm("-C", str(ws), "move", "broken", "done")
    assert result.exit_code == 1
    assert "projects/web/tasks/broken.md:" in result.output and "invalid YAML" in result.output
    assert path.read_text(encoding="utf-8") == broken


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("set", "design-mockup", "priority=high"), "did you mean 'design-mockups'?"),
        (("move", "design-mockups", "doing"), "unknown task status 'doing' — did you mean 'in-progress'?"),
        (("move", "design-mockups", "In Progress"), "did you mean 'in-progress'?"),
        (("move", "design-mockups", "closed"), "did you mean 'done'?"),
        (("move", "design-mockups", "reveiw"), "did you mean 'review'?"),
        (("set", "design-mockups", "estimate=three days"), "estimate: expected a duration"),
        (("set", "design-mockups", "due=2026-02-30"), "due: expected a date"),
        (("set", "design-mockups", "milestone=maybe"), "milestone: expected true or false"),
        (("set", "design-mockups", "priority=urgent"), "priority: unknown value 'urgent'"),
        (("set", "design-mockups", "assignee=alicia"), "did you mean 'alice'?"),
        (("set", "design-mockups", "id=other"), "id: cannot be changed"),
        (("set", "design-mockups", "priority"), "expected key=value"),
        (("assign", "design-mockups", "bob"), "no person with ID 'bob'"),
        (("comment", "design-mockups", "  "), "the comment is empty"),
    ],
)
def test_bad_input_changes_nothing(ws: Path, wm, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(ws), *args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert task_bytes(ws) == TASK.encode()


def test_refused_move_names_allowed_statuses(workspace: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    (workspace / "workspace.yml").write_text(
        "name: t\nworkflows:\n  task:\n    statuses: [todo, doing, done]\n    done: [done]\n"
        "    transitions: {todo: [doing], doing: [done, todo], done: [todo]}\n",
        encoding="utf-8",
    )
    write_doc("tasks/x.md", "---\nstatus: todo\n---\n")
    result = wm("-C", str(workspace), "move", "x", "done")
    assert result.exit_code == 2
    assert "cannot move from todo to done (allowed from todo: doing)" in result.output
    assert wm("-C", str(workspace), "move", "x", "doing").exit_code == 0


def test_move_to_done_records_done_once_and_reopening_removes_it(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    assert wm("-C", str(ws), "move", "design-mockups", "done").exit_code == 0
    assert b"done: 2026-11-26\n" in task_bytes(ws)
    assert wm("-C", str(ws), "move", "design-mockups", "review").exit_code == 0
    assert b"done:" not in task_bytes(ws)
    assert task_bytes(ws) == TASK.replace("status: todo", "status: review").encode()


def test_existing_done_date_is_kept(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    path = write_doc("tasks/old.md", "---\nstatus: review\ndone: 2026-11-01\n---\n")
    assert wm("-C", str(ws), "move", "old", "done").exit_code == 0
    assert path.read_text(encoding="utf-8") == "---\nstatus: done\ndone: 2026-11-01\n---\n"


def test_reading_never_modifies(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    before = {p: p.read_bytes() for p in ws.rglob("*.md")}
    for args in (("validate",), ("show", "design-mockups"), ("templates",)):
        wm("-C", str(ws), *args)
    assert {p: p.read_bytes() for p in ws.rglob("*.md")} == before


def test_a_dependency_or_parent_that_would_make_a_cycle_is_refused(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    """`wm validate` calls a cycle an error and no plan can be made around it, so `wm set` refuses to make one,
    naming the chain; the file is left as it was. A chain that does not close is fine."""
    write_doc("projects/web/tasks/build.md", "---\ntitle: Build\ndepends_on: [design-mockups]\n---\n")
    write_doc("projects/web/tasks/launch.md", "---\ntitle: Launch\ndepends_on: [build]\n---\n")
    before = task_bytes(ws)
    result = wm("-C", str(ws), "set", "design-mockups", "depends_on=launch")
    assert result.exit_code == 1 and result.output == (
        "wm: projects/web/tasks/design-mockups.md: depends_on: this would make a cycle, "
        "design-mockups -> launch -> build -> design-mockups; nothing was written\n"
    )
    itself = wm("-C", str(ws), "set", "design-mockups", "parent=design-mockups")
    assert itself.exit_code == 1 and "parent: this would make a cycle, design-mockups -> design-mockups;" in itself.output
    assert task_bytes(ws) == before
    # launch waits (through build) for design-mockups: made its subtask, design-mockups would also wait for launch
    # (a parent ends after its subtasks), a cycle `wm schedule` cannot plan: refused too
    through = wm("-C", str(ws), "set", "launch", "parent=design-mockups")
    assert through.exit_code == 1 and through.output == (
        "wm: projects/web/tasks/launch.md: parent: this would make a dependency cycle through a parent, "
        "launch -> design-mockups -> build -> launch (a subtask starts after its parent starts and the parent ends after "
        "its subtasks); nothing was written\n"
    )
    assert wm("-C", str(ws), "set", "build", "parent=design-mockups").exit_code == 1  # waits for its parent directly
    write_doc("projects/web/tasks/side.md", "---\ntitle: Side\n---\n")
    assert wm("-C", str(ws), "set", "launch", "parent=side").exit_code == 0  # a chain that does not close is fine
    assert wm("-C", str(ws), "validate").exit_code == 0


def test_two_writers_at_once_the_second_waits_then_refuses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both read the file; the first is between its check and its replace when the second checks: without a lock the
    second passed its check too and its edit was replaced by the first's, while it said it had written."""
    import threading
    import time

    doc = tmp_path / "tasks" / "t.md"
    doc.parent.mkdir()
    doc.write_text("---\ntitle: T\n---\n", encoding="utf-8")
    first, second = read_source(tmp_path, "tasks/t.md"), read_source(tmp_path, "tasks/t.md")
    inside = threading.Event()
    real = edit.atomic_write

    def slow(path: Path, data: bytes, mode: int | None = None, check=None, **more) -> None:  # type: ignore[no-untyped-def]
        inside.set()
        time.sleep(0.4)  # the first writer holds its place between check and replace
        real(path, data, mode, check, **more)

    monkeypatch.setattr(edit, "atomic_write", slow)
    writer = threading.Thread(target=edit.checked_write, args=(first, "---\ntitle: First\n---\n"))
    writer.start()
    assert inside.wait(5)
    with pytest.raises(ConflictError, match="changed on disk while wm was editing it"):
        edit.checked_write(second, "---\ntitle: Second\n---\n")
    writer.join()
    assert doc.read_text(encoding="utf-8") == "---\ntitle: First\n---\n"


def test_parallel_wm_log_runs_each_keep_their_entry_or_fail(ws: Path) -> None:
    """Eight `wm log` processes at once on one month's file: every one that says it logged, logged."""
    import subprocess
    import sys

    (ws / "people/bob.md").parent.mkdir(exist_ok=True)
    (ws / "people/bob.md").write_text("---\nname: Bob\n---\n", encoding="utf-8")
    env = {**os.environ, "WM_TODAY": "2026-11-26"}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "workspace_tool", "-C", str(ws), "log", "design-mockups", f"{n}h", "--person", "bob", "--date", f"2026-11-1{n}"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        for n in range(1, 9)
    ]
    codes = [run.wait(60) for run in runs]
    logged = (ws / "timelogs/bob/2026-11.md").read_text(encoding="utf-8")
    kept = [n for n in range(1, 9) if f"- 2026-11-1{n} {n}h design-mockups" in logged]
    assert [n for n, code in zip(range(1, 9), codes) if code == 0] == kept
    assert set(codes) <= {0, 1}


def test_a_file_system_without_locks_still_writes_with_the_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Some network mounts refuse `flock` (ENOLCK): the edit is written, checked as before, not a traceback."""
    import fcntl

    def refuse(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", refuse)
    doc = tmp_path / "t.md"
    doc.write_text("---\ntitle: T\n---\n", encoding="utf-8")
    edit.checked_write(read_source(tmp_path, "t.md"), "---\ntitle: U\n---\n")
    assert doc.read_text(encoding="utf-8") == "---\ntitle: U\n---\n"


def test_the_file_is_compared_after_the_new_text_is_on_disk_just_before_the_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hostile audit #12: an editor's save landing during the fsync was replaced; the check now follows it."""
    from workspace_tool import edit

    target = tmp_path / "t.md"
    target.write_text("---\ntitle: T\n---\n", encoding="utf-8")
    source = edit.read_source(tmp_path, "t.md")
    seen: list[list[str]] = []
    real = edit._check_unchanged

    def check(src):  # type: ignore[no-untyped-def]
        seen.append(sorted(p.name for p in tmp_path.iterdir()))
        target.write_text("---\ntitle: T\n---\nSaved by the editor meanwhile.\n", encoding="utf-8")  # the editor saves now
        return real(src)

    monkeypatch.setattr(edit, "_check_unchanged", check)
    with pytest.raises(edit.ConflictError):
        edit.checked_write(source, "---\ntitle: New\n---\n")
    assert len(seen) == 1 and any(name.endswith(".wm-tmp") for name in seen[0])  # the new text was written first
    assert target.read_text(encoding="utf-8").endswith("Saved by the editor meanwhile.\n")  # and the save kept
    assert [p.name for p in tmp_path.iterdir()] == ["t.md"]  # no temporary file left
