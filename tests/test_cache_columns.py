"""The parse cache's chunk format: documents stored as field dicts grouped by class, values shared.

Every loaded document must be exactly what parsing gives (types, `raw`,
`lines` and `extra` included, which `==` does not compare), and a file that
does not have the format's shape must be thrown away, never used.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import os
import pickle
import shutil
import time
import zlib
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import workspace_tool.cache as cache_mod
import workspace_tool.cache_chunks as chunks_mod
from workspace_tool.cache import SNAPSHOT_NAME, Entry, ParseCache, parse_entries
from workspace_tool.config import default_settings
from workspace_tool.loader import discover, read_settings
from workspace_tool.model import DOCUMENT_CLASSES, Checklist, Goal, Note, Project, Task, TimeEntry, TimeLog
from workspace_tool.parse import Parsed, parse_document
from workspace_tool.values import DateRange, Duration, KeyResult

SAMPLE = Path(__file__).resolve().parent.parent / "sample_workspace"

UNUSUAL = {
    "projects/ünï/project.md": "---\nstatus: active\nstart: 2026-01-05\ndue: 2026-03-31\nbudget: 12000\nrate: -0.0\nbillable: true\n"
    "goals: [g1]\nclient: acme\nmeta: {a: [1, 2.5, null, {b: 2026-02-01}], c: ~}\n---\n# Ünïcödé ✓ 项目 🚀\n",
    "projects/ünï/tasks/t1.md": "---\nstatus: todo\nestimate: 2d\nremaining: 0\ndue: 2026-02-01\ntags: [a, b]\ndepends_on: [t2]\n"
    "milestone: false\nrate: 0.0\nwhen: 2026-01-01T10:00:00+01:00\nflag: 1\n---\n# One\n\n- [x] done\n- [ ] not yet\n\nSee [[t2]].\n",
    "projects/ünï/tasks/t2.md": "---\nstatus: done\nestimate: -0.0\ndone: 2026-01-20 09:30:00\ndue: 2026-02-01\ntags: [a, b]\n"
    "recurrence: weekly\nbillable: false\nwhen: 2026-01-01T09:00:00+00:00\nflag: true\nnothing:\n---\n",
    "projects/ünï/tasks/t3.md": "---\nstatus: todo\ntitle: '   '\nassignee: 1\nparent: t1\nflag: 1.0\ncreated: 2026-01-01\n---\n",
    "projects/ünï/tasks/empty.md": "",
    "decisions/d1.md": "---\nstatus: accepted\ndate: 2026-01-02\ndeciders: [ann, bob]\nsupersedes: [d0]\nvisibility: private\n---\n# D1\n\nBody with \\u2028 and \t tab.\n",
    "risks/r1.md": "---\nowner: ann\nprobability: high\nimpact: low\ndue: 2026-05-01\n---\n",
    "people/ann.md": "---\nname: Ann Ó\nemail: ann@example.com\ncapacity: 0.5\nrate: 80\nworkdays: [mon, tue]\n"
    "leave: [2026-02-02, {from: 2026-03-01, to: 2026-03-05}]\n---\n# Ann\n",
    "people/bob.md": "---\nname: Bob\nleave: [2026-02-02]\n---\n",
    "clients/acme.md": "---\nname: ACME\ncontact: Road Runner\ncurrency: EUR\n---\n",
    "goals/g1.md": "---\ndue: 2026-12-31\nkey_results: [plain, {title: a, target: -0.0, current: 0}, {title: a, target: 0.0, current: 0}, "
    "{title: b, target: 10, current: 2.5}]\n---\n",
    "goals/g2.md": "---\nkey_results: [{title: a, target: 0, current: 0}]\n---\n",
    "timelogs/ann/2026-01.md": "---\nperson: ann\n---\n# Ann\n\n- 2026-01-05 09:00-10:30 t1 Call #billable\n- 2026-01-05 2h t2\n"
    "- 2026-01-06 09:00- t1 running\n- not an entry\n- 2026-01-06 22:00-01:00 t3 late #x #y\n",
    "timelogs/bob/2026-01.md": "---\n---\n- 2026-01-05 1.5h t1 note 😀\n",
    "timelogs/cy/empty.md": "",
    "notes/ideas.md": "# Ideas\n\nNo frontmatter; [[t1]] and [[nowhere]].\n",
    "notes/broken.md": "---\nstatus: [todo\n---\n",
    "notes/unclosed.md": "---\ntitle: never closed\n",
    "notes/wizard.md": "---\ntype: wizard\nid: 7\n---\n",
    "notes/conflict.md": "<<<<<<< ours\na\n=======\nb\n>>>>>>> theirs\n",
    "notes/binary.md": "\x00\x01",
    "notes/fm-types.md": "---\n1: int key\n2026-01-01: date key\nnull: null key\nx: [[1, 2], {y: [z]}]\nbig: 123456789012345678901234567890\nnan: .nan\ninf: -.inf\n---\n",
}


def assert_same(a: Any, b: Any, where: str = "") -> None:
    """Exactly the same value: same types all the way down, equal values, floats with the same sign (and NaN),
    dicts with the same keys in the same order, dataclasses field by field (`raw`, `lines`, `extra` included)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for (ka, va), kb in zip(a.items(), b):
            assert_same(ka, kb, f"{where}[key {ka!r}]")
            assert_same(va, b[kb], f"{where}[{ka!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float):
        assert repr(a) == repr(b), where
    elif isinstance(a, (dt.datetime, dt.time)):
        assert (a, a.tzinfo, a.fold) == (b, b.tzinfo, b.fold), where
    elif dataclasses.is_dataclass(a):
        if hasattr(a, "__dict__"):
            assert list(vars(a)) == list(vars(b)), where
            names = list(vars(a))
        else:
            names = [f.name for f in dataclasses.fields(a)]
        for name in names:
            assert_same(getattr(a, name), getattr(b, name), f"{where}.{name}")
    else:
        assert a == b, where


def roundtrip(entries: dict[str, Entry]) -> dict[str, Entry]:
    """Through one chunk and back."""
    return dict(chunks_mod.decode_chunk(io.BytesIO(chunks_mod.encode_chunk(entries))))


def entries_of(root: Path) -> dict[str, Entry]:
    """Each file's entry as parsing gives it, with stats that differ field by field (so a mix-up shows)."""
    settings, _ = read_settings(root)
    files, _ = discover(root, settings)
    parsed = parse_entries(root, files, settings, time.time_ns())
    return {relpath: stamped(number, entry[5]) for number, (relpath, entry) in enumerate(parsed.items())}


def stamped(number: int, parsed: Parsed) -> Entry:
    """An entry with a size, mtime, ctime, read time and hash each its own (a hash on every third: the racy ones)."""
    return (number, 10**18 + number, 2 * 10**18 + number, 3 * 10**18 + number, b"" if number % 3 else number.to_bytes(16, "big"), parsed)


def write_all(root: Path, docs: dict[str, str]) -> None:
    (root / "workspace.yml").write_text("name: unusual\n", encoding="utf-8")
    for relpath, text in docs.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def unusual(tmp_path: Path) -> Path:
    write_all(tmp_path, UNUSUAL)
    return tmp_path


def test_every_sample_workspace_document_comes_back_exactly(tmp_path: Path) -> None:
    entries = entries_of(SAMPLE)
    assert len(entries) > 100 and {type(e[5].document) for e in entries.values()} >= set(DOCUMENT_CLASSES.values())
    back = roundtrip(entries)
    assert list(back) == list(entries) or sorted(back) == sorted(entries)
    for relpath, entry in entries.items():
        assert back[relpath] == entry
        assert_same(back[relpath], entry, relpath)


def test_unusual_documents_come_back_exactly(unusual: Path) -> None:
    entries = entries_of(unusual)
    docs = {relpath: entry[5].document for relpath, entry in entries.items()}
    assert docs["notes/broken.md"] is None and docs["notes/binary.md"] is None
    assert {type(d) for d in docs.values()} == set(DOCUMENT_CLASSES.values()) | {type(None)}
    back = roundtrip(entries)
    assert sorted(back) == sorted(entries)
    for relpath, entry in entries.items():
        assert_same(back[relpath], entry, relpath)


def test_equal_but_distinguishable_values_are_not_made_one(unusual: Path) -> None:
    """Sharing only merges values nothing can tell apart: not 0.0 and -0.0, 1 and True, or two time zones."""
    back = roundtrip(entries_of(unusual))

    def doc(relpath: str) -> Any:
        return back[relpath][5].document

    project, t1, t2, t3 = doc("projects/ünï/project.md"), doc("projects/ünï/tasks/t1.md"), doc("projects/ünï/tasks/t2.md"), doc("projects/ünï/tasks/t3.md")
    assert isinstance(project, Project) and isinstance(t1, Task) and isinstance(t2, Task)
    assert math.copysign(1, project.rate) == -1 and math.copysign(1, t1.rate) == 1
    assert t2.estimate is not None and t2.estimate.text == "-0.0h" and math.copysign(1, t2.estimate.hours) == -1
    assert [type(t.raw["flag"]) for t in (t1, t2, t3)] == [int, bool, float]
    assert t1.raw["when"].utcoffset() == dt.timedelta(hours=1) and t2.raw["when"].utcoffset() == dt.timedelta(0)
    goal = doc("goals/g1.md")
    assert isinstance(goal, Goal)
    assert [None if r.target is None else math.copysign(1, r.target) for r in goal.key_results] == [None, -1, 1, 1]
    assert t1.due is t2.due and t1.tags is t2.tags  # equal immutable values are one object
    assert t1.raw["tags"] == t2.raw["tags"] and t1.raw["tags"] is not t2.raw["tags"]  # mutable ones never are


@pytest.mark.parametrize(
    "values",
    [
        (Duration(0.0, "x"), Duration(-0.0, "x"), Duration(0, "x"), None, Duration(0.0, "x")),
        (KeyResult("a", 1.0), KeyResult("a", 1), KeyResult("a", True), KeyResult("a", 1.0)),
        (Checklist(1, 0), Checklist(True, 0), Checklist(1, 0), Checklist(1, False)),
        (DateRange(dt.date(2026, 1, 1), dt.date(2026, 1, 1)), DateRange(dt.datetime(2026, 1, 1), dt.date(2026, 1, 1))),  # type: ignore[arg-type]
    ],
)
def test_value_objects_are_shared_only_when_indistinguishable(values: tuple[Any, ...]) -> None:
    """Equal under `==` is not enough: 0.0 and -0.0, 1.0, 1 and True stay apart (what a cache could not tell apart anyway)."""
    shared = chunks_mod._Sharer().column(values)
    assert_same(shared, values)
    for a, b, x, y in ((a, b, x, y) for a, x in zip(values, shared) for b, y in zip(values, shared)):
        if a is not None and b is not None and repr(vars(a)) == repr(vars(b)) and [*map(type, vars(a).values())] == [*map(type, vars(b).values())]:
            assert x is y  # the same value: one object
        elif a is not b:
            assert x is not y


def test_a_documents_own_shared_objects_stay_shared_and_nothing_is_modified(unusual: Path) -> None:
    entries = entries_of(unusual)
    project = entries["projects/ünï/project.md"][5].document
    assert isinstance(project, Project) and project.extra["meta"] is project.raw["meta"]
    raw, meta = project.raw, dict(project.raw)
    later = entries["projects/ünï/tasks/t2.md"][5].document
    assert isinstance(later, Task)
    due, raw_due, status = later.due, later.raw["due"], later.status  # equal to the first task's, other objects
    back = roundtrip(entries)["projects/ünï/project.md"][5].document
    assert back.extra["meta"] is back.raw["meta"]  # as parsing gives: the same dict under both
    assert project.raw is raw and project.raw == meta and project.extra["meta"] is raw["meta"]  # encoding copies, never edits
    assert (later.due, later.raw["due"], later.status) == (due, raw_due, status)
    assert later.due is due and later.raw["due"] is raw_due and later.status is status


def test_warm_load_from_disk_gives_what_parsing_gives(unusual: Path) -> None:
    settings, _ = read_settings(unusual)
    files, _ = discover(unusual, settings)
    parsed = {f.relpath: parse_document((unusual / f.relpath).read_text(encoding="utf-8", errors="surrogateescape"), f.relpath, settings) for f in files}
    past = time.time() - 60
    for f in unusual.rglob("*.md"):
        os.utime(f, (past, past))
    files, _ = discover(unusual, settings)
    ParseCache(unusual, settings).refresh(files)
    warm = ParseCache(unusual, settings)
    loaded = warm.refresh(files)
    assert warm.stats.hits == len(files) and warm.stats.discarded == []
    for relpath in parsed:
        if relpath != "notes/binary.md":  # (read as text by the loader; compared in the other tests)
            assert_same(loaded[relpath], parsed[relpath], relpath)


def test_documents_not_of_the_parsers_shape_are_pickled_whole() -> None:
    settings = default_settings()
    plain = parse_document("---\nstatus: todo\n---\n# A\n", "projects/p/tasks/a.md", settings)
    odd = parse_document("---\nstatus: todo\n---\n# B\n", "projects/p/tasks/b.md", settings)
    object.__setattr__(odd.document, "added", 1)  # a __dict__ that is not exactly the fields
    log = parse_document("- 2026-01-05 1h t1\n", "timelogs/ann/2026-01.md", settings)
    assert isinstance(log.document, TimeLog)
    odd_log = Parsed(dataclasses.replace(log.document, entries=[*log.document.entries]), ())  # type: ignore[arg-type]
    entries = {p: (1, 2, 3, 4, b"", parsed) for p, parsed in (("a", plain), ("b", odd), ("log", log), ("odd log", odd_log))}
    groups = chunks_mod.Unpickler(io.BytesIO(chunks_mod.encode_chunk(entries))).load()
    assert {kind: paths for kind, paths, *_ in groups} == {"task": ("a",), "": ("b", "odd log"), "timelog": ("log",)}
    back = roundtrip(entries)
    for relpath, entry in entries.items():
        assert_same(back[relpath], entry, relpath)
    assert back["b"][5].document.added == 1  # type: ignore[union-attr]


# -- a property: any frontmatter, any type, several documents per chunk ------

TRICKY = st.sampled_from(
    [0, 0.0, -0.0, False, 1, 1.0, True, "1", "", None, math.nan, dt.date(2026, 1, 1), dt.datetime(2026, 1, 1),
     dt.datetime(2026, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1))), dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "2d", "todo"]
)
"""Values equal under `==` (or nearly) but not the same: documents sharing a chunk get them often."""
SCALARS = st.one_of(
    TRICKY, st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12), st.dates(),
    st.datetimes(timezones=st.sampled_from([None, dt.UTC, dt.timezone(dt.timedelta(hours=2))])),
)
VALUES = st.one_of(
    SCALARS,
    st.recursive(SCALARS, lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(st.text(max_size=6), children, max_size=3)), max_leaves=12),
)
KEYS = st.sampled_from(
    ["title", "status", "estimate", "remaining", "due", "start", "done", "created", "date", "depends_on", "assignee", "milestone",
     "leave", "workdays", "capacity", "key_results", "tags", "type", "id", "visibility", "priority", "rate", "budget", "person", "x", "é"]
)
PATHS = st.sampled_from(
    ["notes/x.md", "projects/p/project.md", "projects/p/tasks/t.md", "people/a.md", "timelogs/a/2026-11.md", "timelogs/b/2026-11.md",
     "goals/g.md", "decisions/d.md", "risks/r.md", "clients/c.md"]
)
LINES = ["- 2026-11-02 1h t1", "- 2026-11-02 09:00-10:00 t2 note #x", "- 2026-11-03 08:00- t1", "- 2026-11-03 0.5h t1 #x #y", "- [x] a", "[[t1]]", "# T", "x"]
BODIES = st.one_of(st.just(""), st.text(max_size=60), st.lists(st.sampled_from(LINES), min_size=1, max_size=8).map("\n".join))
DOCUMENTS = st.tuples(PATHS, st.dictionaries(KEYS, VALUES, max_size=6), BODIES)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(DOCUMENTS, min_size=1, max_size=6))
def test_any_parse_result_round_trips_exactly(documents: list[tuple[str, dict[str, Any], str]]) -> None:
    settings = default_settings()
    entries: dict[str, Entry] = {}
    for number, (path, data, body) in enumerate(documents):
        text = ("---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---\n" if data else "") + body
        entries[f"{number}/{path}"] = stamped(number, parse_document(text, path, settings))
    back = roundtrip(entries)
    assert list(back) == list(entries) or sorted(back) == sorted(entries)
    for relpath, entry in entries.items():
        assert_same(back[relpath], entry, relpath)


# -- damage: a file of the right key and checksum, but not the format's shape ----

LOG = "---\nperson: alice\n---\n- 2026-11-02 09:00-10:00 brief Call #x\n- 2026-11-03 1h brief\n"


@pytest.fixture
def ws(workspace: Path, write_doc: Callable[[str, str], Path]) -> Path:
    write_doc("people/alice.md", "---\nname: Alice\n---\n# Alice\n")
    write_doc("projects/web/tasks/brief.md", "---\nstatus: todo\nestimate: 2d\n---\n# Brief\n")
    write_doc("projects/web/tasks/build.md", "---\nstatus: todo\ndepends_on: [brief]\n---\n# Build\n")
    write_doc("timelogs/alice/2026-11.md", LOG)
    write_doc("notes/broken.md", "---\nstatus: [todo\n---\n")
    past = time.time() - 60
    for path in workspace.rglob("*.md"):
        os.utime(path, (past, past))
    return workspace


def refresh(root: Path) -> tuple[ParseCache, dict[str, Parsed]]:
    settings, _ = read_settings(root)
    cache = ParseCache(root, settings)
    return cache, cache.refresh(discover(root, settings)[0])


def read_snapshot(root: Path) -> tuple[dict[str, Any], list[Any]]:
    """The header and the chunks (each a tuple of groups) of the snapshot."""
    with open(root / ".wm" / SNAPSHOT_NAME, "rb") as handle:
        header = chunks_mod.Unpickler(handle).load()
        chunks = [chunks_mod.Unpickler(handle).load() for _ in range(header["chunks"])]
        assert handle.read() == b""
    return header, chunks


def write_snapshot(root: Path, chunks: list[Any], header: dict[str, Any] | None = None) -> None:
    """A snapshot of these chunks with a right header (key, count, length, CRC), unless `header` overrides it."""
    body = b"".join(pickle.dumps(chunk, protocol=5) for chunk in chunks)
    fields = {"key": cache_mod.cache_key(read_settings(root)[0]), "chunks": len(chunks), "crc": zlib.crc32(body), "length": len(body)}
    (root / ".wm" / SNAPSHOT_NAME).write_bytes(pickle.dumps({**fields, **(header or {})}) + body)


def group_of(chunks: list[Any], kind: str) -> tuple[int, int]:
    """(chunk, group) index of the first group of this kind."""
    return next((c, g) for c, chunk in enumerate(chunks) for g, group in enumerate(chunk) if group[0] == kind)


def edit(chunks: list[Any], kind: str, change: Callable[[list[Any]], object]) -> list[Any]:
    """The chunks with one group (as a list) changed in place by `change`."""
    c, g = group_of(chunks, kind)
    group = list(chunks[c][g])
    change(group)
    chunk = list(chunks[c])
    chunk[g] = tuple(group)
    return [*chunks[:c], tuple(chunk), *chunks[c + 1 :]]


def without_field(group: list[Any], name: str, replacement: str | None = None) -> None:
    dicts = []
    for stored in group[7]:
        stored = dict(stored)
        value = stored.pop(name)
        if replacement is not None:
            stored[replacement] = value
        dicts.append(stored)
    group[7] = tuple(dicts)


DAMAGE: dict[str, Callable[[list[Any]], list[Any]]] = {
    "a path column one short": lambda ch: edit(ch, "task", lambda g: g.__setitem__(1, g[1][:-1])),
    "a size column one long": lambda ch: edit(ch, "task", lambda g: g.__setitem__(2, (*g[2], 1))),
    "a column that is a list": lambda ch: edit(ch, "task", lambda g: g.__setitem__(3, list(g[3]))),
    "a size that is text": lambda ch: edit(ch, "task", lambda g: g.__setitem__(2, ("60", *g[2][1:]))),
    "a time that is a bool": lambda ch: edit(ch, "task", lambda g: g.__setitem__(4, (True, *g[4][1:]))),
    "a hash that is text": lambda ch: edit(ch, "task", lambda g: g.__setitem__(6, ("", *g[6][1:]))),
    "a path that is bytes": lambda ch: edit(ch, "task", lambda g: g.__setitem__(1, (b"x", *g[1][1:]))),
    "diagnostics that are a list": lambda ch: edit(ch, "task", lambda g: g.__setitem__(8, ([], *g[8][1:]))),
    "a diagnostic that is text": lambda ch: edit(ch, "task", lambda g: g.__setitem__(8, (("bad",), *g[8][1:]))),
    "a document that is a tuple": lambda ch: edit(ch, "task", lambda g: g.__setitem__(7, (tuple(g[7][0].items()), *g[7][1:]))),
    "a field missing": lambda ch: edit(ch, "task", lambda g: without_field(g, "due")),
    "a field renamed": lambda ch: edit(ch, "task", lambda g: without_field(g, "due", "deu")),
    "an unknown kind": lambda ch: edit(ch, "task", lambda g: g.__setitem__(0, "wizard")),
    "a kind that is a list": lambda ch: edit(ch, "task", lambda g: g.__setitem__(0, ["task"])),
    "a group one column short": lambda ch: edit(ch, "task", lambda g: g.pop()),
    "a group that is a list": lambda ch: [tuple(list(group) if group[0] == "task" else group for group in chunk) for chunk in ch],
    "a chunk that is a list": lambda ch: [list(chunk) for chunk in ch],
    "timelog entries one short": lambda ch: edit(
        ch, "timelog", lambda g: g.__setitem__(7, ({**g[7][0], "entries": (g[7][0]["entries"][0], g[7][0]["entries"][1][:-1], *g[7][0]["entries"][2:])},))
    ),
    "an objects group holding a string": lambda ch: edit(ch, "", lambda g: g.__setitem__(7, ("not a document",))),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_snapshot_not_of_the_formats_shape_is_thrown_away(ws: Path, damage: str) -> None:
    _, cold = refresh(ws)
    header, chunks = read_snapshot(ws)
    assert group_of(chunks, "task") and group_of(chunks, "timelog") and group_of(chunks, "")
    write_snapshot(ws, chunks)
    assert refresh(ws)[0].stats.hits == 5  # rewritten as it was: still trusted
    write_snapshot(ws, DAMAGE[damage](chunks))
    cache, parsed = refresh(ws)
    assert cache.stats.discarded and "corrupt" in cache.stats.discarded[0]
    assert cache.stats.parsed == 5 and cache.stats.wrote == "snapshot"
    assert parsed == cold
    for relpath, result in parsed.items():
        assert_same(result, cold[relpath], relpath)
    assert refresh(ws)[0].stats.hits == 5


@pytest.mark.parametrize(
    "header",
    [{"chunks": 2}, {"chunks": 0}, {"chunks": "1"}, {"chunks": None}, {"length": 1}, {"crc": 0}],
    ids=["count too high", "count too low", "count as text", "no count", "wrong length", "wrong crc"],
)
def test_a_header_that_does_not_match_the_chunks_is_thrown_away(ws: Path, header: dict[str, Any]) -> None:
    refresh(ws)
    _, chunks = read_snapshot(ws)
    write_snapshot(ws, chunks[:1], header)
    cache, _ = refresh(ws)
    assert "corrupt" in cache.stats.discarded[0] and cache.stats.parsed == 5


def test_data_after_the_chunks_is_thrown_away(ws: Path) -> None:
    refresh(ws)
    _, chunks = read_snapshot(ws)
    write_snapshot(ws, chunks)
    path = ws / ".wm" / SNAPSHOT_NAME
    path.write_bytes(path.read_bytes() + b"\x80\x05N.")
    cache, _ = refresh(ws)
    assert "corrupt" in cache.stats.discarded[0] and cache.stats.parsed == 5


def test_the_cold_runs_worker_chunks_become_the_snapshot(ws: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Parse workers send chunks in this format; the parent decodes them and writes them as they are."""
    copy = tmp_path_factory.mktemp("copy") / "ws"
    shutil.copytree(ws, copy)
    monkeypatch.setattr(cache_mod, "POOL_THRESHOLD", 1)
    cache, cold = refresh(ws)
    assert len(cache._chunks) > 1 and cache.stats.wrote == "snapshot"
    assert read_snapshot(ws)[0]["chunks"] == len(cache._chunks)
    monkeypatch.undo()
    warm, parsed = refresh(ws)
    assert warm.stats.hits == 5
    serial = {relpath: entry[5] for relpath, entry in entries_of(copy).items()}
    for relpath, result in parsed.items():
        assert_same(result, serial[relpath], relpath)
        assert_same(cold[relpath], serial[relpath], relpath)


def test_entries_of_a_timelog_come_back_as_slotted_entries(ws: Path) -> None:
    refresh(ws)
    _, parsed = refresh(ws)
    log = parsed["timelogs/alice/2026-11.md"].document
    assert isinstance(log, TimeLog) and len(log.entries) == 2 and all(type(e) is TimeEntry for e in log.entries)
    assert log.entries[0].tags == ("x",) and log.entries[0].start == dt.time(9, 0) and log.entries[1].hours == 1.0
    note = parsed["notes/broken.md"]
    assert note.document is None and [d.code for d in note.diagnostics] == ["yaml"]
    assert isinstance(parsed["people/alice.md"].document, DOCUMENT_CLASSES["person"]) and not isinstance(parsed["people/alice.md"].document, Note)
