"""Writing a `Profile` back to YAML, as it was run."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

from profiles._model import (
    ConstantThinkTime,
    Slos,
    Stage,
    ThinkTime,
    UniformThinkTime,
)
from profiles._units import format_duration, format_latency

if TYPE_CHECKING:
    from profiles._profile import Profile


def dump_profile(profile: Profile) -> str:
    """``profile`` as YAML text in the format `load_profile` reads."""
    data: dict[str, Any] = {"name": profile.name, "description": profile.description}
    data["scale"] = profile.scale
    data["time_scale"] = profile.time_scale
    if (profile.applied_scale, profile.applied_time_scale) != (1.0, 1.0):
        data["applied"] = {
            "scale": profile.applied_scale,
            "time_scale": profile.applied_time_scale,
        }
    data["stages"] = [_stage(stage) for stage in profile.stages]
    data["mix"] = {entry.behaviour.value: entry.weight for entry in profile.mix}
    data["think_times"] = {
        entry.behaviour.value: _think_time(entry.think_time) for entry in profile.mix
    }
    if profile.flash is not None:
        data["flash"] = {
            "sku": profile.flash.sku,
            "opens_at": format_duration(profile.flash.opens_at_s),
        }
    data["slos"] = _slos(profile.slos)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _stage(stage: Stage) -> dict[str, Any]:
    out: dict[str, Any] = {"duration": format_duration(stage.duration_s)}
    if stage.users is not None:
        out["users"] = stage.users
    else:
        out["arrivals_per_s"] = stage.arrivals_per_s
    if stage.spawn_rate is not None:
        out["spawn_rate"] = stage.spawn_rate
    out["phase"] = stage.phase
    return out


def _think_time(think: ThinkTime) -> dict[str, Any]:
    if isinstance(think, UniformThinkTime):
        return {"min": format_duration(think.min_s), "max": format_duration(think.max_s)}
    if isinstance(think, ConstantThinkTime):
        return {"distribution": "constant", "value": format_duration(think.value_s)}
    out: dict[str, Any] = {"distribution": "exponential", "mean": format_duration(think.mean_s)}
    if think.max_s is not None:
        out["max"] = format_duration(think.max_s)
    return out


def _slos(slos: Slos) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if slos.latency:
        out["latency"] = {
            slo.group.value: {
                name: format_latency(value)
                for name, value in (("p95", slo.p95_s), ("p99", slo.p99_s))
                if value is not None
            }
            for slo in slos.latency
        }
    if slos.error_rate is not None:
        out["error_rate"] = slos.error_rate
    if slos.min_throughput is not None:
        out["min_throughput"] = slos.min_throughput
    return out
