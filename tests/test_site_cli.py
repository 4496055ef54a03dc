"""`wm site build` through the real command line, on the test workspace and on sample_workspace."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from test_site_build import make_site_workspace

REPO = Path(__file__).resolve().parent.parent


def test_build_prints_a_summary(wm: Any, tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    result = wm("-C", str(ws), "site", "build", "--out", str(tmp_path / "out"), "-j", "1")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"built 24 pages into {tmp_path / 'out'} in ")
    assert (tmp_path / "out/index.html").is_file()


def test_default_output_is_site_in_the_workspace(wm: Any, tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    assert wm("-C", str(ws), "site", "build").exit_code == 0
    assert (ws / "site/index.html").is_file() and list((ws / ".wm/site").glob("*.marshal"))


def test_an_output_folder_holding_documents_a_file_or_one_that_cannot_be_made_is_refused(wm: Any, tmp_path: Path) -> None:
    """The site's files would lie among the documents (and a later build removes what it no longer writes): one line
    naming a document there, exit 2, nothing written; a file, or a folder that cannot be made, is named as such."""
    ws = make_site_workspace(tmp_path)
    before = sorted(p.relative_to(ws) for p in ws.rglob("*") if ".wm" not in p.parts)
    result = wm("-C", str(ws), "site", "build", "--out", str(ws / "projects"))
    assert result.exit_code == 2 and result.output.startswith(f"wm: --out {ws / 'projects'} holds workspace documents (projects/")
    assert result.output.endswith(f"build into a folder of its own, such as {ws / 'site'}\n")
    assert sorted(p.relative_to(ws) for p in ws.rglob("*") if ".wm" not in p.parts) == before
    assert wm("-C", str(ws), "site", "build", "--out", str(ws / "workspace.yml")).output == (
        f"wm: --out {ws / 'workspace.yml'} is a file, not a folder; choose a folder such as {ws / 'site'}\n"
    )
    (tmp_path / "locked").write_text("a file", encoding="utf-8")
    result = wm("-C", str(ws), "site", "build", "--out", str(tmp_path / "locked" / "site"))
    assert result.exit_code == 1 and result.output.startswith(f"wm: --out {tmp_path / 'locked' / 'site'}: cannot make the folder: ")
    assert "internal error" not in result.output


def test_bad_audience_is_one_line_exit_2(wm: Any, tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    result = wm("-C", str(ws), "site", "build", "--out", str(tmp_path / "o"), "--for", "client:nobody")
    assert result.exit_code == 2
    assert result.output == "wm: no client 'nobody' for --for (known clients: acme, globex)\n"
    result = wm("-C", str(ws), "site", "build", "--out", str(tmp_path / "o"), "--for", "team:web", "--include-private")
    assert result.exit_code == 2 and "cannot be combined" in result.output


def test_feeds_are_atom_with_absolute_links_under_base_url(wm: Any, tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    out = tmp_path / "out"
    assert wm("-C", str(ws), "site", "build", "--out", str(out), "--base-url", "https://status.example.com/acme/").exit_code == 0
    feed = ET.parse(out / "feed.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.tag == f"{atom}feed"
    entries = feed.findall(f"{atom}entry")
    assert entries and all(e.find(f"{atom}updated") is not None for e in entries)
    links = [link.get("href") or "" for e in entries for link in e.findall(f"{atom}link")]
    assert links and all(h.startswith("https://status.example.com/acme/") for h in links)
    assert ET.parse(out / "feeds/alpha.xml").getroot().find(f"{atom}title").text == "Alpha portal: activity"  # type: ignore[union-attr]


def test_help_has_examples(wm: Any) -> None:
    for args in (["site", "--help"], ["site", "build", "--help"], ["site", "serve", "--help"]):
        result = wm(*args)
        assert result.exit_code == 0 and "Example:" in result.output


def test_sample_workspace_builds_strict(wm: Any, tmp_path: Path) -> None:
    out = tmp_path / "northwind"
    result = wm("-C", str(REPO / "sample_workspace"), "site", "build", "--strict", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Northwind" in (out / "index.html").read_text()
    for client in ("fjordline-credit", "greenleaf-clinics"):
        audience = tmp_path / client
        assert wm("-C", str(REPO / "sample_workspace"), "site", "build", "--strict", "--for", f"client:{client}", "--out", str(audience)).exit_code == 0
        assert (audience / "index.html").is_file()


def test_a_cache_restored_without_trust_gets_a_note_once(wm: Any, tmp_path: Path, monkeypatch: Any) -> None:
    """CI without WM_TRUST_CACHE: the build works (from scratch) and says why, on stderr, not as a warning (--strict passes)."""
    import shutil

    from test_site_build import start_git

    from workspace_tool.cli.site import RESTORED_NOTE

    ws = start_git(make_site_workspace(tmp_path))
    assert wm("-C", str(ws), "site", "build", "--out", str(tmp_path / "out")).exit_code == 0
    assert (ws / ".wm/history/manifest.json").is_file()
    monkeypatch.delenv("WM_TRUST_CACHE", raising=False)
    for name, trust in (("restored", "0"), ("vouched", "1")):
        copy = tmp_path / name
        shutil.copytree(ws, copy)
        monkeypatch.setenv("WM_TRUST_CACHE", trust)
        result = wm("-C", str(copy), "site", "build", "--out", str(tmp_path / f"{name}-out"), "--strict")
        assert result.exit_code == 0, result.output
        assert (RESTORED_NOTE in result.stderr) == (trust == "0"), name
        again = wm("-C", str(copy), "site", "build", "--out", str(tmp_path / f"{name}-out"), "--strict")
        assert again.exit_code == 0 and RESTORED_NOTE not in again.stderr  # written as this folder's own
