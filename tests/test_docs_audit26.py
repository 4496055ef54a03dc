"""The documentation audit's LOW findings (L1, L2, L4, L6-L12): help, exit statuses and docs that tell the truth."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WM_")}
    return {**env, "WM_TODAY": "2026-11-26", "NO_COLOR": "", **extra}


def _wm(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "workspace_tool", *args], cwd=cwd, env=_env(**env), capture_output=True, text=True, timeout=120)


# -- L1. `wm report flow --help` names itself in its example ----------------------------------------


def test_report_flow_help_shows_wm_report_flow_and_flow_help_shows_wm_flow() -> None:
    from workspace_tool.cli import main

    report = CliRunner().invoke(main, ["report", "flow", "--help"]).output
    alone = CliRunner().invoke(main, ["flow", "--help"]).output
    assert "wm report flow --project studio-website" in report and re.search(r"^\s+wm flow ", report, re.M) is None
    assert re.search(r"^\s+wm flow --project studio-website", alone, re.M) and "wm report flow" not in alone


def test_report_flow_is_the_same_command_as_flow_with_its_own_help() -> None:
    from workspace_tool.cli.history import FLOW_COMMAND, flow_cmd
    from workspace_tool.cli.reports import report_group

    attached = report_group.commands["flow"]
    assert attached is FLOW_COMMAND and attached.callback is flow_cmd.callback and attached.params == flow_cmd.params
    assert attached.help != flow_cmd.help


# -- L2. 141 when the reader leaves during one large write ------------------------------------------


@pytest.fixture
def big(workspace: Path, write_doc: Callable[[str, str], Path]) -> Path:
    """A workspace whose `wm list --json` is some 400 KB, printed in one write."""
    write_doc("projects/p/project.md", "---\ntitle: P\nstatus: active\n---\n")
    for number in range(800):
        write_doc(f"projects/p/tasks/t{number:03}.md", f"---\ntitle: {'Long title ' * 30}{number}\nstatus: todo\n---\n{'body ' * 40}\n")
    return workspace


@pytest.mark.parametrize("unbuffered", ["", "1"])
def test_a_reader_that_leaves_during_one_large_write_gives_141(big: Path, unbuffered: str) -> None:
    """Python took the 64 KiB a pipe held as the whole write and exited 0 (`wm export json | head -c 10`)."""
    env = _env(PYTHONUNBUFFERED=unbuffered)
    if not unbuffered:
        env.pop("PYTHONUNBUFFERED")
    assert len(_wm("-C", str(big), "list", "--json").stdout) > 300_000  # far more than a pipe holds
    process = subprocess.Popen([sys.executable, "-m", "workspace_tool", "-C", str(big), "list", "--json"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env)
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(10) == b"[\n  {\n    "  # wm is now inside its one write, the pipe full
    process.stdout.close()  # the reader leaves, as `head -c 10` does
    errors = process.stderr.read()
    assert process.wait(timeout=120) == 141
    assert b"Traceback" not in errors and b"Exception ignored" not in errors and b"BrokenPipe" not in errors


def test_output_to_a_reader_that_stays_is_whole(big: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "workspace_tool", "-C", str(big), "list", "--json"], capture_output=True, env=_env(), timeout=120)
    assert done.returncode == 0 and len(json.loads(done.stdout)) == 801


# -- L4. JQL's `<` and `>` translate to the exact equivalent ----------------------------------------


@pytest.fixture
def dated(workspace: Path, write_doc: Callable[[str, str], Path]) -> Path:
    write_doc("projects/p/project.md", "---\ntitle: P\nstatus: active\n---\n")
    for name, due, estimate in (("a", "2026-11-30", "7h"), ("b", "2026-12-01", "8h"), ("c", "2026-12-31", "9h"), ("d", "2027-01-01", "1d")):
        write_doc(f"projects/p/tasks/{name}.md", f"---\ntitle: {name}\nstatus: todo\ndue: {due}\nestimate: {estimate}\n---\n")
    return workspace


def _suggested(wm, root: Path, term: str) -> str:  # type: ignore[no-untyped-def]
    refused = wm("-C", str(root), "list", term)
    assert refused.exit_code == 2, refused.output
    found = re.search(r": write (.+?)(?: \(.*\))?$", refused.stderr.strip())
    assert found, refused.stderr
    return found.group(1)


def _ids(wm, root: Path, *terms: str) -> list[str]:  # type: ignore[no-untyped-def]
    shown = wm("-C", str(root), "list", "--type", "task", "--json", *terms)
    assert shown.exit_code == 0, shown.output
    return sorted(d["id"] for d in json.loads(shown.stdout))


@pytest.mark.parametrize(
    ("term", "written", "matching"),
    [
        ("due<2026-12-01", "due:..2026-11-30", ["a"]),
        ("due.before:2026-12-01", "due:..2026-11-30", ["a"]),
        ("due>2026-12-01", "due:2026-12-02..", ["c", "d"]),
        ("due>2026-12", "due:2027-01-01..", ["d"]),
        ("due.after:2026-12", "due:2027-01-01..", ["d"]),
        ("due<2026-12", "due:..2026-11-30", ["a"]),
        ("due<=2026-12-01", "due:..2026-12-01", ["a", "b"]),
        ("estimate<8h", "estimate:..8h -estimate:8h", ["a"]),
        ("estimate>8h", "estimate:8h.. -estimate:8h", ["c"]),
        ("-estimate<8h", "estimate:8h..", ["b", "c", "d"]),
    ],
)
def test_a_strict_comparison_is_refused_with_its_exact_equivalent(dated: Path, wm, term: str, written: str, matching: list[str]) -> None:  # type: ignore[no-untyped-def]
    """`due<2026-12-01` was answered `due:..2026-12-01`, which also lists what is due on Dec 1."""
    assert _suggested(wm, dated, term) == written
    assert _ids(wm, dated, *written.split()) == matching


def test_a_relative_date_is_made_the_day_before_with_a_note(dated: Path, wm) -> None:  # type: ignore[no-untyped-def]
    refused = wm("-C", str(dated), "list", "due<today")
    assert "write due:..2026-11-25 (the day before today; ranges are inclusive)" in refused.stderr


def test_a_comparison_on_a_field_without_ranges_says_so(dated: Path, wm) -> None:  # type: ignore[no-untyped-def]
    refused = wm("-C", str(dated), "list", "status<todo")
    assert refused.exit_code == 2 and "ranges work only on dates, durations and numbers, and status is not one" in refused.stderr


def test_query_md_shows_the_exact_translation() -> None:
    text = (DOCS / "query.md").read_text(encoding="utf-8")
    assert "`due:..2026-11-30`" in text and "→ `due:..2026-12-01`" not in text


# -- L6. The editing tour prints what wm prints ------------------------------------------------------


def _tour() -> list[tuple[str, list[str]]]:
    """The commands of docs/editing.md's tour, each with the lines it is shown printing."""
    text = (DOCS / "editing.md").read_text(encoding="utf-8")
    block = text.split("## A command tour", 1)[1].split("```console\n", 1)[1].split("\n```", 1)[0]
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
    for _, shown in steps:
        while shown and (not shown[-1].strip() or shown[-1].startswith("# ")):
            shown.pop()
    return steps


def _matches(shown: list[str], printed: list[str]) -> bool:
    """`printed` as `shown` has it, a `...` line standing for any lines and a commit ID for any."""
    pattern = "\n".join(".*?" if line == "..." else re.escape(line).replace("1a2b3c4", "[0-9a-f]{7}") for line in shown)
    return re.fullmatch(pattern, "\n".join(printed), re.S) is not None


def test_the_editing_tour_prints_what_the_doc_shows(tmp_path: Path) -> None:
    """The tour showed `comment by Alice Moreau` and 25m logged where wm prints `comment by alice` and 2h25m."""
    env: dict[str, str] = {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "T",
                           "GIT_COMMITTER_EMAIL": "t@example.com"}
    demo = tmp_path / "wm-demo"
    cwd = REPO
    steps = _tour()
    assert len(steps) > 15
    for command, shown in steps:
        command = re.split(r"\s{2,}# ", command)[0].replace("/tmp/wm-demo", str(demo))
        if command.startswith("export "):
            env.update(part.split("=", 1) for part in shlex.split(command)[1:])
            continue
        command = command.split(" && cd ")[0]
        words = shlex.split(command)
        assert words[0] == "wm", command
        done = _wm(*words[1:], cwd=cwd, **env)
        printed = [line.rstrip() for line in (done.stdout + done.stderr).replace(str(demo), "/tmp/wm-demo").splitlines()]
        assert done.returncode == 0, (command, done.stderr)
        assert _matches(shown, printed), (command, shown, printed)
        cwd = demo


# -- L7. `wm set key=[a, b]` writes a list of a key of your own --------------------------------------


def test_set_writes_a_list_for_a_key_of_your_own_and_the_query_finds_its_items(workspace: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    task = write_doc("projects/p/tasks/t.md", "---\ntitle: T\nstatus: todo\n---\n")
    write_doc("projects/p/project.md", "---\ntitle: P\nstatus: active\n---\n")
    done = wm("-C", str(workspace), "set", "t", "customers=[Acme, Globex]", "counts=[1, 2.5, 0012]", "none=[]", "tags=[a, b]")
    assert done.exit_code == 0, done.output
    assert task.read_text(encoding="utf-8") == (
        "---\ntitle: T\nstatus: todo\ncustomers: [Acme, Globex]\ncounts: [1, 2.5, '0012']\nnone: []\ntags: [a, b]\n---\n"
    )
    assert [d["id"] for d in json.loads(wm("-C", str(workspace), "list", "customers:globex", "--json").stdout)] == ["t"]
    assert [d["id"] for d in json.loads(wm("-C", str(workspace), "list", "tag:b", "--json").stdout)] == ["t"]


def test_a_comma_list_of_your_own_stays_text(workspace: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    task = write_doc("projects/p/tasks/t.md", "---\ntitle: T\nstatus: todo\n---\n")
    assert wm("-C", str(workspace), "set", "t", "note=Acme,Globex").exit_code == 0
    assert "note: Acme,Globex\n" in task.read_text(encoding="utf-8")


# -- L8. `wm set type=` says why a type cannot be set -------------------------------------------------


def test_set_type_gives_the_reason_for_type_and_set_id_the_one_for_id(workspace: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc("projects/p/tasks/t.md", "---\ntitle: T\nstatus: todo\n---\n")
    kind = wm("-C", str(workspace), "set", "t", "type=note")
    name = wm("-C", str(workspace), "set", "t", "id=u")
    assert kind.exit_code == 2 and "type: cannot be changed with wm set" in kind.stderr
    assert "folder" in kind.stderr and "ID" not in kind.stderr
    assert name.exit_code == 2 and "an ID is the file name" in name.stderr


# -- L9. WM_NOW, for reproducible output, in README and the conventions -----------------------------


def test_readme_and_conventions_name_wm_now() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    conventions = (DOCS / "index.md").read_text(encoding="utf-8").split("## Command-line conventions", 1)[1]
    assert "WM_NOW=" in readme.split("## Documentation", 1)[0] and "WM_NOW=" in conventions


# -- L10. `--from`/`--to` take a month -----------------------------------------------------------------


def test_bound_gives_a_periods_first_day_to_from_and_its_last_to_to() -> None:
    from workspace_tool.relative_dates import bound

    today = dt.date(2026, 12, 10)
    assert bound("2026-11", today) == dt.date(2026, 11, 1) and bound("2026-11", today, last=True) == dt.date(2026, 11, 30)
    assert bound("last-month", today) == dt.date(2026, 11, 1) and bound("last-month", today, last=True) == dt.date(2026, 11, 30)
    assert bound("2026-11-05", today, last=True) == dt.date(2026, 11, 5) and bound("-1w", today) == dt.date(2026, 12, 3)


@pytest.fixture
def logged(workspace: Path, write_doc: Callable[[str, str], Path]) -> Path:
    write_doc("people/ann.md", "---\nname: Ann\n---\n")
    write_doc("projects/p/project.md", "---\ntitle: P\nstatus: active\n---\n")
    write_doc("timelogs/ann/2026-10.md", "---\nperson: ann\n---\n- 2026-10-31 1h p\n")
    write_doc("timelogs/ann/2026-11.md", "---\nperson: ann\n---\n- 2026-11-01 2h p\n- 2026-11-30 4h p\n")
    write_doc("timelogs/ann/2026-12.md", "---\nperson: ann\n---\n- 2026-12-01 8h p\n")
    return workspace


def test_report_time_takes_a_month_for_from_and_to(logged: Path, wm) -> None:  # type: ignore[no-untyped-def]
    """`--from 2026-11` was refused: expected a date YYYY-MM-DD."""
    month = wm("-C", str(logged), "report", "time", "--from", "2026-11", "--to", "2026-11", "--json")
    days = wm("-C", str(logged), "report", "time", "--from", "2026-11-01", "--to", "2026-11-30", "--json")
    assert month.exit_code == 0, month.output
    assert month.stdout == days.stdout and json.loads(month.stdout)["total_hours"] == 6


def test_report_time_takes_last_month_as_a_query_does(logged: Path, wm, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("WM_TODAY", "2026-12-10")
    last = wm("-C", str(logged), "report", "time", "--from", "last-month", "--to", "last-month", "--json")
    assert last.exit_code == 0 and json.loads(last.stdout)["total_hours"] == 6


def test_report_people_takes_a_month(logged: Path, wm) -> None:  # type: ignore[no-untyped-def]
    shown = json.loads(wm("-C", str(logged), "report", "people", "--from", "2026-11", "--to", "2026-11", "--json").stdout)
    assert (shown["from"], shown["to"]) == ("2026-11-01", "2026-11-30")


def test_every_from_and_to_takes_a_month(logged: Path, wm) -> None:  # type: ignore[no-untyped-def]
    """The same periods for every command's --from/--to and --since, not only the reports'."""
    clock = wm("-C", str(logged), "export", "timeclock", "--from", "2026-11", "--to", "2026-11")
    assert clock.exit_code == 0, clock.output
    assert "i 2026-11-30 " in clock.stdout and "2026-12-01" not in clock.stdout
    plan = wm("-C", str(logged), "schedule", "--from", "2026-12", "--json")
    assert plan.exit_code == 0 and json.loads(plan.stdout)["start"] == "2026-12-01", plan.output
    from workspace_tool.cli.history import parse_since

    assert parse_since("2026-11", dt.date(2026, 12, 10)) == dt.date(2026, 11, 1)


def test_a_bad_from_still_names_the_option_and_the_forms(logged: Path, wm) -> None:  # type: ignore[no-untyped-def]
    bad = wm("-C", str(logged), "report", "time", "--to", "2026-13")
    assert bad.exit_code == 2 and "--to: expected a date YYYY-MM-DD" in bad.stderr and "2026-11" in bad.stderr


# -- L11. Small doc errors ---------------------------------------------------------------------------


def test_where_to_start_lists_reports_and_performance() -> None:
    start = (DOCS / "index.md").read_text(encoding="utf-8").split("## Where to start", 1)[1].split("\n## ", 1)[0]
    assert "(reports.md)" in start and "(performance.md)" in start


def test_reports_md_documents_every_key_of_the_goals_json() -> None:
    from workspace_tool.cli import main

    env = {"WM_TODAY": "2026-11-26"}
    shown = json.loads(CliRunner(env=env).invoke(main, ["-C", str(REPO / "sample_workspace"), "report", "goals", "--json"]).output)
    goal = shown["goals"][0]
    section = (DOCS / "reports.md").read_text(encoding="utf-8").split("## `wm report goals`", 1)[1].split("\n## ", 1)[0]
    assert "`--json`" in section
    for key in [*goal, *goal["key_results"][0], *goal["projects"][0]]:
        assert f'"{key}"' in section, key


def test_no_internal_jargon_in_scheduling_and_the_generator_note() -> None:
    scheduling = (DOCS / "scheduling.md").read_text(encoding="utf-8")
    performance = (DOCS / "performance.md").read_text(encoding="utf-8")
    assert re.search(r"\bstop 24\b|the issue", scheduling, re.I) is None
    assert "Until stop 24" not in performance


def test_the_ci_example_installs_wm_from_its_repository() -> None:
    site = (DOCS / "site.md").read_text(encoding="utf-8")
    installs = re.findall(r"- run: (pip install .*)", site)
    assert installs and all("workspace_tool" not in line and ("git+" in line or "pip install ." in line) for line in installs)


def test_query_md_says_what_workdays_matches() -> None:
    assert "`no:workdays` finds them" in (DOCS / "query.md").read_text(encoding="utf-8")


# -- L12. The benchmarks say what they measured, and clean up ----------------------------------------


def _benchmark(name: str):  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(REPO / "benchmarks"))


class _Stop(Exception):
    pass


def test_run_prints_the_workspaces_own_document_count(workspace: Path, write_doc, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """It printed `--docs` (10000 by default) for a --workspace of any size."""
    for name in ("a", "b", "c"):
        write_doc(f"notes/{name}.md", f"# {name}\n")
    run = _benchmark("run")

    def stop(root: Path, repeat: int) -> None:
        raise _Stop

    monkeypatch.setattr(run, "measure_wm", stop)
    with pytest.raises(_Stop):
        run.main(["--workspace", str(workspace), "--no-taskwarrior", "--repeat", "1"])
    assert f"workspace: 3 documents ({workspace})" in capsys.readouterr().out


def test_bench_schedule_removes_its_temporary_workspace(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    bench = _benchmark("bench_schedule")
    made = tmp_path / "wm-bench-x"
    monkeypatch.setattr(bench.tempfile, "mkdtemp", lambda prefix="": (made.mkdir(), str(made))[1])
    monkeypatch.setattr(sys, "argv", ["bench_schedule.py", "--tasks", "20", "--people", "2", "--deps", "10"])
    bench.main()
    assert not made.exists() and "removed" in capsys.readouterr().out
