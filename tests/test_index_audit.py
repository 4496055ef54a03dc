"""Index and validation fixes from the audit: duplicate and ambiguous IDs, unreadable folders, running timers,
gitignore-style `exclude:`, Unicode normalization of IDs, case-insensitive hints, UTF-16 files, `yaml-too-big` lines."""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from click.testing import Result

from workspace_tool.workspace import load_index
from workspace_tool.yamlload import load_yaml

WriteDoc = Callable[[str, str], Path]
Wm = Callable[..., Result]

TASK = "---\ntitle: {title}\nstatus: todo\n---\n"


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.md")) if ".wm" not in p.parts}


# -- 2. duplicate IDs ---------------------------------------------------------


@pytest.fixture
def duplicated(workspace: Path, write_doc: WriteDoc) -> Path:
    """`build` in its own file, and in a file of another project that sorts first and takes the ID with `id:`."""
    write_doc("people/alice.md", "---\nname: Alice\n---\n")
    write_doc("projects/web/project.md", "---\ntitle: Web\n---\n")
    write_doc("projects/web/tasks/build.md", TASK.format(title="The real build"))
    write_doc("projects/app/project.md", "---\ntitle: App\n---\n")
    write_doc("projects/app/tasks/zz-copy.md", "---\nid: build\ntitle: Impostor\nstatus: todo\n---\n")
    return workspace


@pytest.mark.parametrize(
    "command",
    [
        ("set", "build", "priority=critical"),
        ("move", "build", "done"),
        ("assign", "build", "alice"),
        ("log", "build", "1h", "--person", "alice"),
    ],
)
def test_editing_a_duplicated_id_is_refused_naming_every_file(duplicated: Path, wm: Wm, command: tuple[str, ...]) -> None:
    before = files(duplicated)
    result = wm("-C", str(duplicated), *command)
    assert result.exit_code == 1, result.output
    assert "projects/app/tasks/zz-copy.md" in result.stderr and "projects/web/tasks/build.md" in result.stderr
    assert "'id:' of its own" in result.stderr and "nothing was changed" in result.stderr
    assert files(duplicated) == before


def test_a_duplicated_id_may_be_edited_by_naming_its_file(duplicated: Path, wm: Wm) -> None:
    result = wm("-C", str(duplicated), "set", "projects/web/tasks/build.md", "priority=high")
    assert result.exit_code == 0, result.output
    assert "priority: high" in (duplicated / "projects/web/tasks/build.md").read_text(encoding="utf-8")
    assert "priority" not in (duplicated / "projects/app/tasks/zz-copy.md").read_text(encoding="utf-8")


def test_show_of_a_duplicated_id_says_it_is_ambiguous(duplicated: Path, wm: Wm) -> None:
    result = wm("-C", str(duplicated), "show", "build")
    assert result.exit_code == 0
    assert result.stdout.startswith("Impostor\n")
    assert "the ID 'build' is ambiguous" in result.stderr and "projects/web/tasks/build.md" in result.stderr
    assert "duplicate ID 'build': also used by projects/web/tasks/build.md" in result.stdout  # its Problems section
    shown = json.loads(wm("-C", str(duplicated), "show", "build", "--json").stdout)
    assert [d["code"] for d in shown["diagnostics"]] == ["duplicate-id"]


def test_duplicate_id_is_reported_at_every_file(duplicated: Path, write_doc: WriteDoc, wm: Wm) -> None:
    write_doc("tasks/build.md", TASK.format(title="A third"))
    lines = [line for line in wm("-C", str(duplicated), "validate").stdout.splitlines() if "duplicate ID" in line]
    assert lines == [
        "projects/app/tasks/zz-copy.md:2: error: duplicate ID 'build': also used by projects/web/tasks/build.md, tasks/build.md; "
        "give one of them an 'id:' of its own (or another file name)",
        "projects/web/tasks/build.md:1: error: duplicate ID 'build': also used by projects/app/tasks/zz-copy.md, tasks/build.md; "
        "give one of them an 'id:' of its own (or another file name)",
        "tasks/build.md:1: error: duplicate ID 'build': also used by projects/app/tasks/zz-copy.md, projects/web/tasks/build.md; "
        "give one of them an 'id:' of its own (or another file name)",
    ]


# -- 3. an unreadable folder ----------------------------------------------------


@pytest.fixture
def unreadable_projects(workspace: Path, write_doc: WriteDoc, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """`projects/` cannot be listed (as chmod 000 makes it for anyone but root, who runs these tests in CI)."""
    write_doc("projects/web/project.md", "---\ntitle: Web\n---\n")
    write_doc("projects/web/tasks/build.md", TASK.format(title="Build"))
    write_doc("notes/a.md", "# A\n\nSee [[web]] and [[notes/gone]].\n")
    write_doc("decisions/d.md", "---\ntitle: D\nproject: web\n---\n")
    write_doc("people/build-bot.md", "---\nname: Bot\n---\n")
    real = os.scandir

    def scandir(path: Any) -> Any:
        if Path(path) == workspace / "projects":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr("workspace_tool.loader.os.scandir", scandir)
    monkeypatch.setenv("WM_NO_CACHE", "1")
    yield workspace


def test_references_into_an_unreadable_folder_point_at_it(unreadable_projects: Path, wm: Wm) -> None:
    result = wm("-C", str(unreadable_projects), "validate")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "decisions/d.md:3: error: project: unknown project 'web': it may be in the folder projects/, which could not be read (fix that first)",
        "notes/a.md:3: warning: link to unknown document 'notes/gone' — did you mean 'notes/a'?",  # no folder above it is unreadable
        "notes/a.md:3: warning: link to unknown document 'web': it may be in the folder projects/, which could not be read (fix that first)",
        "projects:1: error: cannot read folder: Permission denied",
        "projects:1: warning: so 2 references to unknown documents may point into it: fix this folder first (they are reported where "
        "they are made until then)",
    ]


def test_every_command_says_a_folder_could_not_be_read(unreadable_projects: Path, wm: Wm) -> None:
    result = wm("-C", str(unreadable_projects), "list")
    assert result.exit_code == 0
    assert result.stderr == "wm: warning: 1 folder could not be read, so what it holds is left out: projects/ (wm validate shows why)\n"


# -- 4. a closed entry inside a running timer -----------------------------------


@pytest.fixture
def tracked(workspace: Path, write_doc: WriteDoc) -> Path:
    write_doc("people/alice.md", "---\nname: Alice\n---\n")
    write_doc("projects/web/project.md", "---\ntitle: Web\n---\n")
    write_doc("projects/web/tasks/build.md", TASK.format(title="Build"))
    return workspace


def overlap_lines(wm: Wm, root: Path) -> list[str]:
    return [line for line in wm("-C", str(root), "validate").stdout.splitlines() if "overlaps" in line]


def test_a_closed_entry_inside_a_running_timer_is_an_overlap(tracked: Path, write_doc: WriteDoc, wm: Wm) -> None:
    write_doc("timelogs/alice/2026-11.md", "# Log\n\n- 2026-11-25 08:00- build timer\n- 2026-11-25 10:00-11:00 build inside\n")
    assert overlap_lines(wm, tracked) == [
        "timelogs/alice/2026-11.md:4: error: time entry overlaps timelogs/alice/2026-11.md:3 (a timer running since 08:00 on 2026-11-25) "
        "for alice, as wm log refuses to: stop the timer (wm stop --at) or change one of the two"
    ]
    refused = wm("-C", str(tracked), "log", "build", "12:00-13:00", "--person", "alice", "--date", "2026-11-25")
    assert refused.exit_code == 2 and "overlaps alice's entry" in refused.stderr  # the rule wm log applies


def test_a_closed_entry_that_runs_into_a_timer_overlaps_it(tracked: Path, write_doc: WriteDoc, wm: Wm) -> None:
    write_doc("timelogs/alice/2026-11.md", "# Log\n\n- 2026-11-25 07:00-09:00 build before\n- 2026-11-25 08:00- build timer\n")
    assert [line.split(": error:")[0] for line in overlap_lines(wm, tracked)] == ["timelogs/alice/2026-11.md:3"]


def test_parallel_timers_and_entries_outside_them_are_fine(tracked: Path, write_doc: WriteDoc, wm: Wm) -> None:
    write_doc(
        "timelogs/alice/2026-11.md",
        "# Log\n\n- 2026-11-24 10:00-11:00 build the day before\n- 2026-11-25 06:00-07:30 build before it\n"
        "- 2026-11-25 08:00- build timer A\n- 2026-11-25 09:00- build timer B (wm start --parallel)\n",
    )
    result = wm("-C", str(tracked), "validate")
    assert result.exit_code == 0, result.stdout


# -- 6. gitignore-style exclude globs -------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "path", "is_excluded"),
    [
        ("notes/*.md", "notes/temp.md", True),
        ("notes/*.md", "notes/sub/keep.md", False),  # `*` stays within one folder
        ("**/drafts/**", "drafts/d1.md", True),  # `**/` matches no folder too
        ("**/drafts/**", "notes/drafts/d2.md", True),
        ("/drafts/**", "drafts/d1.md", True),  # a leading `/` anchors at the root...
        ("/drafts/**", "notes/drafts/d2.md", False),
        ("drafts/**", "notes/drafts/d2.md", False),  # ...as a `/` in the middle does
        ("drafts", "notes/drafts/d2.md", True),  # no `/`: a name at any depth (and all inside it)
        ("*.tmp.md", "a/b/scratch.tmp.md", True),
        ("a/**/b.md", "a/b.md", True),
        ("a/**/b.md", "a/x/y/b.md", True),
        ("a/**/b.md", "ab.md", False),
        ("drafts/", "drafts/x.md", True),  # a trailing `/`: folders only
        ("x.md/", "x.md", False),
        ("[a-c]?.md", "b1.md", True),
        ("[!a-c]?.md", "b1.md", False),
    ],
)
def test_exclude_globs_match_as_gitignore_does(pattern: str, path: str, is_excluded: bool) -> None:
    from workspace_tool.loader import excluded

    assert excluded(path, (pattern,)) is is_excluded


@pytest.fixture
def drafts(workspace: Path, write_doc: WriteDoc) -> Path:
    for relpath in ("drafts/d1.md", "notes/drafts/d2.md", "notes/sub/keep.md", "notes/temp.md"):
        write_doc(relpath, f"# {Path(relpath).stem}\n")
    return workspace


@pytest.mark.parametrize(
    ("exclude", "kept"),
    [
        ('["notes/*.md"]', ["drafts/d1", "notes/drafts/d2", "notes/sub/keep"]),
        ('["**/drafts/**"]', ["notes/sub/keep", "notes/temp"]),
        ('["/drafts/**"]', ["notes/drafts/d2", "notes/sub/keep", "notes/temp"]),
    ],
)
def test_exclude_leaves_out_what_gitignore_would(drafts: Path, exclude: str, kept: list[str]) -> None:
    (drafts / "workspace.yml").write_text(f"name: test\nexclude: {exclude}\n", encoding="utf-8")
    assert sorted(load_index(drafts, use_cache=False).docs) == kept


def test_an_exclude_glob_that_excludes_nothing_is_a_warning_at_its_line(drafts: Path, wm: Wm) -> None:
    (drafts / "workspace.yml").write_text(
        'name: test\nexclude:\n  - "notes/*.md"\n  - "notes/*.txt"\n  - "later/**"\n  - "*.tmp.md"\n', encoding="utf-8"
    )
    result = wm("-C", str(drafts), "validate")
    assert [line.split(" excludes nothing")[0] for line in result.stdout.splitlines()] == [
        "workspace.yml:4: warning: exclude: 'notes/*.txt'",
        "workspace.yml:6: warning: exclude: '*.tmp.md'",
    ]  # `later/` does not exist: kept for when it does, as in .gitignore
    assert result.exit_code == 0


# -- 7. Unicode normalization ----------------------------------------------------

NFC, NFD = unicodedata.normalize("NFC", "café"), unicodedata.normalize("NFD", "café")


def test_an_id_from_a_decomposed_file_name_matches_a_composed_reference(workspace: Path, write_doc: WriteDoc, wm: Wm) -> None:
    write_doc("projects/p/project.md", "---\ntitle: P\n---\n")
    write_doc(f"projects/p/tasks/{NFD}.md", TASK.format(title="Coffee"))
    write_doc("projects/p/tasks/other.md", f"---\ntitle: Other\ndepends_on: [{NFC}]\n---\n")
    assert wm("-C", str(workspace), "validate").stdout == ""
    for typed in (NFC, NFD):
        shown = wm("-C", str(workspace), "show", typed)
        assert shown.exit_code == 0 and shown.stdout.startswith("Coffee\n")
    assert "depends_on     café (Coffee)" in wm("-C", str(workspace), "show", "other").stdout


def test_a_project_folder_with_a_decomposed_name_holds_its_tasks(workspace: Path, write_doc: WriteDoc) -> None:
    write_doc(f"projects/{NFD}/project.md", "---\ntitle: Café\n---\n")
    write_doc(f"projects/{NFD}/tasks/t.md", TASK.format(title="T"))
    write_doc("decisions/d.md", f"---\ntitle: D\nproject: {NFC}\n---\n")
    index = load_index(workspace, use_cache=False)
    assert list(index.docs) == ["d", NFC, "t"]
    assert [t.id for t in index.tasks_of(NFC)] == ["t"]
    assert index.diagnostics() == []


def test_file_names_differing_only_in_normalization_are_one_duplicated_id(workspace: Path, write_doc: WriteDoc, wm: Wm) -> None:
    write_doc(f"tasks/{NFD}.md", TASK.format(title="Decomposed"))
    write_doc(f"tasks/{NFC}.md", TASK.format(title="Composed"))
    result = wm("-C", str(workspace), "validate")
    assert result.stdout.count("duplicate ID 'café'") == 2
    assert "(the same file name in another Unicode normalization: rename or remove one)" in result.stdout
    assert wm("-C", str(workspace), "set", NFC, "priority=high").exit_code == 1


# -- 8. hints: case, and a note name two notes share -------------------------------


def test_an_id_hint_ignores_case(workspace: Path, write_doc: WriteDoc, wm: Wm) -> None:
    write_doc("tasks/website-build.md", TASK.format(title="W"))
    write_doc("tasks/other.md", "---\ntitle: O\ndepends_on: [Website-Buld]\n---\n")
    assert wm("-C", str(workspace), "show", "WEBSITE-BUILD").stderr == "wm: no document with ID 'WEBSITE-BUILD' — did you mean 'website-build'?\n"
    assert "did you mean 'website-build'?" in wm("-C", str(workspace), "validate").stdout
    assert "did you mean 'website-build'?" in wm("-C", str(workspace), "set", "other", "depends_on=WEBSITE-BUILD").stderr


def test_a_note_name_two_notes_share_is_ambiguous(workspace: Path, write_doc: WriteDoc, wm: Wm) -> None:
    write_doc("notes/a/kickoff.md", "# K1\n")
    write_doc("notes/b/kickoff.md", "# K2\n")
    write_doc("notes/linker.md", "---\ntitle: L\n---\n[[kickoff]]\n")
    write_doc("tasks/t.md", TASK.format(title="T"))
    assert wm("-C", str(workspace), "validate").stdout == (
        "notes/linker.md:4: warning: link to ambiguous document 'kickoff': 2 notes have that name (notes/a/kickoff, notes/b/kickoff); "
        "name the one meant by its ID, e.g. [[notes/a/kickoff]]\n"
    )
    shown = wm("-C", str(workspace), "show", "kickoff")
    assert shown.exit_code == 1
    assert shown.stderr == "wm: 'kickoff' is ambiguous: 2 notes have that name (notes/a/kickoff, notes/b/kickoff); name the one meant by its ID\n"
    assert "'kickoff' is ambiguous" in wm("-C", str(workspace), "set", "t", "depends_on=kickoff").stderr


# -- 17. file-read messages ---------------------------------------------------------


def test_a_utf16_file_is_named_so(workspace: Path, wm: Wm) -> None:
    (workspace / "notes").mkdir()
    (workspace / "notes/u16.md").write_bytes("---\ntitle: U16\n---\nbody\n".encode("utf-16"))
    assert wm("-C", str(workspace), "validate").stdout == (
        "notes/u16.md:1: error: file is UTF-16 text (it starts with a UTF-16 byte order mark), not UTF-8; save it as UTF-8\n"
    )


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ("title: D\nstatus: todo\nx: " + "[" * 100 + "]" * 100 + "\n", 4, "x"),  # nested too deeply
        ("title: D\nx: &a [*a]\n", 3, "x"),  # a recursive alias
        ("title: D\nok: [1, 2]\nbig: [" + ", ".join(["1"] * 20_001) + "]\n", 4, "big"),  # too many values
    ],
    ids=["deep", "recursive-alias", "many"],
)
def test_yaml_too_big_is_reported_at_the_key_that_makes_it_so(text: str, line: int, key: str) -> None:
    data, diagnostics = load_yaml(text, "notes/d.md", 1)
    assert data is None
    assert [(d.line, d.code, d.message.split(":")[0]) for d in diagnostics] == [(line, "yaml-too-big", key)]


# -- a dependency the subtask rule makes a cycle -------------------------------


def test_validate_reports_a_task_waiting_for_its_parent_or_its_subtask(workspace: Path, write_doc: WriteDoc, wm: Wm) -> None:
    """What `wm schedule` leaves out as a dependency cycle, `wm validate` says, at the dependency."""
    write_doc("projects/k/project.md", "---\ntitle: K\n---\n")
    write_doc("projects/k/tasks/story.md", "---\ntitle: Story\n---\n")
    write_doc("projects/k/tasks/sub.md", "---\ntitle: Sub\nparent: story\ndepends_on: [story]\nestimate: 1h\n---\n")
    write_doc("projects/k/tasks/waits.md", "---\ntitle: Waits\ndepends_on: [child]\n---\n")
    write_doc("projects/k/tasks/child.md", "---\ntitle: Child\nparent: waits\nestimate: 1h\n---\n")
    write_doc("projects/k/tasks/fine.md", "---\ntitle: Fine\nparent: story\ndepends_on: [sibling]\n---\n")
    write_doc("projects/k/tasks/sibling.md", "---\ntitle: Sibling\nparent: story\n---\n")
    result = wm("-C", str(workspace), "validate")
    assert result.exit_code == 1
    found = [line.split(" (")[0] for line in result.stdout.splitlines() if "through a parent" in line]
    assert found == [
        "projects/k/tasks/sub.md:4: error: dependency cycle through a parent: sub -> story",
        "projects/k/tasks/waits.md:3: error: dependency cycle through a parent: waits -> child",
    ]
    schedule = wm("-C", str(workspace), "schedule")
    assert "dependency cycle" in schedule.stderr  # the scheduler's own word for the same
