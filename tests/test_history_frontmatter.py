"""History reads frontmatter entry by entry (`FieldsMemo`): it must give what parsing each blob whole gives.

`read_fields` is the reference. Hypothesis builds frontmatters line by line
from pieces that matter to YAML (keys, quotes, flow collections, block
scalars, anchors and aliases, merge keys, comments, tabs, complex keys,
directives, duplicate keys, odd closing lines) and feeds the same memo many
versions, as the history pass does, so entries parsed for one version are
reused by the next.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workspace_tool.history.frontmatter import FieldsMemo
from workspace_tool.history.snapshot import read_fields

KEYS = ["status", "title", "id", "tags", "1", "'1'", '"quoted key"', "-flag", "<<", "? complex", "a b", "é", "x"]
VALUES = [
    "", " done", " 2026-01-02", " 2026-13-01", " 12", " 1.5", " yes", " null", " ~", " [a, b]", " {a: 1}", " [a,", " 'it''s'",
    ' "a\\nb"', " &anchor 1", " *anchor", " !!str 3", " !!python/object:os.system x", " |", " >-", " R&D", " 5 * 3",
    " a: b", " # comment", " x # trailing", " \"open", " 'open", " \t tab", " 100%", " @at", " `tick`",
]
CONTINUATIONS = ["  indented text", "  - item", "- item", "  key: value", "", "# comment", "  # comment", "\tx", "    more: 1", "  |", "   ]"]
ODD = ["{a: 1}", "[1, 2]", "%YAML 1.1", ": x", "? x", "!!str x: 1", "&a x: 1", "*a: 1", "plain words", "'q': 1", '"q": 2', "---x: 1", "...", ",", "@x: 1"]


def _line() -> st.SearchStrategy[str]:
    key_line = st.builds(lambda k, v: f"{k}:{v}", st.sampled_from(KEYS), st.sampled_from(VALUES))
    return st.one_of(key_line, key_line, key_line, st.sampled_from(CONTINUATIONS), st.sampled_from(ODD))


frontmatters = st.lists(_line(), min_size=0, max_size=8).map("\n".join)
closings = st.sampled_from(["---", "...", "--- ", "---\t", "----", "---x"])


def _blob(frontmatter: str, closing: str, body: str) -> bytes:
    return f"---\n{frontmatter}\n{closing}\n{body}".encode()


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(frontmatters, closings, st.sampled_from(["", "Body\n", "---\nstatus: x\n---\n"])), min_size=1, max_size=6))
def test_entry_by_entry_equals_whole(versions: list[tuple[str, str, str]]) -> None:
    memo = FieldsMemo()
    for frontmatter, closing, body in versions:
        blob = _blob(frontmatter, closing, body)
        assert memo.fields(blob) == read_fields(blob), blob


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(KEYS[:4]), min_size=1, max_size=4), st.lists(st.sampled_from(VALUES[:12]), min_size=4, max_size=4))
def test_versions_that_share_entries(keys: list[str], values: list[str]) -> None:
    """Successive versions changing one value each: shared entries are reused, the result is still the whole parse."""
    memo = FieldsMemo()
    for changed in range(len(values)):
        lines = [f"{key}:{values[(i + changed) % len(values)]}" for i, key in enumerate(keys)]
        blob = _blob("\n".join(lines), "---", "")
        assert memo.fields(blob) == read_fields(blob)


def test_known_cases() -> None:
    memo = FieldsMemo()
    cases = [
        b"---\nstatus: todo\ntags:\n- a\n- b\n---\n",  # a block list at column 0 belongs to its key
        b"---\na: 2\n<<: {a: 1}\n---\n",  # merge keys are refused (unreadable), by both readers alike
        b"---\na: &x 1\nb: *x\n---\n",  # an alias refers to another entry
        b"---\na: 1\n{}\n---\n",  # not a mapping entry
        b"---\n# only a comment\n---\n",
        b"---\n---\n",
        b"---\nnote: |\n  text\n\n  more\n---\nbody\n",
        b"---\ntitle: x\n---x: 1\nstatus: y\n---\n",  # '---x' does not close the frontmatter
        b"---\r\nstatus: todo\r\n---\r\n",
        b"---\nstatus: \xff\n---\n",
        b"---\n1: a\n'1': b\n1: c\n---\n",  # duplicate keys of different types
        b"no frontmatter\n",
    ]
    for blob in cases:
        assert memo.fields(blob) == read_fields(blob), blob
    assert memo.fields(cases[0]) == {"status": "todo", "tags": ["a", "b"]}
    assert memo.fields(cases[1]) is None  # merge keys (<<) are refused (hostile audit #2: a 502-byte bomb took 57 s)


def test_the_same_anchor_in_two_entries_is_read_as_the_whole_file_reads_it() -> None:
    """Each entry loads alone, but YAML refuses a file that defines an anchor twice (hypothesis found this)."""
    blob = _blob("status: &anchor 1\ntitle: &anchor 1", "---", "")
    assert read_fields(blob) is None
    assert FieldsMemo().fields(blob) is None
    fine = _blob("status: todo\ntitle: R&D budget\ntags: [a, b]", "---", "")
    assert FieldsMemo().fields(fine) == read_fields(fine) == {"status": "todo", "title": "R&D budget", "tags": ["a", "b"]}
