"""A `Profile`'s parts as the plain data of its YAML, to write it back as it was run."""

from __future__ import annotations

from typing import Any

from stampede.profiles._model import (
    ConstantThinkTime,
    LatencySlo,
    LogNormalWait,
    Patience,
    Slos,
    Stage,
    ThinkTime,
    UniformThinkTime,
)
from stampede.profiles._units import format_duration, format_latency


def stage_data(stage: Stage) -> dict[str, Any]:
    out: dict[str, Any] = {"duration": format_duration(stage.duration_s)}
    if stage.users is not None:
        out["users"] = stage.users
    else:
        out["arrivals_per_s"] = stage.arrivals_per_s
    if stage.spawn_rate is not None:
        out["spawn_rate"] = stage.spawn_rate
    out["phase"] = stage.phase
    return out


def think_time_data(think: ThinkTime) -> dict[str, Any]:
    if isinstance(think, UniformThinkTime):
        return {"min": format_duration(think.min_s), "max": format_duration(think.max_s)}
    if isinstance(think, ConstantThinkTime):
        return {"distribution": "constant", "value": format_duration(think.value_s)}
    out: dict[str, Any] = {"distribution": "exponential", "mean": format_duration(think.mean_s)}
    if think.max_s is not None:
        out["max"] = format_duration(think.max_s)
    return out


def _latency_data(slos: tuple[LatencySlo, ...]) -> dict[str, Any]:
    return {
        slo.group: {
            name: format_latency(value)
            for name, value in (("p95", slo.p95_s), ("p99", slo.p99_s))
            if value is not None
        }
        for slo in slos
    }


def slos_data(slos: Slos) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if slos.latency:
        out["latency"] = _latency_data(slos.latency)
    if slos.error_rate is not None:
        out["error_rate"] = slos.error_rate
    if slos.min_throughput is not None:
        out["min_throughput"] = slos.min_throughput
    if slos.page_load:
        out["page_load"] = _latency_data(slos.page_load)
    return out


def _wait_data(wait: LogNormalWait) -> dict[str, Any]:
    return {"median": format_duration(wait.median_s), "sigma": wait.sigma}


def patience_data(patience: Patience) -> dict[str, Any]:
    return {"page": _wait_data(patience.page), "checkout": _wait_data(patience.checkout)}
