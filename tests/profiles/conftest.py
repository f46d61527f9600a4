"""Helpers for profile tests: a valid profile as plain data, written to a temporary file."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from stampede.profiles import Profile, load_profile

VALID: dict[str, Any] = {
    "name": "tiny",
    "description": "a small valid profile",
    "scale": 0.5,
    "time_scale": 0.5,
    "stages": [
        {"duration": "10s", "users": 100, "phase": "baseline"},
        {"duration": "1m", "users": 100, "phase": "baseline"},
        {"duration": "30s", "users": 1000, "phase": "sale"},
        {"duration": "2m", "users": 0, "phase": "decay"},
    ],
    "mix": {"browser": 0.5, "flash_buyer": 0.5},
    "think_times": {
        "browser": {"min": "1s", "max": "3s"},
        "flash_buyer": {"distribution": "exponential", "mean": "500ms", "max": "2s"},
    },
    "flash": {"sku": "FLASH-001", "opens_at": "70s"},
    "slos": {
        "latency": {"all": {"p95": "500ms", "p99": "1.2s"}},
        "error_rate": 0.01,
        "min_throughput": 100,
    },
}


def valid() -> dict[str, Any]:
    """A fresh deep copy of `VALID`, free to change."""
    return copy.deepcopy(VALID)


WriteProfile = Callable[[Any], Path]
MakeProfile = Callable[[Any], Profile]


@pytest.fixture
def write_profile(tmp_path: Path) -> WriteProfile:
    """Write data (a mapping, or YAML text as a str) to tiny.yaml; return its path."""

    def write(data: Any) -> Path:
        path = tmp_path / "tiny.yaml"
        text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def make_profile(write_profile: WriteProfile) -> MakeProfile:
    """Load a profile from plain data through a real file."""

    def make(data: Any) -> Profile:
        return load_profile(write_profile(data))

    return make
