"""Golden files: every editing command changes only the lines it must.

Each `tests/fixtures/edit/<case>.md` is copied into a workspace as task `t`,
the command in `<case>.cmd` runs through the real CLI, and the file must then
equal `<case>.expected.md` byte for byte (CRLF, BOM, comments and unknown
keys included). A missing expected file fails; WM_UPDATE_GOLDEN=1 writes it.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from conftest import FIXTURES, UPDATE_GOLDEN

CASES = sorted(p for p in (FIXTURES / "edit").glob("*.md") if not p.name.endswith(".expected.md"))
PEOPLE = {"alice": "Alice A.", "bob": "Bob B."}


def make_workspace(root: Path) -> None:
    (root / "workspace.yml").write_text("name: golden\n", encoding="utf-8")
    for person, name in PEOPLE.items():
        path = root / "people" / f"{person}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\nname: {name}\n---\n", encoding="utf-8")
    for task in ("a", "b", "c"):
        path = root / "projects" / "web" / "tasks" / f"{task}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\ntitle: Task {task}\n---\n", encoding="utf-8")
    (root / "projects" / "web" / "project.md").write_text("---\ntitle: Web\nstatus: active\n---\n", encoding="utf-8")


@pytest.fixture
def git_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A fixed git identity (the comment author) that ignores the user's own git config."""
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tname = Test Author\n\temail = test@example.com\n", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_edit_golden(case: Path, tmp_path: Path, wm, git_env: None) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "ws"
    root.mkdir()
    make_workspace(root)
    target = root / "projects" / "web" / "tasks" / "t.md"
    target.write_bytes(case.read_bytes())
    command = shlex.split(case.with_suffix(".cmd").read_text(encoding="utf-8"))
    result = wm("-C", str(root), *command)
    assert result.exit_code == 0, result.output
    expected = case.with_name(case.stem + ".expected.md")
    if UPDATE_GOLDEN:
        expected.write_bytes(target.read_bytes())
    assert expected.exists(), f"missing golden file {expected.name} (run with WM_UPDATE_GOLDEN=1 and review it)"
    assert target.read_bytes() == expected.read_bytes()
    check = wm("-C", str(root), "validate")
    assert check.exit_code == 0, check.output


# -- who writes a comment ------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "email", "author"),
    [
        ((), {}, "test@example.com", "Test Author"),  # no person's e-mail: git's user.name
        ((), {}, "bob@example.com", "bob"),  # the person whose e-mail is git's user.email
        ((), {"WM_PERSON": "alice"}, "bob@example.com", "alice"),
        (("--person", "bob"), {"WM_PERSON": "alice"}, "test@example.com", "bob"),
    ],
)
def test_a_comment_is_signed_by_who_the_user_is(
    tmp_path: Path, wm, git_env: None, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], env: dict[str, str], email: str, author: str,  # type: ignore[no-untyped-def]
) -> None:
    """As `wm log` finds its person: --person, WM_PERSON, git's user.email; git's user.name only when none is a person."""
    make_workspace(tmp_path)
    (tmp_path / "people" / "bob.md").write_text("---\nname: Bob B.\nemail: Bob@Example.com\n---\n", encoding="utf-8")
    (tmp_path / "gitconfig").write_text(f"[user]\n\tname = Test Author\n\temail = {email}\n", encoding="utf-8")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = wm("-C", str(tmp_path), "comment", "a", "Looks good", *args)
    assert result.exit_code == 0, result.output
    assert f"- 2026-11-26 {author}: Looks good\n" in (tmp_path / "projects/web/tasks/a.md").read_text(encoding="utf-8")


def test_a_person_who_is_not_one_is_refused(tmp_path: Path, wm, git_env: None) -> None:  # type: ignore[no-untyped-def]
    make_workspace(tmp_path)
    result = wm("-C", str(tmp_path), "comment", "a", "x", "--person", "zed")
    assert result.exit_code != 0 and "zed" in result.stderr
    assert "Log" not in (tmp_path / "projects/web/tasks/a.md").read_text(encoding="utf-8")


def test_a_time_log_takes_no_comment(tmp_path: Path, wm, git_env: None) -> None:  # type: ignore[no-untyped-def]
    """Its body is time entries: a comment line there was read as a broken entry, in an error naming a line the file did not have."""
    make_workspace(tmp_path)
    log = tmp_path / "timelogs" / "alice" / "2026-11.md"
    log.parent.mkdir(parents=True)
    log.write_text("---\nperson: alice\nmonth: 2026-11\n---\n\n- 2026-11-20 1h a\n", encoding="utf-8")
    before = log.read_bytes()
    result = wm("-C", str(tmp_path), "comment", "timelogs/alice/2026-11", "hi")
    assert result.exit_code != 0
    assert "timelogs/alice/2026-11.md: a time log holds time entries, not comments; comment on the task or project the time was for" in result.stderr
    assert log.read_bytes() == before
