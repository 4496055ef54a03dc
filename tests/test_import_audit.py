"""`wm import`: the problems an audit of the task importers found (/tmp/audit/imp.md), each pinned by a test that
failed before its fix: estimates of done tasks, "Done" statuses beside an empty done column, parent/child loops,
parents by issue id across exports, Asana's rounded IDs and statuses, where a broken CSV quote opens, the template
compiled once per import, localised Jira names, input that is not UTF-8, time-zone offsets, what Taskwarrior
fields are not kept, autocommit, and Jira's mentions and escapes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import pytest
from click.testing import Result


def _statuses(stdout: str) -> dict[str, str]:
    """Task ID -> status, from a `--dry-run`'s lines."""
    return dict(re.findall(r"\(task ([^,]+), ([\w-]+): ", stdout))


def test_a_done_issue_keeps_its_estimate(workspace: Path, wm: Callable[..., Result], export: Callable[[str, str], Path]) -> None:
    """Done issues lost their estimate, so a migrated project three quarters done read 0% in `wm report projects`."""
    source = export("prog.csv", (
        "Summary,Issue key,Project name,Project key,Status,Status Category,Resolution,Resolved,Original Estimate\n"
        "A done,P-1,Proj,P,Done,Done,Done,20/Mar/24 9:41 AM,28800\n"
        "B done,P-2,Proj,P,Done,Done,Done,20/Mar/24 9:41 AM,28800\n"
        "C done,P-3,Proj,P,Done,Done,Done,20/Mar/24 9:41 AM,28800\n"
        "D open,P-4,Proj,P,To Do,To Do,,,28800\n"
    ))
    assert wm("-C", str(workspace), "import", "jira", str(source)).exit_code == 0
    for name in ("a-done", "b-done", "c-done", "d-open"):
        assert "estimate: 8h\n" in (workspace / f"projects/proj/tasks/{name}.md").read_text(encoding="utf-8"), name
    assert "done: 2024-03-20\n" in (workspace / "projects/proj/tasks/a-done.md").read_text(encoding="utf-8")
    report = wm("-C", str(workspace), "report", "projects")
    assert re.search(r"proj\s.*\b75%", report.stdout), report.stdout


def test_a_csv_estimate_of_a_done_row_is_kept(workspace: Path, wm: Callable[..., Result], export: Callable[[str, str], Path]) -> None:
    source = export("sheet.csv", "Name,Est,Finished\nShipped,6,2024-05-01\n")
    assert wm("-C", str(workspace), "import", "csv", str(source), "--column", "title=Name", "--column", "estimate=Est", "--column", "done=Finished").exit_code == 0
    text = (workspace / "tasks/shipped.md").read_text(encoding="utf-8")
    assert "status: done\n" in text and "estimate: 6h\n" in text and "done: 2024-05-01\n" in text


@pytest.mark.parametrize(
    ("tracker", "text", "args", "statuses", "said"),
    [
        # a generic CSV with a `done` column, empty for rows whose status says they are finished
        (
            "csv", "Key,Name,State,Finished\nT-1,Shipped thing,Done,\nT-2,Dropped thing,Canceled,\nT-3,Closed thing,Closed,2024-05-01\nT-4,Working,Doing,\n",
            ("--column", "key=Key", "--column", "title=Name", "--column", "status=State", "--column", "done=Finished"),
            {"shipped-thing": "done", "dropped-thing": "cancelled", "closed-thing": "done", "working": "in-progress"},
            ["'Canceled' but no done date or resolution in the export: imported as 'cancelled', without a done date (to keep it open: --status Canceled=todo)",
             "'Done' but no done date or resolution in the export: imported as 'done', without a done date (to keep it open: --status Done=todo)"],
        ),
        # Jira Server: Resolution and Resolved columns, no Status Category, a workflow that sets no resolution
        (
            "jira", "Summary,Issue key,Status,Resolution,Resolved\nClosed without resolution,S-1,Done,,\nClosed2,S-2,Closed,Unresolved,\nAbandoned,S-3,Cancelled,,\nLater,S-4,To Do,,\n",
            (), {"closed-without-resolution": "done", "closed2": "done", "abandoned": "cancelled", "later": "todo"},
            ["'Cancelled' but no", "'Closed' but no", "'Done' but no"],
        ),
    ],
)
def test_a_done_status_wins_over_an_empty_done_column(
    workspace: Path, wm: Callable[..., Result], export: Callable[[str, str], Path], tracker: str, text: str, args: tuple[str, ...],
    statuses: dict[str, str], said: list[str],
) -> None:
    """Closed and abandoned work came back as open work (todo), and nothing said so."""
    result = wm("-C", str(workspace), "import", tracker, str(export("export.csv", text)), *args, "--dry-run")
    assert result.exit_code == 0, result.output
    assert _statuses(result.stdout) == statuses
    warnings = [line for line in result.stderr.splitlines() if line.startswith("wm: warning:")]
    assert len(warnings) == len(said) and all(part in line for part, line in zip(said, warnings)), result.stderr


def test_a_done_status_mapped_to_open_stays_open_and_is_not_said(workspace: Path, wm: Callable[..., Result], export: Callable[[str, str], Path]) -> None:
    """The option the warning names keeps such rows open."""
    source = export("export.csv", "Summary,Issue key,Status,Resolution\nx,S-1,Done,\n")
    result = wm("-C", str(workspace), "import", "jira", str(source), "--status", "Done=todo", "--dry-run")
    assert result.exit_code == 0 and _statuses(result.stdout) == {"x": "todo"} and "warning" not in result.stderr


def test_an_open_jira_category_still_keeps_a_done_name_open(workspace: Path, wm: Callable[..., Result], export: Callable[[str, str], Path]) -> None:
    """Only an empty done column yields to the status's name; Jira's Status Category is the tracker's word."""
    source = export("export.csv", "Summary,Issue key,Status,Status Category,Resolution\nx,S-1,Done,To Do,\n")
    result = wm("-C", str(workspace), "import", "jira", str(source), "--dry-run")
    assert _statuses(result.stdout) == {"x": "todo"}


def test_an_unknown_asana_status_is_said_when_the_section_names_one(workspace: Path, wm: Callable[..., Result], export: Callable[[str, str], Path]) -> None:
    source = export("asana.csv", (
        "Task ID,Created At,Completed At,Name,Section/Column,Projects,Status\n"
        "1208810000000201,2024-03-01,,Draft outline,To do,Launch,In Arbeit\n"
        "1208810000000202,2024-03-01,,Review copy,Doing,Launch,In Arbeit\n"
    ))
    result = wm("-C", str(workspace), "import", "asana", str(source), "--dry-run")
    assert result.exit_code == 0 and _statuses(result.stdout) == {"draft-outline": "todo", "review-copy": "in-progress"}
    assert "wm: warning: 1 task has the status 'In Arbeit', which the task workflow has not: imported as 'in-progress' (map it with --status 'In Arbeit=STATUS')" in result.stderr
    assert "wm: warning: 1 task has the status 'In Arbeit', which the task workflow has not: imported as 'todo' (map it with --status 'In Arbeit=STATUS')" in result.stderr


def test_a_dependency_that_loops_through_a_parent_is_left_out(workspace: Path, wm: Callable[..., Result], export: Callable[[str, str], Path]) -> None:
    """A sub-task blocked by its parent, or a parent blocked by its sub-task, was written: `wm validate` passed it and
    `wm schedule` left the tasks out. Dependencies between siblings, or on the parent's own predecessor, are kept."""
    source = export("cyc.csv", (
        "Summary,Issue key,Issue id,Project name,Parent,Inward issue link (Blocks),Original Estimate\n"
        "Story,K-10,510,Kp,,K-20,\n"
        "Sub,K-11,511,Kp,510,K-10,3600\n"
        "Sub two,K-12,512,Kp,510,K-11,3600\n"
        "Deep,K-13,513,Kp,512,K-10,3600\n"
        "Parent waits on child,K-14,514,Kp,,K-15,\n"
        "Child,K-15,515,Kp,514,,3600\n"
        "Before,K-20,520,Kp,,,3600\n"
    ))
    result = wm("-C", str(workspace), "import", "jira", str(source))
    assert result.exit_code == 0, result.output
    assert [line.split(".csv:", 1)[-1].split(": ", 1)[-1] for line in result.stderr.splitlines() if "warning" in line] == [
        "sub depends on story, which is above it (a parent ends after its subtasks); that dependency is left out (a cycle)",
        "deep depends on story, which is above it (a parent ends after its subtasks); that dependency is left out (a cycle)",
        "parent-waits-on-child depends on child, which is below it (a parent starts before its subtasks); that dependency is left out (a cycle)",
    ]
    tasks = workspace / "projects/kp/tasks"
    assert "depends_on: [sub]\n" in (tasks / "sub-two.md").read_text(encoding="utf-8")
    assert "depends_on: [before]\n" in (tasks / "story.md").read_text(encoding="utf-8")
    for name in ("sub", "deep", "parent-waits-on-child"):
        assert "depends_on" not in (tasks / f"{name}.md").read_text(encoding="utf-8"), name
    assert "parent: story\n" in (tasks / "sub.md").read_text(encoding="utf-8") and "parent: parent-waits-on-child\n" in (tasks / "child.md").read_text(encoding="utf-8")
    schedule = wm("-C", str(workspace), "schedule")
    assert schedule.exit_code == 0 and "cycle" not in schedule.output, schedule.output


def test_a_jira_sub_task_of_a_later_export_finds_its_parent_by_issue_id(workspace: Path, wm: Callable[..., Result], export: Callable[[str, str], Path]) -> None:
    """Jira's `Parent` is the parent's issue id; only `jira: KEY` was kept, so a parent an earlier file imported was
    not found ('20001 is not in the export')."""
    header = "Summary,Issue key,Issue id,Project name,Parent,Parent summary\n"
    assert wm("-C", str(workspace), "import", "jira", str(export("part1.csv", header + "Story one,M-1,20001,Mob,,\n"))).exit_code == 0
    assert "jira_id: '20001'\n" in (workspace / "projects/mob/tasks/story-one.md").read_text(encoding="utf-8")
    result = wm("-C", str(workspace), "import", "jira", str(export("part2.csv", header + "Sub of story one,M-2,20002,Mob,20001,Story one\n")))
    assert result.exit_code == 0 and "warning" not in result.stderr, result.stderr
    assert "parent: story-one\n" in (workspace / "projects/mob/tasks/sub-of-story-one.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("rounded", ["1.20881E+15", "1,20881E+15"])
def test_an_asana_id_a_spreadsheet_rounded_is_refused_in_either_locale(
    workspace: Path, wm: Callable[..., Result], export: Callable[[str, str], Path], rounded: str,
) -> None:
    """Excel in a decimal-comma locale writes `1,20881E+15`: it was imported as the task's ID."""
    cell = f'"{rounded}"' if "," in rounded else rounded
    for text in (f"Task ID;Created At;Completed At;Name;Projects\n{rounded};2024-03-12;;Eins;Launch\n",
                 f"Task ID,Created At,Completed At,Name,Projects\n{cell},2024-03-12,,Eins,Launch\n{cell},2024-03-12,,Zwei,Launch\n"):
        result = wm("-C", str(workspace), "import", "asana", str(export("a.csv", text)), "--dry-run")
        assert result.exit_code == 1 and f"a.csv:2: the Task ID '{rounded}' was rounded by a spreadsheet" in result.stderr, result.output


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_an_unclosed_quote_is_reported_where_its_cell_opens(
    workspace: Path, wm: Callable[..., Result], export: Callable[[str, str], Path], delimiter: str,
) -> None:
    """It was reported at the file's last line (1001 here): the reader takes every line after the quote into the cell.
    A closed multi-line cell before it, and a `""` inside a quoted cell, do not move the line named."""
    rows = [f"Task {n}{delimiter}X-{n}{delimiter}To Do" for n in range(1, 1001)]
    rows[3] = f'"Task 4 ""quoted""\nover two lines"{delimiter}X-4{delimiter}To Do'
    rows[9] = f'"Task 10 has an unclosed quote{delimiter}X-10{delimiter}To Do'
    text = f"Summary{delimiter}Issue key{delimiter}Status\n" + "\n".join(rows) + "\n"
    before = sorted(workspace.rglob("*"))
    result = wm("-C", str(workspace), "import", "jira", str(export("q.csv", text)))
    assert result.exit_code == 1
    assert result.stderr == f"wm: {export('q.csv', text)}:12: not valid CSV: the quote that opens a cell here is never closed (unexpected end of data)\n"
    assert sorted(workspace.rglob("*")) == before


def test_an_import_compiles_the_task_template_once(workspace: Path, wm: Callable[..., Result], export: Callable[[str, str], Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """10,000 issues took 22 s, most of it compiling the same template for every document. A template edited
    between two commands of one process (a test, a long-running caller) is compiled again; a bad one is refused
    each time, as `wm new` did."""
    import jinja2

    compiled: list[str | None] = []
    real = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, name: str | None = None, filename: str | None = None, *args: object, **kwargs: object) -> object:
        compiled.append(name)
        return real(self, source, name, filename, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    (workspace / "templates").mkdir()
    (workspace / "templates/task.md").write_text("---\ntitle: {{ title }}\nstatus: {{ status }}\n---\n\n## Notes\n", encoding="utf-8")
    rows = "".join(f"Task {n},T-{n},To Do\n" for n in range(50))
    assert wm("-C", str(workspace), "import", "jira", str(export("many.csv", "Summary,Issue key,Status\n" + rows))).exit_code == 0
    assert compiled.count("task.md") == 1, compiled
    (workspace / "templates/task.md").write_text("---\ntitle: {{ title }}\nstatus: {{ status }}\ntags: [edited]\n---\n", encoding="utf-8")
    assert wm("-C", str(workspace), "new", "task", "After the edit").exit_code == 0
    assert "tags: [edited]\n" in (workspace / "tasks/after-the-edit.md").read_text(encoding="utf-8")
    (workspace / "templates/task.md").write_text("---\ntitle: {{ titel }}\n---\n", encoding="utf-8")
    for _ in range(2):
        result = wm("-C", str(workspace), "new", "task", "Typo")
        assert result.exit_code == 1 and "templates/task.md: {{ titel }} is no variable wm sets (did you mean title?)" in result.stderr, result.output
    (workspace / "templates/task.md").write_text("---\ntitle: {{ title }\n---\n", encoding="utf-8")
    for _ in range(2):
        result = wm("-C", str(workspace), "new", "task", "Broken")
        assert result.exit_code == 1 and "task.md:2: template error:" in result.stderr, result.output


def test_a_localised_jira_export_is_read(workspace: Path, wm: Callable[..., Result], export: Callable[[str, str], Path]) -> None:
    """A German or French Jira's status categories, resolutions and priorities: 'In Arbeit' was todo, a 'Fertig' issue
    resolved as 'Duplikat' was done, 'Mittel' was left out."""
    source = export("de.csv", (
        "Summary,Issue key,Status,Status Category,Resolution,Resolved,Priority\n"
        "Working,L-1,Bearbeitung,In Arbeit,,,Mittel\n"
        "Twice,L-2,Geschlossen,Fertig,Duplikat,16/Mar/24 11:05 AM,Höchste\n"
        "Twice again,L-3,Clos,Terminé,Doublon,16/Mar/24 11:05 AM,Basse\n"
        "Finished,L-4,Geschlossen,Fertig,Erledigt,16/Mar/24 11:05 AM,\n"
        "Later,L-5,Offen,Aufgaben,,,\n"
        "Server,L-6,Offen,,Ungelöst,,\n"
    ))
    result = wm("-C", str(workspace), "import", "jira", str(source), "--dry-run")
    assert result.exit_code == 0, result.output
    assert _statuses(result.stdout) == {"working": "in-progress", "twice": "cancelled", "twice-again": "cancelled", "finished": "done", "later": "todo", "server": "todo"}
    assert "priority" not in result.stderr


def test_a_file_that_is_not_utf8_is_named_by_line_or_as_utf16(workspace: Path, wm: Callable[..., Result], tmp_path: Path) -> None:
    """The message gave a byte offset ('byte 1669'), and did not know UTF-16 (Excel's 'Unicode Text')."""
    text = 'Summary\tIssue key\tDescription\nFirst\tA-1\t"two\nlines"\nCafé\tA-2\t\n'
    (tmp_path / "unicode.txt").write_bytes(text.encode("utf-16"))
    (tmp_path / "latin.csv").write_bytes(text.replace("\t", ",").encode("cp1252"))
    result = wm("-C", str(workspace), "import", "jira", str(tmp_path / "unicode.txt"))
    assert result.exit_code == 2 and result.stderr == f"wm: {tmp_path / 'unicode.txt'}: cannot read: UTF-16 text (as Excel's 'Unicode Text' saves it); save it as UTF-8 (in Excel: 'CSV UTF-8')\n"
    result = wm("-C", str(workspace), "import", "jira", str(tmp_path / "latin.csv"))
    assert result.exit_code == 2 and result.stderr == f"wm: {tmp_path / 'latin.csv'}:4: cannot read: not UTF-8 text (the byte 0xe9 in column 4); save it as UTF-8 (in Excel: 'CSV UTF-8')\n"


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2024-03-13T03:00:00Z", "2024-03-12"),  # 19:00 the day before in Los Angeles
        ("2024-03-13T03:00:00+00:00", "2024-03-12"),
        ("2024-03-13T20:00:00-08:00", "2024-03-13"),
        ("2024-03-13 23:30:00.123+0100", "2024-03-13"),
        ("2024-03-13T03:00:00", "2024-03-13"),  # no offset: the day as written
        ("2024-03-13", "2024-03-13"),
    ],
)
def test_an_iso_time_with_an_offset_is_a_local_day(monkeypatch: pytest.MonkeyPatch, value: str, day: str) -> None:
    """A CSV's `…Z` or `…-08:00` was cut to the date as written, where Taskwarrior's times become local dates."""
    import datetime as dt
    import time

    from workspace_tool.import_csv import parse_when

    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        assert parse_when(value, "x.csv:2", "Due") == dt.date.fromisoformat(day)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_what_taskwarrior_has_and_wm_does_not_keep_is_said(workspace: Path, wm: Callable[..., Result], export: Callable[[str, str], Path]) -> None:
    """A UDA (`estimate`), a `wait` date and a priority other than H, M, L were dropped without a word; a started
    task in a workflow whose in-progress status is called `doing` became `open`."""
    (workspace / "workspace.yml").write_text("name: t\nworkflows:\n  task:\n    statuses: [open, doing, blocked, closed]\n    done: [closed]\n", encoding="utf-8")
    tasks = (
        '[\n{"uuid":"11111111-1111-4111-8111-111111111111","description":"Buy seeds","status":"pending","entry":"20261101T100000Z","estimate":"PT3H"},\n'
        '{"uuid":"22222222-2222-4222-8222-222222222222","description":"Waiting for reply","status":"waiting","entry":"20261101T100000Z","wait":"20270101T120000Z"},\n'
        '{"uuid":"33333333-3333-4333-8333-333333333333","description":"Odd priority","status":"pending","entry":"20261101T100000Z","priority":"X"},\n'
        '{"uuid":"44444444-4444-4444-8444-444444444444","description":"Under way","status":"pending","entry":"20261101T100000Z","start":"20261102T100000Z"}\n]\n'
    )
    result = wm("-C", str(workspace), "import", "taskwarrior", str(export("tw.json", tasks)), "--dry-run")
    assert result.exit_code == 0, result.output
    warnings = [line.split(".json:", 1)[1] for line in result.stderr.splitlines() if line.startswith("wm: warning:")]
    assert warnings == [
        "2: buy-seeds: its attribute estimate (user-defined in Taskwarrior) is not kept",
        "3: waiting-for-reply: it waits (is hidden) until 2027-01-01 in Taskwarrior, which wm has no field for: imported without it",
        "4: odd-priority: the priority 'X' is none wm knows (H, M, L): left out",
    ]
    assert _statuses(result.stdout)["under-way"] == "doing"


def test_an_import_says_it_does_not_commit_under_autocommit(workspace: Path, wm: Callable[..., Result], export: Callable[[str, str], Path]) -> None:
    """`git.autocommit: true` was ignored by `wm import` without a word, where `wm new` commits."""
    (workspace / "workspace.yml").write_text("name: t\ngit:\n  autocommit: true\n", encoding="utf-8")
    said = "wm: warning: git.autocommit is on, but wm import commits only when asked: review what it wrote (git status), then commit it with git, or import with --commit\n"
    result = wm("-C", str(workspace), "import", "jira", str(export("a.csv", "Summary,Issue key\nOne,A-1\n")))
    assert result.exit_code == 0 and result.stderr.endswith(said), result.stderr
    again = wm("-C", str(workspace), "import", "jira", str(export("a.csv", "Summary,Issue key\nOne,A-1\n")))
    assert again.exit_code == 0 and "autocommit" not in again.stderr  # nothing written, nothing to say
    person = workspace / "people/al.md"
    person.parent.mkdir()
    person.write_text("---\nname: Al\n---\n", encoding="utf-8")
    timeclock = export("t.timeclock", "i 2026/11/20 09:00:00 one\no 2026/11/20 10:00:00\n")
    result = wm("-C", str(workspace), "import", "timeclock", str(timeclock), "--person", "al")
    assert result.exit_code == 0 and result.stderr.endswith(said), result.stderr


@pytest.mark.parametrize(
    ("jira", "markdown"),
    [
        (r"Escaped \*not bold\* here", r"Escaped \*not bold\* here"),  # was `\**not bold\**`: emphasis
        (r"an \_underscore\_ and a \[bracket\] and a \-dash\-", r"an \_underscore\_ and a \[bracket\] and a \-dash\-"),
        ("Line one\\\\Line two", "Line one\n\nLine two"),  # a forced line break, which stayed as `\\` on one line
        ("* item\\\\more", "- item more"),  # a list item is one line
        ("Ping [~accountid:5b10ac8d82e05b22cc7d4ef5] and [~bob]", "Ping @Sam Lee and @bob"),
    ],
)
def test_jira_escapes_line_breaks_and_mentions(jira: str, markdown: str) -> None:
    from workspace_tool.jira_markup import to_markdown

    assert to_markdown(jira, names={"5b10ac8d82e05b22cc7d4ef5": "Sam Lee"}) == markdown


def test_a_mention_is_named_by_the_export(workspace: Path, wm: Callable[..., Result], export: Callable[[str, str], Path]) -> None:
    """The description's `[~accountid:…]` kept the raw account ID, though the export pairs it with 'Sam Lee'."""
    source = export("m.csv", "Summary,Issue key,Reporter,Reporter Id,Description\nx,M-1,Sam Lee,5b10ac8d82e05b22cc7d4ef5,Ping [~accountid:5b10ac8d82e05b22cc7d4ef5]\n")
    assert wm("-C", str(workspace), "import", "jira", str(source)).exit_code == 0
    assert "Ping @Sam Lee\n" in (workspace / "tasks/x.md").read_text(encoding="utf-8")


def test_a_newer_export_that_differs_from_what_was_imported_is_said_and_changes_nothing(
    workspace: Path, wm: Callable[..., Result], export: Callable[[str, str], Path]
) -> None:
    """An import never changes a document it made (edits since are the team's), but a newer export that says another
    thing (done there, a new due date) is said, naming the tasks, instead of `N already imported (skipped)` alone."""
    header = "Summary,Issue key,Project name,Project key,Status,Status Category,Due Date\n"
    first = export("v1.csv", header + "Pay,P-1,Proj,P,To Do,To Do,01/Dec/26 12:00 AM\nShip,P-2,Proj,P,To Do,To Do,\n")
    assert wm("-C", str(workspace), "import", "jira", str(first)).exit_code == 0
    task = workspace / "projects/proj/tasks/pay.md"
    before = task.read_text(encoding="utf-8")
    newer = export("v2.csv", header + "Pay,P-1,Proj,P,Done,Done,05/Dec/26 12:00 AM\nShip,P-2,Proj,P,To Do,To Do,\n")
    result = wm("-C", str(workspace), "import", "jira", str(newer))
    assert result.exit_code == 0
    assert "1 task imported before differ from the Jira export (due date: 1, finished in the export: 1; pay)" in result.stderr
    assert "update them with wm set or wm move" in result.stderr
    assert task.read_text(encoding="utf-8") == before
    same = wm("-C", str(workspace), "import", "jira", str(first))
    assert "differ" not in same.stderr
