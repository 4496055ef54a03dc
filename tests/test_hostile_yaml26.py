"""Hostile YAML: deep nesting, merge-key bombs, non-plain tags, non-finite numbers, a broken workspace.yml, and
control characters reported at their line (hostile-audit findings 1, 2, 5, 6, 10, 18)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workspace_tool.config import load_settings
from workspace_tool.fields import FieldError, specs_for
from workspace_tool.fields import convert as convert_field
from workspace_tool.values import parse_duration
from workspace_tool.yamlload import MAX_DEPTH, load_yaml

ROOT = Path(__file__).resolve().parent.parent


def _wm(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI in a child process: a crash in C (a segfault) fails the test instead of ending pytest."""
    env = {**os.environ, "WM_TODAY": "2026-11-26", "PYTHONPATH": str(ROOT)}
    env.pop("WM_WORKSPACE", None)
    return subprocess.run(
        [sys.executable, "-m", "workspace_tool", "-C", str(cwd), *args], capture_output=True, text=True, env=env, timeout=120
    )


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": "2026-11-20T12:00:00", "GIT_COMMITTER_DATE": "2026-11-20T12:00:00"}
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True, env=env,
                   capture_output=True)


DEEP_FLOW = "title: deep\nx: " + "[" * 30_000 + "\n"
DEEP_BLOCK = "title: deep\nx:\n" + "- " * 30_000 + "x\n"


# -- 1. nesting deeper than 64 levels: an error at the key, never a crash ---------------------------------


@pytest.mark.parametrize(
    "text", [DEEP_FLOW, DEEP_BLOCK, "title: deep\nx: " + "{a: " * 30_000 + "\n"], ids=["flow-lists", "block-lists", "flow-mappings"]
)
def test_deep_nesting_is_refused_at_its_key_in_a_child_process(text: str) -> None:
    code = (
        "import sys; from workspace_tool.yamlload import load_yaml; "
        "data, found = load_yaml(sys.stdin.read(), 'notes/deep.md', 1); "
        "print(data, [(d.line, d.code, d.message) for d in found])"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code], input=text, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr  # -11: LibYAML's composer overflowed the C stack
    assert time.perf_counter() - started < 10
    assert "None [(3, 'yaml-too-big', 'x: YAML expands to more than 20000 values or nests deeper than 64 levels" in result.stdout


def test_nesting_at_the_limit_still_loads_and_one_more_level_is_refused() -> None:
    inside = "[" * (MAX_DEPTH - 1) + "[1]" + "]" * (MAX_DEPTH - 1)  # 64 lists under the top mapping: 65 levels
    data, found = load_yaml("x: " + inside + "\n", "f.md", 0)
    assert found and found[0].code == "yaml-too-big" and found[0].line == 1
    data, found = load_yaml("x: " + inside[1:-1] + "\n", "f.md", 0)
    assert found == [] and data is not None


def test_ordinary_nested_frontmatter_loads_as_before() -> None:
    text = "title: t\nkey_results:\n  - title: a\n    target: 3\n  - {title: b, target: [1, {c: [2]}]}\nleave:\n- from: 2026-01-01\n  to: 2026-01-02\n"
    data, found = load_yaml(text, "f.md", 0)
    assert found == []
    assert data["key_results"][1] == {"title": "b", "target": [1, {"c": [2]}]}


def test_a_deep_workspace_yml_is_an_error_with_defaults(tmp_path: Path) -> None:
    (tmp_path / "workspace.yml").write_text("name: t\nx: " + "[" * 30_000 + "\n", encoding="utf-8")
    result = _wm(tmp_path, "validate")
    assert result.returncode == 1, result.stderr
    assert "workspace.yml:2: error: x: YAML expands to more than 20000 values or nests deeper than 64 levels" in result.stdout


def test_a_deep_file_deleted_from_git_does_not_crash_the_history_readers(tmp_path: Path) -> None:
    (tmp_path / "workspace.yml").write_text("name: t\n", encoding="utf-8")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "ok.md").write_text("---\ntitle: ok\n---\n", encoding="utf-8")
    (tmp_path / "notes" / "deep.md").write_text("---\n" + DEEP_FLOW + "---\n", encoding="utf-8")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "add")
    _git(tmp_path, "rm", "-q", "notes/deep.md")
    _git(tmp_path, "commit", "-qm", "remove")
    for command in (["activity"], ["history", "notes/deep"]):
        result = _wm(tmp_path, *command)
        assert result.returncode in (0, 1), (command, result.returncode, result.stderr)
        assert "internal error" not in result.stderr


# -- 2. merge keys -----------------------------------------------------------------------------------------


def test_the_merge_key_bomb_is_refused_quickly() -> None:
    text = "title: merge bomb\na0: &a0 {k0: 1, k1: 1, k2: 1, k3: 1, k4: 1, k5: 1, k6: 1, k7: 1, k8: 1, k9: 1}\n"
    for level in range(1, 8):
        text += f"a{level}: &a{level} {{<<: [{','.join([f'*a{level - 1}'] * 10)}]}}\n"
    started = time.perf_counter()
    data, found = load_yaml(text, "notes/merge.md", 1)
    assert time.perf_counter() - started < 0.5
    assert data is None
    assert [(d.line, d.code) for d in found] == [(4, "yaml")]
    assert "merge keys (<<) are not supported" in found[0].message


def test_a_quoted_double_angle_key_is_an_ordinary_key() -> None:
    assert load_yaml("'<<': 1\n", "f.md", 0) == ({"<<": 1}, [])


# -- 6. tags that are not plain values ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "tag"),
    [("!!binary aGVsbG8=", "!!binary"), ("!!set {a, b}", "!!set"), ("!!omap [a: 1]", "!!omap"), ("!!pairs [a: 1]", "!!pairs")],
)
def test_non_plain_tags_are_refused_at_their_line(value: str, tag: str) -> None:
    data, found = load_yaml(f"title: t\nchecksum: {value}\n", "notes/bin.md", 1)
    assert data is None
    assert [(d.line, d.code, d.message) for d in found] == [
        (3, "yaml", f"invalid YAML: the tag {tag} is not allowed (only plain YAML values are read)")
    ]


def test_plain_explicit_tags_still_load() -> None:
    assert load_yaml("a: !!str 3\nb: !!int '4'\n", "f.md", 0) == ({"a": "3", "b": 4}, [])


# -- 5. non-finite and absurd numbers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("doc_type", "key"),
    [("task", "estimate"), ("task", "remaining"), ("task", "rate"), ("project", "budget"), ("project", "rate"),
     ("person", "capacity"), ("person", "rate"), ("client", "rate")],
)
@pytest.mark.parametrize(("raw", "word"), [(float("nan"), ".nan"), (float("inf"), ".inf"), (float("-inf"), "-.inf")])
def test_non_finite_numbers_are_bad_values(doc_type: str, key: str, raw: float, word: str) -> None:
    with pytest.raises(FieldError, match=rf"expected a finite number, got {word}$"):
        convert_field(specs_for(doc_type)[key], raw, 8.0, 5.0)


@pytest.mark.parametrize("raw", [1.0e300, 10**400, 2e12], ids=["1e300", "10**400", "2e12"])
def test_absurd_amounts_are_bad_values(raw: float) -> None:
    with pytest.raises(FieldError, match="expected a finite number up to"):
        convert_field(specs_for("project")["budget"], raw, 8.0, 5.0)


def test_key_result_numbers_are_checked_too() -> None:
    with pytest.raises(FieldError, match="expected a finite number, got .nan") as caught:
        convert_field(specs_for("goal")["key_results"], [{"title": "a", "target": float("nan")}], 8.0, 5.0)
    assert caught.value.at == (0, "target")


@pytest.mark.parametrize("raw", [1.0e300, 10**400, "1" * 400 + "h", "200000w"], ids=["1e300", "10**400", "400-digit-h", "200000w"])
def test_absurd_durations_are_refused(raw: object) -> None:
    with pytest.raises(ValueError, match="too long|finite number"):
        parse_duration(raw)


def test_ordinary_numbers_still_convert() -> None:
    assert convert_field(specs_for("project")["budget"], 120000, 8.0, 5.0) == 120000.0
    assert parse_duration("3d").hours == 24.0
    assert parse_duration(1.5).hours == 1.5


def test_nan_estimate_is_an_error_at_its_line_and_schedule_runs(tmp_path: Path) -> None:
    (tmp_path / "workspace.yml").write_text("name: t\n", encoding="utf-8")
    tasks = tmp_path / "projects" / "p" / "tasks"
    tasks.mkdir(parents=True)
    (tmp_path / "projects" / "p" / "project.md").write_text("---\ntitle: P\nstatus: active\nbudget: .inf\n---\n", encoding="utf-8")
    (tasks / "t.md").write_text("---\ntitle: T\nstatus: todo\nestimate: .nan\n---\n", encoding="utf-8")
    result = _wm(tmp_path, "validate")
    assert "projects/p/tasks/t.md:4: error: estimate: expected a finite number, got .nan" in result.stdout
    assert "projects/p/project.md:4: error: budget: expected a finite number, got .inf" in result.stdout
    for command in (["schedule"], ["report", "projects"]):
        ran = _wm(tmp_path, *command)
        assert "internal error" not in ran.stderr, (command, ran.stderr)


# -- 10. a workspace.yml that fails to parse keeps the defaults ----------------------------------------------


@pytest.mark.parametrize("text", ['x: "\x01"\n', "x: [unclosed\n", "- a list\n"])
def test_an_unreadable_workspace_yml_falls_back_to_the_defaults(text: str) -> None:
    settings, found = load_settings("name: t\n" + text if not text.startswith("-") else text, "workspace.yml")
    assert len(found) == 1 and found[0].severity == "error"
    assert "task" in settings.workflows and "done" in settings.workflows["task"].statuses


# -- 18. a control character is reported at its line ---------------------------------------------------------


def test_a_control_character_is_reported_at_its_line() -> None:
    data, found = load_yaml("title: ok\nstatus: tödo\nx: a\x01b\n", "notes/ctrl.md", 1)
    assert data is None
    assert [(d.line, d.code) for d in found] == [(4, "yaml")]
    assert "U+0001" in found[0].message and "\\x01" in found[0].message and "position" not in found[0].message


def test_a_control_character_in_workspace_yml_is_reported_at_its_line() -> None:
    lines = "".join(f"# comment {n}\n" for n in range(20)) + 'name: "é\x02"\n'
    _, found = load_settings(lines, "workspace.yml")
    assert [(d.line, d.code) for d in found] == [(21, "yaml")]


def test_a_workspace_yml_that_is_not_utf8_is_named_at_its_line(tmp_path: Path) -> None:
    from workspace_tool.loader import read_settings

    (tmp_path / "workspace.yml").write_bytes(b"name: t\ncurrency: EUR\nteam: caf\xe9\n")
    settings, problems = read_settings(tmp_path)
    assert [str(p) for p in problems] == ["workspace.yml:3: error: cannot read workspace.yml: not UTF-8 text (byte 0xE9); save it as UTF-8"]
    assert settings.workflow("task") is not None  # the defaults, as without a workspace.yml


def test_json_output_stays_json_when_a_key_of_your_own_is_nan(tmp_path: Path) -> None:
    """`x: .nan` in a key wm does not read reached `--json` as NaN, which JSON parsers reject."""
    import json

    from click.testing import CliRunner

    from workspace_tool.cli import main

    (tmp_path / "workspace.yml").write_text("name: t\n", encoding="utf-8")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes/n.md").write_text("---\ntitle: N\nscore: .nan\nceiling: .inf\nfloor: -.inf\n---\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["-C", str(tmp_path), "list", "--json"])
    (note,) = json.loads(result.output, parse_constant=lambda name: pytest.fail(f"not JSON: {name}"))
    assert (note["score"], note["ceiling"], note["floor"]) == (".nan", ".inf", "-.inf")


def test_a_huge_workspace_yml_is_refused_unread_with_the_defaults(tmp_path: Path) -> None:
    from workspace_tool.loader import read_settings

    (tmp_path / "workspace.yml").write_text("name: t\n" + "# padding\n" * 200_000, encoding="utf-8")
    settings, problems = read_settings(tmp_path)
    assert [(p.line, p.code) for p in problems] == [(1, "too-large")] and "1024 KB" in problems[0].message
    assert settings.workflow("task") is not None
