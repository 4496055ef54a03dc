"""The site's plan cache key is the same in every process, whatever the hash seed (holidays are a set)."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import SAMPLE

SCRIPT = f"""
import hashlib
from pathlib import Path
from workspace_tool.workspace import load_index
from workspace_tool.site.sources import _canonical
from workspace_tool.scheduling.adapter import build_input
index = load_index(Path({str(SAMPLE)!r}), use_cache=False)
print(hashlib.blake2b(repr(_canonical(build_input(index))).encode()).hexdigest())
"""


def test_plan_input_key_does_not_depend_on_the_hash_seed() -> None:
    keys = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "WM_TODAY": "2026-11-26"}
        done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, check=True)
        keys.add(done.stdout.strip())
    assert len(keys) == 1
