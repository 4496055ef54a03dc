"""Hostile input to `wm site build` (audit 2026-11-28, findings 3, 7, 8, 11): workspace templates run in a sandbox,
every document has a page of its own, a long name builds, and `--strict` fails when documents are left out."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Callable

import jinja2.sandbox
import pytest
from click.testing import Result
from test_site_build import build, make_site_workspace

from workspace_tool import loader
from workspace_tool.errors import WorkspaceError
from workspace_tool.filemode import new_file_mode
from workspace_tool.site.build import check_links
from workspace_tool.site.context import page_clashes, page_name
from workspace_tool.site.render import write_if_changed

EXPLOIT = '{{ cycler.__init__.__globals__.os.popen("echo owned > %s").read() }}'


def _heading(page: Path) -> str:
    found = re.search(r"<h1>(.*?)\s*</h1>", page.read_text(encoding="utf-8"), re.S)
    return found.group(1) if found else ""


def _note(ws: Path, name: str, text: str = "") -> None:
    (ws / "notes" / f"{name}.md").write_text(f"---\ntitle: T-{name}\n---\n{text}\n", encoding="utf-8")


# -- 3: workspace templates run in the sandbox ----------------------------------


def test_a_workspace_template_cannot_run_code(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    marker = tmp_path / "PWNED"
    (ws / "site_templates").mkdir()
    (ws / "site_templates/search.html").write_text("{% extends layout %}{% block content %}" + EXPLOIT % marker + "{% endblock %}")
    with pytest.raises(WorkspaceError, match=r"search\.html.*(unsafe|SecurityError)"):
        build(ws, tmp_path / "out")
    assert not marker.exists()


def test_a_workspace_template_cannot_change_the_data_it_is_shown(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    (ws / "site_templates").mkdir()
    (ws / "site_templates/search.html").write_text("{% extends layout %}{% block content %}{{ nav.append(1) }}{% endblock %}")
    with pytest.raises(WorkspaceError, match="unsafe"):
        build(ws, tmp_path / "out")


def test_a_workspace_template_still_has_the_sites_filters_and_globals(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    (ws / "site_templates").mkdir()
    override = "{% extends layout %}{% block content %}<p id=t>{{ 1500|num }} {{ 'd/design.html'|u }} {{ site_name }} {{ shared('_nav_site.html')|length > 0 }}</p>{% endblock %}"
    (ws / "site_templates/search.html").write_text(override)
    build(ws, tmp_path / "out")
    found = re.search(r"<p id=t>(.*?)</p>", (tmp_path / "out/search.html").read_text(encoding="utf-8"))
    assert found is not None and found.group(1).startswith("1,500 d/design.html ") and found.group(1).endswith(" True")


# -- 7: one page per document ---------------------------------------------------

COLLIDING = ["会議", "議事", "a b", "a#b", "a_b", "a?b", "a%b", "über-plan", "äber-plan", "a..b"]


def test_documents_that_used_to_share_a_page_each_have_their_own(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    for name in COLLIDING:
        _note(ws, name, "see [[会議]] and [[a b]]")
    out = tmp_path / "out"
    result: Any = build(ws, out, strict=True)
    assert result.warnings == []
    pages = {}
    for name in COLLIDING:
        page = page_name(f"notes/{name}")
        assert _heading(out / "d" / f"{page}.html") == f"T-{name}", name
        pages[name] = page
    assert len(set(pages.values())) == len(COLLIDING)
    assert pages["会議"] == "notes/会議" and pages["über-plan"] == "notes/über-plan" and pages["a_b"] == "notes/a_b"  # readable, unchanged
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    links = {page: re.findall(r'(?:href|src)="([^"]*)"', (out / page).read_text(encoding="utf-8")) for page in files if page.endswith(".html")}
    assert check_links(links, files) == []
    linking = (out / "d/notes/議事.html").read_text(encoding="utf-8")
    assert 'href="会議.html"' in linking and f'href="{pages["a b"].removeprefix("notes/")}.html"' in linking


def test_page_names_are_stable_unique_and_safe() -> None:
    ids = ["notes/a b", "notes/a_b", "notes/a~b", "../x", "/x", "x/", "a//b", ".hidden", "notes/.x", "", "a" * 300, "é" * 200]
    names = [page_name(i) for i in ids]
    assert len(set(names)) == len(ids)
    assert names == [page_name(i) for i in ids]  # the same in every build
    assert page_name("notes/a b") == "notes/a_b~" + __import__("hashlib").sha256(b"notes/a b").hexdigest()[:10]
    for name in names:
        segments = name.split("/")
        assert all(s and not s.startswith(".") and len(s.encode()) <= 161 for s in segments), name


class Doc:
    """What `page_clashes` reads of a document."""

    def __init__(self, doc_id: str, path: str) -> None:
        self.id, self.path, self.type = doc_id, path, "note"


def test_two_documents_on_one_page_are_warned_of() -> None:
    first, second = Doc("notes/x", "notes/x.md"), Doc("notes/x", "other/x.md")
    assert page_clashes([first, second]) == [  # type: ignore[list-item]
        "other/x.md: its page d/notes/x.html is also that of notes/x.md (id 'notes/x'), so one of them is left out; give one of them an id: of its own"
    ]
    assert page_clashes([first, Doc("notes/y", "notes/y.md")]) == []  # type: ignore[list-item]


def test_pages_that_differ_only_in_case_are_warned_of() -> None:
    """`Plan` and `plan` are two pages on Linux and one file on a disk that ignores case (a site copied to macOS)."""
    upper, lower = Doc("notes/Plan", "notes/Plan.md"), Doc("notes/plan", "notes/plan.md")
    assert page_clashes([upper, lower]) == [  # type: ignore[list-item]
        "notes/plan.md: its page d/notes/plan.html differs from d/notes/Plan.html (of notes/Plan.md) only in case, so on a disk "
        "that ignores case (macOS, Windows) one would overwrite the other; give one of them an id: that differs in more than case"
    ]
    assert page_clashes([upper, Doc("notes/plans", "notes/plans.md")]) == []  # type: ignore[list-item]


def test_renaming_keeps_incremental_builds_and_the_file_list(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    _note(ws, "a b")
    out = tmp_path / "out"
    build(ws, out)
    page = out / "d" / f"{page_name('notes/a b')}.html"
    assert page.is_file() and f"d/{page_name('notes/a b')}.html" in (out / ".wm-files").read_text(encoding="utf-8")
    again: Any = build(ws, out)
    assert again.rendered == 0 and again.written == 0
    (ws / "notes/a b.md").unlink()
    build(ws, out)
    assert not page.exists()


# -- 8: long names ----------------------------------------------------------------


def test_a_long_file_name_or_id_builds(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    long_stem = "a" * 246
    _note(ws, long_stem)
    (ws / "notes/lid.md").write_text("---\nid: " + "b" * 300 + "\ntitle: long id\n---\n", encoding="utf-8")
    out = tmp_path / "out"
    result: Any = build(ws, out, strict=True)
    assert result.warnings == []
    assert _heading(out / "d" / f"{page_name('notes/' + long_stem)}.html") == f"T-{long_stem}"
    assert _heading(out / "d" / f"{page_name('b' * 300)}.html") == "long id"
    assert not list(out.rglob("*.wm-tmp"))


def test_write_if_changed_uses_a_short_temporary_name_and_a_readable_mode(tmp_path: Path) -> None:
    target = tmp_path / ("p" * 250 + ".html")  # 255 bytes: no room for `.NAME.wm-tmp`
    assert write_if_changed(target, b"<p>1</p>")
    assert target.read_bytes() == b"<p>1</p>"
    assert not write_if_changed(target, b"<p>1</p>")
    assert write_if_changed(target, b"<p>2</p>")
    assert target.read_bytes() == b"<p>2</p>" and target.stat().st_mode & 0o777 == new_file_mode()  # not mkstemp's 0600
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


# -- 11: --strict and documents left out ---------------------------------------


def test_strict_fails_when_a_file_is_left_out(tmp_path: Path, wm: Callable[..., Result]) -> None:
    ws = make_site_workspace(tmp_path)
    (ws / "notes/broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    done = wm("-C", str(ws), "site", "build", "--out", str(tmp_path / "out"))
    assert done.exit_code == 0 and "1 warning" in done.output
    assert done.stderr.count("notes/broken.md:2") == 1  # said once: as a warning of the build
    done = wm("-C", str(ws), "site", "build", "--strict", "--out", str(tmp_path / "out"))
    assert done.exit_code == 1
    assert "notes/broken.md:2: invalid YAML" in done.stderr and "left out of the site" in done.stderr


def test_strict_fails_when_a_folder_cannot_be_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = make_site_workspace(tmp_path)
    (ws / "locked").mkdir()
    _note(ws, "fine")
    scandir = os.scandir

    def refuse(path: Any) -> Any:
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied")
        return scandir(path)

    monkeypatch.setattr(loader.os, "scandir", refuse)
    result: Any = build(ws, tmp_path / "out")
    assert result.warnings == ["locked/: cannot read folder: Permission denied: what it holds is left out of the site"]
    with pytest.raises(WorkspaceError, match="--strict: 1 warning.*locked/"):
        build(ws, tmp_path / "out2", strict=True)


def test_sandbox_is_jinjas() -> None:
    from workspace_tool.site.render import RenderSettings, make_env

    assert isinstance(make_env(RenderSettings((), {})), jinja2.sandbox.ImmutableSandboxedEnvironment)
