"""Who a site is for, and which documents and time entries it may show.

Pure: index in, the set of visible IDs out. Every page, list, chart,
feed and search entry of the site is built from `Visibility`, so a
document left out here appears nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from workspace_tool.errors import UsageError
from workspace_tool.index import Index
from workspace_tool.model import Client, Decision, Document, Person, Project, Risk, Task, TimeEntry, TimeLog

AUDIENCE_KINDS = ("all", "client", "team")


@dataclass(frozen=True)
class Audience:
    """`all` (the internal site), `client:ID` or `team:NAME`; private documents only with `include_private`."""

    kind: str = "all"
    name: str | None = None
    include_private: bool = False

    @property
    def internal(self) -> bool:
        """The internal site shows money (budgets, rates, costs) and every person."""
        return self.kind == "all"

    @property
    def label(self) -> str:
        return "everyone" if self.kind == "all" else f"{self.kind}:{self.name}"

    def title(self, index: Index) -> str:
        """How the site's header and footer name its readers: the client's name ("Fjordline Credit Union"), "the web
        team", or everyone (the client document is one the audience sees, so its name is no secret)."""
        if self.kind == "client":
            client = index.get(self.name or "")
            return str(getattr(client, "name", None) or getattr(client, "title", None) or self.name)
        return f"the {self.name} team" if self.kind == "team" else "everyone"

    @classmethod
    def parse(cls, text: str | None, include_private: bool = False) -> Audience:
        """Read `--for client:ID|team:NAME`; raise UsageError for anything else."""
        if not text:
            return cls("all", None, include_private)
        kind, _, name = text.partition(":")
        if kind not in ("client", "team") or not name.strip():
            raise UsageError(f"bad --for {text!r}: use client:ID or team:NAME")
        if include_private:
            raise UsageError("--include-private cannot be combined with --for: audience sites never show private documents")
        return cls(kind, name.strip(), False)


@dataclass(frozen=True)
class Visibility:
    """The documents a site shows, and the time entries it counts."""

    audience: Audience
    ids: frozenset[str]
    entries: tuple[TimeEntry, ...]

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.ids

    def shows(self, doc: Document | None) -> bool:
        return doc is not None and doc.id in self.ids


def visibility(index: Index, audience: Audience) -> Visibility:
    """Resolve an audience to the visible IDs and entries (UsageError for an unknown client or team)."""
    public = {d.id for d in index.docs.values() if audience.include_private or not d.is_private}
    if audience.kind == "client":
        ids = _client_ids(index, audience.name or "", public)
    elif audience.kind == "team":
        ids = _team_ids(index, audience.name or "", public)
    else:
        ids = public
    return Visibility(audience, frozenset(ids), tuple(_entries(index, ids, audience)))


def _members_of(index: Index, docs: set[str]) -> set[str]:
    people: set[str] = set()
    for doc_id in docs:
        doc = index.docs[doc_id]
        if isinstance(doc, Task) and doc.assignee:
            people.add(doc.assignee)
        elif isinstance(doc, (Project, Risk)) and doc.owner:
            people.add(doc.owner)
        elif isinstance(doc, Decision):
            people.update(doc.deciders)
    return people


def _project_docs(index: Index, projects: set[str], public: set[str]) -> set[str]:
    return {
        d.id
        for d in index.docs.values()
        if d.id in public and d.project in projects and not isinstance(d, (TimeLog, Project))
    }


def _client_ids(index: Index, client_id: str, public: set[str]) -> set[str]:
    client = index.get(client_id)
    if not isinstance(client, Client) or client_id not in public:
        known = ", ".join(sorted(c.id for c in index.of_type(Client) if c.id in public)) or "none"
        raise UsageError(f"no client {client_id!r} for --for (known clients: {known})")
    projects = {p.id for p in index.projects() if p.client == client_id and p.id in public}
    docs = _project_docs(index, projects, public) | projects
    people = {p for p in _members_of(index, docs) if p in public and isinstance(index.get(p), Person)}
    return docs | people | {client_id}


def _team_ids(index: Index, team: str, public: set[str]) -> set[str]:
    wanted = team.casefold()
    members = {p.id for p in index.people() if p.id in public and (p.team or "").casefold() == wanted}
    if not members:
        teams = sorted({p.team for p in index.people() if p.team and p.id in public})
        raise UsageError(f"no people in team {team!r} for --for (known teams: {', '.join(teams) or 'none'})")
    projects = {
        p.id
        for p in index.projects()
        if p.id in public and (p.owner in members or any(t.assignee in members for t in index.tasks_of(p.id)))
    }
    docs = _project_docs(index, projects, public) | projects
    clients = {p.client for p in index.projects() if p.id in projects and p.client in public}
    goals = {g for p in index.projects() if p.id in projects for g in p.goals if g in public}
    return docs | members | {c for c in clients if c} | goals


def _entries(index: Index, ids: set[str], audience: Audience) -> list[TimeEntry]:
    """Entries of visible timelogs against visible documents (audience sites: only against visible documents)."""
    result = []
    for entry in index.entries:
        log = index.by_path.get(entry.path)
        if entry.ref not in ids:
            continue
        if audience.internal and (log is None or log.id not in ids):
            continue
        if not audience.internal and log is not None and log.is_private:
            continue
        result.append(entry)
    return result
