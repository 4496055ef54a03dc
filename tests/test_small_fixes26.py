"""Three small fixes: an ambiguous `[[stem]]` on the site, NFC IDs in the history, the merge driver's labels in a rebase."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_history_support import Repo

from workspace_tool.errors import WorkspaceError
from workspace_tool.history.snapshot import identity
from workspace_tool.merge import Replay, conflict_labels, merging_name, ref_name, replayed_commit
from workspace_tool.site import Audience, BuildOptions, build_site
from workspace_tool.site.build import load_stage
from workspace_tool.site.markdown import LinkMap, WikiTarget, make_markdown, render_body
from workspace_tool.site.markdown_fast import fast_render
from workspace_tool.site.pages import ambiguous_links
from workspace_tool.workspace import load_index

TODAY = dt.date(2026, 11, 26)

# -- 1. the site: a `[[stem]]` several notes share --------------------------------------------------

NOTES = {
    "workspace.yml": "name: Stems\n",
    "notes/alpha/plan.md": "# Alpha plan\n\nA.\n",
    "notes/beta/plan.md": "---\nvisibility: private\n---\n# Zanzibar plan\n\nB.\n",
    "notes/gamma/plan.md": "# Gamma plan\n\nC.\n",
    "notes/one/retro.md": "# Retro one\n",
    "notes/two/retro.md": "---\nvisibility: private\n---\n# Retro two\n",
    "notes/hub.md": "# Hub\n\nSee [[plan]] and [[plan#goals|Zanzibar label]].\n\nAlso [[retro]] and [[nowhere]].\n",
}


def make_notes(root: Path) -> Path:
    for relpath, text in NOTES.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def site(root: Path, out: Path, **options: Any) -> Any:
    index = load_index(root, TODAY, use_cache=False)
    return build_site(index, BuildOptions(out, jobs=1, history=False, **options))


def hub_body(out: Path) -> str:
    html = (out / "d/notes/hub.html").read_text(encoding="utf-8")
    return html[html.index("<p>See") :]


def test_an_ambiguous_stem_links_to_each_note_the_site_shows_never_a_hidden_one(tmp_path: Path) -> None:
    ws = make_notes(tmp_path / "ws")
    site(ws, tmp_path / "out")
    body = hub_body(tmp_path / "out")
    candidates = '(<a class="wiki" href="alpha/plan.html">notes/alpha/plan</a>, <a class="wiki" href="gamma/plan.html">notes/gamma/plan</a>)'
    assert f'<span class="wiki-ambiguous" title="ambiguous link: 2 notes are named plan">plan <span class="wiki-candidates">{candidates}</span></span>' in body
    assert 'href="alpha/plan.html#goals">notes/alpha/plan</a>, <a class="wiki" href="gamma/plan.html#goals">' in body  # the fragment kept
    assert '<span class="wiki-missing">plan</span>' not in body
    # one note of `retro` shown, one hidden: the bare stem, as a hidden document's link (a list of one would tell)
    assert '<span class="wiki-missing">retro</span>' in body and '<span class="wiki-missing">nowhere</span>' in body
    assert "notes/beta/plan" not in body and "Zanzibar" not in body and "notes/two/retro" not in body


def test_with_include_private_the_private_notes_are_candidates_too(tmp_path: Path) -> None:
    ws = make_notes(tmp_path / "ws")
    site(ws, tmp_path / "out", audience=Audience(include_private=True))
    body = hub_body(tmp_path / "out")
    assert 'title="ambiguous link: 3 notes are named plan"' in body
    assert '<a class="wiki" href="beta/plan.html">notes/beta/plan</a>' in body
    assert '<a class="wiki" href="two/retro.html">notes/two/retro</a>' in body
    assert "Zanzibar label" not in body  # an ambiguous link shows its stem, not its label


def test_the_link_check_warns_of_each_ambiguous_link_naming_page_line_and_the_notes(tmp_path: Path) -> None:
    ws = make_notes(tmp_path / "ws")
    data = load_stage(load_index(ws, TODAY, use_cache=False), BuildOptions(tmp_path / "out", history=False))
    assert ambiguous_links(data) == [
        "d/notes/hub.html: ambiguous link [[plan]] (notes/hub.md:3): 3 notes have that name: notes/alpha/plan, notes/gamma/plan "
        "and 1 not on this site; link the one meant by its ID, e.g. [[notes/alpha/plan]]",
        "d/notes/hub.html: ambiguous link [[retro]] (notes/hub.md:5): 2 notes have that name: notes/one/retro and 1 not on this "
        "site; link the one meant by its ID, e.g. [[notes/one/retro]]",
    ]
    everyone = load_stage(load_index(ws, TODAY, use_cache=False), BuildOptions(tmp_path / "out", history=False, audience=Audience(include_private=True)))
    assert "3 notes have that name: notes/alpha/plan, notes/beta/plan, notes/gamma/plan; link" in ambiguous_links(everyone)[0]


def test_the_build_reports_ambiguous_links_and_strict_fails_on_them(tmp_path: Path) -> None:
    ws = make_notes(tmp_path / "ws")
    result = site(ws, tmp_path / "out")
    assert [w for w in result.warnings if "ambiguous link" in w] == [
        w for w in ambiguous_links(load_stage(load_index(ws, TODAY, use_cache=False), BuildOptions(tmp_path / "x", history=False)))
    ]
    assert site(ws, tmp_path / "out").warnings == result.warnings  # a build that keeps every page warns as much
    with pytest.raises(WorkspaceError, match=r"--strict: .*ambiguous link \[\[plan\]\]"):
        site(ws, tmp_path / "out", strict=True)


def test_a_note_that_takes_the_stem_too_is_listed_after_an_incremental_build(tmp_path: Path) -> None:
    ws = make_notes(tmp_path / "ws")
    out = tmp_path / "out"
    site(ws, out)
    (ws / "notes/delta").mkdir()
    (ws / "notes/delta/plan.md").write_text("# Delta plan\n", encoding="utf-8")
    result = site(ws, out)
    assert result.models < result.pages  # incremental
    assert 'title="ambiguous link: 3 notes are named plan"' in hub_body(out)
    assert '<a class="wiki" href="delta/plan.html">notes/delta/plan</a>' in hub_body(out)
    (ws / "notes/gamma/plan.md").unlink()
    (ws / "notes/delta/plan.md").unlink()
    site(ws, out)
    assert '<span class="wiki-missing">plan</span>' in hub_body(out)  # alpha's alone on the site now (beta's hidden)


AMBIGUOUS = LinkMap({"x": WikiTarget("x", None, (("notes/a&b", "d/notes/a&b.html"), ('notes/"q"', 'd/notes/"q".html')))})


@pytest.mark.parametrize(
    "body",
    ["See [[x]].\n", "- [ ] check [[x|label]] and [[x#part]]\n", "# Title\n\n**Bold** [[x]]\n"],
)
def test_fast_path_and_markdown_it_render_an_ambiguous_link_alike_and_escaped(body: str) -> None:
    fast = fast_render(body, "d/notes/hub.html", AMBIGUOUS)
    slow = make_markdown().render(body, {"links": AMBIGUOUS, "doc_path": "notes/hub.md", "page": "d/notes/hub.html"})
    assert fast is not None and fast == slow
    assert '<a class="wiki" href="a&amp;b.html' in fast and '>notes/a&amp;b</a>' in fast and "&quot;q&quot;.html" in fast
    assert "label" not in re.sub(r"<[^>]*>", "", fast)  # the link's own label is not shown (the candidates are)


def test_markdown_it_path_renders_an_ambiguous_link_as_the_fast_path_would() -> None:
    body = "An *emphasised* [[x]].\n"  # emphasis: outside the fast path's subset
    assert fast_render(body, "d/a.html", AMBIGUOUS) is None
    html = render_body(body, "notes/a.md", "d/a.html", AMBIGUOUS)
    assert 'title="ambiguous link: 2 notes are named x">x <span class="wiki-candidates">(<a class="wiki" href="notes/a&amp;b.html">' in html


# -- 2. history: IDs from git paths in NFC ---------------------------------------------------------


def test_history_of_a_file_git_stored_under_a_decomposed_name_has_the_index_s_nfc_id(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    decomposed = unicodedata.normalize("NFD", "tasks/café.md")
    repo.task(decomposed, "todo")
    repo.commit("add", "2026-01-05T10:00:00+00:00")
    (repo.ws / decomposed).unlink()
    repo.commit("delete the café task", "2026-01-06T10:00:00+00:00")
    listed = subprocess.run(["git", "-c", "core.quotepath=off", "log", "--name-only", "--format="], cwd=repo.root, capture_output=True, check=True)
    assert unicodedata.normalize("NFD", "café").encode() in listed.stdout  # git holds the decomposed name
    history = repo.history(use_cache=False)
    versions = history.versions("café")  # deleted: found by its ID alone, as the index would write it (NFC)
    assert [v.message for v in versions] == ["delete the café task", "add"]
    assert {v.doc_id for v in versions} == {"café"}
    since = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert [v.doc_id for v in history.activity(since)] == ["café", "café"]


def test_a_deleted_document_s_history_is_found_by_an_id_typed_decomposed(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.task("tasks/café.md", "todo")
    repo.commit("add", "2026-01-05T10:00:00+00:00")
    (repo.ws / "tasks/café.md").unlink()
    repo.commit("delete", "2026-01-06T10:00:00+00:00")
    history = repo.history(use_cache=False)
    assert [v.message for v in history.versions(unicodedata.normalize("NFD", "café"))] == ["delete", "add"]


def test_a_project_folder_with_a_decomposed_name_gives_the_index_s_project_id(tmp_path: Path) -> None:
    from workspace_tool.history.activity import events
    from workspace_tool.history.flow import flow_report

    repo = Repo(tmp_path / "repo")
    folder = unicodedata.normalize("NFD", "projects/café")
    repo.task(f"{folder}/project.md", "active")
    repo.task(f"{folder}/tasks/t.md", "todo")
    repo.commit("add", "2026-01-05T10:00:00+00:00")
    history = repo.history(use_cache=False)
    report = flow_report(history, dt.date(2026, 1, 20), dt.datetime(2026, 1, 20, tzinfo=dt.UTC))
    assert [t["project"] for t in report["tasks"]] == ["café"] and list(report["projects"]) == ["café"]
    found = events(history.documents, {}, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert {e.project for e in found if e.doc_id == "t"} == {"café"}


def test_identity_gives_nfc_for_a_declared_id_and_a_path_id() -> None:
    nfd = unicodedata.normalize("NFD", "résumé")
    assert identity({"id": nfd}, "tasks/x.md") == ("résumé", "task")
    assert identity({}, f"tasks/{nfd}.md") == ("résumé", "task")
    assert identity({}, unicodedata.normalize("NFD", "notes/über/plan.md"))[0] == "notes/über/plan"


# -- 3. the merge driver's conflict labels ---------------------------------------------------------

TASK = "tasks/design.md"
BASE = "---\ntitle: Design\nstatus: todo\nassignee: alice\n---\n\nBody.\n"


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_EDITOR": "true"}
    return subprocess.run(["git", *args], cwd=root, check=check, capture_output=True, text=True, env=env)


def commit_edit(root: Path, old: str, new: str, message: str) -> str:
    path = root / TASK
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    git(root, "commit", "-qam", message)
    return git(root, "rev-parse", "HEAD").stdout.strip()


@pytest.fixture
def repo(tmp_path: Path, wm: Callable[..., Any]) -> Path:
    root = tmp_path / "ws"
    assert wm("init", str(root)).exit_code == 0  # registers the wm merge driver
    git(root, "config", "user.name", "Tester")
    git(root, "config", "user.email", "t@example.com")
    git(root, "checkout", "-q", "-B", "main")
    (root / "tasks").mkdir()
    (root / TASK).write_text(BASE, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    return root


def markers(root: Path) -> list[str]:
    return re.findall(r"^(?:<{7}|>{7}) .*$", (root / TASK).read_text(encoding="utf-8"), re.MULTILINE)


@pytest.mark.parametrize("backend", ["--merge", "--apply"])
def test_a_rebase_labels_head_as_the_upstream_and_the_other_side_as_your_commit(repo: Path, backend: str) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    mine = commit_edit(repo, "status: todo", "status: done", "Finish the design")
    git(repo, "checkout", "-q", "main")
    commit_edit(repo, "status: todo", "status: review", "Review the design")
    git(repo, "checkout", "-q", "feature")
    result = git(repo, "rebase", backend, "main", check=False)
    assert result.returncode != 0  # a conflict in the frontmatter's status
    text = (repo / TASK).read_text(encoding="utf-8")
    assert "=======\nstatus: done\n>>>>>>>" in text and "status: review\n=======" in text  # HEAD's side is upstream's
    # (the apply backend names what HEAD is: main's commit, while the first commit is replayed)
    assert markers(repo) == ["<<<<<<< HEAD (upstream: main)", f">>>>>>> {mine[:7]} (Finish the design)"]
    git(repo, "rebase", "--abort")


def test_a_pull_rebase_names_the_remote_branch_as_upstream(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    git(clone, "config", "user.name", "Tester")
    git(clone, "config", "user.email", "t@example.com")
    for key in ("merge.wm.driver", "merge.wm-timelog.driver"):  # .git/config is not cloned (`wm git-setup` in a clone)
        git(clone, "config", key, git(repo, "config", "--get", key).stdout.strip())
    mine = commit_edit(clone, "status: todo", "status: done", "Done in my clone")
    commit_edit(repo, "status: todo", "status: blocked", "Blocked upstream")
    result = git(clone, "pull", "--rebase", "-q", check=False)
    assert result.returncode != 0
    assert markers(clone) == ["<<<<<<< HEAD (upstream: origin/main)", f">>>>>>> {mine[:7]} (Done in my clone)"]


def test_a_pull_that_merges_names_the_fetched_commit_by_its_remote_branch(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    git(clone, "config", "user.name", "Tester")
    git(clone, "config", "user.email", "t@example.com")
    git(clone, "config", "merge.wm.driver", git(repo, "config", "--get", "merge.wm.driver").stdout.strip())
    commit_edit(clone, "status: todo", "status: done", "Done in my clone")
    theirs = commit_edit(repo, "status: todo", "status: blocked", "Blocked upstream")
    assert git(clone, "pull", "--no-rebase", "-q", check=False).returncode != 0
    assert markers(clone) == ["<<<<<<< HEAD", f">>>>>>> {theirs[:7]} (origin/main)"]  # git's own: the SHA alone


def test_a_plain_merge_labels_head_and_the_branch_merged_in(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    commit_edit(repo, "status: todo", "status: done", "Finish")
    git(repo, "checkout", "-q", "main")
    commit_edit(repo, "status: todo", "status: review", "Review")
    assert git(repo, "merge", "--no-edit", "feature", check=False).returncode == 1
    assert markers(repo) == ["<<<<<<< HEAD", ">>>>>>> feature"]
    text = (repo / TASK).read_text(encoding="utf-8")
    assert "<<<<<<< HEAD\nstatus: review\n=======\nstatus: done\n>>>>>>> feature\n" in text


def test_the_driver_outside_any_merge_falls_back_to_ours_and_theirs(tmp_path: Path, wm: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    files = {}
    for name, status in (("base", "todo"), ("ours", "review"), ("theirs", "done")):
        files[name] = tmp_path / name
        files[name].write_text(BASE.replace("status: todo", f"status: {status}"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # no git repository here
    for key in [k for k in os.environ if k.startswith("GITHEAD_")]:
        monkeypatch.delenv(key)
    args = [str(files["base"]), str(files["ours"]), str(files["theirs"]), TASK]
    assert wm("merge-driver", "--ours-label", "%X", "--theirs-label", "%Y", *args).exit_code == 1  # what a git before 2.44 passes
    assert "<<<<<<< ours tasks/design.md\nstatus: review\n=======\nstatus: done\n>>>>>>> theirs tasks/design.md\n" in files["ours"].read_text(encoding="utf-8")
    files["ours"].write_text(BASE.replace("status: todo", "status: review"), encoding="utf-8")
    assert wm("merge-driver", "--ours-label", "HEAD", "--theirs-label", "abc1234 (Mine)", *args).exit_code == 1  # git 2.44+: its labels win
    assert markers_of(files["ours"]) == ["<<<<<<< HEAD", ">>>>>>> abc1234 (Mine)"]


def markers_of(path: Path) -> list[str]:
    return re.findall(r"^(?:<{7}|>{7}) .*$", path.read_text(encoding="utf-8"), re.MULTILINE)


def test_a_rebase_state_that_cannot_be_read_falls_back_to_ours_and_theirs(repo: Path, wm: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from workspace_tool import gitops
    from workspace_tool.cli import gitcmds

    def broken(root: Path) -> None:
        raise ValueError("unreadable")

    monkeypatch.setattr(gitops, "sides_in_progress", broken)
    assert gitcmds._conflict_labels(TASK, None, None) == ("ours tasks/design.md", "theirs tasks/design.md")
    (repo / ".git/rebase-merge").mkdir()
    (repo / ".git/rebase-merge/done").write_text("exec make test\n", encoding="utf-8")  # replays no commit
    monkeypatch.undo()
    monkeypatch.chdir(repo)
    for key in [k for k in os.environ if k.startswith("GITHEAD_")]:
        monkeypatch.delenv(key)
    assert gitcmds._conflict_labels(TASK, None, None) == ("ours tasks/design.md", "theirs tasks/design.md")


def test_conflict_labels_rules() -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    assert conflict_labels("t.md") == ("ours t.md", "theirs t.md")
    assert conflict_labels("t.md", ("%X", "%Y")) == ("ours t.md", "theirs t.md")
    assert conflict_labels("t.md", ("HEAD", "")) == ("ours t.md", "theirs t.md")  # both or neither
    assert conflict_labels("t.md", ("HEAD", "x\n(y)"), Replay(sha, "s", "main")) == ("HEAD", "x (y)")
    assert conflict_labels("t.md", replay=Replay(sha, "Fix\tit", sha)) == ("HEAD (upstream: 0123456)", "0123456 (Fix it)")
    assert conflict_labels("t.md", replay=Replay(sha, "", "")) == ("HEAD", "0123456")
    assert conflict_labels("t.md", merging="feature") == ("HEAD", "feature")
    assert replayed_commit(f"pick {sha} Old one\nfixup -C {sha} Fix the login\n") == (sha, "Fix the login")
    assert replayed_commit("pick abc\nexec make\n") is None and replayed_commit("") is None
    assert merging_name({"GITHEAD_" + sha: "feature", "PATH": "/bin"}) == "feature"
    assert merging_name({}, "Merge branch 'topic' into main\n") == "topic"
    assert merging_name({"GITHEAD_a": "x", "GITHEAD_b": "y"}) is None  # an octopus: no one name
    assert ref_name(["refs/remotes/origin/HEAD", "refs/remotes/origin/main", "refs/heads/main"], "refs/heads/main") == "origin/main"
    assert ref_name(["refs/tags/v1", "refs/heads/dev"]) == "dev" and ref_name([]) is None


def test_commit_paths_commits_more_paths_than_a_command_line_holds(tmp_path: Path) -> None:
    """A 10,000-task import with --commit: the paths go to git on standard input, not as arguments (ARG_MAX).

    The command line's limit is a quarter of the stack limit: the commit runs in a process with a 2 MiB stack, so
    0.5 MiB of arguments, and 2,500 paths of 240 bytes exceed it."""
    import resource
    import sys

    repo = Repo(tmp_path / "repo")
    repo.commit("start", "2026-01-05T10:00:00+00:00")
    relpaths = [f"tasks/{i:05d}-{'t' * 226}.md" for i in range(2500)]
    (repo.ws / "tasks").mkdir()
    for relpath in relpaths:
        (repo.ws / relpath).write_bytes(b"---\nstatus: todo\n---\n")
    (tmp_path / "paths.txt").write_text("\n".join(relpaths), encoding="utf-8")
    script = (
        "import sys; from pathlib import Path; from workspace_tool.gitops import commit_paths; "
        "commit_paths(Path(sys.argv[1]), Path(sys.argv[2]).read_text().split('\\n'), 'Import many')"
    )

    def small_stack() -> None:
        resource.setrlimit(resource.RLIMIT_STACK, (2 * 1024 * 1024, resource.getrlimit(resource.RLIMIT_STACK)[1]))

    done = subprocess.run([sys.executable, "-c", script, str(repo.ws), str(tmp_path / "paths.txt")], capture_output=True, text=True, preexec_fn=small_stack)
    assert done.returncode == 0, done.stderr
    listed = subprocess.run(["git", "show", "--name-only", "--format=%s", "HEAD"], cwd=repo.root, capture_output=True, check=True, text=True)
    assert listed.stdout.split("\n")[0] == "Import many" and sorted(listed.stdout.split()[2:]) == relpaths
