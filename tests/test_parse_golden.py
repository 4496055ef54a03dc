"""Every rule of the format, one fixture file each: tests/fixtures/parse/<path>.md beside <path>.expected.json.

The fixture's path below `fixtures/parse/` is the document's path in the
workspace, so type and ID detection from the path are covered too.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, check_golden

from workspace_tool.config import default_settings
from workspace_tool.loader import parse_file
from workspace_tool.output import to_jsonable
from workspace_tool.records import document_record

ROOT = FIXTURES / "parse"
CASES = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*.md"))


def render(relpath: str) -> str:
    parsed = parse_file(ROOT, relpath, default_settings())
    doc = parsed.document
    result = {
        "document": None if doc is None else document_record(doc),
        "extra": None if doc is None else to_jsonable(dict(doc.extra)),
        "checklist": None if doc is None else to_jsonable(doc.checklist),
        "links": None if doc is None else [[link.target, link.line] for link in doc.links],
        "entries": None if doc is None else [to_jsonable(e) for e in getattr(doc, "entries", ())],
        "diagnostics": [str(d) for d in parsed.diagnostics],
    }
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("relpath", CASES)
def test_parse_fixture(relpath: str) -> None:
    check_golden(ROOT / relpath.replace(".md", ".expected.json"), render(relpath))


def test_every_fixture_has_expected_output() -> None:
    expected = {p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*.expected.json")}
    assert expected == {c.replace(".md", ".expected.json") for c in CASES}


def test_parsing_never_modifies_the_file() -> None:
    before = {p: p.read_bytes() for p in ROOT.rglob("*.md")}
    for relpath in CASES:
        parse_file(ROOT, relpath, default_settings())
    assert before == {p: p.read_bytes() for p in ROOT.rglob("*.md")}
