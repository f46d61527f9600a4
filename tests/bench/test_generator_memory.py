"""bench/generator.py memory under an open-file limit it cannot raise: sizes that fit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.generator import FILES_BESIDES_USERS, fitting_sizes

ROOT = Path(__file__).resolve().parents[2]


def test_the_default_sizes_shrink_in_proportion_to_fit_the_limit() -> None:
    assert fitting_sizes([2000, 20000], 1024) == [76, 768]
    assert fitting_sizes([2000, 20000], 20000 + FILES_BESIDES_USERS) == [2000, 20000]


def test_a_limit_it_cannot_raise_is_said_and_the_sizes_fit() -> None:
    code = (
        "import resource, sys; sys.path.insert(0, '.');"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024));"
        "from bench.generator import _open_file_limit, fitting_sizes;"
        "limit = _open_file_limit(20256); print(limit, fitting_sizes([2000, 20000], limit))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split("\n")[0] == "1024 [76, 768]"
