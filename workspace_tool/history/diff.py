"""Unified diffs of versions: the texts through one `git cat-file`, the diff itself pure."""

from __future__ import annotations

import difflib
from bisect import bisect_left
from pathlib import Path
from typing import Sequence

from workspace_tool.history.blobs import read_blobs
from workspace_tool.history.gitrepo import GitRepo
from workspace_tool.history.model import Version
from workspace_tool.loader import read_text

CONTEXT = 3
NO_NEWLINE = "\n\\ No newline at end of file\n"
AUTOJUNK_LINES = 200
"""From this many lines in the new text on, difflib leaves out frequent lines when matching: such diffs go to difflib."""

Block = tuple[int, int, int]
Opcode = tuple[str, int, int, int, int]


def unified(old: str | None, new: str | None, old_path: str, new_path: str) -> str:
    """A unified diff (`/dev/null` for a side that does not exist): what `difflib.unified_diff` gives, made faster.

    The same matching blocks as `difflib.SequenceMatcher` (see `_matching_blocks`),
    then its opcodes, hunks and lines; only texts of `AUTOJUNK_LINES` lines
    or more go through difflib itself. tests/test_history_diff.py checks the
    result against difflib's.
    """
    a = (old or "").splitlines(keepends=True)
    b = (new or "").splitlines(keepends=True)
    if a == b:
        return ""  # difflib: no hunk, no header
    fromfile = f"a/{old_path}" if old is not None else "/dev/null"
    tofile = f"b/{new_path}" if new is not None else "/dev/null"
    if len(b) >= AUTOJUNK_LINES:
        return _difflib_unified(a, b, fromfile, tofile)
    groups = _grouped_opcodes(_opcodes(_matching_blocks(a, b), len(a), len(b)), CONTEXT)
    _mark(a, old)
    _mark(b, new)
    out = [f"--- {fromfile}\n+++ {tofile}\n"]
    for group in groups:
        first, last = group[0], group[-1]
        out.append(f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n")
        for tag, i1, i2, j1, j2 in group:
            # "".join(p + line for line in lines) == p + p.join(lines) for lines that are not empty
            if tag == "equal":
                out.append(" " + " ".join(a[i1:i2]))
                continue
            if tag != "insert":
                out.append("-" + "-".join(a[i1:i2]))
            if tag != "delete":
                out.append("+" + "+".join(b[j1:j2]))
    return "".join(out)


def _difflib_unified(a: list[str], b: list[str], fromfile: str, tofile: str) -> str:
    lines = difflib.unified_diff(a, b, fromfile=fromfile, tofile=tofile)
    return "".join(line if line.endswith("\n") else line + NO_NEWLINE for line in lines)


def _mark(lines: list[str], text: str | None) -> None:
    """The lines as the diff shows them: one not ending in `\\n` followed by the "No newline" note (in place)."""
    ends = text.count("\n") if text else 0  # each `\n` ends one line, as `\n` or `\r\n`
    if ends == len(lines):
        return
    if ends == len(lines) - 1 and not lines[-1].endswith("\n"):
        lines[-1] += NO_NEWLINE
        return
    for n, line in enumerate(lines):  # other line boundaries (`\r`, `\f`, ...) of `str.splitlines`
        if not line.endswith("\n"):
            lines[n] = line + NO_NEWLINE


def _range(start: int, stop: int) -> str:
    """`difflib._format_range_unified`: a hunk's `start,length` (1-based; `start` alone for one line)."""
    beginning = start + 1
    length = stop - start
    if length == 1:
        return f"{beginning}"
    if not length:
        beginning -= 1
    return f"{beginning},{length}"


def _matching_blocks(a: list[str], b: list[str]) -> list[Block]:
    """`difflib.SequenceMatcher(None, a, b).get_matching_blocks()` for `b` shorter than `AUTOJUNK_LINES`.

    Most edits change a few lines: the lines common at the start (P) and
    end (S) are then blocks of their own, and only the middles are matched,
    when that is sure to give difflib's blocks (see `_trimmed`).
    """
    la, lb = len(a), len(b)
    shorter = min(la, lb)
    k = 0
    while k < shorter and a[k] == b[k]:
        k += 1
    s = 0
    while s < shorter - k and a[la - 1 - s] == b[lb - 1 - s]:
        s += 1
    if _trimmed(a, b, k, s):
        ma, mb = la - k - s, lb - k - s
        blocks: list[Block] = [(0, 0, k)] if k else []
        if ma and mb:
            blocks.extend((i + k, j + k, size) for i, j, size in _blocks(a[k : k + ma], b[k : k + mb]))
        if s:
            blocks.append((k + ma, k + mb, s))
    else:
        blocks = _blocks(a, b)
    # difflib then joins adjacent blocks: without junk there are none (a block is as long as it can be in its range)
    blocks.append((la, lb, 0))
    return blocks


def _trimmed(a: list[str], b: list[str], k: int, s: int) -> bool:
    """Whether difflib's blocks are the common prefix P (k lines), the common suffix S (s lines) and the blocks of the middles.

    difflib takes the longest block of equal lines first (the earliest in
    `a`, then in `b`, on a tie), then does the same left and right of it.
    When no line of P or S is in a middle (Ma of `a`, Mb of `b`), every run
    of equal lines lies in one of P×P, S×S, Ma×Mb, P×S or S×P (it cannot
    run on from one into another: P and S are as long as can be), and:

    * P is the longest in P×P and starts first, so it is taken before any
      other run of P×P, and so is S in S×S (until then no split cuts them);
    * a run in P×S or S×P is no longer than P or S and starts after P in
      `a`, or (same start) in `b`: never taken first, and gone with the
      first split;
    * Ma×Mb's runs are taken in the same order as when matching the
      middles alone.

    When one middle is empty (a = P+S, or b = P+S), a run of P×S or S×P
    can run on into S×S: one as long as S that starts before it would be
    taken first when S is longer than P, so then S must not appear earlier
    in that text. (tests/test_history_diff.py has such texts.)
    """
    la, lb = len(a), len(b)
    ma, mb = la - k - s, lb - k - s
    edges = set(a[:k])
    edges.update(a[la - s :])
    if not (edges.isdisjoint(a[k : k + ma]) and edges.isdisjoint(b[k : k + mb])):
        return False
    if (ma and mb) or s <= k:
        return True
    suffix = a[la - s :]
    other = a if not ma else b  # a = P+S (insertion) or b = P+S (deletion)
    first = suffix[0]
    return not any(other[i] == first and other[i : i + s] == suffix for i in range(k))


def _blocks(a: list[str], b: list[str]) -> list[Block]:
    """difflib's matching blocks before joining adjacent ones, sorted (without junk: `b` shorter than `AUTOJUNK_LINES`).

    The same search (`SequenceMatcher.find_longest_match`, then left and
    right of the block found), visiting only the lines of `a` that are in
    `b`: a line that is not breaks every run, as it does in difflib.
    """
    b2j: dict[str, list[int]] = {}
    for j, line in enumerate(b):
        found = b2j.get(line)
        if found is None:
            b2j[line] = [j]
        else:
            found.append(j)
    shared = [i for i, line in enumerate(a) if line in b2j]
    if not shared:
        return []
    blocks: list[Block] = []
    queue = [(0, len(a), 0, len(b))]
    while queue:
        alo, ahi, blo, bhi = queue.pop()
        besti, bestj, bestsize = alo, blo, 0
        j2len: dict[int, int] = {}
        previous = -2
        for i in shared[bisect_left(shared, alo) : bisect_left(shared, ahi)]:
            if i != previous + 1:
                j2len = {}
            previous = i
            new_j2len: dict[int, int] = {}
            for j in b2j[a[i]]:
                if j < blo:
                    continue
                if j >= bhi:
                    break
                size = new_j2len[j] = j2len.get(j - 1, 0) + 1
                if size > bestsize:
                    besti, bestj, bestsize = i - size + 1, j - size + 1, size
            j2len = new_j2len
        if bestsize:
            blocks.append((besti, bestj, bestsize))
            if alo < besti and blo < bestj:
                queue.append((alo, besti, blo, bestj))
            if besti + bestsize < ahi and bestj + bestsize < bhi:
                queue.append((besti + bestsize, ahi, bestj + bestsize, bhi))
    blocks.sort()
    return blocks


def _opcodes(blocks: list[Block], la: int, lb: int) -> list[Opcode]:
    """`SequenceMatcher.get_opcodes` from the matching blocks."""
    i = j = 0
    answer: list[Opcode] = []
    for ai, bj, size in blocks:
        if i < ai and j < bj:
            answer.append(("replace", i, ai, j, bj))
        elif i < ai:
            answer.append(("delete", i, ai, j, bj))
        elif j < bj:
            answer.append(("insert", i, ai, j, bj))
        i, j = ai + size, bj + size
        if size:
            answer.append(("equal", ai, i, bj, j))
    return answer


def _grouped_opcodes(codes: list[Opcode], n: int) -> list[list[Opcode]]:
    """`SequenceMatcher.get_grouped_opcodes`: the changes with `n` lines of context, as hunks."""
    if not codes:
        codes = [("equal", 0, 1, 0, 1)]
    if codes[0][0] == "equal":
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = tag, max(i1, i2 - n), i2, max(j1, j2 - n), j2
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)
    nn = n + n
    groups: list[list[Opcode]] = []
    group: list[Opcode] = []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > nn:
            group.append((tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)))
            groups.append(group)
            group = []
            i1, j1 = max(i1, i2 - n), max(j1, j2 - n)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        groups.append(group)
    return groups


def version_diffs(root: Path, versions: Sequence[Version]) -> list[str]:
    """The diff each version made, in the order given."""
    texts = _texts(root, versions)
    result = []
    for version in versions:
        old = texts.get(version.old_blob) if version.old_blob else None
        if version.commit is None:
            new = None if version.deleted else read_text(root, version.path)[0]
        else:
            new = texts.get(version.blob) if version.blob else None
        result.append(unified(old, new, version.old_path or version.path, version.path))
    return result


def _texts(root: Path, versions: Sequence[Version]) -> dict[str | None, str | None]:
    shas = [sha for v in versions for sha in (v.blob, v.old_blob) if sha]
    if not shas:
        return {}
    repo = GitRepo.open(root)
    if repo is None:
        return {}
    with repo:
        found = read_blobs(repo, shas)
    return {sha: data.decode("utf-8", "replace") if data is not None else None for sha, data in found.items()}
