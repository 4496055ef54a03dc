"""The line-edit primitives: YAML scalars read back as written, and edits touch only their key."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from workspace_tool.edit import add_log_entry, remove_key, set_key, yaml_scalar

DOC = "---\n# top comment\na: 1   # one\nb:\n  - x\n  - y\nc: 'quoted'\n---\nbody\n"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("todo", "todo"),
        ("in-progress", "in-progress"),
        ("Design: v2", "'Design: v2'"),
        ("yes", "'yes'"),
        ("null", "'null'"),
        ("123", "'123'"),
        ("2026-12-01", "'2026-12-01'"),
        ("#hash", "'#hash'"),
        ("it's", "it's"),
        ("- dash", "'- dash'"),
        ("", "''"),
        ("two\nlines", '"two\\nlines"'),
        (True, "true"),
        (3, "3"),
        (2.5, "2.5"),
        (4.0, "4"),
        (dt.date(2026, 12, 1), "2026-12-01"),
    ],
)
def test_yaml_scalar_minimal_quoting(value: object, expected: str) -> None:
    assert yaml_scalar(value) == expected


@given(st.text())
def test_yaml_scalar_reads_back(text: str) -> None:
    loaded = yaml.safe_load(f"k: {yaml_scalar(text)}\n")
    assert loaded["k"] == text


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1).filter(lambda s: s.strip() == s))
def test_set_key_changes_only_its_line(text: str) -> None:
    edited = set_key(DOC, "a", text)
    assert yaml.safe_load(edited.split("---\n")[1])["a"] == text
    before, after = DOC.split("\n"), edited.split("\n")
    assert [line for i, line in enumerate(after) if i != 2] == [line for i, line in enumerate(before) if i != 2]
    assert after[2].endswith("   # one")


def test_set_and_remove_keys() -> None:
    assert set_key(DOC, "c", "new") == DOC.replace("c: 'quoted'", "c: new")
    assert set_key(DOC, "b", ["p"]) == DOC.replace("  - x\n  - y\n", "  - p\n")
    assert set_key(DOC, "b", "scalar") == DOC.replace("b:\n  - x\n  - y\n", "b: scalar\n")
    assert set_key(DOC, "d", ["p", "q r"]) == DOC.replace("---\nbody", "d: [p, q r]\n---\nbody")
    assert remove_key(DOC, "b") == DOC.replace("b:\n  - x\n  - y\n", "")
    assert remove_key(DOC, "zz") == DOC
    assert set_key("# Just a body\n", "status", "done") == "---\nstatus: done\n---\n# Just a body\n"


def test_log_entry_goes_at_the_end_of_its_section() -> None:
    text = "---\nt: 1\n---\n\n## Log\n\n- one\n\n\n## Next\n"
    assert add_log_entry(text, "- two") == "---\nt: 1\n---\n\n## Log\n\n- one\n- two\n\n\n## Next\n"
    assert add_log_entry("body\n", "- x") == "body\n\n## Log\n\n- x\n"
    assert add_log_entry("---\nt: 1\n---\n", "- x") == "---\nt: 1\n---\n\n## Log\n\n- x\n"
    fenced = "```\n## Log\n```\n"
    assert add_log_entry(fenced, "- x") == fenced + "\n## Log\n\n- x\n"
