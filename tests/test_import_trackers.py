"""`wm import jira` and `wm import asana`: a tracker's CSV export as task, project and person documents.

The fixtures follow the exports' real shapes: Jira Cloud's "Export CSV (all fields)" (its column names and order,
lists as repeated columns, `25/Feb/26 10:17 PM` dates, comments as `date;account ID;text`, parents by `Issue id`
and `Parent key`), and Asana's project export (its header, tags in one cell, the parent task by name, dependencies
by task ID). The golden files are the documents they become.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Callable

import pytest
from click.testing import Result
from conftest import FIXTURES, check_golden
from hypothesis import given, settings
from hypothesis import strategies as st

from workspace_tool.import_csv import parse_when, read_records
from workspace_tool.imports import ImportFormatError
from workspace_tool.jira_markup import to_markdown

JIRA = FIXTURES / "jira" / "cloud-all-fields.csv"
ASANA = FIXTURES / "asana" / "project-export.csv"
GOLDEN = Path(__file__).parent / "golden" / "trackers"


def _made(root: Path, before: set[Path]) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.md")) if p not in before}


def _files(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".wm" not in p.relative_to(root).parts}


def _check_made(made: dict[str, str], tracker: str, people: list[str], project: str, tasks: list[str]) -> None:
    """Exactly these files were made (the people, the project, its tasks), each equal to its golden file."""
    assert sorted(made) == [*people, f"projects/{project}/project.md", *(f"projects/{project}/tasks/{task}.md" for task in tasks)]
    for relpath, text in made.items():
        check_golden(GOLDEN / (f"{tracker}__" + relpath.replace("/", "__")), text)


def test_a_jira_export_becomes_documents(workspace: Path, wm: Callable[..., Result]) -> None:
    """Every issue under its project (made), every assignee a person (made); statuses by name ("In QA" is
    review), by category ("Blocked" is in progress, and said) and by resolution ("Won't Do" is cancelled);
    parents by `Parent key`, "blocks" links both ways, estimates, labels and issue types as tags, the description
    and comments from Jira's markup, comment authors by the names the export pairs with their account IDs."""
    before = set(workspace.rglob("*.md"))
    result = wm("-C", str(workspace), "import", "jira", str(JIRA))
    assert result.exit_code == 0, result.output
    _check_made(_made(workspace, before), "jira", ["people/ana-lima.md", "people/mei-chen.md", "people/rui-costa.md", "people/sam-okafor.md"], "mobile-app", [
        "accessibility-audit-of-the-ticket-screen", "cache-tickets-on-the-device", "crash-when-a-ticket-has-no-valid-until-date", "offline-mode",
        "release-2-4-to-the-stores", "sync-queued-scans-on-reconnect", "write-the-migration-for-the-ticket-table",
    ])
    assert result.stderr.splitlines() == [
        "7 tasks, 1 new project and 4 new people imported, 0 already imported (skipped)",
        "wm: warning: 1 task has the status 'Blocked', which the task workflow has not: imported as 'in-progress' (map it with --status Blocked=STATUS)",
    ]
    validated = wm("-C", str(workspace), "validate")
    assert validated.exit_code == 0 and validated.stderr == "12 documents, 0 errors, 0 warnings\n", validated.output
    board = wm("-C", str(workspace), "blocked")
    assert "release-2-4-to-the-stores" in board.stdout and "sync-queued-scans-on-reconnect" in board.stdout
    sprint = json.loads(wm("-C", str(workspace), "list", "sprint:MOB Sprint 5", "--json").stdout)  # the latest sprint, a key of its own
    assert [t["id"] for t in sprint] == ["cache-tickets-on-the-device"] and sprint[0]["story_points"] == 5


def test_importing_a_jira_export_again_adds_only_new_issues(workspace: Path, wm: Callable[..., Result], tmp_path: Path) -> None:
    assert wm("-C", str(workspace), "import", "jira", str(JIRA)).exit_code == 0
    rows = list(csv.reader(io.StringIO(JIRA.read_text(encoding="utf-8"))))
    header = rows[0]
    extra = [""] * len(header)
    for column, value in (("Summary", "Translate the offline banner"), ("Issue key", "MOB-8"), ("Issue id", "10008"), ("Status", "To Do"),
                          ("Project name", "Mobile App"), ("Project key", "MOB"), ("Assignee", "Ana Lima"), ("Created", "26/Nov/26 9:00 AM"),
                          ("Inward issue link (Blocks)", "MOB-1")):
        extra[header.index(column)] = value
    later = tmp_path / "later.csv"
    with later.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([*rows, extra])
    before = set(workspace.rglob("*.md"))
    again = wm("-C", str(workspace), "import", "jira", str(later))
    assert again.exit_code == 0, again.output
    assert again.stderr.splitlines()[0] == "1 task imported, 7 already imported (skipped)"
    assert list(_made(workspace, before)) == ["projects/mobile-app/tasks/translate-the-offline-banner.md"]
    banner = (workspace / "projects/mobile-app/tasks/translate-the-offline-banner.md").read_text(encoding="utf-8")
    assert "assignee: ana-lima\n" in banner and "depends_on: [offline-mode]\n" in banner  # the earlier import's person and task


def test_status_and_person_maps(workspace: Path, write_doc: Callable[[str, str], Path], wm: Callable[..., Result]) -> None:
    write_doc("people/alice.md", "---\nname: Alice Smith\n---\n")
    result = wm("-C", str(workspace), "import", "jira", str(JIRA), "--status", "blocked=todo", "--status", "In QA=in-progress", "--person", "Sam Okafor=alice")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    release = (workspace / "projects/mobile-app/tasks/release-2-4-to-the-stores.md").read_text(encoding="utf-8")
    assert "status: todo\n" in release and "assignee: alice\n" in release
    assert "status: in-progress\n" in (workspace / "projects/mobile-app/tasks/cache-tickets-on-the-device.md").read_text(encoding="utf-8")
    assert not (workspace / "people/sam-okafor.md").exists()


def test_the_workspace_s_people_and_project_are_matched(workspace: Path, write_doc: Callable[[str, str], Path], wm: Callable[..., Result]) -> None:
    """Ana by her name, the project by its title: nothing made twice, comments signed with her ID."""
    write_doc("people/ana.md", "---\nname: Ana Lima\nemail: ana@example.com\n---\n")
    write_doc("projects/app/project.md", "---\ntitle: Mobile App\nstatus: active\n---\n")
    before = set(workspace.rglob("*.md"))
    assert wm("-C", str(workspace), "import", "jira", str(JIRA)).exit_code == 0
    made = _made(workspace, before)
    assert "people/ana-lima.md" not in made and not any(p.startswith("projects/mobile-app") for p in made)
    cache = made["projects/app/tasks/cache-tickets-on-the-device.md"]
    assert "- 2026-11-06 ana: Thirty days is enough for the pilot" in cache
    assert "assignee: ana\n" in made["projects/app/tasks/accessibility-audit-of-the-ticket-screen.md"]


def test_every_task_into_one_project(workspace: Path, write_doc: Callable[[str, str], Path], wm: Callable[..., Result]) -> None:
    write_doc("projects/web/project.md", "---\ntitle: Web\nstatus: active\n---\n")
    result = wm("-C", str(workspace), "import", "asana", str(ASANA), "--project", "web")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (workspace / "projects/web/tasks").glob("*.md")) == [
        "ask-for-the-terrace.md", "book-the-caterer.md", "choose-the-venue.md", "draft-the-agenda.md", "send-the-invitations.md"]
    assert [p.name for p in (workspace / "projects").iterdir()] == ["web"]


SERVER = """Summary,Issue key,Issue id,Parent id,Issue Type,Status,Project key,Project name,Priority,Resolution,Assignee,Reporter,Created,Updated,Resolved,Component/s,Component/s,Due Date,Description,Custom field (Epic Link),Comment
Billing revamp,FIN-1,2001,,Epic,Open,FIN,Finance,Major,Unresolved,jdoe,jdoe,12/Apr/26 3:30 PM,12/Apr/26 3:30 PM,,,,,,,
Invoice PDF layout,FIN-2,2002,,Story,Closed,FIN,Finance,Minor,Fixed,jdoe,jdoe,12/Apr/26 3:31 PM,20/Apr/26 9:00 AM,20/Apr/26 9:00 AM,Backend,PDF,15/May/26 12:00 AM,,FIN-1,"14/Apr/26 10:00 AM;jdoe;Fonts embedded"
Check VAT rounding,FIN-3,2003,2002,Sub-task,Resolved,FIN,Finance,Trivial,Won't Fix,,jdoe,13/Apr/26 8:00 AM,14/Apr/26 8:00 AM,14/Apr/26 8:00 AM,,,,,,
"""


def test_a_jira_server_export(workspace: Path, wm: Callable[..., Result], tmp_path: Path) -> None:
    """Jira Server's shape: no status category (resolved is done, unless "Won't Fix"), logins for names,
    `Parent id` for a sub-task's parent and the Epic Link custom field for a story's epic, components as tags."""
    source = tmp_path / "server.csv"
    source.write_text(SERVER, encoding="utf-8")
    result = wm("-C", str(workspace), "import", "jira", str(source))
    assert result.exit_code == 0, result.output
    tasks = workspace / "projects/finance/tasks"
    pdf = (tasks / "invoice-pdf-layout.md").read_text(encoding="utf-8")
    for line in ("status: done\n", "assignee: jdoe\n", "priority: low\n", "due: 2026-05-15\n", "done: 2026-04-20\n", "parent: billing-revamp\n",
                 "tags: [backend, pdf, story]\n", "- 2026-04-14 jdoe: Fonts embedded\n"):
        assert line in pdf
    vat = (tasks / "check-vat-rounding.md").read_text(encoding="utf-8")
    assert "status: cancelled\n" in vat and "parent: invoice-pdf-layout\n" in vat and "done:" not in vat
    epic = (tasks / "billing-revamp.md").read_text(encoding="utf-8")
    assert "status: todo\n" in epic and "priority: high\n" in epic
    assert wm("-C", str(workspace), "validate").exit_code == 0


def test_an_asana_export_becomes_documents(workspace: Path, write_doc: Callable[[str, str], Path], wm: Callable[..., Result]) -> None:
    """Completed is done; a section naming a status gives it ("In Progress", "Backlog"), another is a tag; the
    parent by its name, dependencies by ID; an assignee matched by e-mail (Rui), the others made with theirs."""
    write_doc("people/rui.md", "---\nname: Rui C.\nemail: rui@northwind.example\n---\n")
    before = set(workspace.rglob("*.md"))
    result = wm("-C", str(workspace), "import", "asana", str(ASANA))
    assert result.exit_code == 0, result.output
    _check_made(_made(workspace, before), "asana", ["people/ana-lima.md", "people/jo-park.md", "people/mei-chen.md"], "customer-day-2027", [
        "ask-for-the-terrace", "book-the-caterer", "choose-the-venue", "draft-the-agenda", "send-the-invitations",
    ])
    assert result.stderr == "5 tasks, 1 new project and 3 new people imported, 0 already imported (skipped)\n"
    assert wm("-C", str(workspace), "validate").exit_code == 0


def test_an_asana_export_saved_through_a_spreadsheet_reads_the_same(workspace: Path, wm: Callable[..., Result], tmp_path_factory: pytest.TempPathFactory) -> None:
    """Google Sheets puts rows above the header, Excel a byte-order mark and CRLF line ends."""
    plain = tmp_path_factory.mktemp("plain")
    (plain / "workspace.yml").write_text("name: test\n", encoding="utf-8")
    assert wm("-C", str(plain), "import", "asana", str(ASANA)).exit_code == 0
    text = ASANA.read_text(encoding="utf-8")
    sheet = tmp_path_factory.mktemp("export") / "sheet.csv"
    sheet.write_bytes(("\ufeff,,\n,,https://app.asana.com/-/googleSheetsProjectCsv?domain=1\n,,\n" + text).replace("\n", "\r\n").encode("utf-8"))
    before = set(workspace.rglob("*.md"))
    result = wm("-C", str(workspace), "import", "asana", str(sheet))
    assert result.exit_code == 0, result.output
    expected = {p.relative_to(plain).as_posix(): p.read_text(encoding="utf-8") for p in plain.rglob("*.md")}
    assert _made(workspace, before) == expected


@pytest.mark.parametrize(
    ("tracker", "text", "message"),
    [
        ("jira", "Key,Title\nA-1,x\n", "export.csv:1: no header with the columns 'Summary', 'Issue key': expected Jira's CSV export"),
        ("jira", "Summary,Issue key,Created\nx,A-1,2026-01-01\ny,A-2,yesterday-ish\n",
         "export.csv:3: Created 'yesterday-ish' is not a date wm reads (pass --date-format with its format"),
        ("jira", "Summary,Issue key\nx,A-1\ny,a-1\n", "export.csv:3: the ID 'a-1' is also at export.csv:2"),
        ("jira", "Summary,Issue key\n,A-1\n", "export.csv:2: issue A-1 has no 'Summary'"),
        ("jira", "Summary,Issue key,Original estimate\nx,A-1,2h\n", "export.csv:2: an estimate of '2h': Jira's CSV gives estimates in seconds"),
        ("jira", 'Summary,Issue key\n"x,A-1\n', "export.csv:2: not valid CSV"),
        ("jira", "Summary,Issue key\nx,A-1,oops\n", "export.csv:2: 3 cells where the header has 2 columns"),
        ("asana", "Task ID,Name\n1.20881E+15,x\n", "export.csv:2: the Task ID '1.20881E+15' was rounded by a spreadsheet"),
        ("asana", "Task ID,Name,Due Date\n1,a\n2,b,\n3,c,31/12/2026\n", "export.csv:4: Due Date '31/12/2026' is not a date wm reads"),
    ],
)
def test_a_bad_export_is_a_named_error_and_writes_nothing(
    workspace: Path, wm: Callable[..., Result], tmp_path_factory: pytest.TempPathFactory, tracker: str, text: str, message: str,
) -> None:
    folder = tmp_path_factory.mktemp("export")
    source = folder / "export.csv"
    source.write_text(text, encoding="utf-8")
    before = _files(workspace)
    result = wm("-C", str(workspace), "import", tracker, str(source))
    assert result.exit_code != 0
    assert message in result.stderr.replace(f"{folder}/", "")
    assert "Traceback" not in result.output
    assert _files(workspace) == before


def test_date_format_reads_another_locale_s_dates(workspace: Path, wm: Callable[..., Result], tmp_path_factory: pytest.TempPathFactory) -> None:
    source = tmp_path_factory.mktemp("export") / "export.csv"
    source.write_text("Task ID,Name,Due Date\n7,Pay the venue,05/12/2026\n", encoding="utf-8")
    assert wm("-C", str(workspace), "import", "asana", str(source), "--date-format", "%m/%d/%Y").exit_code == 0
    assert "due: 2026-05-12\n" in (workspace / "tasks/pay-the-venue.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--status", "In QA=testing"), "--status 'In QA=testing': 'testing' is not a status of the task workflow (todo, in-progress, review, done, cancelled)"),
        (("--status", "In QA"), "--status 'In QA': expected NAME=VALUE"),
        (("--person", "Sam=nobody"), "nobody"),
        (("--project", "nowhere"), "nowhere"),
    ],
)
def test_bad_options_are_refused_before_anything_is_written(workspace: Path, wm: Callable[..., Result], args: tuple[str, ...], message: str) -> None:
    before = _files(workspace)
    result = wm("-C", str(workspace), "import", "jira", str(JIRA), *args)
    assert result.exit_code != 0 and message in result.stderr
    assert _files(workspace) == before


def test_dry_run_lists_and_writes_nothing(workspace: Path, wm: Callable[..., Result]) -> None:
    before = _files(workspace)
    result = wm("-C", str(workspace), "import", "asana", str(ASANA), "--dry-run")
    assert result.exit_code == 0
    assert "would create people/ana-lima.md  (person ana-lima: Ana Lima)\n" in result.stdout
    assert "would create projects/customer-day-2027/tasks/choose-the-venue.md  (task choose-the-venue, in-progress: Choose the venue)\n" in result.stdout
    assert result.stderr.splitlines()[0] == "5 tasks, 1 new project and 4 new people to import, 0 already imported (skipped)"
    assert _files(workspace) == before


@pytest.mark.parametrize(
    ("markup", "markdown"),
    [
        ("h1. Title\nh3. Deep", "### Title\n\n##### Deep"),
        ("* one\n** nested\n# first\n#* mixed", "- one\n   - nested\n1. first\n   - mixed"),
        ("*bold* and _it_ and -gone- and {{code_x}}", "**bold** and *it* and ~~gone~~ and `code_x`"),
        ("a snake_case_name and 3*4*5 and well-known-thing", "a snake_case_name and 3\\*4\\*5 and well-known-thing"),  # literal, as Jira shows it
        ("{quote}Said it{quote}\nh2. After", "> Said it\n\n#### After"),  # a one-line quote ends where it says
        ("bq. Quoted\nText", "> Quoted\n\nText"),  # not run into the quote
        ("||A||B||\n|1|2|\nText", "| A | B |\n|---|---|\n| 1 | 2 |\n\nText"),  # not a row of the table
        ("* one\n* two\nAfter", "- one\n- two\n\nAfter"),  # not part of the last item
        ("Some text\n----", "Some text\n\n---"),  # a rule, not a heading
        ("line one\nline two", "line one\n\nline two"),  # Jira's line break
        ("see https://ex.com/*x*/y.", "see <https://ex.com/*x*/y>."),
        ("[the docs|https://x.test/a?b=1] [https://x.test] [~accountid:abc] !shot.png|thumbnail!",
         "[the docs](https://x.test/a?b=1) <https://x.test> @abc (attachment: shot.png)"),
        ("{code:python}\n*not bold* h1. no\n{code}", "```python\n*not bold* h1. no\n```"),
        ("{noformat}x{noformat}", "```\nx\n```"),
        ("{code:sql}select 1{code} after", "```sql\nselect 1\n```\n\nafter"),
        ("{quote}said\nthis{quote}", "> said\n> this"),
        ("bq. a quote\n----", "> a quote\n\n---"),
        ("||a||b||\n|1|[x|https://y.test]|", "| a | b |\n|---|---|\n| 1 | [x](https://y.test) |"),
        ("{color:red}alert{color}", "alert"),
    ],
)
def test_jira_markup_becomes_markdown(markup: str, markdown: str) -> None:
    assert to_markdown(markup, depth=2) == markdown


_WORDS = st.lists(st.from_regex(r"[A-Za-z0-9]{3,8}", fullmatch=True), min_size=1, max_size=6)
_MARKS = st.sampled_from(["", "*", "_", "-", "{{", "}}", "[", "]", "|", "||", "!", "h2. ", "* ", "# ", "{code}", "{quote}", "{noformat}", "\n", " "])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_MARKS, _WORDS.map(" ".join), _MARKS), max_size=8))
def test_jira_markup_never_drops_a_word(parts: list[tuple[str, str, str]]) -> None:
    text = "".join(a + words + b for a, words, b in parts)
    out = to_markdown(text)
    for _, words, _ in parts:
        for word in words.split():
            assert word in out


_CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_CELL, min_size=3, max_size=3), max_size=6), st.sampled_from(["\n", "\r\n"]))
def test_csv_records_keep_every_value_and_the_line_they_start_on(rows: list[list[str]], newline: str) -> None:
    header = ["Summary", "Labels", "Labels"]
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows([header, *rows])
    text = out.getvalue()
    records = read_records(text, "x.csv", ("Summary",), "a test")
    kept = [r for r in rows if any(c.strip() for c in r)]
    assert [(r.cells["summary"][0], r.cells["labels"]) for r in records] == [(r[0], (r[1], r[2])) for r in kept]
    lines = re.split(r"\r\n|\n", text)  # lines as an editor counts them, a line break in a quoted cell too
    for record, row in zip(records, kept):
        start = io.StringIO()
        csv.writer(start, lineterminator="\n").writerow(row)
        assert "\n".join(lines[record.line - 1:]).startswith(start.getvalue().rstrip("\n"))


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2068, 12, 31)))
def test_the_dates_trackers_write_are_read_as_their_day(when: dt.datetime) -> None:
    for text in (when.strftime("%d/%b/%y %I:%M %p"), when.strftime("%d/%b/%y"), when.date().isoformat(), when.isoformat(sep=" "),
                 when.strftime("%Y-%m-%dT%H:%M:%S.123+0000")):
        assert parse_when(text, "x.csv:2", "Created") == when.date(), text


def test_an_unreadable_date_names_the_column_and_the_fix() -> None:
    with pytest.raises(ImportFormatError, match=r"x.csv:2: Due Date '5/20/2026' is not a date wm reads \(pass --date-format"):
        parse_when("5/20/2026", "x.csv:2", "Due Date")
    assert parse_when("5/20/2026", "x.csv:2", "Due Date", "%m/%d/%Y") == dt.date(2026, 5, 20)


def test_a_file_that_cannot_be_read_is_said_plainly(workspace: Path, wm: Callable[..., Result], tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("export")
    missing = wm("-C", str(workspace), "import", "jira", str(folder / "nope.csv"))
    assert missing.exit_code != 0 and missing.stderr.endswith("nope.csv: cannot read: No such file or directory\n")
    (folder / "latin1.csv").write_bytes("Summary,Issue key\nCaf\xe9,A-1\n".encode("latin-1"))
    latin = wm("-C", str(workspace), "import", "jira", str(folder / "latin1.csv"))
    assert latin.exit_code != 0 and latin.stderr.endswith("latin1.csv:2: cannot read: not UTF-8 text (the byte 0xe9 in column 4); save it as UTF-8 (in Excel: 'CSV UTF-8')\n")


def test_a_parent_in_another_project_is_left_out_and_said(workspace: Path, wm: Callable[..., Result], tmp_path_factory: pytest.TempPathFactory) -> None:
    """An epic of one Jira project with a story in another: wm keeps a subtask in its parent's project, so the
    import made a workspace that failed validation."""
    source = tmp_path_factory.mktemp("export") / "jira.csv"
    source.write_text(
        "Summary,Issue key,Issue id,Project name,Parent key\nPlatform epic,OPS-1,1,Ops,\nMobile story,MOB-9,2,Mobile,OPS-1\n", encoding="utf-8",
    )
    result = wm("-C", str(workspace), "import", "jira", str(source))
    assert result.exit_code == 0, result.output
    assert "mobile-story's parent platform-epic is in ops, not mobile (a subtask is in its parent's project); it is imported without one" in result.stderr
    assert "parent:" not in (workspace / "projects/mobile/tasks/mobile-story.md").read_text(encoding="utf-8")
    assert wm("-C", str(workspace), "validate").exit_code == 0


MONDAY = FIXTURES / "csv" / "monday-board.csv"
MONDAY_COLUMNS = (
    "--column", "key=Item ID", "--column", "title=Name", "--column", "status=Status", "--column", "assignee=Person", "--column", "due=Date",
    "--column", "project=Group", "--column", "priority=Priority", "--column", "estimate=Time Est.", "--column", "tags=Tags",
    "--column", "done=Completed", "--column", "depends=Depends On", "--column", "description=Notes",
)


def test_any_csv_by_a_column_map(workspace: Path, wm: Callable[..., Result]) -> None:
    """A monday.com board saved as CSV: its own column names, statuses in its words ('Working on it'), estimates
    in hours or as durations, dependencies by title or ID; the ID kept under --source, so a re-import adds nothing."""
    result = wm("-C", str(workspace), "import", "csv", str(MONDAY), "--source", "monday", *MONDAY_COLUMNS)
    assert result.exit_code == 0, result.output
    tasks = workspace / "projects/customer-day/tasks"
    venue = (tasks / "venue-contract.md").read_text(encoding="utf-8")
    for line in ("status: in-progress\n", "assignee: ana-lima\n", "priority: high\n", "estimate: 6h\n", "due: 2026-12-04\n", "tags: [venue, legal]\n", "monday: '4011'\n"):
        assert line in venue
    assert "Second draft from the venue's lawyer." in venue
    guests = (tasks / "guest-list.md").read_text(encoding="utf-8")
    assert "estimate: 8h\n" in guests and "depends_on: [venue-contract]\n" in guests  # 1d; by title
    badges = (tasks / "print-badges.md").read_text(encoding="utf-8")
    assert "status: done\n" in badges and "done: 2026-11-19\n" in badges and "depends_on: [guest-list]\n" in badges  # by ID
    assert result.stderr.splitlines() == [
        "4 tasks, 1 new project and 2 new people imported, 0 already imported (skipped)",
        "wm: warning: 1 task has the status 'Stuck', which the task workflow has not: imported as 'todo' (map it with --status Stuck=STATUS)",
    ]
    assert wm("-C", str(workspace), "validate").exit_code == 0
    again = wm("-C", str(workspace), "import", "csv", str(MONDAY), "--source", "monday", *MONDAY_COLUMNS)
    assert again.stderr.splitlines()[0] == "0 tasks imported, 4 already imported (skipped)"


def test_without_a_key_column_a_row_is_known_by_its_project_and_title(workspace: Path, wm: Callable[..., Result], tmp_path_factory: pytest.TempPathFactory) -> None:
    source = tmp_path_factory.mktemp("export") / "sheet.csv"
    source.write_text("Task,List\nWrite brief,Launch\nSend brief,Launch\n", encoding="utf-8")
    assert wm("-C", str(workspace), "import", "csv", str(source), "--column", "title=Task", "--column", "project=List").exit_code == 0
    assert "csv: launch/write brief\n" in (workspace / "projects/launch/tasks/write-brief.md").read_text(encoding="utf-8")
    source.write_text("Task,List\nWrite brief,Launch\nSend brief,Launch\nBook room,Launch\n", encoding="utf-8")
    again = wm("-C", str(workspace), "import", "csv", str(source), "--column", "title=Task", "--column", "project=List")
    assert again.stderr.splitlines()[0] == "1 task imported, 2 already imported (skipped)"


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        ("Name\nx\n", ("--column", "name=Name"), "--column name=Name: wm imports no field 'name' (fields: title, key, status"),
        ("Name\nx\n", ("--column", "status=Name"), "--column title=HEADER is needed"),
        ("Name,State\nx,todo\n", ("--column", "title=Name", "--column", "status=Status"), "no column for --column status='Status' (the file's columns: 'Name', 'State')"),
        ("Task\nx\n", ("--column", "title=Name"), "sheet.csv:1: no header with the columns 'Name': expected a CSV file with the column 'Name'"),
        ("Name\nx\nx\n", ("--column", "title=Name"), "sheet.csv:3: 'x' is also at line 2, in the same project: map the column that holds each row's ID with --column key=HEADER"),
        ("Name,Est\nx,soon\n", ("--column", "title=Name", "--column", "estimate=Est"), "sheet.csv:2: Est 'soon': expected a duration"),
        ("Name\nx\n", ("--column", "title=Name", "--source", "My Tool"), "--source 'My Tool': a name of letters, digits"),
        ("Name\nx\n", ("--column", "title=Name", "--source", "status"), "--source 'status': 'status' is a field of wm's"),
        ("Name\nx\n", ("--column", "title=Name", "--source", "id"), "--source 'id': 'id' is a field of wm's"),
    ],
)
def test_a_bad_column_map_or_sheet_is_refused_before_anything_is_written(
    workspace: Path, wm: Callable[..., Result], tmp_path_factory: pytest.TempPathFactory, text: str, args: tuple[str, ...], message: str,
) -> None:
    folder = tmp_path_factory.mktemp("export")
    (folder / "sheet.csv").write_text(text, encoding="utf-8")
    before = _files(workspace)
    result = wm("-C", str(workspace), "import", "csv", str(folder / "sheet.csv"), *args)
    assert result.exit_code != 0 and message in result.stderr.replace(f"{folder}/", "")
    assert _files(workspace) == before


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.from_regex(r"[A-Za-z][A-Za-z ,.]{0,20}", fullmatch=True), st.sampled_from(["", "• item", "- item", "1. first"])), max_size=8))
def test_asana_notes_keep_every_line_as_a_line_of_its_own(lines: list[str]) -> None:
    """Each non-blank line of Asana's plain text is still a line of the Markdown, in order, and no two text lines
    run into one paragraph (Markdown would join lines that only a line break separates)."""
    from workspace_tool.import_asana import plain_text

    out = plain_text("\n".join(lines)).split("\n")
    kept = [line.rstrip() for line in lines if line.strip()]
    assert [line for line in out if line.strip()] == [k.replace("• ", "- ", 1) for k in kept]
    for above, below in zip(out, out[1:]):
        if above.strip() and below.strip():
            assert re.match(r"^(?:[-*]|\d+[.)])\s", below.strip()), (above, below)  # only list items follow each other


def test_links_make_a_key_of_your_own_a_link_on_the_site_and_in_show(workspace: Path, wm: Callable[..., Result], tmp_path_factory: pytest.TempPathFactory) -> None:
    """After a Jira import, `links: {jira: https://acme.atlassian.net/browse/{value}}` takes a reader from a task to its issue."""
    (workspace / "workspace.yml").write_text("name: t\nlinks:\n  jira: https://acme.atlassian.net/browse/{value}\n", encoding="utf-8")
    assert wm("-C", str(workspace), "import", "jira", str(JIRA)).exit_code == 0
    shown = wm("-C", str(workspace), "show", "cache-tickets-on-the-device").stdout
    assert re.search(r"^jira +MOB-2  https://acme\.atlassian\.net/browse/MOB-2$", shown, re.M), shown
    out = tmp_path_factory.mktemp("site")
    assert wm("-C", str(workspace), "site", "build", "--out", str(out)).exit_code == 0
    page = (out / "d" / "cache-tickets-on-the-device.html").read_text(encoding="utf-8")
    assert '<dt>jira</dt><dd><a href="https://acme.atlassian.net/browse/MOB-2">MOB-2</a></dd>' in page
    assert "<dt>sprint</dt><dd>MOB Sprint 5</dd>" in page  # a key without a link stays text


@pytest.mark.parametrize("links", ["x", "{jira: 'ftp://x/{value}'}", "{jira: 'https://x/browse/'}", "{jira: 3}"])
def test_a_bad_links_setting_is_a_diagnostic(workspace: Path, wm: Callable[..., Result], links: str) -> None:
    (workspace / "workspace.yml").write_text(f"name: t\nlinks: {links}\n", encoding="utf-8")
    result = wm("-C", str(workspace), "validate")
    assert result.exit_code == 1 and "workspace.yml:2: error: links" in result.stdout


def test_a_link_quotes_its_value() -> None:
    from workspace_tool.config import load_settings

    settings, problems = load_settings("links:\n  ref: https://x.example/q?id={value}\n", "workspace.yml")
    assert problems == [] and settings.link("ref", "a b&c/d") == "https://x.example/q?id=a%20b%26c%2Fd"
    assert settings.link("ref", ["a"]) is None and settings.link("other", "a") is None and settings.link("ref", True) is None


@pytest.mark.parametrize(
    ("tracker", "text", "args", "statuses"),
    [
        # a status named as the workflow's, where the export says nothing else of the task
        ("csv", "Name,Status\nA,Done\nB,Cancelled\nC,done\n", ("--column", "title=Name", "--column", "status=Status"), ["done", "cancelled", "done"]),
        ("jira", "Summary,Issue key,Status\nShipped,C-1,Done\nDropped,C-2,Cancelled\nLater,C-3,Closed\n", (), ["done", "cancelled", "done"]),
        # a finished issue called Cancelled (team-managed Jira resolves nothing), or resolved with a curly apostrophe
        ("jira", "Summary,Issue key,Status,Status Category,Resolution\nc1,C-1,Cancelled,Done,\nc2,C-2,Done,Done,Won\u2019t Do\n", (), ["cancelled", "cancelled"]),
        # an open issue called Done stays open: the category says so
        ("jira", "Summary,Issue key,Status,Status Category\nx,C-1,Done,In Progress\n", (), ["in-progress"]),
    ],
)
def test_a_status_named_as_the_workflow_s_is_kept(
    workspace: Path, wm: Callable[..., Result], tmp_path_factory: pytest.TempPathFactory, tracker: str, text: str, args: tuple[str, ...], statuses: list[str],
) -> None:
    """Completed work came back open: a CSV's 'Done' and a current-fields Jira export's 'Done' were imported as todo."""
    source = tmp_path_factory.mktemp("export") / "export.csv"
    source.write_text(text, encoding="utf-8")
    result = wm("-C", str(workspace), "import", tracker, str(source), *args, "--dry-run")
    assert result.exit_code == 0, result.output
    found = re.findall(r"\(task [^,]+, ([\w-]+): ", result.stdout)
    assert found == statuses and "warning" not in result.stderr


def test_bad_bytes_on_standard_input_are_refused_before_anything_is_written(workspace: Path, wm: Callable[..., Result]) -> None:
    """Windows-1252 bytes piped in got past the check as surrogates: an internal error after some files were written."""
    from click.testing import CliRunner

    from workspace_tool.cli import main

    data = "Summary,Issue key,Project name,Assignee,Description\nFirst,S-1,Proj,Ana Lima,fine\nSecond,S-2,Proj,,caf\xe9\n".encode("cp1252")
    before = _files(workspace)
    result = CliRunner().invoke(main, ["-C", str(workspace), "import", "jira", "-"], input=data)
    assert result.exit_code == 2 and result.stderr == "wm: <stdin>:3: cannot read: not UTF-8 text (the byte 0xe9 in column 21); save it as UTF-8 (in Excel: 'CSV UTF-8')\n"
    assert _files(workspace) == before


def test_a_write_that_fails_midway_takes_back_what_it_wrote(workspace: Path, wm: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    """All or nothing: the third file cannot be written (a disk full, say): the two before it go again, with the
    folders the import made for them, and nothing is listed as created."""
    from workspace_tool import import_tasks

    calls: list[str] = []
    real = import_tasks.write_document

    def failing(root: Path, relpath: str, text: str, expected: str | None) -> None:
        calls.append(relpath)
        if len(calls) == 3:
            raise OSError(28, "No space left on device", str(root / relpath))
        real(root, relpath, text, expected)

    monkeypatch.setattr(import_tasks, "write_document", failing)
    before = _files(workspace)
    result = wm("-C", str(workspace), "import", "asana", str(ASANA))
    assert result.exit_code != 0 and "No space left on device" in result.stderr and "created" not in result.stdout
    assert len(calls) == 3 and _files(workspace) == before
    assert not (workspace / "projects").exists() and not (workspace / "people").exists()


def test_cycles_in_an_export_are_broken_and_said(workspace: Path, wm: Callable[..., Result], tmp_path_factory: pytest.TempPathFactory) -> None:
    """Blocks links in a ring, an issue blocking itself, parents in a ring: the import wrote them and validate then
    failed. The link that would close each loop is left out, and said; the workspace validates."""
    source = tmp_path_factory.mktemp("export") / "jira.csv"
    source.write_text(
        "Summary,Issue key,Project name,Inward issue link (Blocks),Parent key\n"
        "Cycle A,G-5,P,G-6,\nCycle B,G-6,P,G-5,\nSelf,G-7,P,G-7,\nParent one,G-8,P,,G-9\nParent two,G-9,P,,G-8\nSelf parent,G-10,P,,G-10\n",
        encoding="utf-8",
    )
    result = wm("-C", str(workspace), "import", "jira", str(source))
    assert result.exit_code == 0, result.output
    assert "cycle-b depends on cycle-a, which waits for it; that dependency is left out (a cycle)" in result.stderr
    assert "self depends on self, which is itself; that dependency is left out (a cycle)" in result.stderr
    assert "parent-two's parent parent-one is below it; it is imported without one (a cycle)" in result.stderr
    assert "self-parent's parent self-parent is itself; it is imported without one (a cycle)" in result.stderr
    validated = wm("-C", str(workspace), "validate")
    assert validated.exit_code == 0, validated.output
    assert "depends_on: [cycle-b]\n" in (workspace / "projects/p/tasks/cycle-a.md").read_text(encoding="utf-8")


def test_names_wm_new_would_refuse_are_never_made(workspace: Path, wm: Callable[..., Result], tmp_path_factory: pytest.TempPathFactory) -> None:
    """Windows' device names (a repository holding aux.md cannot be checked out there) and titles without a letter
    wm can put in a file name (Japanese, emoji) became con.md, aux.md, task.md, person.md."""
    source = tmp_path_factory.mktemp("export") / "jira.csv"
    source.write_text(
        "Summary,Issue key,Project name,Project key,Assignee\n🚀,J-2,🚀,RKT,佐藤 花子\nCon,J-3,Index,IDX,CON\nAux,J-4,Index,IDX,aux\n", encoding="utf-8",
    )
    result = wm("-C", str(workspace), "import", "jira", str(source))
    assert result.exit_code == 0, result.output
    made = sorted(p.relative_to(workspace).as_posix() for p in workspace.rglob("*.md"))
    assert made == [
        "people/aux-person.md", "people/con-person.md", "people/person.md",
        "projects/index-project/project.md", "projects/index-project/tasks/aux-task.md", "projects/index-project/tasks/con-task.md",
        "projects/rkt/project.md", "projects/rkt/tasks/j-2.md",
    ]
    assert wm("-C", str(workspace), "validate").exit_code == 0


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_file_with_semicolons_or_tabs_between_cells_reads_the_same(
    workspace: Path, wm: Callable[..., Result], tmp_path_factory: pytest.TempPathFactory, separator: str,
) -> None:
    """Excel writes CSV with semicolons where the decimal mark is a comma; a TSV has tabs."""
    text = ASANA.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator="\n").writerows(rows)
    source = tmp_path_factory.mktemp("export") / "export.csv"
    source.write_text(out.getvalue(), encoding="utf-8")
    plain, other = wm("-C", str(workspace), "import", "asana", str(ASANA), "--dry-run"), wm("-C", str(workspace), "import", "asana", str(source), "--dry-run")
    assert other.exit_code == 0 and other.stdout == plain.stdout


def test_cells_a_task_holds_one_of_and_text_that_looks_like_markdown(workspace: Path, wm: Callable[..., Result], tmp_path_factory: pytest.TempPathFactory) -> None:
    """A board's cell of two people, a priority wm has no word for, a name with two spaces, a description with its
    own '## Log' heading: the first person (said), the priority left out (said), one person, the heading below Notes."""
    (workspace / "people").mkdir()
    (workspace / "people/ana.md").write_text("---\nname: Ana Lima\n---\n", encoding="utf-8")
    source = tmp_path_factory.mktemp("export") / "board.csv"
    source.write_text(
        'Name,Person,Priority,Notes\nBoth,"Ana Lima, Mei Chen",urgent!,"Real note\n\n## Log\n\n- 2026-01-01 alice: fake entry"\nSpaced,Ana  Lima,P1,\n', encoding="utf-8",
    )
    args = ("--column", "title=Name", "--column", "assignee=Person", "--column", "priority=Priority", "--column", "description=Notes")
    result = wm("-C", str(workspace), "import", "csv", str(source), *args)
    assert result.exit_code == 0, result.output
    assert "both: 2 people in Person (Ana Lima, Mei Chen): assigned to Ana Lima, as a task has one assignee" in result.stderr
    assert "both: the priority 'urgent!' is none wm knows (critical, high, medium, low): left out" in result.stderr
    both = (workspace / "tasks/both.md").read_text(encoding="utf-8")
    assert "assignee: ana\n" in both and "#### Log" in both and "\n## Log" not in both
    spaced = (workspace / "tasks/spaced.md").read_text(encoding="utf-8")
    assert "assignee: ana\n" in spaced and "priority: critical\n" in spaced
    assert sorted(p.name for p in (workspace / "people").iterdir()) == ["ana.md"]


def test_asana_notes_that_look_like_markdown_stay_text() -> None:
    from workspace_tool.import_asana import plain_text

    assert plain_text("# not a heading\n> not a quote\n---\nok") == "\\# not a heading\n\n\\> not a quote\n\n\\---\n\nok"


@pytest.mark.parametrize(
    ("text", "date_format", "day"),
    [
        ("25.02.2026 10:17", "%d.%m.%Y", dt.date(2026, 2, 25)),  # a localised export's times after its dates
        ("03.03.2026", "%d.%m.%Y", dt.date(2026, 3, 3)),
        ("25 Feb 2026 16:38", None, dt.date(2026, 2, 25)),
        ("2026-02-25 4:38 PM", None, dt.date(2026, 2, 25)),
        ("2026-02-25 16:38:58.679 UTC", None, dt.date(2026, 2, 25)),
    ],
)
def test_a_time_after_the_date_needs_no_format_of_its_own(text: str, date_format: str | None, day: dt.date) -> None:
    assert parse_when(text, "x.csv:2", "Resolved", date_format) == day


def test_a_row_that_names_its_own_title_is_not_its_own_dependency(workspace: Path, wm: Callable[..., Result], tmp_path_factory: pytest.TempPathFactory) -> None:
    """Two rows called Dup, the second waiting for 'Dup': the first one, not itself (it was a silent self-cycle)."""
    source = tmp_path_factory.mktemp("export") / "sheet.csv"
    source.write_text("Name,ID,Group,Depends\nDup,5,G,\nDup,6,G,Dup\n", encoding="utf-8")
    args = ("--column", "title=Name", "--column", "key=ID", "--column", "project=Group", "--column", "depends=Depends")
    assert wm("-C", str(workspace), "import", "csv", str(source), *args).exit_code == 0
    docs = {p.read_text(encoding="utf-8").split("csv: '")[1][0]: p for p in (workspace / "projects/g/tasks").glob("*.md")}
    assert f"depends_on: [{docs['5'].stem}]\n" in docs["6"].read_text(encoding="utf-8")
    assert wm("-C", str(workspace), "validate").exit_code == 0


def test_a_task_whose_document_is_broken_is_not_imported_twice(workspace: Path, wm: Callable[..., Result]) -> None:
    """Re-importing while an imported document's frontmatter is broken made a second document for it, unsaid."""
    assert wm("-C", str(workspace), "import", "jira", str(JIRA)).exit_code == 0
    broken = workspace / "projects/mobile-app/tasks/sync-queued-scans-on-reconnect.md"
    broken.write_text(broken.read_text(encoding="utf-8").replace("status: todo", "status: [todo"), encoding="utf-8")
    before = _files(workspace)
    again = wm("-C", str(workspace), "import", "jira", str(JIRA))
    assert again.exit_code == 0 and _files(workspace) == before
    assert "MOB-3 was imported into projects/mobile-app/tasks/sync-queued-scans-on-reconnect.md, which cannot be read now" in again.stderr


def test_a_deleted_jira_account_is_no_person_and_infinite_points_are_none(workspace: Path, wm: Callable[..., Result], tmp_path_factory: pytest.TempPathFactory) -> None:
    source = tmp_path_factory.mktemp("export") / "jira.csv"
    source.write_text("Summary,Issue key,Assignee,Custom field (Story Points)\nOld,J-1,Former user,inf\n", encoding="utf-8")
    result = wm("-C", str(workspace), "import", "jira", str(source))
    assert result.exit_code == 0 and "its assignee's Jira account was deleted ('Former user'): left unassigned" in result.stderr
    old = (workspace / "tasks/old.md").read_text(encoding="utf-8")
    assert "assignee" not in old and "story_points" not in old and not (workspace / "people").exists()


def test_a_dry_run_names_the_files_the_real_run_writes(workspace: Path, wm: Callable[..., Result], tmp_path_factory: pytest.TempPathFactory) -> None:
    """Two tasks of one title: the second gets a suffix, the same in --dry-run and in the run (it was random)."""
    source = tmp_path_factory.mktemp("export") / "sheet.csv"
    source.write_text("Name,ID\nSame,1\nSame,2\n", encoding="utf-8")
    args = ("import", "csv", str(source), "--column", "title=Name", "--column", "key=ID")
    dry = wm("-C", str(workspace), *args, "--dry-run").stdout.replace("would create", "created")
    assert wm("-C", str(workspace), *args).stdout == dry and "same-" in dry


def test_tags_keep_plus_and_sharp_and_a_title_with_a_comma_is_one_reference(workspace: Path, wm: Callable[..., Result], tmp_path_factory: pytest.TempPathFactory) -> None:
    source = tmp_path_factory.mktemp("export") / "sheet.csv"
    source.write_text('Name,Tags,Depends\n"Buy milk, eggs",,\nCook,"c++, C#",\"Buy milk, eggs\"\n', encoding="utf-8")
    args = ("--column", "title=Name", "--column", "tags=Tags", "--column", "depends=Depends")
    result = wm("-C", str(workspace), "import", "csv", str(source), *args)
    assert result.exit_code == 0 and "warning" not in result.stderr, result.output
    cook = (workspace / "tasks/cook.md").read_text(encoding="utf-8")
    assert "tags: [c++, 'c#']\n" in cook and "depends_on: [buy-milk-eggs]\n" in cook
    assert [t["id"] for t in json.loads(wm("-C", str(workspace), "list", "tag:c#", "--json").stdout)] == ["cook"]


def test_a_csv_description_s_headings_go_below_notes_but_its_code_stays() -> None:
    from workspace_tool.import_generic import _under_notes

    assert _under_notes("# Title\n```sh\n# a comment\n```\n## Log") == "### Title\n```sh\n# a comment\n```\n#### Log"


def test_an_estimate_is_written_as_a_duration_wm_reads_back(workspace: Path, wm: Callable[..., Result], tmp_path_factory: pytest.TempPathFactory) -> None:
    """'1e5' hours was written as 1e+05h, which no document can hold: the import was refused as invalid. (Beyond a
    million hours an estimate is refused with the line: no plan can place it.)"""
    source = tmp_path_factory.mktemp("export") / "sheet.csv"
    source.write_text("Name,Est\nHuge,1e5\nThird,0.3333333\n", encoding="utf-8")
    assert wm("-C", str(workspace), "import", "csv", str(source), "--column", "title=Name", "--column", "estimate=Est").exit_code == 0
    assert "estimate: 100000h\n" in (workspace / "tasks/huge.md").read_text(encoding="utf-8")
    assert "estimate: 0.3333h\n" in (workspace / "tasks/third.md").read_text(encoding="utf-8")
    source.write_text("Name,Est\nAbsurd,1e9\n", encoding="utf-8")
    refused = wm("-C", str(workspace), "import", "csv", str(source), "--column", "title=Name", "--column", "estimate=Est")
    assert refused.exit_code == 1 and "sheet.csv:2: Est '1e9': expected a finite number up to 1,000,000" in refused.output


def test_a_dependency_on_a_task_left_out_as_cancelled_says_so(workspace: Path, wm: Callable[..., Result], tmp_path_factory: pytest.TempPathFactory) -> None:
    (workspace / "workspace.yml").write_text(
        "name: t\nworkflows:\n  task:\n    statuses: [todo, done]\n    done: [done]\n", encoding="utf-8",
    )
    source = tmp_path_factory.mktemp("export") / "jira.csv"
    source.write_text("Summary,Issue key,Status,Resolution,Inward issue link (Blocks)\nOld,W-1,Done,Won't Do,\nNew,W-2,To Do,,W-1\n", encoding="utf-8")
    result = wm("-C", str(workspace), "import", "jira", str(source))
    assert result.exit_code == 0, result.output
    assert "new depends on W-1, cancelled and left out (above); that dependency is left out" in result.stderr
    assert "not in the export" not in result.stderr
