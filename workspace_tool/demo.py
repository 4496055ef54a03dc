"""`wm demo DEST`: a copy of a workspace in a new git repository whose history replays its documents by their dates.

A workspace's own repository may not tell its story: the sample workspace
ships inside wm's repository, committed in a few commits by wm's
maintainers, so its site's activity, boards' days in a column and
burndown charts had little to show. The demo copies the workspace and
writes a history for it, as its people would have made it, from what the
documents say:

* each document appears on its `created:` date (a decision on its `date:`,
  a note on the date its name starts with), committed by its owner,
  assignee or first decider;
* a task moves through the workflow: to its started status
  (`in-progress`) on the day of its first time entry (else its `start:`,
  else the next day), to `review` on the day before it was done (or on its
  last time entry, when it is still in review), and to its final status on
  its `done:` date;
* a project goes from `proposed` to `active` on its `start:` date; a
  decision another one supersedes is `accepted` until the successor is
  made;
* each time log grows week by week, each Friday's commit adding that
  week's entries, by its person.

Versions dated after today are committed today; the last commit leaves
every file exactly as it is in the workspace. Changes of one person on one
day are one commit, authored by the person (name and `email:`) at the hour
of the latest of them, in UTC. The repository is written with one `git
fast-import` (about 210 commits for the sample, in well under a second),
and the same workspace on the same day always gives the same commits.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from workspace_tool.edit import set_keys
from workspace_tool.errors import UsageError, WorkspaceError
from workspace_tool.gitops import GITATTRIBUTES, setup_merge_driver
from workspace_tool.index import Index
from workspace_tool.model import Decision, Document, Note, Person, Project, Task, TimeLog

GITIGNORE = ".wm/\nsite/\n"
"""The demo repository's `.gitignore`, as `wm init` writes it: the cache and the built site."""

_ENTRY_LINE = re.compile(r"^\s*[-*]\s+(\d{4}-\d{2}-\d{2})\b")
_NOTE_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_HOURS = {"created": 9, "started": 10, "review": 15, "done": 16, "log": 17}


@dataclass(frozen=True)
class Version:
    """One document's text as of `moment`, written by `author` (a person ID, or "" for the workspace)."""

    moment: dt.datetime
    author: str
    path: str
    text: str
    phrase: str


@dataclass(frozen=True)
class Commit:
    moment: dt.datetime
    author: str
    files: dict[str, str | bytes]
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class DemoResult:
    dest: Path
    commits: int
    documents: int
    first: dt.date
    last: dt.date


def plan_versions(index: Index, texts: Mapping[str, str], today: dt.date) -> list[Version]:
    """Every document's versions (pure: the index, each file's text by path, and today)."""
    start = _earliest(index, today)
    versions: list[Version] = []
    entries: dict[str, list[dt.date]] = {}
    for entry in index.entries:
        entries.setdefault(entry.ref, []).append(entry.date)
    superseded_on = {old: doc for doc in index.of_type(Decision) for old in doc.supersedes}
    for doc in sorted(index.docs.values(), key=lambda d: d.path):
        text = texts.get(doc.path)
        if text is None:
            continue
        if isinstance(doc, Task):
            versions.extend(_task(index, doc, text, sorted(entries.get(doc.id, ())), start))
        elif isinstance(doc, Project):
            versions.extend(_project(index, doc, text, start))
        elif isinstance(doc, Decision):
            versions.extend(_decision(index, doc, text, superseded_on.get(doc.id), start))
        elif isinstance(doc, TimeLog):
            versions.extend(_timelog(doc, text, start))
        else:
            when = (_note_day(doc) if isinstance(doc, Note) else None) or doc.created or _project_day(index, doc) or start
            versions.append(_at(when, "created", _owner(index, doc), doc, text, f"created {doc.type} {doc.id}"))
    known = {doc.path for doc in index.docs.values()}
    lead = _lead(index)
    for path, text in sorted(texts.items()):
        if path not in known:  # workspace.yml, process templates, a file that cannot be read: there from the start
            first = path == "workspace.yml"  # the first change of the first commit, which it names
            moment = _moment(start, "created") - dt.timedelta(minutes=1 if first else 0)
            versions.append(Version(moment, lead, path, text, "set up the workspace" if first else f"added {path}"))
    latest = dt.datetime.combine(today, dt.time(18))
    return [v if v.moment <= latest else Version(latest, v.author, v.path, v.text, v.phrase) for v in versions]


def _earliest(index: Index, today: dt.date) -> dt.date:
    days = [d for doc in index.docs.values() for d in (doc.created, getattr(doc, "date", None), getattr(doc, "start", None)) if isinstance(d, dt.date)]
    days += [entry.date for entry in index.entries]
    return min([*days, today])


def _moment(day: dt.date, kind: str, offset: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(_HOURS[kind], offset % 60))


def _at(day: dt.date, kind: str, author: str, doc: Document, text: str, phrase: str) -> Version:
    return Version(_moment(day, kind, sum(map(ord, doc.id))), author, doc.path, text, phrase)


def _owner(index: Index, doc: Document) -> str:
    """Who made the document: its assignee, owner or person, else its project's owner, else the workspace's lead
    (who owns the most projects)."""
    for key in ("assignee", "owner", "person"):
        value = getattr(doc, key, None)
        if isinstance(value, str) and isinstance(index.get(value), Person):
            return value
    project = index.get(str(getattr(doc, "project", None) or doc.extra.get("project") or ""))
    if isinstance(project, Project) and project.owner:
        return project.owner
    return _lead(index)


def _project_day(index: Index, doc: Document) -> dt.date | None:
    """When the document's project was made (a risk without a date of its own came with its project)."""
    project = index.get(str(getattr(doc, "project", None) or doc.extra.get("project") or ""))
    return (project.created or project.start) if isinstance(project, Project) else None


def _lead(index: Index) -> str:
    owners = [p.owner for p in index.projects() if p.owner and isinstance(index.get(p.owner), Person)]
    people = sorted(p.id for p in index.of_type(Person))
    return max(sorted(set(owners)), key=owners.count) if owners else (people[0] if people else "")


def _task(index: Index, task: Task, text: str, logged: list[dt.date], start: dt.date) -> list[Version]:
    """Created in the workflow's first status; started on its first time entry; in review the day before it was
    done; in its status as the file has it on its `done:` date (else its last time entry, else the next day)."""
    workflow = index.settings.workflow("task")
    who = _owner(index, task)
    created = task.created or (logged[0] if logged else start)
    if workflow is None or task.status not in workflow.statuses:
        return [_at(created, "created", who, task, text, f"created task {task.id}")]
    statuses, final = workflow.statuses, task.status
    day = dt.timedelta(days=1)

    def reached(status: str) -> bool:
        return status in statuses and final != "cancelled" and statuses.index(final) >= statuses.index(status)

    steps: list[tuple[dt.date, str, str]] = [(created, "created", statuses[0])]
    if "in-progress" in statuses and reached("in-progress") and final != statuses[0]:
        began = logged[0] if logged else (task.start if task.start and task.start >= created else created + day)
        steps.append((max(began, created), "started", "in-progress"))
    if "review" in statuses and reached("review") and final != "review":
        steps.append((max((task.done - day) if task.done else steps[-1][0] + day, steps[-1][0]), "review", "review"))
    if steps[-1][2] != final:
        if task.done:
            when = task.done
        elif logged and logged[-1] > steps[-1][0]:
            when = logged[-1]
        else:
            when = steps[-1][0] + day
        steps.append((max(when, steps[-1][0]), "done", final))
    versions = []
    for number, (when, kind, status) in enumerate(steps):
        body = text if number == len(steps) - 1 else set_keys(text, {"status": status, "done": None, "remaining": None})
        phrase = f"created task {task.id}" if number == 0 else f"moved {task.id} to {status}"
        versions.append(_at(when, kind, who, task, body, phrase))
    return versions


def _project(index: Index, project: Project, text: str, start: dt.date) -> list[Version]:
    workflow = index.settings.workflow("project")
    who = _owner(index, project)
    created = project.created or project.start or start
    versions = []
    if workflow is not None and workflow.statuses[0] != project.status and project.start and project.start > created:
        versions.append(_at(created, "created", who, project, set_keys(text, {"status": workflow.statuses[0]}), f"created project {project.id}"))
        if workflow.is_done(project.status) and "active" in workflow.statuses:
            versions.append(_at(project.start, "started", who, project, set_keys(text, {"status": "active"}), f"moved {project.id} to active"))
    final_day = project.start if versions and project.start else created
    if workflow is not None and workflow.is_done(project.status):
        final_day = max([final_day, *(t.done for t in index.tasks_of(project.id) if t.done)])
    phrase = f"moved {project.id} to {project.status}" if versions else f"created project {project.id}"
    versions.append(_at(final_day, "done" if versions else "created", who, project, text, phrase))
    return versions


def _decision(index: Index, decision: Decision, text: str, successor: Decision | None, start: dt.date) -> list[Version]:
    who = next((d for d in decision.deciders if isinstance(index.get(d), Person)), "")
    day = decision.date or decision.created or start
    if successor is None or successor.date is None or successor.date <= day:
        return [_at(day, "created", who, decision, text, f"created decision {decision.id}")]
    accepted = set_keys(text, {"status": "accepted"})
    later = next((d for d in successor.deciders if isinstance(index.get(d), Person)), who)
    return [
        _at(day, "created", who, decision, accepted, f"created decision {decision.id}"),
        _at(successor.date, "created", later, decision, text, f"moved {decision.id} to {decision.status}"),
    ]


def _timelog(log: TimeLog, text: str, start: dt.date) -> list[Version]:
    """The log as of each Friday (its entries up to then), the last one the file as it is."""
    lines = text.splitlines(keepends=True)
    days = sorted({dt.date.fromisoformat(m.group(1)) for line in lines if (m := _ENTRY_LINE.match(line))})
    if not days:
        return [Version(_moment(log.created or start, "log"), log.person or "", log.path, text, f"created timelog {log.id}")]
    fridays = sorted({day + dt.timedelta(days=(4 - day.weekday()) % 7) for day in days})
    versions = []
    for number, friday in enumerate(fridays):
        last = number == len(fridays) - 1
        kept = text if last else "".join(line for line in lines if not (m := _ENTRY_LINE.match(line)) or dt.date.fromisoformat(m.group(1)) <= friday)
        versions.append(Version(_moment(friday, "log"), log.person or "", log.path, kept, f"logged time in {log.id}"))
    return versions


def _note_day(note: Note) -> dt.date | None:
    match = _NOTE_DATE.match(Path(note.path).name)
    if match:
        try:
            return dt.date.fromisoformat(match.group(1))
        except ValueError:
            return None
    return None


def group_commits(versions: Iterable[Version]) -> list[Commit]:
    """One commit per person per day, in time order (a document changed twice in it: its later text)."""
    groups: dict[tuple[dt.date, str], list[Version]] = {}
    for version in sorted(versions, key=lambda v: (v.moment, v.path)):
        groups.setdefault((version.moment.date(), version.author), []).append(version)
    commits = []
    for (_, author), items in sorted(groups.items(), key=lambda item: (max(v.moment for v in item[1]), item[0][1])):
        files: dict[str, str | bytes] = {}
        for version in items:
            files[version.path] = version.text
        commits.append(Commit(max(v.moment for v in items), author, files, tuple(dict.fromkeys(v.phrase for v in items))))
    return commits


def _message(commit: Commit) -> str:
    first = commit.phrases[0]
    head = first if len(commit.phrases) == 1 else f"{first} (and {len(commit.phrases) - 1} more)"
    head = head[:1].upper() + head[1:]
    return head + ("\n\n" + "\n".join(f"- {p}" for p in commit.phrases) if len(commit.phrases) > 1 else "") + "\n"


def fast_import_stream(
    commits: list[Commit], people: Mapping[str, tuple[str, str]], fallback: tuple[str, str], binaries: Mapping[str, bytes] | None = None
) -> bytes:
    """`git fast-import` input for `commits` on `refs/heads/main`, with a `.gitignore`, `wm init`'s `.gitattributes`
    and `binaries` (attachments, as they are) in the first."""
    out = bytearray()
    for number, commit in enumerate(commits):
        name, email = people.get(commit.author, fallback)
        stamp = f"{int(commit.moment.replace(tzinfo=dt.UTC).timestamp())} +0000"
        message = _message(commit).encode("utf-8")
        out += f"commit refs/heads/main\nmark :{number + 1}\nauthor {name} <{email}> {stamp}\ncommitter {name} <{email}> {stamp}\n".encode()
        out += b"data %d\n" % len(message) + message
        files = dict(commit.files)
        if number == 0:
            files = {".gitignore": GITIGNORE, ".gitattributes": GITATTRIBUTES, **(binaries or {}), **files}
        for path, text in sorted(files.items()):
            data = text.encode("utf-8") if isinstance(text, str) else text
            out += f"M 100644 inline {path}\n".encode() + b"data %d\n" % len(data) + data + b"\n"
        out += b"\n"
    return bytes(out)


def _identity(person: Person, workspace: str) -> tuple[str, str]:
    """A person's name and email as a git author: without the `<`, `>` and line breaks that would end the header."""
    email = re.sub(r"[<>\s]+", "", person.email or "") or f"{person.id}@{re.sub(r'[^a-z0-9]+', '-', workspace.lower()).strip('-') or 'workspace'}.example"
    name = " ".join(re.sub(r"[<>]+", "", str(person.name or person.title or person.id)).split()) or person.id
    return name, email


def make_demo(index: Index, dest: Path) -> DemoResult:
    """Write the demo repository at `dest` (new or empty): its files as in the workspace, its history replayed."""
    dest = dest.resolve()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise UsageError(f"{dest} is not an empty folder; the demo is made in a new one (nothing was written)")
    root = index.root.resolve()
    if dest.is_relative_to(root):
        raise UsageError(f"{dest} is inside the workspace {root}; make the demo somewhere else, such as {root.parent / (root.name + '-demo')}")
    texts, binaries = _files(root)
    versions = plan_versions(index, texts, index.today)
    commits = group_commits(versions)
    name = index.settings.name or root.name
    people = {p.id: _identity(p, name) for p in index.of_type(Person)}
    fallback = (name, f"workspace@{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-') or 'workspace'}.example")
    stream = fast_import_stream(commits, people, fallback, binaries)
    dest.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}
    try:
        _git(dest, env, "init", "-q")
        _git(dest, env, "symbolic-ref", "HEAD", "refs/heads/main")
        _git(dest, env, "fast-import", "--quiet", "--date-format=raw", stdin=stream)
        _git(dest, env, "reset", "-q", "--hard", "main")
        setup_merge_driver(dest)  # as wm init does: the merge drivers its .gitattributes names
    except (WorkspaceError, FileNotFoundError) as exc:
        for made in dest.iterdir():  # the folder was empty: leave it so, for the next try
            if made.is_dir() and not made.is_symlink():
                shutil.rmtree(made)
            else:
                made.unlink()
        if isinstance(exc, WorkspaceError):
            raise
        raise WorkspaceError("git is not installed; the demo needs it to write its history") from None
    return DemoResult(dest, len(commits), len(index.docs), commits[0].moment.date() if commits else index.today, commits[-1].moment.date() if commits else index.today)


def _files(root: Path) -> tuple[dict[str, str], dict[str, bytes]]:
    """Every file of the workspace to copy, by path: the text ones (documents, settings), and the others (images and
    other attachments, copied as they are in the first commit); not the cache, the site or git's own."""
    texts: dict[str, str] = {}
    binaries: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if not path.is_file() or any(part.startswith(".") for part in parts) or parts[0] == "site":
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue  # unreadable: not part of the demo
        try:
            texts[path.relative_to(root).as_posix()] = data.decode("utf-8")
        except UnicodeDecodeError:
            binaries[path.relative_to(root).as_posix()] = data
    return texts, binaries


def _git(cwd: Path, env: Mapping[str, str], *args: str, stdin: bytes | None = None) -> None:
    done = subprocess.run(["git", *args], cwd=cwd, env=dict(env), input=stdin, capture_output=True)
    if done.returncode != 0:
        raise WorkspaceError(f"git {args[0]} failed in {cwd}: {done.stderr.decode('utf-8', 'replace').strip()}")
