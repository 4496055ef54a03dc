"""CLI conventions: exit statuses, a reader that leaves the pipe, colour, control characters, paths wm prints, --debug
anywhere, and JSON that is valid UTF-8 (docs/index.md, "Command-line conventions")."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner, Result
from conftest import REPO

from workspace_tool.cli import main
from workspace_tool.output import DIM, RESET, dumps, table

Run = Callable[..., Result]
EVIL = "evil \x1b]0;pwned\x07 \x1b[2J\x1b[31mRED"
"""A title that, printed raw, sets the terminal window's title, clears the screen and turns what follows red."""


@pytest.fixture
def ws(workspace: Path, write_doc: Callable[[str, str], Path]) -> Path:
    write_doc("people/alice.md", "---\ntitle: Alice\n---\n")
    write_doc("projects/web/project.md", "---\ntitle: Web\nstatus: active\n---\n")
    write_doc("projects/web/tasks/website-build.md", "---\ntitle: Build the site\nstatus: todo\nassignee: alice\ndue: 2026-11-27\n---\n")
    write_doc("projects/web/tasks/kickoff.md", "---\ntitle: Kickoff\nstatus: done\n---\n")
    return workspace


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "WM_WORKSPACE", "WM_NO_CACHE")}
    env.update(PYTHONPATH=str(REPO), WM_TODAY="2026-11-26", **extra)
    return env


def _git_commit(root: Path) -> None:
    for args in (("init", "-q"), ("add", "-A"), ("-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "start")):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


# -- 9. a reader that leaves: exit 141, nothing printed ----------------------------------------------


def _into_closed_pipe(*args: str) -> subprocess.CompletedProcess[bytes]:
    """Run wm with its stdout a pipe whose reader has already left (`wm ... | head -0`, deterministically)."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run([sys.executable, "-m", "workspace_tool", *args], stdout=write, stderr=subprocess.PIPE, env=_env(), timeout=120)
    finally:
        os.close(write)


def test_a_reader_that_left_gives_exit_141_and_no_traceback(ws: Path) -> None:
    """It gave 0, so `wm validate | head` passed under `set -o pipefail` however broken the workspace was."""
    (ws / "projects/web/tasks/broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    for args in (("validate",), ("list", "--json")):
        done = _into_closed_pipe("-C", str(ws), *args)
        assert done.returncode == 141, (args, done.stderr)  # 128 + SIGPIPE, as git and coreutils
        assert b"Traceback" not in done.stderr and b"BrokenPipe" not in done.stderr and b"Exception ignored" not in done.stderr


# -- 10. NO_COLOR, and no codes off a terminal --------------------------------------------------------


def _list_on_a_terminal(ws: Path, monkeypatch: pytest.MonkeyPatch, no_color: str | None) -> str:
    monkeypatch.setenv("WM_TODAY", "2026-11-26")
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    return CliRunner().invoke(main, ["-C", str(ws), "list", "type:task"], color=True).output  # color=True: as on a terminal


def test_no_color_turns_the_dimmed_done_rows_off(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert DIM in _list_on_a_terminal(ws, monkeypatch, None)
    assert DIM in _list_on_a_terminal(ws, monkeypatch, "")  # https://no-color.org: set and not empty
    shown = _list_on_a_terminal(ws, monkeypatch, "1")
    assert "\x1b" not in shown and "kickoff" in shown


@pytest.mark.skipif(shutil.which("script") is None, reason="needs script(1) for a real terminal")
def test_on_a_real_terminal_no_color_is_honoured_and_off_it_no_codes_at_all(ws: Path) -> None:
    command = f"{sys.executable} -m workspace_tool -C {ws} list type:task"
    on_tty = subprocess.run(["script", "-qc", command, "/dev/null"], capture_output=True, env=_env(), timeout=120)
    assert DIM.encode() in on_tty.stdout
    no_color = subprocess.run(["script", "-qc", command, "/dev/null"], capture_output=True, env=_env(NO_COLOR="1"), timeout=120)
    assert b"kickoff" in no_color.stdout and b"\x1b" not in no_color.stdout
    piped = subprocess.run([sys.executable, "-m", "workspace_tool", "-C", str(ws), "list", "type:task"], capture_output=True, env=_env(), timeout=120)
    assert b"kickoff" in piped.stdout and b"\x1b" not in piped.stdout


# -- 11. control characters in what documents say ---------------------------------------------------


def test_printable_escapes_control_characters_only() -> None:
    from workspace_tool.output import printable

    assert printable(EVIL) == "evil \\x1b]0;pwned\\x07 \\x1b[2J\\x1b[31mRED"
    assert printable("a\tb\rc\x00d\x7fe\x85f\x9b") == "a\\tb\\rc\\x00d\\x7fe\\x85f\\x9b"
    assert printable("Café 日本 — ok · 12 d") == "Café 日本 — ok · 12 d"


def test_a_table_escapes_its_cells_and_headers_but_keeps_its_own_dimming() -> None:
    text = table(["id", "ti\x1btle"], [["a", EVIL], ["b", "fine"]], width=200, dim_rows={1})
    assert text.count("\x1b") == 2  # DIM and RESET around row b, nothing else
    assert "ti\\x1btle" in text and "evil \\x1b]0;pwned\\x07" in text
    assert text.splitlines()[-1] == f"{DIM}b   fine{RESET}"


@pytest.mark.parametrize("args", [("list",), ("board", "--no-history"), ("next", "--explain"), ("next",), ("agenda",)])
def test_no_title_reaches_the_terminal_raw(ws: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]) -> None:
    (ws / "projects/web/tasks/website-build.md").write_text(f'---\ntitle: "{EVIL.encode("unicode_escape").decode()}"\nstatus: todo\nassignee: alice\ndue: 2026-11-27\nestimate: 1d\n---\n', encoding="utf-8")
    monkeypatch.setenv("WM_TODAY", "2026-11-26")
    monkeypatch.setenv("COLUMNS", "300")
    monkeypatch.delenv("NO_COLOR", raising=False)
    result = CliRunner().invoke(main, ["-C", str(ws), *args], color=True)  # as on a terminal: click strips nothing
    assert result.exit_code == 0, result.output
    assert "\x1b]" not in result.output and "\x07" not in result.output and "\x1b[2J" not in result.output
    assert "\\x1b]0;pwned\\x07" in result.output


def test_no_title_or_commit_message_reaches_the_terminal_raw_from_the_history(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    task = ws / "projects/web/tasks/website-build.md"
    _git_commit(ws)
    task.write_text(task.read_text(encoding="utf-8").replace("Build the site", EVIL.encode("unicode_escape").decode()).replace("todo", "in-progress"), encoding="utf-8")
    dated = {"GIT_AUTHOR_DATE": "2026-11-20T10:00:00", "GIT_COMMITTER_DATE": "2026-11-20T10:00:00"}
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qam", f"retitled {EVIL}"], cwd=ws, check=True, env={**os.environ, **dated})
    monkeypatch.setenv("WM_TODAY", "2026-11-26")
    monkeypatch.delenv("NO_COLOR", raising=False)
    for args in (("history", "website-build"), ("activity", "--since", "2w"), ("digest", "--who", "alice", "--since", "2w")):
        result = CliRunner().invoke(main, ["-C", str(ws), *args], color=True)
        assert result.exit_code == 0, (args, result.output)
        assert "\x1b" not in result.output and "\x07" not in result.output, args
        assert "\\x1b]0;pwned\\x07" in result.output, (args, result.output)


# -- 12. an ID, person or project that names nothing: exit 1, with the nearest -----------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("next", "--who", "alise"), "no person 'alise' (did you mean 'alice'?); valid people: alice"),
        (("agenda", "--who", "ALISE"), "no person 'ALISE' (did you mean 'alice'?); valid people: alice"),
        (("blocked", "--who", "alise"), "no person 'alise' (did you mean 'alice'?)"),
        (("board", "--no-history", "--project", "wbe"), "no project 'wbe' (did you mean 'web'?); valid projects: web"),
        (("schedule", "--project", "wbe"), "no project 'wbe' (did you mean 'web'?); valid projects: web"),
        (("schedule", "--why", "website-buld"), "no task with ID 'website-buld' — did you mean 'website-build'?"),  # as wm show
        (("history", "website-buld"), "no document with that ID now or in any commit — did you mean 'website-build'?"),
        (("history", "WEBSITE-BUILD"), "— did you mean 'website-build'?"),  # the hint ignores case
        (("diff", "website-buld"), "— did you mean 'website-build'?"),
    ],
)
def test_an_unknown_name_is_not_found_with_the_nearest(ws: Path, wm: Run, args: tuple[str, ...], message: str) -> None:
    """They exited 1 or 2 depending on the command, some with a hint and some without."""
    _git_commit(ws)
    result = wm("-C", str(ws), *args)
    assert result.exit_code == 1, result.output
    assert result.stdout == "" and result.stderr.startswith("wm: ") and message in result.stderr, result.stderr


def test_a_name_in_another_case_is_still_taken(ws: Path, wm: Run) -> None:
    assert wm("-C", str(ws), "schedule", "--project", "WEB").exit_code == 0
    assert wm("-C", str(ws), "next", "--who", "Alice").exit_code == 0


# -- 13. the path `wm new` prints opens from where the user is ----------------------------------------


def test_new_prints_a_path_that_opens_from_the_current_folder(ws: Path, wm: Run, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.chdir(ws)
    at_root = wm("new", "note", "At root")
    assert at_root.exit_code == 0 and at_root.stdout == "notes/at-root.md\n"  # unchanged where it always worked
    monkeypatch.chdir(ws / "projects")
    below = wm("new", "note", "From subdir")
    assert below.stdout == f"{ws / 'notes/from-subdir.md'}\n" and Path(below.stdout.strip()).is_file()
    within = wm("new", "task", "Nested", "--project", "web")
    assert within.stdout == "web/tasks/nested.md\n" and Path(within.stdout.strip()).is_file()  # under the current folder
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(elsewhere)
    with_c = wm("-C", str(ws), "new", "note", "With C")
    assert with_c.stdout == f"{ws / 'notes/with-c.md'}\n" and Path(with_c.stdout.strip()).is_file()


# -- 14. --debug anywhere ------------------------------------------------------------------------------


def test_debug_is_taken_after_the_command_too(ws: Path, wm: Run) -> None:
    for args in (("show", "nosuch", "--debug"), ("--debug", "show", "nosuch"), ("-C", str(ws), "--debug", "show", "nosuch")):
        result = wm(*(() if "-C" in args else ("-C", str(ws))), *args)
        assert result.exit_code == 1, (args, result.output)
        assert "Traceback" in result.stderr and result.stderr.endswith("wm: no document with ID 'nosuch'\n")
    assert "Traceback" not in wm("-C", str(ws), "show", "nosuch").stderr


def test_debug_after_double_dash_is_an_argument() -> None:
    from workspace_tool.cli import debug_first

    assert debug_first(["list", "--debug", "status:todo"]) == ["--debug", "list", "status:todo"]
    assert debug_first(["list", "--", "--debug"]) == ["list", "--", "--debug"]
    assert debug_first(["show", "x"]) == ["show", "x"]


# -- 18. JSON is valid UTF-8 whatever the file names ----------------------------------------------------


def test_json_is_valid_utf8_with_a_file_name_that_is_not(ws: Path) -> None:
    (ws / "notes").mkdir()
    try:
        with open(os.fsencode(ws / "notes") + b"/bad\xffname.md", "wb") as out:
            out.write(b"---\ntitle: x\n---\n")
    except OSError:
        pytest.skip("this file system takes only UTF-8 file names")
    done = subprocess.run([sys.executable, "-m", "workspace_tool", "-C", str(ws), "list", "--json"], capture_output=True, env=_env(), timeout=120)
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout.decode("utf-8"))  # strict: this raised UnicodeDecodeError
    path = next(r["path"] for r in records if r["path"].startswith("notes/bad"))
    assert path == "notes/bad\udcffname.md" and os.fsencode(path) == b"notes/bad\xffname.md"  # the bytes come back


def test_dumps_escapes_lone_surrogates_and_keeps_other_text() -> None:
    assert dumps({"p": "bad\udcffname", "t": "Café 日本"}) == '{\n  "p": "bad\\udcffname",\n  "t": "Café 日本"\n}'
    dumps({"p": "bad\udcffname"}).encode("utf-8")


def test_show_escapes_control_characters_and_keeps_tabs(workspace: Path, write_doc: Callable[[str, str], Path]) -> None:
    write_doc("notes/evil.md", '---\ntitle: "evil \\e]0;pwned\\a"\n---\ncode:\n\tindented\n\x1b[2Jcleared\n')
    result = CliRunner().invoke(main, ["-C", str(workspace), "show", "notes/evil"])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "evil \\x1b]0;pwned\\x07" in result.stdout and "\\x1b[2Jcleared" in result.stdout
    assert "\n\tindented\n" in result.stdout  # a body's tab is text, not an escape


def test_validate_json_is_valid_utf8_whatever_the_file_names(workspace: Path, write_doc: Callable[[str, str], Path]) -> None:
    (workspace / "notes").mkdir(exist_ok=True)
    (workspace / os.fsdecode(b"notes/bad\xffname.md")).write_bytes(b"---\ntitle: [x\n---\n")
    done = subprocess.run([sys.executable, "-m", "workspace_tool", "-C", str(workspace), "validate", "--json"], capture_output=True)
    found = json.loads(done.stdout.decode("utf-8"))  # strict: no raw 0xff byte
    assert [os.fsencode(d["path"]) for d in found] == [b"notes/bad\xffname.md"]
