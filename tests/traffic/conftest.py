"""Helpers for the traffic core's tests: a fake clock, profiles written to real files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from stampede.profiles import Schedule, load_profile
from stampede.traffic import TrafficOptions


@dataclass
class FakeClock:
    """A clock that moves only when told: ``clock()`` is now, ``advance`` moves it on."""

    now: float = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def profile_data(stages: list[dict[str, Any]], **think: Any) -> dict[str, Any]:
    """A profile of one behaviour (browser) at scale 1 over ``stages``."""
    return {
        "name": "tiny",
        "scale": 1,
        "time_scale": 1,
        "stages": stages,
        "mix": {"browser": 1.0},
        "think_times": {"browser": think or {"distribution": "constant", "value": "1s"}},
    }


WriteProfile = Callable[[dict[str, Any]], Path]


@pytest.fixture
def write_profile(tmp_path: Path) -> WriteProfile:
    """Write profile data to tiny.yaml; return its path."""

    def write(data: dict[str, Any]) -> Path:
        path = tmp_path / "tiny.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    return write


MakeSchedule = Callable[[list[dict[str, Any]]], Schedule]


@pytest.fixture
def make_schedule(write_profile: WriteProfile) -> MakeSchedule:
    """The schedule of a profile with these stages, read through a real file."""

    def make(stages: list[dict[str, Any]]) -> Schedule:
        return Schedule.from_profile(load_profile(write_profile(profile_data(stages))))

    return make


def options(traffic: str | Path, seed: int | None = None, shoppers: int = 100) -> TrafficOptions:
    """The options Locust would parse for ``--traffic traffic``, with the defaults."""
    return TrafficOptions(
        traffic=str(traffic),
        scale=None,
        time_scale=None,
        out_dir=None,
        shoppers=shoppers,
        lateness_tolerance_s=0.05,
        progress_interval_s=5.0,
        seed=seed,
    )
