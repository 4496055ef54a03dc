"""Generate a synthetic, seeded `wm` workspace for benchmarks.

    python benchmarks/generate.py DEST --docs 10000 --projects 40 --people 20 --months 6
    python benchmarks/generate.py DEST --docs 2000 --commits 5000   # with a git history

Documents are split between people, clients, projects, time logs (one per
person and month), decisions, risks, notes and tasks (the rest). Tasks have
assignees, estimates, due dates, dependencies and `[[links]]`; time logs
reference tasks. With `--commits N`, the files are committed through
`git fast-import` (in batches of 200), followed by N commits each rewriting 1-3
random tasks (a new status, and with it a new title, assignee, estimate, due
date, tags, dependencies and body: every version's diff is the whole file,
the worst case for the diffs the site shows), then checked out. The same seed gives the same
workspace byte for byte.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

TODAY = dt.date(2026, 11, 26)
STATUSES = ("todo", "todo", "in-progress", "review", "done", "done", "cancelled")
PRIORITIES = ("critical", "high", "medium", "medium", "low")
WORDS = (
    "design review api client brief budget launch copy layout test deploy audit export invoice "
    "sprint backlog mobile search report onboarding migration pricing feedback analytics"
).split()


@dataclass(frozen=True)
class Sizes:
    docs: int
    projects: int
    people: int
    months: int
    clients: int = 5


@dataclass(frozen=True)
class Plan:
    """Which IDs exist, decided before any text is written."""

    people: list[str]
    clients: list[str]
    projects: list[str]
    tasks: list[tuple[str, str]]  # (task id, project)
    decisions: list[tuple[str, str]]
    risks: list[tuple[str, str]]
    notes: list[str]
    months: list[dt.date]


def make_plan(sizes: Sizes) -> Plan:
    people = [f"person-{i:03d}" for i in range(sizes.people)]
    clients = [f"client-{i:02d}" for i in range(sizes.clients)]
    projects = [f"proj-{i:03d}" for i in range(sizes.projects)]
    months = [_month_start(TODAY, -k) for k in reversed(range(sizes.months))]
    fixed = len(people) + len(clients) + len(projects) + len(people) * len(months)
    rest = max(sizes.docs - fixed, 0)
    n_decisions, n_risks, n_notes = rest // 20, rest // 40, rest // 20
    n_tasks = rest - n_decisions - n_risks - n_notes
    tasks = [(f"T-{i:05d}", projects[i % len(projects)]) for i in range(n_tasks)]
    decisions = [(f"D-{i:04d}", projects[i % len(projects)]) for i in range(n_decisions)]
    risks = [(f"R-{i:04d}", projects[i % len(projects)]) for i in range(n_risks)]
    notes = [f"note-{i:04d}" for i in range(n_notes)]
    return Plan(people, clients, projects, tasks, decisions, risks, notes, months)


def _month_start(day: dt.date, delta: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + delta
    return dt.date(index // 12, index % 12 + 1, 1)


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _paragraphs(rng: random.Random, doc_id: str, n: int) -> str:
    return "\n\n".join(f"{_words(rng, 6).capitalize()} for {doc_id}. " + _words(rng, 30) + "." for _ in range(n))


def person_text(rng: random.Random, pid: str) -> str:
    return (
        f"---\nname: {pid.replace('-', ' ').title()}\nemail: {pid}@example.com\nrole: {rng.choice(['designer', 'developer', 'pm'])}\n"
        f"capacity: {rng.choice([4, 6.4, 8, 8])}\nrate: {rng.choice([80, 95, 110])}\n---\n\n# {pid}\n\n{_paragraphs(rng, pid, 1)}\n"
    )


def client_text(rng: random.Random, cid: str) -> str:
    return f"---\nname: Client {cid[-2:]}\nrate: {rng.choice([90, 120])}\ncurrency: EUR\n---\n\n# {cid}\n"


def project_text(rng: random.Random, plan: Plan, slug: str) -> str:
    start = TODAY - dt.timedelta(days=rng.randint(30, 200))
    due = TODAY + dt.timedelta(days=rng.randint(-10, 120))
    return (
        f"---\ntitle: Project {slug}\nstatus: {rng.choice(['active', 'active', 'proposed', 'on-hold'])}\n"
        f"owner: {rng.choice(plan.people)}\nclient: {rng.choice(plan.clients)}\nstart: {start}\ndue: {due}\n"
        f"budget: {rng.randint(10, 200) * 1000}\ntags: [{rng.choice(WORDS)}]\n---\n\n# Project {slug}\n\n{_paragraphs(rng, slug, 2)}\n"
    )


def task_text(rng: random.Random, plan: Plan, number: int, status: str | None = None) -> str:
    tid, project = plan.tasks[number]
    lines = [
        "---",
        f"title: {_words(rng, 4).capitalize()}",
        f"status: {status or rng.choice(STATUSES)}",
        f"assignee: {rng.choice(plan.people)}",
        f"priority: {rng.choice(PRIORITIES)}",
        f"estimate: {rng.choice(['2h', '4h', '1d', '2d', '3d', '1w'])}",
        f"due: {TODAY + dt.timedelta(days=rng.randint(-30, 90))}",
        f"tags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]",
    ]
    earlier = [t for t, p in plan.tasks[max(0, number - 200) : number] if p == project]
    if earlier and rng.random() < 0.4:
        deps = rng.sample(earlier, k=min(len(earlier), rng.randint(1, 2)))
        lines.append(f"depends_on: [{', '.join(deps)}]")
    lines.append("---")
    body = [f"# {tid}", "", _paragraphs(rng, tid, 2), "", "- [x] " + _words(rng, 3), "- [ ] " + _words(rng, 3)]
    if earlier and rng.random() < 0.3:
        body += ["", f"See [[{rng.choice(earlier)}]]."]
    return "\n".join(lines) + "\n\n" + "\n".join(body) + "\n"


def decision_text(rng: random.Random, plan: Plan, number: int) -> str:
    did, _project = plan.decisions[number]
    supersedes = f"supersedes: [{plan.decisions[number - 1][0]}]\n" if number and rng.random() < 0.2 else ""
    return (
        f"---\ntitle: Decide {_words(rng, 3)}\nstatus: accepted\ndate: {TODAY - dt.timedelta(days=rng.randint(1, 200))}\n"
        f"deciders: [{rng.choice(plan.people)}]\n{supersedes}---\n\n# {did}\n\n{_paragraphs(rng, did, 2)}\n"
    )


def risk_text(rng: random.Random, plan: Plan, number: int) -> str:
    rid, _project = plan.risks[number]
    return (
        f"---\ntitle: Risk {_words(rng, 3)}\nowner: {rng.choice(plan.people)}\nprobability: {rng.choice(['low', 'medium', 'high'])}\n"
        f"impact: {rng.choice(['low', 'medium', 'high'])}\n---\n\n# {rid}\n\n{_paragraphs(rng, rid, 1)}\n"
    )


def note_text(rng: random.Random, plan: Plan, nid: str) -> str:
    link = f"\n\nRelated: [[{rng.choice(plan.projects)}]]\n" if plan.projects else "\n"
    return f"# Note {nid}\n\n{_paragraphs(rng, nid, 3)}{link}"


def timelog_text(rng: random.Random, plan: Plan, person: str, month: dt.date) -> str:
    lines = ["---", f"person: {person}", "---", "", f"# {person} {month:%Y-%m}", ""]
    day = month
    while day.month == month.month and day <= TODAY:
        if day.weekday() < 5 and plan.tasks:
            start = 9
            for _ in range(rng.randint(1, 3)):
                ref = rng.choice(plan.tasks)[0]
                end = start + rng.randint(1, 3)
                lines.append(f"- {day} {start:02d}:00-{end:02d}:00 {ref} {_words(rng, 2)} #{rng.choice(WORDS)}")
                start = end
        day += dt.timedelta(days=1)
    return "\n".join(lines) + "\n"


def build_files(sizes: Sizes, seed: int) -> dict[str, str]:
    """Every file of the workspace: relative path -> text."""
    rng = random.Random(seed)
    plan = make_plan(sizes)
    files = {"workspace.yml": "name: bench\ncurrency: EUR\ncalendar:\n  hours_per_day: 8\n", ".gitignore": ".wm/\nsite/\n"}
    for pid in plan.people:
        files[f"people/{pid}.md"] = person_text(rng, pid)
    for cid in plan.clients:
        files[f"clients/{cid}.md"] = client_text(rng, cid)
    for slug in plan.projects:
        files[f"projects/{slug}/project.md"] = project_text(rng, plan, slug)
    for number, (tid, project) in enumerate(plan.tasks):
        files[f"projects/{project}/tasks/{tid}.md"] = task_text(rng, plan, number)
    for number, (did, project) in enumerate(plan.decisions):
        files[f"projects/{project}/decisions/{did}.md"] = decision_text(rng, plan, number)
    for number, (rid, project) in enumerate(plan.risks):
        files[f"projects/{project}/risks/{rid}.md"] = risk_text(rng, plan, number)
    for nid in plan.notes:
        files[f"notes/{nid}.md"] = note_text(rng, plan, nid)
    for person in plan.people:
        for month in plan.months:
            files[f"timelogs/{person}/{month:%Y-%m}.md"] = timelog_text(rng, plan, person, month)
    return files


def write_files(dest: Path, files: dict[str, str]) -> None:
    for relpath, text in files.items():
        path = dest / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def write_git(dest: Path, files: dict[str, str], sizes: Sizes, seed: int, commits: int) -> None:
    """Commit the files through `git fast-import`, then `commits` commits rewriting 1-3 tasks each, and check out."""
    rng = random.Random(seed + 1)
    plan = make_plan(sizes)
    subprocess.run(["git", "init", "-q", "-b", "main", str(dest)], check=True)
    proc = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=dest, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    stream = proc.stdin
    authors = [(p.replace("-", " ").title(), f"{p}@example.com") for p in plan.people] or [("Bench", "bench@example.com")]
    when = int(dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC).timestamp())
    mark = 0

    def commit(changes: dict[str, str], message: str) -> None:
        nonlocal mark, when
        mark += 1
        when += rng.randint(60, 3 * 3600)
        name, email = rng.choice(authors)
        data = message.encode()
        stream.write(f"commit refs/heads/main\nmark :{mark}\ncommitter {name} <{email}> {when} +0000\n".encode())
        stream.write(b"data %d\n%s\n" % (len(data), data))
        if mark > 1:
            stream.write(f"from :{mark - 1}\n".encode())
        for relpath, text in changes.items():
            blob = text.encode()
            stream.write(f"M 100644 inline {relpath}\n".encode() + b"data %d\n%s\n" % (len(blob), blob))
        stream.write(b"\n")

    paths = sorted(files)
    for start in range(0, len(paths), 200):
        commit({p: files[p] for p in paths[start : start + 200]}, f"Add documents {start}-{start + 199}")
    task_paths = {tid: f"projects/{project}/tasks/{tid}.md" for tid, project in plan.tasks}
    for number in range(commits):
        picked = rng.sample(range(len(plan.tasks)), k=min(len(plan.tasks), rng.randint(1, 3)))
        changes = {}
        for task in picked:
            changes[task_paths[plan.tasks[task][0]]] = task_text(random.Random(f"{seed}-{task}-{number}"), plan, task, rng.choice(STATUSES))
        commit(changes, f"Update {len(changes)} task(s) (#{number})")
    stream.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=dest, check=True)


def taskwarrior_json(sizes: Sizes, seed: int, with_dependencies: bool) -> list[dict[str, object]]:
    """The same tasks as Taskwarrior import records (uuid derived from the task ID)."""
    import uuid

    plan = make_plan(sizes)
    files = build_files(sizes, seed)
    records: list[dict[str, object]] = []
    for tid, project in plan.tasks:
        text = files[f"projects/{project}/tasks/{tid}.md"]
        fields = dict(line.split(": ", 1) for line in text.split("---\n")[1].splitlines() if ": " in line)
        status = {"done": "completed", "cancelled": "deleted"}.get(fields["status"], "pending")
        record: dict[str, object] = {
            "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, tid)),
            "description": fields["title"],
            "project": project,
            "status": status,
            "entry": "20260101T000000Z",
            "due": fields["due"].replace("-", "") + "T000000Z",
            "tags": [t.strip() for t in fields["tags"].strip("[]").split(",")],
            "priority": {"critical": "H", "high": "H", "medium": "M", "low": "L"}[fields["priority"]],
        }
        if status != "pending":
            record["end"] = "20261101T000000Z"
        if with_dependencies and "depends_on" in fields:
            record["depends"] = [str(uuid.uuid5(uuid.NAMESPACE_URL, d.strip())) for d in fields["depends_on"].strip("[]").split(",")]
        records.append(record)
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("dest", type=Path, help="folder to create (must not exist, or be empty)")
    parser.add_argument("--docs", type=int, default=10_000, help="documents in total (default 10000)")
    parser.add_argument("--projects", type=int, default=40)
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--months", type=int, default=6, help="months of time logs per person")
    parser.add_argument("--clients", type=int, default=5)
    parser.add_argument("--commits", type=int, default=0, help="git history: N commits after the initial import (0: no git)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--taskwarrior", type=Path, metavar="FILE", help="also write the tasks as Taskwarrior import JSON")
    args = parser.parse_args(argv)
    if args.dest.exists() and any(args.dest.iterdir()):
        parser.error(f"{args.dest} exists and is not empty")
    sizes = Sizes(args.docs, max(args.projects, 1), max(args.people, 1), args.months, args.clients)
    files = build_files(sizes, args.seed)
    args.dest.mkdir(parents=True, exist_ok=True)
    if args.commits:
        write_git(args.dest, files, sizes, args.seed, args.commits)
    else:
        write_files(args.dest, files)
    if args.taskwarrior:
        args.taskwarrior.write_text(json.dumps(taskwarrior_json(sizes, args.seed, True)), encoding="utf-8")
    print(f"{args.dest}: {sum(p.endswith('.md') for p in files)} documents", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
