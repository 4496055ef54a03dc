"""A small agency workspace built in tmp_path for the report, export and import tests.

`build_studio(root)` writes it; the numbers the tests expect are worked out
by hand in comments next to the timelog lines below.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

from workspace_tool.workspace import load_index

TODAY = dt.date(2026, 11, 26)
NOW = dt.datetime(2026, 11, 26, 16, 30)

FILES: dict[str, str] = {
    "workspace.yml": "name: Studio\ncurrency: EUR\ncalendar:\n  hours_per_day: 8\n  day_start: '09:00'\n",
    "clients/acme.md": "---\nname: Acme Corp\nrate: 100\n---\n# Acme\n",
    "clients/globex.md": "---\nname: Globex\nrate: 80\ncurrency: USD\n---\n# Globex\n",
    "people/alice.md": "---\nname: Alice\nrate: 90\ncapacity: 8\n---\n# Alice\n",
    "people/bob.md": "---\nname: Bob\nrate: 70\ncapacity: 4\n---\n# Bob\n",
    "goals/growth.md": "---\ntitle: Grow revenue\nkey_results:\n  - {title: New clients, target: 4, current: 1}\n  - {title: Revenue k, target: 200, current: 150}\n---\n",
    "projects/site/project.md": (
        "---\ntitle: Acme website\nstatus: active\nowner: alice\nclient: acme\nbillable: true\nbudget: 5000\n"
        "due: 2026-12-15\npriority: high\ngoals: [growth]\n---\n"
    ),
    "projects/site/tasks/design.md": "---\ntitle: Design\nstatus: done\nassignee: alice\nestimate: 10h\ndone: 2026-11-02\n---\n",
    "projects/site/tasks/build.md": "---\ntitle: Build\nstatus: in-progress\nassignee: bob\nestimate: 20h\nrate: 120\ndue: 2026-11-20\n---\n",
    "projects/site/tasks/meeting.md": "---\ntitle: Kick-off\nstatus: todo\nbillable: false\nestimate: 2h\n---\n",
    "projects/app/project.md": (
        "---\ntitle: Globex app\nstatus: active\nclient: globex\nbillable: true\nbudget: 1000\ndue: 2026-11-20\npriority: critical\n---\n"
    ),
    "projects/app/tasks/api.md": "---\ntitle: API\nstatus: done\nassignee: bob\nestimate: 8h\ndone: 2026-11-06\n---\n",
    "projects/internal/project.md": "---\ntitle: Internal\nstatus: active\nbillable: false\npriority: low\n---\n",
    "projects/internal/tasks/admin.md": "---\ntitle: Admin\nstatus: todo\nassignee: alice\nestimate: 4h\n---\n",
    # alice, October: design 3h billable at acme's 100 = 300; 1.5h design #nonbillable; 2h internal (not billable)
    "timelogs/alice/2026-10.md": (
        "---\nperson: alice\n---\n# Alice, October\n\n"
        "- 2026-10-05 3h design initial sketches\n"
        "- 2026-10-06 09:00-10:30 design review #nonbillable\n"
        "- 2026-10-20 2h admin\n"
    ),
    # alice, November: design 4h = 400; three 20m on the project itself = exactly 100.00 (rows of 33.33 would give 99.99);
    # a running timer on build since 14:00, at NOW 16:30 = 2.5h at build's 120 = 300
    "timelogs/alice/2026-11.md": (
        "---\nperson: alice\n---\n# Alice, November\n\n"
        "- 2026-11-02 4h design\n"
        "- 2026-11-03 20m site call\n"
        "- 2026-11-03 20m site call\n"
        "- 2026-11-03 20m site call\n"
        "- 2026-11-26 14:00- build\n"
    ),
    # bob: build 5h at 120 = 600 EUR; api 4.75h + 2h at globex 80 = 540 USD; meeting 1h #billable at acme 100 = 100 EUR
    "timelogs/bob/2026-11.md": (
        "---\nperson: bob\n---\n# Bob, November\n\n"
        "- 2026-11-02 5h build\n"
        "- 2026-11-04 13:00-17:45 api endpoints\n"
        "- 2026-11-05 1h meeting #billable\n"
        "- 2026-11-06 2h api\n"
    ),
}


def build_studio(root: Path, extra: dict[str, str] | None = None, git: bool = False) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for relpath, text in {**FILES, **(extra or {})}.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if git:
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


def studio_index(root: Path, extra: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    build_studio(root, extra)
    return load_index(root, TODAY, use_cache=False)


def test_studio_is_valid(tmp_path: Path) -> None:
    index = studio_index(tmp_path / "ws")
    assert [str(d) for d in index.diagnostics()] == []
    assert len(index.entries) == 12
