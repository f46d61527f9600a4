"""`Profile`: a validated traffic profile, and how to scale it down to a laptop."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

import yaml

from stampede.profiles._dump import patience_data, slos_data, stage_data, think_time_data
from stampede.profiles._model import (
    Arrivals,
    FlashSale,
    Model,
    Patience,
    Slos,
    Stage,
    UserBehaviour,
)
from stampede.profiles._scale import check_factor, scale_slos, scale_stages
from stampede.profiles._units import format_duration

#: the embedded store and the generator on separate CPU cores, or sharing them
Isolation = Literal["shared", "pinned"]


@dataclass(frozen=True)
class Profile:
    """A traffic profile: what load to apply over time, by whom, and what it must meet.

    ``scale`` and ``time_scale`` are the factors `scaled` applies by default.
    ``applied_scale`` and ``applied_time_scale`` record the factors already
    applied to the numbers held here (1.0 for a profile as written).
    """

    name: str
    description: str
    stages: tuple[Stage, ...]
    mix: tuple[UserBehaviour, ...]
    flash: FlashSale | None = None
    slos: Slos = field(default_factory=Slos)
    scale: float = 1.0
    time_scale: float = 1.0
    applied_scale: float = 1.0
    applied_time_scale: float = 1.0
    #: open model only: arrivals evenly spaced (the default) or a Poisson process
    arrivals: Arrivals = "even"
    #: the target description the profile names (a path, relative to the working directory)
    target: str | None = None
    #: how long the bundled shoppers wait before they abandon (None: ``patience: off``)
    patience: Patience | None = None
    #: the embedded store and the generator on cores of their own (pinned) or not (shared)
    isolation: Isolation = "shared"

    @property
    def model(self) -> Model:
        """``closed`` when stages target users, ``open`` when they target arrival rates."""
        return "closed" if self.stages[0].users is not None else "open"

    @property
    def duration_s(self) -> float:
        """The length of the run in seconds."""
        return sum(stage.duration_s for stage in self.stages)

    def weights(self) -> dict[str, float]:
        """Each user class's share of the users, by name."""
        return {entry.behaviour: entry.weight for entry in self.mix}

    def scaled(self, scale: float | None = None, time_scale: float | None = None) -> Profile:
        """This profile with users and rates times ``scale`` and durations times ``time_scale``.

        ``None`` takes the profile's own default. Users are rounded half up to
        whole users and never drop below 1 where the profile asked for at least 1.
        The result has defaults of 1 (nothing left to apply) and records the
        factors applied in ``applied_scale`` and ``applied_time_scale``.
        Raise `ConfigError` when a factor is not in (0, 1].
        """
        factor = check_factor("scale", self.scale if scale is None else scale)
        time_factor = check_factor(
            "time_scale", self.time_scale if time_scale is None else time_scale
        )
        flash = self.flash
        if flash is not None:
            flash = replace(flash, opens_at_s=flash.opens_at_s * time_factor)
        return replace(
            self,
            stages=scale_stages(self.stages, factor, time_factor),
            flash=flash,
            slos=scale_slos(self.slos, factor),
            scale=1.0,
            time_scale=1.0,
            applied_scale=self.applied_scale * factor,
            applied_time_scale=self.applied_time_scale * time_factor,
        )

    def to_yaml(self) -> str:
        """This profile as YAML that `load_profile` reads back to an equal profile."""
        data: dict[str, Any] = {"name": self.name, "description": self.description}
        data["scale"] = self.scale
        data["time_scale"] = self.time_scale
        if (self.applied_scale, self.applied_time_scale) != (1.0, 1.0):
            data["applied"] = {"scale": self.applied_scale, "time_scale": self.applied_time_scale}
        if self.model == "open":
            data["arrivals"] = self.arrivals
        data["stages"] = [stage_data(stage) for stage in self.stages]
        data["mix"] = {entry.behaviour: entry.weight for entry in self.mix}
        data["think_times"] = {
            entry.behaviour: think_time_data(entry.think_time) for entry in self.mix
        }
        if self.flash is not None:
            data["flash"] = {
                "sku": self.flash.sku,
                "opens_at": format_duration(self.flash.opens_at_s),
            }
        data["slos"] = slos_data(self.slos)
        if self.patience is not None:
            data["patience"] = patience_data(self.patience)
        if self.target is not None:
            data["target"] = self.target
        if self.isolation != "shared":
            data["isolation"] = self.isolation
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
