"""`wm list` through the real command line: negated terms, options, table/JSON/CSV output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import pytest
from click.testing import Result
from conftest import FIXTURES, SAMPLE, check_golden
from query_helpers import make_index, make_workspace

from workspace_tool.records import document_record

Run = Callable[..., Result]
GOLDEN = FIXTURES / "query"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COLUMNS", "100")
    return make_workspace(tmp_path / "ws")


def list_ids(wm: Run, ws: Path, *args: str) -> list[str]:
    result = wm("-C", str(ws), "list", *args, "--json")
    assert result.exit_code == 0, result.output
    return [r["id"] for r in json.loads(result.output)]


def test_negated_term_is_not_taken_for_an_option(wm: Run, ws: Path) -> None:
    assert list_ids(wm, ws, "--type", "task", "-status:done") == ["build", "docs", "launch", "test"]


def test_negated_terms_containing_option_letters(wm: Run, ws: Path) -> None:
    # `-h` is the help option; `-has:due` and `-tag:high` must still be terms
    assert list_ids(wm, ws, "--type", "task", "-has:due") == ["docs"]
    assert list_ids(wm, ws, "-tag:api", "type:task") == ["docs", "launch", "test"]


def test_options_work_anywhere_among_terms(wm: Run, ws: Path) -> None:
    result = wm("-C", str(ws), "list", "status:todo", "--json", "-assignee:alice", "--sort", "-due", "--limit", "1")
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.output)] == ["launch"]


def test_sort_value_starting_with_a_dash_and_equals_form(wm: Run, ws: Path) -> None:
    assert list_ids(wm, ws, "type:task", "--sort", "-due") == ["launch", "test", "build", "design", "docs"]
    assert list_ids(wm, ws, "type:task", "--sort=-due") == ["launch", "test", "build", "design", "docs"]


def test_terms_after_double_dash(wm: Run, ws: Path) -> None:
    result = wm("-C", str(ws), "list", "--json", "--", "type:task", "-status:todo")
    assert [r["id"] for r in json.loads(result.output)] == ["build", "design"]


def test_type_option_and_type_term_agree(wm: Run, ws: Path) -> None:
    assert list_ids(wm, ws, "--type", "decision,person") == list_ids(wm, ws, "type:decision,person") == ["use-postgres", "alice", "bob"]


def test_json_is_exactly_document_record(wm: Run, ws: Path) -> None:
    result = wm("-C", str(ws), "list", "project:web", "--json")
    index = make_index(ws)
    expected = [document_record(index.docs[i], index) for i in ["build", "design", "docs", "launch", "test", "use-postgres"]]
    assert json.loads(result.output) == json.loads(json.dumps(expected, default=str))
    check_golden(GOLDEN / "list_project.json", result.output)


def test_empty_result_json_is_an_empty_array(wm: Run, ws: Path) -> None:
    result = wm("-C", str(ws), "list", "status:review", "--json")
    assert result.exit_code == 0
    assert json.loads(result.output) == []


def test_table_of_tasks_has_the_task_columns_and_dims_done_rows(wm: Run, ws: Path) -> None:
    result = wm("-C", str(ws), "list", "type:task")
    assert result.exit_code == 0
    header = result.output.splitlines()[0].split()
    assert header == ["id", "title", "status", "assignee", "priority", "due", "estimate", "project"]
    check_golden(GOLDEN / "list_tasks.txt", result.output)


def test_mixed_table_has_a_type_column(wm: Run, ws: Path) -> None:
    result = wm("-C", str(ws), "list")
    assert result.output.splitlines()[0].split() == ["id", "type", "title", "status", "due", "project"]
    assert len(result.output.splitlines()) == 2 + 10  # header, rule, every document


def test_table_fits_the_terminal_width_by_cutting_text_never_ids_or_dates(wm: Run, ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = wm("-C", str(ws), "list", "type:task")
    assert max(len(line) for line in result.output.splitlines()) <= 80
    assert "Design …" in result.output  # the title column shrank
    assert "in-progress" in result.output and "2026-11-25" in result.output  # single words are whole
    monkeypatch.setenv("COLUMNS", "60")
    narrow = wm("-C", str(ws), "list", "type:task").output
    assert "in-progress" in narrow and "2026-11-25" in narrow and "critical" in narrow  # the table runs past the edge instead


def test_fields_and_limit(wm: Run, ws: Path) -> None:
    result = wm("-C", str(ws), "list", "type:task", "--fields", "id,estimate,tag", "--sort", "-estimate", "--limit", "2")
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "id      estimate  tags",
        "------  --------  -------",
        "test          1w",
        "design        2d  ui, api",
    ]


def test_unknown_field_in_fields_is_a_usage_error(wm: Run, ws: Path) -> None:
    result = wm("-C", str(ws), "list", "--fields", "id,size")
    assert result.exit_code == 2
    assert "unknown field 'size'" in result.output and "valid fields:" in result.output


def test_csv_output(wm: Run, ws: Path) -> None:
    result = wm("-C", str(ws), "list", "type:task", "has:estimate", "--csv", "--fields", "id,estimate,due,milestone,tags")
    assert result.exit_code == 0
    assert result.output == (
        "id,estimate,due,milestone,tags\n"
        "build,4,2026-11-25,false,api\n"
        "design,16,2026-11-20,false,\"ui, api\"\n"
        "test,40,2026-12-02,false,\n"
    )


def test_bad_query_is_one_line_with_exit_2(wm: Run, ws: Path) -> None:
    result = wm("-C", str(ws), "list", "due:someday")
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert result.output.startswith("wm: 'due:someday': due: bad date")
    assert "Traceback" not in result.output


def test_unknown_long_option_is_an_error(wm: Run, ws: Path) -> None:
    result = wm("-C", str(ws), "list", "--colour")
    assert result.exit_code == 2
    assert "--colour" in result.output


def test_json_and_csv_together_is_an_error(wm: Run, ws: Path) -> None:
    assert wm("-C", str(ws), "list", "--json", "--csv").exit_code == 2


def test_no_match_prints_a_note_on_stderr(wm: Run, ws: Path) -> None:
    result = wm("-C", str(ws), "list", "status:review")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no documents match" in result.stderr


def test_help_has_a_description_and_example(wm: Run) -> None:
    for command in ("list", "board", "next", "blocked", "agenda"):
        result = wm(command, "--help")
        assert result.exit_code == 0
        assert "Example:" in result.output
    assert wm("list", "-h").output.startswith("Usage: main list [OPTIONS] [TERMS]...")  # -h alone is still help


def test_listing_does_not_modify_documents(wm: Run, ws: Path) -> None:
    before = {p: p.read_bytes() for p in ws.rglob("*.md")}
    wm("-C", str(ws), "list", "-status:done", "--sort", "due")
    assert {p: p.read_bytes() for p in ws.rglob("*.md")} == before


@pytest.mark.skipif(not (SAMPLE / "workspace.yml").exists(), reason="sample workspace not written yet")
def test_sample_workspace_smoke(wm: Run) -> None:
    everything = json.loads(wm("-C", str(SAMPLE), "list", "--json").output)
    projects = [r["id"] for r in everything if r["type"] == "project"]
    assert projects
    members = json.loads(wm("-C", str(SAMPLE), "list", f"project:{projects[0]}", "--json").output)
    assert members and all(r.get("project") == projects[0] for r in members)
    open_tasks = json.loads(wm("-C", str(SAMPLE), "list", "type:task", "-status:done,cancelled", "--json").output)
    assert all(r["status"] not in ("done", "cancelled") for r in open_tasks)
    for args in (["list", "is:overdue", "--sort", "-priority,due"], ["list", "due:this-week"], ["board"], ["next", "--explain"], ["blocked"], ["agenda", "--days", "14"]):
        result = wm("-C", str(SAMPLE), *args)
        assert result.exit_code == 0, (args, result.output)


def test_done_rows_are_dimmed_on_a_terminal(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from workspace_tool.cli import main
    from workspace_tool.output import DIM

    monkeypatch.setenv("WM_TODAY", "2026-11-26")
    result = CliRunner().invoke(main, ["-C", str(ws), "list", "type:task"], color=True)
    dimmed = [line.split()[0].replace(DIM, "") for line in result.output.splitlines() if line.startswith(DIM)]
    assert dimmed == ["design"]


@pytest.fixture
def own_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Tasks carrying keys of the team's own: a colour, story points (a hyphenated key), a customer list."""
    monkeypatch.setenv("COLUMNS", "120")
    root = tmp_path / "own"
    (root / "tasks").mkdir(parents=True)
    (root / "workspace.yml").write_text("name: own\n", encoding="utf-8")
    docs = {
        "a": "colour: Blue\nstory-points: 8\ncustomers: [Acme, Globex]",
        "b": "colour: red\nstory-points: 13",
        "c": "story-points: 2",
        "d": "title: Plain",
    }
    for name, fields in docs.items():
        (root / "tasks" / f"{name}.md").write_text(f"---\n{fields}\n---\n", encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        (("colour:blue",), ["a"]),  # as text, case-insensitively
        (("colour:blue,red",), ["a", "b"]),
        (("-colour:blue",), ["b", "c", "d"]),
        (("has:colour",), ["a", "b"]),
        (("no:colour",), ["c", "d"]),
        (("colour:r*",), ["b"]),
        (("customers:globex",), ["a"]),  # a list: any of its items
        (("story-points:13",), ["b"]),
        (("has:story-points", "--sort", "-story-points"), ["b", "a", "c"]),  # numbers by their value: 13, 8, 2
    ],
)
def test_keys_of_the_team_s_own_can_be_queried(wm: Run, own_keys: Path, args: tuple[str, ...], ids: list[str]) -> None:
    assert list_ids(wm, own_keys, *args) == ids


def test_keys_of_the_team_s_own_as_columns_and_their_typos(wm: Run, own_keys: Path) -> None:
    csv_out = wm("-C", str(own_keys), "list", "has:story-points", "--fields", "id,story-points,colour,customers", "--csv").stdout
    assert csv_out.splitlines() == ["id,story-points,colour,customers", "a,8,Blue,\"Acme, Globex\"", "b,13,red,", "c,2,,"]
    typo = wm("-C", str(own_keys), "list", "colur:blue")
    assert typo.exit_code == 2 and "unknown field 'colur' in 'colur:blue' (did you mean 'colour'?)" in typo.stderr
    assert "keys of your own: colour, customers, story-points" in typo.stderr
    assert wm("-C", str(own_keys), "list", "flavour:x").exit_code == 2  # a key no document has is still a typo
