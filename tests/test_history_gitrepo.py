"""The git side: the repository and its author found as git finds them, and no git process left behind."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from workspace_tool.history.gitrepo import GitRepo


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture(autouse=True)
def no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No global or system configuration: only what a test writes counts."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_DIR", "GIT_WORK_TREE"):
        monkeypatch.delenv(name, raising=False)


def test_a_folder_outside_any_repository_has_none(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    assert GitRepo.open(folder) is None


def test_a_bare_repository_has_no_work_tree(tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    assert GitRepo.open(bare) is None


def test_workspace_in_a_subfolder_of_a_repository_without_commits(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    ws = tmp_path / "team" / "ws"
    ws.mkdir(parents=True)
    repo = GitRepo.open(ws)
    assert repo is not None
    with repo:
        info = repo.info(ws)
    assert info.toplevel == tmp_path.resolve()
    assert (info.prefix, info.head, info.shallow) == ("team/ws/", None, False)
    assert (info.user_name, info.user_email) == ("you", "")


def test_author_comes_from_the_effective_configuration_includes_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "people.inc").write_text("[user]\n\tname = Ada Lovelace\n\temail = ada@example.com\n", encoding="utf-8")
    git(tmp_path, "config", "include.path", str(tmp_path / "people.inc"))
    (tmp_path / "a.md").write_text("# A\n", encoding="utf-8")
    git(tmp_path, "add", "a.md")
    git(tmp_path, "commit", "-q", "-m", "first")
    repo = GitRepo.open(tmp_path)
    assert repo is not None
    with repo:
        info = repo.info(tmp_path)
        assert repo.run(["log", "-1", "--format=%an"]).decode().strip() == "Ada Lovelace"
        assert not repo._children
    assert (info.user_name, info.user_email) == ("Ada Lovelace", "ada@example.com")
    assert info.head == git(tmp_path, "rev-parse", "HEAD").strip()
    git(tmp_path, "config", "user.name", "Grace Hopper")  # local config after the include: the last one wins, as for git
    repo = GitRepo.open(tmp_path)
    assert repo is not None
    with repo:
        assert repo.info(tmp_path).user_name == "Grace Hopper"


def test_author_falls_back_to_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Env Person")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "env@example.com")
    repo = GitRepo.open(tmp_path)
    assert repo is not None
    with repo:
        info = repo.info(tmp_path)
    assert (info.user_name, info.user_email) == ("Env Person", "env@example.com")


def test_git_missing_means_no_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))
    assert GitRepo.open(tmp_path) is None


def test_a_repository_git_refuses_is_an_error_with_gits_fix_not_no_repository(tmp_path: Path) -> None:
    import os

    from workspace_tool.history.gitrepo import GitError

    if os.geteuid() != 0:
        pytest.skip("needs root, to give the repository to another user")
    repo = tmp_path / "theirs"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    for folder, _, names in os.walk(repo):
        for name in [".", *names]:
            os.chown(os.path.join(folder, name), 65534, 65534)
    with pytest.raises(GitError) as caught:
        GitRepo.open(repo)
    assert "dubious ownership" in str(caught.value) and "safe.directory" in str(caught.value) and "\n" not in str(caught.value)


def test_a_started_command_runs_while_this_process_works_and_never_outlives_the_repository(tmp_path: Path) -> None:
    """`start` gives git's output when asked (GitError when git failed); one never asked for is reaped when the repository closes."""
    from workspace_tool.history.gitrepo import GitError

    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "new.md").write_text("# New\n", encoding="utf-8")
    repo = GitRepo.open(tmp_path)
    assert repo is not None
    with repo:
        status = repo.start(["status", "--porcelain=v1", "-z", "--untracked-files=all"])
        failing = repo.start(["rev-parse", "--verify", "--quiet", "no-such-ref^{commit}"])
        assert status() == b"?? new.md\x00"
        with pytest.raises(GitError):
            failing()
        assert not repo._children
        forgotten = repo.start(["status", "--porcelain=v1"])
        assert len(repo._children) == 1
        process = repo._children[0]
    assert not repo._children and process.returncode is not None
    del forgotten
