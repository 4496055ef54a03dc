"""What changed, in words: events from versions, grouped by day, and a person's digest. Pure."""

from __future__ import annotations

import datetime as dt
import graphlib
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from workspace_tool.history.model import DocHistory, Version
from workspace_tool.history.snapshot import display, identity
from workspace_tool.index import nfc_id
from workspace_tool.model import Person
from workspace_tool.output import counted, runs
from workspace_tool.parse import path_project

PEOPLE_FIELDS = ("assignee", "owner", "deciders", "person")


@dataclass(frozen=True)
class Event:
    """One version told in words: `actor` (a person ID when known) and what they did."""

    date: dt.datetime
    actor: str
    doc_id: str
    doc_type: str
    project: str | None
    commit: str | None
    phrases: tuple[str, ...]
    people: frozenset[str]  # people the document is assigned to / owned by

    @property
    def text(self) -> str:
        return f"{self.actor} {', '.join(self.phrases)}"

    def as_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "actor": self.actor,
            "id": self.doc_id,
            "type": self.doc_type,
            "project": self.project,
            "commit": self.commit,
            "text": self.text,
        }


def people_by_key(persons: Iterable[Person]) -> dict[str, str]:
    """Lower-case email, name and ID of each person -> their ID: who a commit's author is (the first person wins a shared key)."""
    found: dict[str, str] = {}
    for person in persons:
        for key in (person.email, person.name, person.id):
            if key:
                found.setdefault(key.lower(), person.id)
    return found


def actor_of(version: Version, people: Mapping[str, str]) -> str:
    """The person ID behind a commit (matched by email, then name), else the author's name."""
    for key in (version.email.lower(), version.author.lower()):
        if key and key in people:
            return people[key]
    return version.author or version.email or "someone"


def phrases(version: Version) -> tuple[str, ...]:
    """What a version did: `moved X to review`, `assigned X to alice`, `changed estimate of X from 2d to 3d`."""
    name = version.doc_id
    if version.deleted:
        return (f"deleted {name}",)
    if version.created:
        return (f"created {version.doc_type} {name}",)
    said: list[str] = []
    if version.copied_from is not None:
        said.append(f"copied {name} from {version.copied_from} to {version.path}")
    if version.old_path is not None:
        said.append(f"moved {name} from {version.old_path} to {version.path}")
    if version.unparseable:
        said.append(f"edited {name} (its frontmatter cannot be read)")
    for change in version.changes:
        if change.field == "id":  # the IDs the document had and has (without an `id:` key, its file name's)
            said.append(f"renamed {identity(version.previous, version.old_path or version.path)[0]} to {name}")
            continue
        said.append(_phrase(name, change.field, change.old, change.new))
    return tuple(said) or (f"edited {name}",)


def _phrase(name: str, key: str, old: Any, new: Any) -> str:
    if key == "status" and new is not None:
        return f"moved {name} to {display(new)}"
    if key == "assignee":
        return f"assigned {name} to {display(new)}" if new is not None else f"unassigned {name} (was {display(old)})"
    if old is None:
        return f"set {key} of {name} to {display(new)}"
    if new is None:
        return f"removed {key} from {name}"
    return f"changed {key} of {name} from {display(old)} to {display(new)}"


def events(
    docs: Iterable[DocHistory], people: Mapping[str, str], since: dt.datetime, until: dt.datetime | None = None
) -> list[Event]:
    """Every version from `since` as an event, newest first (documents with nothing that recent are not built).

    Events of the same moment (commits made by a script in one second) are
    newest commit first, each commit's together (`_commit_order`).
    """
    found = []
    after: list[tuple[str, str]] = []  # (older commit, newer commit) of one document's versions of the same moment
    for doc in docs:
        newest = doc.newest()
        if newest is None or newest < since:
            continue
        earlier: Version | None = None
        for version in doc.versions:
            if earlier is not None and earlier.date == version.date and earlier.commit != version.commit:
                after.append((earlier.commit or "", version.commit or ""))
            earlier = version
            if version.date < since or (until is not None and version.date > until):
                continue
            if _combined(version):
                continue
            fields = version.fields or doc.last_fields
            found.append(
                Event(
                    version.date,
                    actor_of(version, people),
                    version.doc_id,
                    version.doc_type,
                    _project(version, fields),
                    version.commit,
                    phrases(version),
                    _people(fields) | _people(doc.last_fields),
                )
            )
    order = _commit_order(after)
    found.sort(key=lambda e: (e.date, order.get(e.commit or "", -1), e.commit or ""), reverse=True)
    return found


def _commit_order(after: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Commits of the same moment by their place in history (a larger number: newer), from documents' version order
    (git's topological order, the same for every document)."""
    if not after:
        return {}
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for older, newer in after:
        sorter.add(newer, older)
    try:
        return {commit: n for n, commit in enumerate(sorter.static_order())}
    except graphlib.CycleError:  # not from one history: the commits' own order is unknown
        return {}


def _combined(version: Version) -> bool:
    """A merge that only combined its branches' changes (measured from its own result, `versions._combines`): their
    commits tell them, and it has nothing of its own to say."""
    return (
        version.commit is not None and version.blob is not None and version.old_blob == version.blob
        and version.old_path is None and not version.deleted and not version.unparseable
    )


def _project(version: Version, fields: Mapping[str, Any]) -> str | None:
    if version.doc_type == "project":
        return version.doc_id
    value = fields.get("project")
    if isinstance(value, str) and value.strip():
        return value.strip()
    project = path_project(version.path)
    return nfc_id(project) if project is not None else None


def _people(fields: Mapping[str, Any]) -> frozenset[str]:
    found: set[str] = set()
    for key in PEOPLE_FIELDS:
        value = fields.get(key)
        values = value if isinstance(value, list) else [value]
        found.update(str(v).lower() for v in values if isinstance(v, (str, int)) and not isinstance(v, bool))
    return frozenset(found)


def select(found: Iterable[Event], who: str | None = None, project: str | None = None) -> list[Event]:
    """Events by or concerning a person (their own changes, or documents they own or are assigned) and/or in a project."""
    person = who.lower() if who else None
    return [
        e
        for e in found
        if (person is None or e.actor.lower() == person or person in e.people) and (project is None or e.project == project)
    ]


def by_day(found: Sequence[Event]) -> list[tuple[dt.date, list[Event]]]:
    """Events grouped by the day they happened (the author's local date), newest day first."""
    days: dict[dt.date, list[Event]] = {}
    for event in found:
        days.setdefault(event.date.date(), []).append(event)
    return sorted(days.items(), key=lambda item: item[0], reverse=True)


RUN_SHOWN = 3
"""Changes of one commit `wm activity` lists before saying how many more it made (`render_days`)."""


def render_days(found: Sequence[Event], run_shown: int | None = RUN_SHOWN) -> str:
    """Activity as text: a heading per day, one line per change. Of a commit that made more than `run_shown`
    changes (a bulk edit, an import), the first `run_shown` and a line saying how many more (None: every one)."""
    lines: list[str] = []
    for day, items in by_day(found):
        if lines:
            lines.append("")
        lines.append(f"{day.isoformat()} ({day.strftime('%a')})")
        for run in runs(items, lambda event: event.commit):
            shown = _shown(run, run_shown)
            lines.extend(f"  {event.date.strftime('%H:%M')}  {event.text}" for event in shown)
            if len(shown) < len(run):
                lines.append(f"         … and {_more(run, shown)} (--all lists every one)")
    return "\n".join(lines)


@dataclass(frozen=True)
class DueItem:
    """Open work of the person with a due date: `overdue` when it has passed."""

    id: str
    title: str
    status: str
    due: dt.date
    overdue: bool


def render_digest(
    person: str,
    since: dt.date,
    today: dt.date,
    found: Sequence[Event],
    decisions: Sequence[Event],
    due: Sequence[DueItem],
    project_titles: Mapping[str, str] | None = None,
    run_shown: int | None = RUN_SHOWN,
) -> str:
    """A person's digest in Markdown: changes to their work by project (the project changed most recently first),
    decisions taken, what is due or overdue. Of a commit that made more than `run_shown` changes in a section, the
    first `run_shown` and a line saying how many more (None: every one)."""
    titles = project_titles or {}
    lines = [f"# Digest for {person}: {since.isoformat()} to {today.isoformat()}", "", "## Changes to your work"]
    if not found:
        lines += ["", "No changes to what you own or are assigned."]
    groups: dict[str | None, list[Event]] = {}
    for event in found:  # newest first, so the groups come in the order of their latest change
        groups.setdefault(event.project, []).append(event)
    for project, items in groups.items():
        heading = "Not in a project" if project is None else f"{titles[project]} ({project})" if titles.get(project) else project
        lines += ["", f"### {heading}", ""]
        lines.extend(_bullets(items, run_shown))
    lines += ["", "## Decisions", ""]
    lines.extend(_bullets(decisions, run_shown) if decisions else ["No decisions changed."])
    lines += ["", "## Due and overdue", ""]
    if not due:
        lines.append("Nothing due in the next week.")
    for item in sorted(due, key=lambda d: (not d.overdue, d.due, d.id)):
        flag = "**overdue** " if item.overdue else ""
        lines.append(f"- {flag}{item.id}: {item.title} (due {item.due.isoformat()}, {item.status})")
    return "\n".join(lines) + "\n"


def _bullets(found: Sequence[Event], run_shown: int | None) -> list[str]:
    lines: list[str] = []
    for run in runs(found, lambda event: event.commit):
        shown = _shown(run, run_shown)
        lines.extend(f"- {e.date.date().isoformat()}: {e.text}" + (f" ({e.commit[:7]})" if e.commit else " (uncommitted)") for e in shown)
        if len(shown) < len(run):
            lines.append(f"- … and {_more(run, shown)} (`wm digest --all` lists every one)")
    return lines


def _shown(run: list[Event], run_shown: int | None) -> list[Event]:
    """The changes of one commit's run to list: all of them, unless there are more than `run_shown` and one
    line saying how many more would replace at least two."""
    return run if run_shown is None or len(run) <= run_shown + 1 else run[:run_shown]


def _more(run: list[Event], shown: list[Event]) -> str:
    return f"{counted(len(run) - len(shown), 'more change')} in commit {(run[0].commit or '')[:7]}"
