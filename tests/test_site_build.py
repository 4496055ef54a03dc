"""The site build end to end on a small workspace: pages, privacy, escaping, links, audiences, incremental builds."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest

from workspace_tool.errors import UsageError, WorkspaceError
from workspace_tool.site import Audience, BuildOptions, build_site
from workspace_tool.site.build import check_links
from workspace_tool.workspace import load_index

TODAY = dt.date(2026, 11, 26)

PRIVATE_STRINGS = ("Zanzibar secret merger", "confidential walrus text")
GLOBEX_STRINGS = ("GLOBEXUNIQUE", "BETAUNIQUE", "Quokka migration", "globex internal pelican", "GLOBEXTASK")
FILES: dict[str, str] = {
    "workspace.yml": "name: Acme Test\nrate: 100\n",
    "people/alice.md": "---\nname: Alice Able\nemail: alice@example.com\nteam: web\nrate: 80\ncapacity: 6\n---\n# Alice Able\n",
    "people/bob.md": "---\nname: Bob Baker\nteam: ops\nrate: 90\n---\n# Bob Baker\n\nAlso on call for Globex GLOBEXUNIQUE.\n",
    "clients/acme.md": "---\nname: Acme Corp\n---\n# Acme Corp\n\nOur best client.\n",
    "clients/globex.md": "---\nname: Globex GLOBEXUNIQUE\nrate: 150\n---\n# Globex GLOBEXUNIQUE\n",
    "projects/alpha/project.md": "---\ntitle: Alpha portal\nstatus: active\nowner: alice\nclient: acme\nbudget: 10000\nstart: 2026-11-01\ndue: 2026-12-20\n---\nThe alpha portal for Acme.\n",
    "projects/alpha/tasks/design.md": (
        "---\ntitle: Design the flamingo login page\nstatus: in-progress\nassignee: alice\nestimate: 2d\ndue: 2026-12-01\ncreated: 2026-11-02\ntags: [ux]\n---\n"
        "Mockups first. Depends on [[private-task]] and [[private-task|Zanzibar secret merger]].\n\n"
        "![diagram](../diagram.png) and [outside](../../../../outside.txt) and [evil](javascript:alert('xss')) "
        "and [build](build.md) and [[build]].\n\n<script>alert('body-xss')</script>\n\n- [x] sketch\n- [ ] review\n"
    ),
    "projects/alpha/tasks/build.md": "---\ntitle: Build the login page\nstatus: todo\nassignee: bob\nestimate: 3d\ndepends_on: [design]\ncreated: 2026-11-03\n---\nBuild it.\n",
    "projects/alpha/tasks/evil.md": "---\ntitle: \"<script>alert('title-xss')</script> Evil\"\nstatus: todo\nassignee: alice\nestimate: 1d\n---\n<img src=x onerror=alert(1)>\n",
    "projects/alpha/tasks/private-task.md": "---\ntitle: Zanzibar secret merger\nstatus: todo\nvisibility: private\nassignee: alice\nestimate: 1d\n---\nconfidential walrus text\n",
    "projects/alpha/diagram.png": "PNG-BYTES",
    "projects/beta/project.md": "---\ntitle: Globex BETAUNIQUE rollout\nstatus: active\nowner: bob\nclient: globex\n---\nglobex internal pelican\n",
    "projects/beta/tasks/beta-task.md": "---\ntitle: Quokka migration GLOBEXTASK\nstatus: todo\nassignee: bob\nestimate: 1d\n---\nglobex internal pelican\n",
    "decisions/use-postgres.md": "---\ntitle: Use Postgres\nstatus: superseded\nproject: alpha\ndate: 2026-11-05\ndeciders: [alice]\n---\nOld decision.\n",
    "decisions/use-sqlite.md": "---\ntitle: Use SQLite instead\nstatus: accepted\nproject: alpha\ndate: 2026-11-10\ndeciders: [alice, bob]\nsupersedes: [use-postgres]\n---\nNew decision.\n",
    "notes/meeting.md": "# Kickoff meeting\n\nWe talked about [[design]] and [the build](../projects/alpha/tasks/build.md).\n",
    "timelogs/alice/2026-11.md": (
        "---\nperson: alice\n---\n- 2026-11-20 2h design sketches\n- 2026-11-24 1h private-task hush\n- 2026-11-25 3h alpha kickoff\n"
    ),
    "timelogs/bob/2026-11.md": "---\nperson: bob\n---\n- 2026-11-23 4h beta-task quokka GLOBEXUNIQUE\n- 2026-11-24 2h build coding\n",
}


def make_site_workspace(root: Path) -> Path:
    """The test workspace in `root/ws` (with a file outside it, which must never be copied)."""
    ws = root / "ws"
    for relpath, text in FILES.items():
        path = ws / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "outside.txt").write_text("OUTSIDE-SECRET", encoding="utf-8")
    return ws


def build(ws: Path, out: Path, **options: object) -> object:
    index = load_index(ws, TODAY, use_cache=False)
    return build_site(index, BuildOptions(out, jobs=1, **options))  # type: ignore[arg-type]


def all_text(out: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(out.rglob("*")) if p.is_file())


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path]:
    ws = make_site_workspace(tmp_path)
    out = tmp_path / "out"
    build(ws, out)
    return ws, out


def test_builds_every_page_kind(site: tuple[Path, Path]) -> None:
    _, out = site
    for page in ("index.html", "decisions.html", "people.html", "clients.html", "time.html", "activity.html", "quality.html", "search.html",
                 "projects/alpha.html", "d/design.html", "d/use-sqlite.html", "d/alice.html", "d/acme.html", "d/notes/meeting.html",
                 "feed.xml", "feeds/alpha.xml", "search-index.js", "static/style.css", "static/search.js"):
        assert (out / page).is_file(), page
    board = (out / "projects/alpha.html").read_text()
    column = re.search(r'data-status="in-progress">(.*?)</section>', board, re.S)
    assert column is not None and "Design the flamingo login page" in column.group(1)
    assert "Build the login page" not in column.group(1)


def board_cards(page: Path) -> dict[str, str]:
    """The board's cards of a project page, by the title of their task."""
    board = page.read_text(encoding="utf-8").split('<div class="board">', 1)[1].split("</div></section>", 1)[0]
    cards = re.findall(r'<li class="card[^"]*">(.*?)</li>', board, re.S)
    return {re.search(r'<div class="card-title"><a [^>]*>(.*?)</a>', card).group(1): card for card in cards}  # type: ignore[union-attr]


def test_board_cards_say_how_long_a_task_has_been_in_its_column(tmp_path: Path) -> None:
    """As long as the history tells (TODAY is 2026-11-26): since the commit that moved it, since `created:` in the
    workflow's first status, and not at all for a task in another status since its first commit, or a done one."""
    ws = start_git(make_site_workspace(tmp_path), date="2026-11-10T09:00:00")
    build_md = ws / "projects/alpha/tasks/build.md"
    build_md.write_text(build_md.read_text(encoding="utf-8").replace("status: todo", "status: review"), encoding="utf-8")
    _git(ws, "commit", "-qam", "Build in review", date="2026-11-20T09:00:00")
    evil = ws / "projects/alpha/tasks/evil.md"
    evil.write_text(evil.read_text(encoding="utf-8").replace("status: todo", "status: done"), encoding="utf-8")
    _git(ws, "commit", "-qam", "Evil done", date="2026-11-21T09:00:00")
    out = tmp_path / "out"
    build(ws, out)
    cards = board_cards(out / "projects/alpha.html")
    assert '<div class="card-age" title="In review since 2026-11-20">6 days in this column</div>' in cards["Build the login page"]
    assert "card-age" not in cards["Design the flamingo login page"]  # in progress since its first commit: since when is not known
    assert "card-age" not in cards["&lt;script&gt;alert(&#39;title-xss&#39;)&lt;/script&gt; Evil"]  # done
    beta = board_cards(out / "projects/beta.html")
    assert '<div class="card-age" title="In todo since 2026-11-10">16 days in this column</div>' in beta["Quokka migration GLOBEXTASK"]
    # the task's own page says the same (from its own history, so no other task's edit remakes it)
    assert '<p class="in-status">In review for 6 days, since 2026-11-20</p>' in (out / "d/build.html").read_text(encoding="utf-8")
    assert "in-status" not in (out / "d/design.html").read_text(encoding="utf-8") and "in-status" not in (out / "d/evil.html").read_text(encoding="utf-8")
    build_md.write_text(build_md.read_text(encoding="utf-8").replace("status: review", "status: todo"), encoding="utf-8")
    moved = dt.datetime.combine(TODAY, dt.time(12)).timestamp()
    os.utime(build_md, (moved, moved))  # moved back, not committed: the working copy is dated by the file's time
    build(ws, out)
    assert "entered this column today" in board_cards(out / "projects/alpha.html")["Build the login page"]
    assert '<p class="in-status">In todo since today</p>' in (out / "d/build.html").read_text(encoding="utf-8")


def test_board_cards_of_a_todo_task_count_from_its_created_date(tmp_path: Path) -> None:
    ws = start_git(make_site_workspace(tmp_path), date="2026-11-10T09:00:00")
    out = tmp_path / "out"
    build(ws, out)
    card = board_cards(out / "projects/alpha.html")["Build the login page"]
    assert '<div class="card-age" title="In todo since 2026-11-03">23 days in this column</div>' in card
    plain = tmp_path / "plain"
    build(make_site_workspace(tmp_path / "no-git"), plain)
    assert all("card-age" not in card for card in board_cards(plain / "projects/alpha.html").values())  # no history: no age


def test_private_document_appears_in_no_file(site: tuple[Path, Path]) -> None:
    _, out = site
    text = all_text(out)
    for secret in PRIVATE_STRINGS:
        assert secret not in text
    assert not (out / "d/private-task.html").exists()
    design = (out / "d/design.html").read_text()
    assert '<span class="wiki-missing">private-task</span>' in design  # the bare ID, never the label


def test_include_private_shows_it(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    build(ws, tmp_path / "out", audience=Audience(include_private=True))
    assert "Zanzibar secret merger" in (tmp_path / "out/d/private-task.html").read_text()


def test_scripts_and_javascript_links_are_inert(site: tuple[Path, Path]) -> None:
    _, out = site
    text = all_text(out)
    assert "<script>alert" not in text
    assert not re.search(r"""(?:href|src)\s*=\s*["']?\s*javascript:""", text, re.I)
    assert "<img src=x" not in text
    assert "evil</a>" not in (out / "d/design.html").read_text()  # the unsafe link is dropped, its text kept
    evil = (out / "d/evil.html").read_text()
    assert "&lt;script&gt;alert(&#39;title-xss&#39;)&lt;/script&gt; Evil" in evil
    design = (out / "d/design.html").read_text()
    assert "<p>&lt;script&gt;alert('body-xss')&lt;/script&gt;</p>" in design


def test_allow_html_renders_raw_html(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    (ws / "workspace.yml").write_text("name: Acme Test\nsite:\n  allow_html: true\n")
    (ws / "notes/html.md").write_text("# Raw\n\n<kbd>Ctrl</kbd> and [x](javascript:alert(1))\n")
    build(ws, tmp_path / "out")
    page = (tmp_path / "out/d/notes/html.html").read_text()
    assert "<kbd>Ctrl</kbd>" in page and 'href="javascript:' not in page


def test_attachments_copied_and_outside_links_not_followed(site: tuple[Path, Path]) -> None:
    _, out = site
    assert (out / "files/projects/alpha/diagram.png").read_text() == "PNG-BYTES"
    assert "OUTSIDE-SECRET" not in all_text(out)
    design = (out / "d/design.html").read_text()
    assert 'src="../files/projects/alpha/diagram.png"' in design
    assert 'href="build.html"' in design  # a relative .md link becomes the page of that document
    assert "outside.txt</a>" not in design and 'outside.txt"' not in design


def test_every_internal_link_resolves(site: tuple[Path, Path]) -> None:
    _, out = site
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    links = {}
    for page in files:
        if page.endswith(".html"):
            html = (out / page).read_text()
            links[page] = re.findall(r'(?:href|src)="([^"]*)"', html)
            assert not any(h.startswith("/") and not h.startswith("//") for h in links[page]), f"absolute link in {page}"
    assert check_links(links, files) == []


def test_broken_link_warns_and_strict_fails(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    (ws / "site_templates").mkdir()
    (ws / "site_templates/search.html").write_text('{% extends layout %}{% block content %}<a href="nowhere.html">x</a>{% endblock %}')
    broken_twice = '{% extends layout %}{% block content %}<a href="nowhere.html">x</a><a href="nowhere.html#y">y</a>{% endblock %}'
    (ws / "site_templates/decisions.html").write_text(broken_twice)  # the same folder: each page, each link, is warned of
    result = build(ws, tmp_path / "out")
    assert result.warnings == [  # type: ignore[attr-defined]
        "decisions.html: broken link to nowhere.html", "decisions.html: broken link to nowhere.html#y", "search.html: broken link to nowhere.html"
    ]
    with pytest.raises(WorkspaceError, match="broken link"):
        build(ws, tmp_path / "out2", strict=True)


def test_client_site_leaks_nothing_of_other_clients(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    out = tmp_path / "acme"
    build(ws, out, audience=Audience.parse("client:acme"))
    text = all_text(out)
    for leak in GLOBEX_STRINGS + PRIVATE_STRINGS:
        assert leak not in text
    assert "Alpha portal" in text and "Design the flamingo login page" in text
    for money in ("10,000", "budget", "EUR", "rate"):
        assert money not in (out / "projects/alpha.html").read_text()
    assert not (out / "d/globex.html").exists() and not (out / "projects/beta.html").exists()
    assert not list(out.glob("d/timelogs/**/*.html"))
    index = (out / "index.html").read_text()  # the header and footer name the client as the client knows itself
    assert '<span class="audience">for Acme Corp</span>' in index and " for Acme Corp · " in index and "client:acme" not in index


def test_team_site_only_the_teams_projects(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    out = tmp_path / "web"
    build(ws, out, audience=Audience.parse("team:web"))
    assert (out / "projects/alpha.html").exists() and not (out / "projects/beta.html").exists()
    assert "Quokka migration" not in all_text(out)
    assert '<span class="audience">for the web team</span>' in (out / "index.html").read_text()


def test_bad_audience_is_a_usage_error(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    with pytest.raises(UsageError, match="no client 'nobody'"):
        build(ws, tmp_path / "o", audience=Audience.parse("client:nobody"))
    with pytest.raises(UsageError, match="client:ID or team:NAME"):
        Audience.parse("group:x")


def _entry_table(page: str) -> tuple[list[str], list[list[str]]]:
    """The time-entry table of a page: its column headers and its rows' cells, as text."""
    table = re.search(r"<h2>Time entries</h2>.*?</table>", page, re.S)
    assert table is not None
    heads = re.findall(r'<th scope="col">(.*?)</th>', table.group(0))
    cells = r"<td(?: [^>]*)?>(.*?)</td>"
    rows = [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(cells, row)] for row in re.findall(r"<tr><td[ >].*?</tr>", table.group(0))]
    return heads, rows


def test_time_entries_leave_out_the_column_that_names_the_page_s_own_document(site: tuple[Path, Path]) -> None:
    _, out = site
    heads, rows = _entry_table((out / "d/design.html").read_text(encoding="utf-8"))  # a task: who logged, not what for
    assert heads == ["Date", "Person", "Hours", "Note"] and rows == [["2026-11-20", "Alice Able", "2h", "sketches"]]
    heads, rows = _entry_table((out / "d/bob.html").read_text(encoding="utf-8"))  # a person: what for, not who
    assert heads == ["Date", "For", "Hours", "Note"]
    assert rows == [["2026-11-24", "Build the login page", "2h", "coding"], ["2026-11-23", "Quokka migration GLOBEXTASK", "4h", "quokka GLOBEXUNIQUE"]]
    heads, rows = _entry_table((out / "d/timelogs/bob/2026-11.html").read_text(encoding="utf-8"))  # one person's log
    assert heads == ["Date", "For", "Hours", "Note"] and len(rows) == 2 and all(len(row) == 4 for row in rows)


def test_superseded_decision_has_banner(site: tuple[Path, Path]) -> None:
    _, out = site
    old = (out / "d/use-postgres.html").read_text()
    assert "superseded</strong> by <a href=\"use-sqlite.html\">Use SQLite instead</a>" in old


def test_incremental_rebuild_renders_only_changed_pages(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    out = tmp_path / "out"
    first = build(ws, out)
    again = build(ws, out)
    assert again.rendered == 0 and again.written == 0  # type: ignore[attr-defined]
    build_md = ws / "projects/alpha/tasks/build.md"
    build_md.write_text(build_md.read_text().replace("Build it.", "Build it now."))
    third = build(ws, out)
    assert 0 < third.rendered < first.rendered / 2  # type: ignore[attr-defined]
    assert "Build it now." in (out / "d/build.html").read_text()


def test_page_of_a_document_made_private_is_removed(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    out = tmp_path / "out"
    build(ws, out)
    assert (out / "d/notes/meeting.html").exists()
    (ws / "notes/meeting.md").write_text("---\nvisibility: private\n---\n# Kickoff meeting\n")
    result = build(ws, out)
    assert not (out / "d/notes/meeting.html").exists() and result.removed >= 1  # type: ignore[attr-defined]
    assert "Kickoff meeting" not in all_text(out)


def test_out_over_workspace_is_refused(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    with pytest.raises(UsageError, match="over the workspace"):
        build(ws, ws)


def test_search_index_has_visible_documents_only(site: tuple[Path, Path]) -> None:
    _, out = site
    script = (out / "search-index.js").read_text()
    assert "Design the flamingo login page" in script and "Zanzibar" not in script and "private-task\"" not in script


def _git(ws: Path, *args: str, date: str = "2026-11-20T10:00:00") -> None:
    import os
    import subprocess

    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_NAME": "Alice Able",
           "GIT_AUTHOR_EMAIL": "alice@example.com", "GIT_COMMITTER_NAME": "Alice Able", "GIT_COMMITTER_EMAIL": "alice@example.com"}
    subprocess.run(["git", *args], cwd=ws, env=env, check=True, capture_output=True)


def start_git(ws: Path, message: str = "Start", date: str = "2026-11-10T09:00:00") -> Path:
    """Make `ws` a git repository with everything in it committed once (by Alice Able, at `date`)."""
    _git(ws, "init", "-q", "-b", "main")
    _git(ws, "add", "-A")
    _git(ws, "commit", "-q", "-m", message, date=date)
    return ws


def _build_in_review_committed(tmp_path: Path, date: str) -> tuple[Path, Path]:
    """The test workspace in git (everything committed on 2026-11-10), then build moved to review in a commit at
    `date`, and its site built: (workspace, output)."""
    ws = start_git(make_site_workspace(tmp_path))
    build_md = ws / "projects/alpha/tasks/build.md"
    build_md.write_text(build_md.read_text(encoding="utf-8").replace("status: todo", "status: review"), encoding="utf-8")
    _git(ws, "commit", "-qam", "Build in review", date=date)
    out = tmp_path / "out"
    build(ws, out)
    return ws, out


def test_feed_entries_carry_their_commit_s_time_and_author(tmp_path: Path) -> None:
    """A feed reader sorts and shows entries by `updated` and `author`: a committed change is dated by its commit (in
    UTC), not the start of its day, and signed by whoever made it; the feed is as new as its newest entry."""
    import xml.etree.ElementTree as ET

    _, out = _build_in_review_committed(tmp_path, "2026-11-20T14:35:10+00:00")
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(out / "feed.xml").getroot()
    newest = feed.findall(f"{atom}entry")[0]
    assert "build" in (newest.findtext(f"{atom}title") or "") and newest.findtext(f"{atom}updated") == "2026-11-20T14:35:10Z"
    assert newest.findtext(f"{atom}author/{atom}name") == "alice"  # as the activity page names her: her ID
    assert feed.findtext(f"{atom}updated") == "2026-11-20T14:35:10Z"


def test_feed_entry_ids_stay_the_same_when_newer_entries_arrive(tmp_path: Path) -> None:
    """A feed reader knows an entry by its ID: a new commit adds entries, and the ones it had keep their IDs
    (valid URIs, no spaces), so none shows up as new a second time."""
    import xml.etree.ElementTree as ET

    ws, out = _build_in_review_committed(tmp_path, "2026-11-20T14:35:10+00:00")
    atom = "{http://www.w3.org/2005/Atom}"

    def ids() -> list[str]:
        return [e.findtext(f"{atom}id") or "" for e in ET.parse(out / "feed.xml").getroot().findall(f"{atom}entry")]

    before = ids()
    assert len(before) == len(set(before)) > 2 and not any(" " in i for i in before)
    build_md = ws / "projects/alpha/tasks/build.md"
    build_md.write_text(build_md.read_text(encoding="utf-8").replace("status: review", "status: done"), encoding="utf-8")
    _git(ws, "commit", "-qam", "Build done", date="2026-11-21T10:00:00+00:00")
    build(ws, out)
    after = ids()
    assert len(after) == len(before) + 1 and after[1:] == before


def test_dashboard_sums_up_a_commit_that_changed_many_documents(tmp_path: Path) -> None:
    """The first commit created every document: after the newer news, the dashboard lists two of its events and how
    many more it made, instead of twelve lines of one commit. The activity page still lists every event."""
    _, out = _build_in_review_committed(tmp_path, "2026-11-20T09:00:00")
    dashboard = (out / "index.html").read_text(encoding="utf-8").split('id="h-activity"', 1)[1].split("</ul>", 1)[0]
    lines = [re.sub(r"<[^>]+>", "", line) for line in re.findall(r"<li.*?</li>", dashboard, re.S)]
    first = sum(1 for line in lines if "2026-11-10" in line)
    assert "moved build to review" in lines[0]
    assert first == 3 and re.search(r"made (\d+) more changes in the same commit", lines[-1])
    more = int(re.search(r"made (\d+) more", lines[-1]).group(1))  # type: ignore[union-attr]
    activity = (out / "activity.html").read_text(encoding="utf-8")
    assert activity.count("2026-11-10") >= 1 and len(re.findall(r"<li", activity.split("2026-11-10", 1)[1])) == more + 2


def test_a_terminal_sees_the_pages_being_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """`wm site build` asks for a progress bar (shown on a terminal after half a second): it counts every page model
    made and is cleared at the end; a library build asks for none."""
    from workspace_tool.history import progress

    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "EVERY", 0.0)
    ws = make_site_workspace(tmp_path)
    result: Any = build(ws, tmp_path / "quiet")
    assert "making pages" not in capsys.readouterr().err
    result = build(ws, tmp_path / "out", progress=True)
    err = capsys.readouterr().err
    assert f"wm: making pages [{'#' * 30}] {result.models:,}/{result.models:,}" in err
    assert err.endswith("\r")  # the bar's line is cleared


def test_history_of_public_documents_never_shows_private_ones(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    start_git(ws)
    meeting = ws / "notes/meeting.md"
    meeting.write_text(meeting.read_text() + "\nWe also discussed the Zanzibar secret merger.\n")
    _git(ws, "commit", "-q", "-am", "Notes on Zanzibar secret merger", date="2026-11-12T09:00:00")
    meeting.write_text(meeting.read_text().replace("\nWe also discussed the Zanzibar secret merger.\n", "\n"))
    _git(ws, "commit", "-q", "-am", "Remove that", date="2026-11-13T09:00:00")
    secret = ws / "projects/alpha/tasks/private-task.md"
    secret.write_text(secret.read_text() + "more confidential walrus text\n")
    _git(ws, "commit", "-q", "-am", "Only the hidden task changed: hush-hush", date="2026-11-14T09:00:00")
    out = tmp_path / "out"
    build(ws, out)
    text = all_text(out)
    for leak in (*PRIVATE_STRINGS, "hush-hush"):
        assert leak not in text
    page = (out / "d/notes/meeting.html").read_text()
    assert "Notes on [private]" in page and "[private]" in page.split("Notes on [private]", 1)[1]
    assert "Remove that" in page


def test_broken_workspace_template_is_one_error_naming_template_and_line(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    (ws / "site_templates").mkdir()
    (ws / "site_templates/decisions.html").write_text("{% extends layout %}\n{% block content %}\n{{ nope( }}\n{% endblock %}\n")
    with pytest.raises(WorkspaceError) as caught:
        build(ws, tmp_path / "out")
    message = caught.value.message
    assert "\n" not in message
    assert "decisions.html: page failed to render: " in message and "site_templates/decisions.html:3: " in message


def test_audience_site_history_names_only_people_it_shows(tmp_path: Path) -> None:
    """A commit by someone the client site does not show is by "someone" in every History section, as in the activity."""
    ws = make_site_workspace(tmp_path)
    start_git(ws)
    design = ws / "projects/alpha/tasks/design.md"
    design.write_text(design.read_text().replace("status: in-progress", "status: review"))
    _git(ws, "-c", "user.name=Zed Contractor", "-c", "user.email=zed@outside.example", "commit", "-q", "-am", "Review", date="2026-11-12T09:00:00")
    _git(ws, "commit", "-q", "--amend", "--no-edit", "--author=Zed Contractor <zed@outside.example>", date="2026-11-12T09:00:00")
    internal, acme = tmp_path / "internal", tmp_path / "acme"
    build(ws, internal)
    build(ws, acme, audience=Audience.parse("client:acme"))
    assert "Zed Contractor" in (internal / "d/design.html").read_text()
    page = (acme / "d/design.html").read_text()
    assert "Zed Contractor" not in all_text(acme) and '<span class="author">someone</span>' in page
    assert '<span class="author">Alice Able</span>' in page  # a person the client site shows keeps her name


def test_a_client_site_names_no_hidden_document_and_no_ones_own_details(tmp_path: Path) -> None:
    """A commit message naming another client's task by ID, an e-mail address changed in a version, a person's
    capacity and leave, time entries' notes and billing tags: none of it is on Acme's site; all of it on the internal one."""
    ws = make_site_workspace(tmp_path)
    start_git(ws)
    alice = ws / "people/alice.md"
    alice.write_text(alice.read_text().replace("email: alice@example.com", "email: alice@newmail.example\nleave: [2026-12-01]"))
    design = ws / "projects/alpha/tasks/design.md"
    design.write_text(design.read_text().replace("status: in-progress", "status: review"))
    _git(ws, "commit", "-q", "-am", "Design to review, like beta-task; alice's address", date="2026-11-12T09:00:00")
    with (ws / "timelogs/alice/2026-11.md").open("a", encoding="utf-8") as handle:
        handle.write("- 2026-11-21 1h design walrus-note #nonbillable\n")
    internal, acme = tmp_path / "internal", tmp_path / "acme"
    build(ws, internal)
    build(ws, acme, audience=Audience.parse("client:acme"))
    inside, outside = all_text(internal), all_text(acme)
    for detail in ("beta-task", "alice@newmail.example", "walrus-note", "nonbillable"):
        assert detail in inside and detail not in outside, detail
    assert "Design to review, like [private]" in (acme / "d/design.html").read_text()
    people = (acme / "people.html").read_text()
    assert "capacity" not in people and "Workload of Alice Able: booked<" in people


def test_this_weeks_capacity_counts_from_the_plans_first_day(tmp_path: Path) -> None:
    """Today is Thursday 2026-11-26: the plan books from today, so this week's capacity is Thursday and Friday's, as in
    `wm workload` (Alice works 6h a day: 12h, not 30h)."""
    ws = make_site_workspace(tmp_path)
    out = tmp_path / "out"
    build(ws, out)
    desc = re.search(r'<desc id="wl0-d">([^<]*)</desc>', (out / "people.html").read_text()).group(1)  # type: ignore[union-attr]
    assert "2026-W48: booked" in desc and desc.split("2026-W48: booked ", 1)[1].split(";", 1)[0].endswith("capacity 12"), desc
    assert "2026-W49: booked" in desc and desc.split("2026-W49: booked ", 1)[1].split(";", 1)[0].endswith("capacity 30"), desc


def test_hours_logged_this_month_leave_out_future_entries(tmp_path: Path) -> None:
    """People and dashboard agree: an entry dated after today is not "logged this month" yet."""
    ws = make_site_workspace(tmp_path)
    with (ws / "timelogs/bob/2026-11.md").open("a", encoding="utf-8") as handle:
        handle.write("- 2026-11-29 5h build planned ahead\n")
    out = tmp_path / "out"
    build(ws, out)
    people = (out / "people.html").read_text()
    assert re.search(r"Bob Baker</a></h2>\s*<p>[^<]*· 6h logged this month", people), people[people.find("Bob Baker"):][:400]


def test_dashboard_lists_the_most_urgent_and_attention_page_all(tmp_path: Path) -> None:
    """Past `DASHBOARD_ROWS` overdue tasks the dashboard shows the most overdue and the count; `attention.html` lists every one."""
    from workspace_tool.site.pages_overview import DASHBOARD_ROWS

    ws = make_site_workspace(tmp_path)
    total = DASHBOARD_ROWS + 5
    for n in range(total):  # due 2026-10-01 .. 2026-10-25: the lowest numbers are the most overdue
        (ws / f"projects/alpha/tasks/late-{n:02d}.md").write_text(
            f"---\ntitle: Late chore {n:02d}\nstatus: todo\ndue: 2026-10-{n + 1:02d}\n---\n", encoding="utf-8")
    out = tmp_path / "out"
    build(ws, out)
    dashboard = (out / "index.html").read_text()
    section = re.search(r'<h2 id="h-overdue">Overdue <span class="count">\((\d+)\)</span></h2>(.*?)</section>', dashboard, re.S)
    assert section is not None and section.group(1) == str(total)
    assert re.findall(r"Late chore (\d\d)", section.group(2)) == [f"{n:02d}" for n in range(DASHBOARD_ROWS)]
    assert f'The {DASHBOARD_ROWS} most urgent of {total}. <a href="attention.html#overdue">All {total}</a>' in section.group(2)
    attention = (out / "attention.html").read_text()
    overdue = re.search(r'<h2 id="overdue">(.*?)</section>', attention, re.S)
    assert overdue is not None and f"({total})" in overdue.group(1)
    assert re.findall(r"Late chore (\d\d)", overdue.group(1)) == [f"{n:02d}" for n in range(total)]
    blocked = re.search(r'<h2 id="h-blocked">Blocked <span class="count">\(1\)</span></h2>(.*?)</section>', dashboard, re.S)
    assert blocked is not None and "Build the login page" in blocked.group(1) and "most urgent" not in blocked.group(1)


def test_a_started_task_s_planned_dates_are_those_of_the_work_left(site: tuple[Path, Path]) -> None:
    """design is in progress: its page says when the work left is planned from; build, still to do, its planned start."""
    _, out = site
    design = (out / "d/design.html").read_text(encoding="utf-8")
    build = (out / "d/build.html").read_text(encoding="utf-8")
    assert "<dt>Work left planned from</dt>" in design and "<dt>Planned start</dt>" not in design
    assert "<dt>Planned start</dt>" in build and "Work left" not in build


def test_progress_leaves_out_parents_of_subtasks_as_the_report_does(tmp_path: Path) -> None:
    """A parent's estimate is its subtasks' work again: the dashboard, the project page and the people page count
    it once, as `wm report projects` and `wm report people` do."""
    ws = make_site_workspace(tmp_path)
    (ws / "projects/alpha/tasks/epic.md").write_text("---\ntitle: Epic\nstatus: todo\nassignee: bob\nestimate: 10d\n---\n", encoding="utf-8")
    (ws / "projects/alpha/tasks/part.md").write_text(
        "---\ntitle: Part\nstatus: done\nassignee: bob\nestimate: 1d\nparent: epic\ndone: 2026-11-20\n---\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    build(ws, out)
    rows = re.findall(r"<tr>.*?</tr>", (out / "index.html").read_text(encoding="utf-8"), re.S)
    row = next(r for r in rows if "Alpha portal" in r and " tasks</small>" in r)
    assert "1/4 tasks" in row and "14%" in row  # design, build, evil, part: 8h done of 56h; not the epic's 80h
    bob = (out / "people.html").read_text(encoding="utf-8").split(">Bob Baker</a></h2>", 1)[1].split("</p>", 1)[0]
    assert "2 open tasks (32h remaining)" in bob, bob  # build and beta-task; the epic is its subtask's work again


def test_a_body_s_leading_title_heading_is_not_a_second_h1(tmp_path: Path) -> None:
    """`# Bob Baker` atop Bob's body repeats the page's title: the page has one <h1>; another first heading stays."""
    ws = make_site_workspace(tmp_path)
    (ws / "notes/other.md").write_text("# Not the title\n\nText.\n", encoding="utf-8")
    (ws / "notes/titled.md").write_text("---\ntitle: Plan\n---\n\n# Plan\n\nThe plan itself.\n", encoding="utf-8")
    out = tmp_path / "out"
    build(ws, out)
    bob = (out / "d/bob.html").read_text(encoding="utf-8")
    assert bob.count("<h1") == 1 and "Also on call for Globex" in bob
    titled = (out / "d/notes/titled.html").read_text(encoding="utf-8")
    assert titled.count("<h1") == 1 and "The plan itself." in titled
    other = (out / "d/notes/other.html").read_text(encoding="utf-8")
    assert "Not the title" in other and "Text." in other
