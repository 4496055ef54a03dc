"""`wm init`: a new workspace with its folders, ignore rules and git repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

from workspace_tool.edit import yaml_scalar
from workspace_tool.errors import WorkspaceError
from workspace_tool.gitops import GITATTRIBUTES
from workspace_tool.loader import CONFIG_NAME

FOLDERS = ("projects", "people", "clients", "goals", "decisions", "risks", "timelogs", "notes", "templates")

CONFIG_TEMPLATE = """\
# wm workspace settings: see docs/format.md for every setting.
name: {name}
currency: EUR
calendar:
  hours_per_day: 8
  workdays: [mon, tue, wed, thu, fri]
  holidays: []
"""

GITIGNORE = """\
# wm: caches and build output
.wm/
site/
"""

def _in_git_repo(folder: Path) -> bool:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--is-inside-work-tree"], cwd=folder, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        return False
    return result.returncode == 0 and result.stdout.strip() == "true"


def _append_missing(path: Path, text: str) -> bool:
    """Add the lines of `text` that `path` lacks; True when the file changed."""
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    missing = [line for line in text.splitlines() if line and line not in existing.splitlines()]
    if not missing:
        return False
    prefix = "" if not existing or existing.endswith("\n") else "\n"
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(prefix + "\n".join(missing) + "\n")
    return True


def _enclosing_workspace(directory: Path) -> Path | None:
    """The nearest folder above `directory` that is a workspace and reads it (not excluded there), if any."""
    for parent in directory.parents:
        if (parent / CONFIG_NAME).is_file():
            from workspace_tool.loader import excluded, read_settings

            relative = directory.relative_to(parent).as_posix()
            try:
                settings = read_settings(parent)[0]
            except Exception:  # noqa: BLE001 - a broken outer workspace.yml: still a workspace that would read this one
                return parent
            if settings.exclude and excluded(relative, settings.exclude, is_folder=True):
                return None
            return parent
    return None


def init_workspace(directory: Path, name: str | None = None) -> list[str]:
    """Create the workspace in `directory`; return lines describing what was done."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / CONFIG_NAME
    if config.exists():
        raise WorkspaceError(f"{config} already exists: this folder is already a workspace")
    outer = _enclosing_workspace(directory.resolve())
    if outer is not None:
        raise WorkspaceError(
            f"{directory} is inside the workspace at {outer}: a workspace there would read this one's documents as its own; "
            "choose a folder outside it, or add this folder to that workspace's exclude: first"
        )
    done = []
    config.write_text(CONFIG_TEMPLATE.format(name=yaml_scalar(name or directory.resolve().name)), encoding="utf-8")
    done.append(f"created {config}")
    for folder in FOLDERS:
        (directory / folder).mkdir(exist_ok=True)
    done.append(f"created folders: {', '.join(FOLDERS)}")
    if _append_missing(directory / ".gitignore", GITIGNORE):
        done.append("wrote .gitignore (.wm/ cache, site/ build output)")
    if _append_missing(directory / ".gitattributes", GITATTRIBUTES):
        done.append("wrote .gitattributes (documents merge with wm merge-driver, time logs entry by entry with its --timelog mode)")
    if not _in_git_repo(directory):
        subprocess.run(["git", "init", "-q", str(directory)], check=False)
        done.append("initialised a git repository")
    if _in_git_repo(directory):
        from workspace_tool.gitops import setup_merge_driver

        done.extend(setup_merge_driver(directory))
    done.append(
        "next: wm new person \"Your Name\" -f email=<your git user.email>; wm new project \"A project\"; "
        "wm new task \"A task\" --project a-project; then wm validate and wm board (the file format: docs/format.md)"
    )
    return done
