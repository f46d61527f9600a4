"""The traffic core imports without Locust (or gevent): no monkey-patching, no hooks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_traffic_core_imports_no_locust() -> None:
    code = """
import pkgutil, sys
import stampede.traffic
for module in pkgutil.iter_modules(stampede.traffic.__path__, "stampede.traffic."):
    __import__(module.name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("locust", "gevent"))
assert not loaded, loaded
print("no locust")
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "no locust"
