"""Diagnostics about one item of a frontmatter list, or a key of a mapping item, point at that item's line.

`itemlines.value_line` finds the line (a property test over generated
layouts); the parser's `bad-value` and the validator's reference and cycle
diagnostics use it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st

from workspace_tool.itemlines import value_line
from workspace_tool.parse import parse_document
from workspace_tool.workspace import load_index

# -- the locator: generated frontmatter with a list under a key -------------


@dataclass
class Layout:
    """A generated frontmatter text (without its `---` lines) and where each item of `key`'s list is."""

    key: str
    lines: list[str] = field(default_factory=list)
    items: list[int] = field(default_factory=list)  # each item's 1-based line in `lines`
    nested: dict[tuple[int, str], int] = field(default_factory=dict)  # (item, key of a mapping item) -> its line

    def add(self, text: str) -> int:
        self.lines.append(text)
        return len(self.lines)


WORDS = st.sampled_from(["alpha", "beta", "ship it", "2026-12-01", "42", "x-1"])
FILLER = st.lists(st.sampled_from(["", "# a comment", "  # an indented comment", "    ", "#"]), max_size=2)
OTHER_KEYS = st.lists(st.sampled_from(["title: Something", "owner: alice", "due: 2026-12-01", "notes: |\n  - not an item\n  x"]), max_size=2)


@st.composite
def block_item(draw: st.DrawFn, layout: Layout, number: int, indent: str) -> None:
    """One item of a block list, as one of several layouts, recording its line (and its nested keys')."""
    kind = draw(st.sampled_from(["scalar", "quoted", "mapping", "dash-alone", "literal", "folded-plain", "flow-mapping", "flow-list"]))
    inner = indent + "  "
    if kind == "scalar":
        layout.items.append(layout.add(f"{indent}- {draw(WORDS)}"))
    elif kind == "quoted":
        layout.items.append(layout.add(f'{indent}- "a: b # c"'))
    elif kind in ("mapping", "dash-alone"):
        keys = draw(st.lists(st.sampled_from(["title", "target", "current", "from", "to"]), min_size=1, max_size=4, unique=True))
        if kind == "dash-alone":  # `-` alone: the item starts on its first key's line
            layout.add(f"{indent}-")
            first = layout.add(f"{inner}{keys[0]}: {draw(WORDS)}")
        else:
            first = layout.add(f"{indent}- {keys[0]}: {draw(WORDS)}")
        layout.items.append(first)
        layout.nested[(number, keys[0])] = first
        for key in keys[1:]:
            for filler in draw(FILLER):
                layout.add(f"{inner}{filler.strip()}" if filler.strip() else "")
            if draw(st.booleans()):  # a key whose value is on the lines below it
                layout.nested[(number, key)] = layout.add(f"{inner}{key}:")
                layout.add(f"{inner}  {draw(WORDS)}")
            else:
                layout.nested[(number, key)] = layout.add(f"{inner}{key}: {draw(WORDS)}")
    elif kind == "literal":
        layout.items.append(layout.add(f"{indent}- |"))
        layout.add(f"{inner}first line - with a dash")
        layout.add(f"{inner}- second: line")
    elif kind == "folded-plain":
        layout.items.append(layout.add(f"{indent}- a long"))
        layout.add(f"{inner}plain text")
    elif kind == "flow-mapping":
        layout.items.append(line := layout.add(f"{indent}- {{title: a, target: 3}}"))
        layout.nested[(number, "title")] = layout.nested[(number, "target")] = line
    else:
        layout.items.append(layout.add(f"{indent}- [a, b]"))


@st.composite
def layouts(draw: st.DrawFn) -> Layout:
    layout = Layout(draw(st.sampled_from(["key_results", "depends_on", "leave", "tags", "weird key"])))
    for line in draw(OTHER_KEYS):
        for part in line.split("\n"):
            layout.add(part)
    style = draw(st.sampled_from(["block", "flow", "flow-lines"]))
    count = draw(st.integers(1, 8))
    key = f'"{layout.key}"' if " " in layout.key else layout.key
    if style == "block":
        layout.add(f"{key}:{draw(st.sampled_from(['', '  ', '  # the list']))}")
        indent = draw(st.sampled_from(["", "  ", "    "]))
        for number in range(count):
            if number:
                for filler in draw(FILLER):
                    layout.add(filler)
            draw(block_item(layout, number, indent))
    elif style == "flow":  # one line: every item is on the key's line
        line = layout.add(f"{key}: [{', '.join(draw(WORDS) for _ in range(count))}]")
        layout.items.extend([line] * count)
    else:  # a flow list over several lines, an item a line
        layout.add(f"{key}: [")
        for number in range(count):
            layout.items.append(layout.add(f"  {draw(WORDS)}{',' if number < count - 1 else ''}"))
        layout.add("]")
    for line in draw(OTHER_KEYS):
        for part in line.split("\n"):
            layout.add(part)
    return layout


@settings(max_examples=300, deadline=None)
@given(layouts(), st.integers(0, 5))
def test_each_item_and_nested_key_is_found_at_its_line(layout: Layout, offset: int) -> None:
    text = "\n".join(layout.lines) + "\n"
    assert len(yaml.safe_load(text)[layout.key]) == len(layout.items)  # the generator wrote the list it meant
    for number, line in enumerate(layout.items):
        assert value_line(text, (layout.key, number), offset) == offset + line
    for (number, key), line in layout.nested.items():
        assert value_line(text, (layout.key, number, key), offset) == offset + line


def test_a_path_past_what_is_there_gives_the_deepest_line_found() -> None:
    text = "title: T\nleave:\n  - from: 2026-12-01\n    to: 2026-12-02\n"
    assert value_line(text, ("leave", 0, "nope"), 1) == 4  # the item's line (2 + the `---` line)
    assert value_line(text, ("leave", 5), 1) == 3  # no such item: the key's line
    assert value_line(text, ("title", 0), 1) == 2  # no list there
    assert value_line(text, ("missing", 0), 1) is None
    assert value_line("key: [unclosed\n", ("key", 0)) is None


def test_a_key_written_twice_is_found_where_yaml_reads_it() -> None:
    text = "tags: [a]\ntitle: T\ntags:\n  - x\n  - y\n"
    assert value_line(text, ("tags", 1)) == 5


# -- the parser's bad-value: at the item, or at the nested key --------------

GOAL = """---
title: Grow
key_results:
  - title: Signups
    target: 100
  - title: Churn
    start: 10
    target: 2

  # the revenue ones
  - title: Revenue
    target: 5000
  - Launch the beta
  - title: NPS
    current: 30
    target: abc
  - title: Retention
    target: 80
---
"""


def _lines(text: str, path: str) -> dict[str, int]:
    """Each diagnostic's message, with its line."""
    return {d.message: d.line for d in parse_document(text, path).diagnostics}


def test_a_key_result_with_a_bad_value_points_at_that_key() -> None:
    assert _lines(GOAL, "goals/grow.md") == {"key_results: expected a number, got 'abc'": 16}


def test_a_key_result_without_a_title_points_at_the_item() -> None:
    text = "---\nkey_results:\n  - title: A\n  - target: 5\n    current: 2\n---\n"
    assert _lines(text, "goals/g.md") == {"key_results: each key result needs at least a 'title' ({title, target, current, start})": 4}


def test_leave_entries_point_at_the_entry_or_its_bad_date() -> None:
    base = "---\nname: P\nleave:\n  - 2026-12-01\n  # the winter break\n"
    assert _lines(base + "  - from: 2026-12-20\n    to: soon\n---\n", "people/p.md") == {
        "leave: expected a date YYYY-MM-DD, got 'soon'": 7
    }
    assert _lines(base + "  - from: 2026-12-20\n    to: 2026-12-10\n---\n", "people/p.md") == {
        "leave: leave range ends (2026-12-10) before it starts (2026-12-20)": 6
    }
    assert _lines(base + "  -\n    from: 2026-12-20\n---\n", "people/p.md") == {"leave: a leave range needs both 'from' and 'to'": 7}
    assert _lines(base + "  - 2026-13-01\n---\n", "people/p.md") == {"leave: expected a date YYYY-MM-DD, got '2026-13-01'": 6}


def test_list_fields_point_at_the_bad_item() -> None:
    weekday = "workdays: unknown weekday 'funday' (use mon, tue, wed, thu, fri, sat, sun)"
    assert _lines("---\nworkdays:\n  - mon\n  - funday\n---\n", "people/p.md") == {weekday: 4}
    assert _lines("---\nworkdays: [mon,\n  tue, funday]\n---\n", "people/p.md") == {weekday: 3}
    assert _lines("---\ntags:\n  - a\n\n  - {b: 1}\n---\n", "notes/n.md") == {"tags: expected text, got a mapping": 5}
    assert _lines("---\ntitle: T\ndepends_on:\n  - a\n  - [b, c]\n---\n", "projects/p/tasks/t.md") == {
        "depends_on: expected an ID, got a list": 5
    }


def test_a_flow_list_on_one_line_and_a_value_that_is_no_list_stay_at_the_key() -> None:
    assert _lines("---\nname: P\nworkdays: [mon, funday]\n---\n", "people/p.md") == {
        "workdays: unknown weekday 'funday' (use mon, tue, wed, thu, fri, sat, sun)": 3
    }
    assert _lines("---\ntitle: T\ntags:\n  a: 1\n---\n", "notes/n.md") == {"tags: expected a list, got a mapping": 3}


# -- the validator: references and cycles from a block list -----------------


def _task(write_doc: Callable[[str, str], Path], name: str, frontmatter: str) -> None:
    write_doc(f"projects/p/tasks/{name}.md", f"---\n{frontmatter}---\n# {name}\n")


def test_references_from_a_block_list_point_at_their_item(
    workspace: Path, write_doc: Callable[[str, str], Path], wm: Callable[..., Result]
) -> None:
    write_doc("projects/p/project.md", "---\ntitle: P\n---\n")
    write_doc("notes/secret.md", "---\nvisibility: private\n---\n# Secret\n")
    _task(write_doc, "b", "title: B\n")
    _task(write_doc, "a", "title: A\ndepends_on:\n  - b\n\n  # the others\n  - ghost\n  - p\n  - notes/secret\n")
    _task(write_doc, "flow", "depends_on: [b, ghost]\n")
    assert wm("-C", str(workspace), "validate").stdout.splitlines() == [
        "projects/p/tasks/a.md:7: error: depends_on: unknown task 'ghost'",
        "projects/p/tasks/a.md:8: error: depends_on: 'p' is a project, not a task",
        "projects/p/tasks/a.md:9: warning: public document refers to private note 'notes/secret'; the site shows it as a bare ID and exports leave it out",
        "projects/p/tasks/a.md:9: error: depends_on: 'notes/secret' is a note, not a task",
        "projects/p/tasks/flow.md:2: error: depends_on: unknown task 'ghost'",
    ]


def test_a_dependency_cycle_points_at_the_dependency_on_the_next_task(
    workspace: Path, write_doc: Callable[[str, str], Path], wm: Callable[..., Result]
) -> None:
    write_doc("projects/p/project.md", "---\ntitle: P\n---\n")
    _task(write_doc, "a", "title: A\ndepends_on:\n  - c\n  - b\n")
    _task(write_doc, "b", "depends_on: [a]\n")
    _task(write_doc, "c", "title: C\n")
    assert wm("-C", str(workspace), "validate").stdout.splitlines() == ["projects/p/tasks/a.md:5: error: depends_on cycle: a -> b -> a"]


def test_a_cycle_through_a_parent_points_at_the_dependency(
    workspace: Path, write_doc: Callable[[str, str], Path], wm: Callable[..., Result]
) -> None:
    write_doc("projects/p/project.md", "---\ntitle: P\n---\n")
    _task(write_doc, "epic", "title: Epic\n")
    _task(write_doc, "other", "title: Other\n")
    _task(write_doc, "child", "parent: epic\ndepends_on:\n  - other\n  - epic\n")
    lines = wm("-C", str(workspace), "validate").stdout.splitlines()
    assert [line.split(" (")[0] for line in lines] == ["projects/p/tasks/child.md:5: error: dependency cycle through a parent: child -> epic"]


def test_a_file_changed_since_it_was_indexed_keeps_the_key_line(workspace: Path, write_doc: Callable[[str, str], Path]) -> None:
    write_doc("projects/p/project.md", "---\ntitle: P\n---\n")
    _task(write_doc, "a", "title: A\ndepends_on:\n  - ghost\n")
    index = load_index(workspace, today=dt.date(2026, 11, 26), use_cache=False)
    _task(write_doc, "a", "title: A\ndepends_on:\n\n\n\n  - ghost\n")  # other lines now: not read as the parse saw it
    assert [(d.path, d.line) for d in index.diagnostics()] == [("projects/p/tasks/a.md", 3)]


def test_an_invoiced_entry_changed_since_points_at_its_line_of_the_invoice(
    workspace: Path, write_doc: Callable[[str, str], Path], wm: Callable[..., Result]
) -> None:
    write_doc("projects/p/project.md", "---\ntitle: P\n---\n")
    write_doc("people/alice.md", "---\nname: Alice\n---\n")
    write_doc("timelogs/alice/2026-10.md", "# October\n\n- 2026-10-05 3h p\n- 2026-10-07 2h p\n")
    entries = "".join(f"  - {{path: timelogs/alice/2026-10.md, date: '2026-10-0{day}', ref: p, hours: {hours}}}\n" for day, hours in ((5, 3.0), (6, 1.0), (7, 2.0)))
    write_doc("invoices/acme-2026-10.md", f"---\ninvoice:\n  client: acme\n  month: 2026-10\n  entries:\n{entries}---\n# Invoice\n")
    assert wm("-C", str(workspace), "validate").stdout.splitlines() == [
        "invoices/acme-2026-10.md:7: warning: invoiced entry timelogs/alice/2026-10.md 2026-10-06 p 1.0h is no longer in its time log: "
        "edited or removed after invoicing? An edited entry counts as unbilled again in full; put it back as it was invoiced, and log a "
        "correction as an entry of its own"
    ]
