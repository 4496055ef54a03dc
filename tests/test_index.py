"""The index: reference resolution, backlinks, subtasks, supersession, time entries, wiki links."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable

import pytest

from workspace_tool.index import Index, Reference
from workspace_tool.model import Note, Person, Project, Task
from workspace_tool.workspace import load_index

WriteDoc = Callable[[str, str], Path]


@pytest.fixture
def index(workspace: Path, write_doc: WriteDoc) -> Index:
    write_doc("people/alice.md", "---\nname: Alice\n---\n# Alice\n")
    write_doc("people/bob.md", "---\nname: Bob\n---\n# Bob\n")
    write_doc("clients/acme.md", "---\nname: Acme\n---\n")
    write_doc("projects/web/project.md", "---\nstatus: active\nowner: alice\nclient: acme\n---\n# Website\n")
    write_doc("projects/web/tasks/design.md", "---\nstatus: done\nassignee: alice\n---\n# Design\n")
    write_doc(
        "projects/web/tasks/build.md",
        "---\nstatus: todo\nassignee: bob\ndepends_on:\n  - design\n  - copy\n---\n# Build\n\nSee [[design]] and [[launch-notes]].\n",
    )
    write_doc("projects/web/tasks/build-nav.md", "---\nparent: build\nassignee: ghost\n---\n# Navigation\n")
    write_doc("tasks/copy.md", "---\nproject: web\nstatus: in-progress\n---\n# Copy\n")
    write_doc("decisions/adr-1.md", "---\nstatus: superseded\n---\n# Use PHP\n")
    write_doc("decisions/adr-2.md", "---\nstatus: accepted\nsupersedes: [adr-1]\ndeciders: [alice, bob]\n---\n# Use Python\n")
    write_doc("notes/launch-notes.md", "# Launch notes\n\nFor [[web]]; not [[missing-thing]].\n\n```\n[[in-code]]\n```\n")
    write_doc(
        "timelogs/alice/2026-11.md",
        "# Alice, November\n\n- 2026-11-02 09:00-11:30 design sketches\n- 2026-11-03 2h build\n- 2026-11-03 1h web planning\n- 2026-11-04 1h nope\n",
    )
    return load_index(workspace, today=dt.date(2026, 11, 26), use_cache=False)


def refs_to(index: Index, target: str) -> set[tuple[str, str, int]]:
    return {(r.source, r.field, r.line) for r in index.backlinks.get(target, [])}


def test_documents_get_ids_and_types_from_their_paths(index: Index) -> None:
    assert isinstance(index.get("web"), Project)
    assert isinstance(index.get("design"), Task)
    assert isinstance(index.get("alice"), Person)
    assert isinstance(index.get("notes/launch-notes"), Note)
    assert {t.id for t in index.tasks_of("web")} == {"design", "build", "build-nav", "copy"}


def test_task_belongs_to_its_project_by_path_or_by_field(index: Index) -> None:
    backlinks = refs_to(index, "web")
    assert ("design", "project", 1) in backlinks  # from the path: line 1
    assert ("copy", "project", 2) in backlinks  # from `project:` on line 2


def test_assignee_owner_and_client_resolve_to_people_and_clients(index: Index) -> None:
    assert refs_to(index, "alice") >= {("design", "assignee", 3), ("web", "owner", 3), ("adr-2", "deciders", 4)}
    assert refs_to(index, "bob") >= {("build", "assignee", 3), ("adr-2", "deciders", 4)}
    assert refs_to(index, "acme") == {("web", "client", 4)}


def test_depends_on_resolves_each_dependency(index: Index) -> None:
    task = index.get("build")
    assert isinstance(task, Task) and task.depends_on == ("design", "copy")
    assert ("build", "depends_on", 4) in refs_to(index, "design")
    assert ("build", "depends_on", 4) in refs_to(index, "copy")


def test_parent_gives_subtasks(index: Index) -> None:
    assert index.subtasks["build"] == ["build-nav"]
    assert ("build-nav", "parent", 2) in refs_to(index, "build")
    assert "design" not in index.subtasks


def test_supersedes_gives_superseded_by(index: Index) -> None:
    assert index.superseded_by["adr-1"] == ["adr-2"]
    assert refs_to(index, "adr-1") == {("adr-2", "supersedes", 3)}


def test_timelog_entries_resolve_to_tasks_and_projects_and_sum_hours(index: Index) -> None:
    log = "timelogs/alice/2026-11"
    assert (log, "entry", 3) in refs_to(index, "design")
    assert (log, "entry", 4) in refs_to(index, "build")
    assert (log, "entry", 5) in refs_to(index, "web")
    assert index.logged_hours("design") == 2.5
    assert index.logged_hours("web") == 1.0
    assert [e.person for e in index.entries] == ["alice"] * 4
    assert Reference(log, "nope", "entry", 6) in index.unresolved


def test_time_entries_are_collected_without_resolving_references(index: Index) -> None:
    assert [(e.ref, e.line) for e in index.entries] == [("design", 3), ("build", 4), ("web", 5), ("nope", 6)]
    assert dict(index.logged) == {"design": 2.5, "build": 2.0, "web": 1.0, "nope": 1.0}
    assert index._links is None  # a time report does not pay for resolving every reference
    assert [(r.target, r.line) for r in index.references if r.field == "entry"] == [("design", 3), ("build", 4), ("web", 5), ("nope", 6)]


def test_wiki_links_resolve_by_id_and_by_a_notes_bare_stem(index: Index) -> None:
    assert ("build", "link", 10) in refs_to(index, "design")
    assert ("build", "link", 10) in refs_to(index, "notes/launch-notes")  # [[launch-notes]]: the note's stem
    assert ("notes/launch-notes", "link", 3) in refs_to(index, "web")
    assert index.resolve("launch-notes") is index.get("notes/launch-notes")


def test_links_in_code_blocks_are_not_references(index: Index) -> None:
    assert not [r for r in index.references if r.target == "in-code"]


def test_unresolved_references_are_kept_with_their_line(index: Index) -> None:
    unresolved = {(r.source, r.target, r.field, r.line) for r in index.unresolved}
    assert ("build-nav", "ghost", "assignee", 3) in unresolved
    assert ("notes/launch-notes", "missing-thing", "link", 3) in unresolved
    assert not any(r.target == "ghost" for refs in index.backlinks.values() for r in refs)


def test_every_resolved_reference_is_a_backlink_of_its_target(index: Index) -> None:
    resolved = [r for r in index.references if r not in index.unresolved]
    assert sorted(resolved, key=repr) == sorted((r for refs in index.backlinks.values() for r in refs), key=repr)
    for target, refs in index.backlinks.items():
        assert index.get(target) is not None
        assert all(index.resolve(r.target) is index.get(target) for r in refs)


def test_ambiguous_note_stem_does_not_resolve(workspace: Path, write_doc: WriteDoc) -> None:
    write_doc("notes/a/readme.md", "# A\n")
    write_doc("notes/b/readme.md", "# B\n")
    write_doc("notes/index.md", "[[readme]] [[notes/a/readme]]\n")
    index = load_index(workspace, use_cache=False)
    assert index.resolve("readme") is None
    assert [r.target for r in index.unresolved] == ["readme"]
    assert refs_to(index, "notes/a/readme") == {("notes/index", "link", 1)}


def test_an_id_wins_over_a_note_stem(workspace: Path, write_doc: WriteDoc) -> None:
    write_doc("tasks/plan.md", "---\nstatus: todo\n---\n# Plan task\n")
    write_doc("notes/plan.md", "# Plan note\n")
    index = load_index(workspace, use_cache=False)
    resolved = index.resolve("plan")
    assert resolved is not None and resolved.title == "Plan task"


def test_duplicate_ids_keep_the_first_and_record_the_second(workspace: Path, write_doc: WriteDoc) -> None:
    write_doc("tasks/x.md", "---\nstatus: todo\n---\n# First\n")
    write_doc("tasks/more/x.md", "---\nstatus: todo\n---\n# Second\n")
    index = load_index(workspace, use_cache=False)
    assert len(index.duplicates) == 1
    first, second = index.duplicates[0]
    assert index.get("x") is first
    assert {first.path, second.path} == {"tasks/x.md", "tasks/more/x.md"}


def test_done_follows_the_workflow(index: Index) -> None:
    design, build, adr1 = index.get("design"), index.get("build"), index.get("adr-1")
    assert design is not None and build is not None and adr1 is not None
    assert index.is_done(design) and not index.is_done(build)
    assert index.is_done(adr1)  # superseded counts as done for decisions


@pytest.mark.parametrize("where", ["fixture", "sample"])
def test_references_to_one_document_equal_its_backlinks(where: str, index: Index, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan for one document's references gives what resolving every reference gives, in the same order
    (ID and note-stem targets, fields, body links, time entries); past the limit it resolves everything once."""
    import workspace_tool.index as index_module

    root = Path(__file__).resolve().parent.parent / "sample_workspace" if where == "sample" else index.root

    def fresh() -> Index:
        return load_index(root, today=dt.date(2026, 11, 26), use_cache=False)

    resolved = fresh()
    monkeypatch.setattr(index_module, "TARGETED_LIMIT", 10**6)
    scanned = fresh()
    ids = [*resolved.docs, "no-such-document"]
    for doc_id in ids:
        assert scanned.references_to(doc_id) == resolved.backlinks.get(doc_id, []), doc_id
    assert scanned._links is None  # answered by scans
    assert sum(bool(resolved.backlinks.get(doc_id)) for doc_id in ids) > 5
    monkeypatch.setattr(index_module, "TARGETED_LIMIT", 2)
    limited = fresh()
    for doc_id in ids:
        assert limited.references_to(doc_id) == resolved.backlinks.get(doc_id, []), doc_id
    assert limited._links is not None


@pytest.mark.parametrize("where", ["fixture", "sample"])
def test_subtasks_and_superseded_by_without_resolving_everything(where: str, index: Index, write_doc: WriteDoc) -> None:
    """Read before every reference is resolved, `subtasks` and `superseded_by` are the maps a full resolution derives
    (same lists, same order; note-stem and unresolved targets)."""
    write_doc("projects/web/tasks/build-api.md", "---\nparent: build\n---\n# API\n")  # before build-nav: two children in order
    write_doc("projects/web/tasks/stem-child.md", "---\nparent: launch-notes\n---\n# Child of a note stem\n")
    write_doc("projects/web/tasks/orphan.md", "---\nparent: no-such-task\n---\n# Orphan\n")
    root = Path(__file__).resolve().parent.parent / "sample_workspace" if where == "sample" else index.root
    resolved = load_index(root, today=dt.date(2026, 11, 26), use_cache=False)
    resolved.resolve_references()
    scanned = load_index(root, today=dt.date(2026, 11, 26), use_cache=False)
    assert dict(scanned.subtasks) == {k: v for k, v in resolved.subtasks.items() if v}
    assert dict(scanned.superseded_by) == {k: v for k, v in resolved.superseded_by.items() if v}
    assert scanned._links is None
    assert resolved.subtasks and resolved.superseded_by
    if where == "fixture":
        assert scanned.subtasks["build"] == ["build-api", "build-nav"] and scanned.subtasks["notes/launch-notes"] == ["stem-child"]
