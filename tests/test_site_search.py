"""The search index: its text (wiki links as their bare target, link texts kept, markup and whitespace collapsed), and its shards."""

from __future__ import annotations

import json
import marshal
import re
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_site_build import TODAY, all_text, build, make_site_workspace
from test_site_incremental import EDITS, OLD_TITLE, assert_same_as_full_build, edit

from workspace_tool.site import Audience, search
from workspace_tool.site.build import record_path, search_path
from workspace_tool.site.privacy import visibility
from workspace_tool.site.search import TEXT_LIMIT, plain_text
from workspace_tool.workspace import load_index

_WIKI = re.compile(r"\[\[([^\[\]|#\n]+)(?:[#|][^\[\]\n]*)?\]\]")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[`*_>#~|<>\[\]]+")


def reference(body: str) -> str:
    """The straightforward version (four regular expressions, always)."""
    text = _WIKI.sub(lambda m: m.group(1), body)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _MARKUP.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()[:TEXT_LIMIT]


PIECES = st.sampled_from(["[[a|b]]", "[[x#y]]", "[t](u)", "![i](p.png)", "[", "]", "(", ")", "**", "_", "`", "#", "\u00a0", "\u2003", "\t", "\n", " ", "\x1c", "\x85", "word", "é"])


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_plain_text_equals_the_reference(body: str) -> None:
    assert plain_text(body) == reference(body)


def test_plain_text_examples() -> None:
    assert plain_text("See [[task-a|the label]] and [docs](d.md)\n\n**bold**  text") == "See task-a and docs bold text"
    assert len(plain_text("word " * 1000)) == TEXT_LIMIT


# -- the index split into shards -------------------------------------------------------------------------------------------

SHARDED = "window.WM_SEARCH=(window.WM_SEARCH||[]).concat("


@pytest.fixture
def sharded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Split the small test site as a large one is: 4 shards from 1 document."""
    monkeypatch.setattr(search, "SHARD_FROM", 1)
    monkeypatch.setattr(search, "SHARDS", 4)


def entries_of(text: str) -> list[dict[str, Any]]:
    """The entries of one index file (the whole index, or a shard)."""
    for head, tail in ((SHARDED, ");\n"), ("window.WM_SEARCH=", ";\n")):
        if text.startswith(head) and not text.startswith(search.LOADER.decode()):
            assert text.endswith(tail)
            found: list[dict[str, Any]] = json.loads(text[len(head):-len(tail)])
            return found
    raise AssertionError(f"not an index file: {text[:80]}")


def shard_files(out: Path) -> dict[str, Path]:
    return {p.name: p for p in sorted(out.glob("search-index-*.js"))}


def union(out: Path) -> list[dict[str, Any]]:
    """Every shard's entries, in ID order (as the search page orders them)."""
    return sorted((entry for path in shard_files(out).values() for entry in entries_of(path.read_text(encoding="utf-8"))), key=lambda e: e["id"])


def stamps(paths: list[Path]) -> dict[str, tuple[int, int, bytes]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes()) for p in paths}


def side_files(ws: Path, out: Path) -> list[Path]:
    return sorted(search_path(ws, out.resolve()).parent.glob(record_path(ws, out.resolve()).stem + ".search*.marshal"))


def shard_of_file(relpath: str) -> str:
    return search.shard_file(search.shard_of(relpath, search.SHARDS), search.SHARDS)


def test_a_large_site_has_its_index_in_shards(sharded: None, tmp_path: Path) -> None:
    ws, out = make_site_workspace(tmp_path), tmp_path / "out"
    build(ws, out)
    assert sorted(shard_files(out)) == [f"search-index-0{n}.js" for n in range(4)]
    assert (out / "search-index.js").read_text(encoding="utf-8") == search.loader_script(4)
    assert sum(1 for path in shard_files(out).values() if entries_of(path.read_text(encoding="utf-8"))) >= 3  # the documents are spread
    for name, path in shard_files(out).items():
        entries = entries_of(path.read_text(encoding="utf-8"))
        assert [e["id"] for e in entries] == sorted(e["id"] for e in entries)  # each shard in ID order
        assert all(shard_of_file(_file_of(ws, e["id"])) == name for e in entries)
    assert [p.name for p in side_files(ws, out)] == [search_path(ws, out.resolve(), n).name for n in range(4)]
    assert "Zanzibar" not in all_text(out) and "private-task\"" not in all_text(out)


def _file_of(ws: Path, doc_id: str) -> str:
    index = load_index(ws, TODAY, use_cache=False)
    return index.docs[doc_id].path


def test_an_edit_rewrites_only_its_own_shard(sharded: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A body text edit encodes, reads and writes one shard of the index and of the kept entries; the others are not even made."""
    ws, out = make_site_workspace(tmp_path), tmp_path / "out"
    build(ws, out)
    edited = "projects/alpha/tasks/build.md"
    mine = shard_of_file(edited)
    before = stamps([*shard_files(out).values(), out / "search-index.js", *side_files(ws, out)])
    made: list[list[str]] = []
    encode_entries = search.search_entries
    monkeypatch.setattr(search, "search_entries", lambda data, files, kept, docs=None: made.append([d.path for d in docs or ()]) or encode_entries(data, files, kept, docs))
    time.sleep(0.01)
    EDITS["body text"](ws)
    build(ws, out)
    after = stamps([*shard_files(out).values(), out / "search-index.js", *side_files(ws, out)])
    changed = sorted(name for name in before if after[name] != before[name])
    assert changed == sorted([mine, search_path(ws, out.resolve(), search.shard_of(edited, 4)).name])
    assert len(made) == 1 and edited in made[0] and all(shard_of_file(path) == mine for path in made[0])
    hits = [e for e in union(out) if "A new paragraph." in e["text"]]
    assert [e["id"] for e in hits] == ["build"]
    assert_same_as_full_build(ws, out, tmp_path)


def test_the_union_of_the_shards_is_the_whole_index(sharded: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a run of edits the shards hold exactly the entries of a one-file index, and the same as a full build of the shards."""
    ws, out = make_site_workspace(tmp_path), tmp_path / "out"
    build(ws, out)
    for name in ("new task", "reassigned", "task done", "person renamed", "decision superseded", "body text"):  # the global edit first
        EDITS[name](ws)
        build(ws, out)
    assert_same_as_full_build(ws, out, tmp_path)
    monkeypatch.setattr(search, "SHARD_FROM", 10**6)
    one = tmp_path / "one"
    build(ws, one, incremental=False)
    assert not shard_files(one)
    whole = entries_of((one / "search-index.js").read_text(encoding="utf-8"))
    assert [e["id"] for e in whole] == sorted(e["id"] for e in whole)
    assert union(out) == whole


@pytest.mark.parametrize("change", ["made private", "deleted"])
def test_a_document_made_private_or_deleted_leaves_its_shard(change: str, sharded: None, tmp_path: Path) -> None:
    ws, out = make_site_workspace(tmp_path), tmp_path / "out"
    build(ws, out)
    design = "projects/alpha/tasks/design.md"
    mine = shard_of_file(design)
    assert OLD_TITLE in (out / mine).read_text(encoding="utf-8")
    before = stamps(list(shard_files(out).values()))
    time.sleep(0.01)
    if change == "made private":
        edit(ws, design, "status: in-progress\n", "status: in-progress\nvisibility: private\n")
    else:
        (ws / design).unlink()
    build(ws, out)
    after = stamps(list(shard_files(out).values()))
    assert sorted(name for name in before if after[name] != before[name]) == [mine]  # every shard made again (another key), one written
    assert OLD_TITLE not in all_text(out) and "design" not in [e["id"] for e in union(out)]
    assert_same_as_full_build(ws, out, tmp_path)


def test_a_site_crossing_the_threshold_swaps_one_file_and_shards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The count of shards follows the visible documents; the files and kept entries of the other count are removed."""
    monkeypatch.setattr(search, "SHARDS", 4)
    ws, out = make_site_workspace(tmp_path), tmp_path / "out"
    build(ws, out)
    assert not shard_files(out)
    monkeypatch.setattr(search, "SHARD_FROM", len(visibility(load_index(ws, TODAY, use_cache=False), Audience()).ids) + 1)
    assert not shard_files(out) and [p.name for p in side_files(ws, out)] == [search_path(ws, out.resolve()).name]
    EDITS["new task"](ws)
    build(ws, out)
    assert len(shard_files(out)) == 4 and (out / "search-index.js").read_text(encoding="utf-8") == search.loader_script(4)
    assert [p.name for p in side_files(ws, out)] == [search_path(ws, out.resolve(), n).name for n in range(4)]
    assert "An extra task" in [e["title"] for e in union(out)]
    assert_same_as_full_build(ws, out, tmp_path)
    (ws / "projects/alpha/tasks/extra.md").unlink()
    build(ws, out)
    assert not shard_files(out) and [p.name for p in side_files(ws, out)] == [search_path(ws, out.resolve()).name]
    assert "An extra task" not in (out / "search-index.js").read_text(encoding="utf-8")
    assert_same_as_full_build(ws, out, tmp_path)


@pytest.mark.parametrize("shards", [1, 2, 8])
def test_another_split_with_the_same_documents_makes_every_shard_again(shards: int, sharded: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A changed `SHARDS` (a new version of wm, the same workspace) is seen by `search-index.js`: no shard of the old split is kept."""
    ws, out = make_site_workspace(tmp_path), tmp_path / "out"
    build(ws, out)
    monkeypatch.setattr(search, "SHARDS", shards)
    if shards == 1:
        monkeypatch.setattr(search, "SHARD_FROM", 10**6)
    build(ws, out)
    assert len(shard_files(out)) == (0 if shards == 1 else shards)
    assert_same_as_full_build(ws, out, tmp_path)


def test_a_planted_shard_cache_is_not_trusted(sharded: None, tmp_path: Path) -> None:
    """Kept entries are reused only for unchanged files: a well-formed cache claiming the edited file's fingerprint with false text is not."""
    ws, out = make_site_workspace(tmp_path), tmp_path / "out"
    build(ws, out)
    cache = search_path(ws, out.resolve(), search.shard_of("projects/alpha/tasks/build.md", 4))
    data = marshal.loads(cache.read_bytes())
    data["entries"] = {path: [entry[0], entry[1].replace("Build it.", "PLANTED")] for path, entry in data["entries"].items()}
    cache.write_bytes(marshal.dumps(data))
    EDITS["body text"](ws)
    build(ws, out)
    assert "PLANTED" not in all_text(out) and "A new paragraph." in all_text(out)
    assert_same_as_full_build(ws, out, tmp_path)


def test_an_old_copy_of_search_js_on_a_sharded_site_is_a_warning(tmp_path: Path, sharded: None) -> None:
    """A workspace's own `static/search.js` made before the index was split would find nothing on a sharded site:
    the build says so, naming the file and the fix (and `--strict` fails); the shipped script or a current copy do not."""
    from workspace_tool.errors import WorkspaceError
    from workspace_tool.site.render import shipped_templates

    ws = make_site_workspace(tmp_path)
    assert not [w for w in build(ws, tmp_path / "out").warnings if "search.js" in w]  # type: ignore[attr-defined]
    own = ws / "site_templates" / "static"
    own.mkdir(parents=True)
    current = (shipped_templates() / "static/search.js").read_text(encoding="utf-8")
    (own / "search.js").write_text(current.replace("Search", "Find"), encoding="utf-8")
    assert not [w for w in build(ws, tmp_path / "out").warnings if "search.js" in w]  # type: ignore[attr-defined]
    (own / "search.js").write_text("(function () { var index = window.WM_SEARCH || []; /* an old copy */ })();\n", encoding="utf-8")
    warnings = [w for w in build(ws, tmp_path / "out").warnings if "search.js" in w]  # type: ignore[attr-defined]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{own / 'search.js'}:1: ") and "copy the shipped static/search.js again" in warnings[0]
    with pytest.raises(WorkspaceError, match="search.js"):
        build(ws, tmp_path / "strict", strict=True)


def test_an_old_copy_of_search_js_on_a_site_in_one_file_is_fine(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    own = ws / "site_templates" / "static"
    own.mkdir(parents=True)
    (own / "search.js").write_text("(function () { var index = window.WM_SEARCH || []; })();\n", encoding="utf-8")
    assert not [w for w in build(ws, tmp_path / "out").warnings if "search.js" in w]  # type: ignore[attr-defined]
