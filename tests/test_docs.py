"""Docs checked against the code: the settings table, and --help examples for every command."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Callable

import click
import pytest
from click.testing import Result
from conftest import REPO

from workspace_tool.cli import main
from workspace_tool.config import settings_table


def test_format_doc_lists_every_setting() -> None:
    text = (REPO / "docs" / "format.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- settings-table -->\n(.*?)\n<!-- /settings-table -->", text, re.S)
    assert block is not None
    assert block.group(1) == settings_table()


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"command {name!r} is listed but cannot be loaded"
        found.append((prefix + name, command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, prefix + name + " "))
    return found


def test_every_command_has_help_with_an_example() -> None:
    missing = [name for name, command in _commands(main) if "Example" not in (command.help or "")]
    assert missing == []


# Examples that need something the sample workspace is not: another terminal, an editor, a browser, a server, a
# new folder, a shell pipeline, or a file of another tool.
_NOT_RUN = ("serve", "watch", "--edit", "init ", "demo ", "merge-driver", "git-setup", "import ", "|", "&&", ">")


def test_every_help_example_runs_on_the_sample_workspace(tmp_path: Path, wm: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    """`wm -C sample_workspace ...` is where the README sends a new user: each example must work there (in the
    order the commands are listed, as someone trying them one after another would), not fail on an ID that
    exists only in the help's imagination."""
    workspace = tmp_path / "sample"
    shutil.copytree(REPO / "sample_workspace", workspace)
    for args in (("init", "-q"), ("add", "-A"), ("-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "sample")):
        subprocess.run(["git", *args], cwd=workspace, check=True)
    monkeypatch.setenv("WM_PERSON", "alice")  # who is logging time, for the time-tracking examples
    monkeypatch.setenv("WM_NOW", "16:00")  # a timer started "now" and stopped at 17:30, whatever the hour of the run
    monkeypatch.chdir(tmp_path)  # where the examples' output files (-o tasks.csv, --out public/) go
    ran, failed = 0, []
    for name, command in _commands(main):
        for line in (command.help or "").splitlines():
            example = line.strip()
            if not example.startswith("wm ") or any(part in example for part in _NOT_RUN):
                continue
            ran += 1
            result = wm("-C", str(workspace), *shlex.split(example)[1:])
            if result.exit_code != 0:
                failed.append(f"{name}: {example}: {result.output.strip()}")
    assert failed == []
    assert ran >= 40


def test_every_command_is_in_the_readme_or_docs() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    text += "".join(p.read_text(encoding="utf-8") for p in (REPO / "docs").glob("*.md"))
    missing = [name for name, _ in _commands(main) if f"wm {name}" not in text]
    assert missing == []


def test_the_lazy_command_table_matches_the_modules() -> None:
    import importlib

    from workspace_tool.cli import COMMANDS_BY_MODULE

    for module_name, names in COMMANDS_BY_MODULE.items():
        module = importlib.import_module(f"workspace_tool.cli.{module_name}")
        assert tuple(c.name for c in module.COMMANDS) == names


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quick_start, re.S)
    assert len(commands) == 2, "the Quick start has exactly two commands"
    assert blocks[:2] == commands
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert commands[1] in ci
