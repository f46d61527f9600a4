"""`Profile`: a validated traffic profile, and how to scale it down to a laptop."""

from __future__ import annotations

from dataclasses import dataclass, field

from profiles._model import Behaviour, FlashSale, Model, Slos, Stage, UserBehaviour


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

    @property
    def model(self) -> Model:
        """``closed`` when stages target users, ``open`` when they target arrival rates."""
        return "closed" if self.stages[0].users is not None else "open"

    @property
    def duration_s(self) -> float:
        """The length of the run in seconds."""
        return sum(stage.duration_s for stage in self.stages)

    def weights(self) -> dict[Behaviour, float]:
        """Each behaviour's share of the users."""
        return {entry.behaviour: entry.weight for entry in self.mix}

    def scaled(self, scale: float | None = None, time_scale: float | None = None) -> Profile:
        """This profile with users and rates times ``scale`` and durations times ``time_scale``.

        ``None`` takes the profile's own default. Users are rounded half up to
        whole users and never drop below 1 where the profile asked for at least 1.
        The result has defaults of 1 (nothing left to apply) and records the
        factors applied in ``applied_scale`` and ``applied_time_scale``.
        Raise `ConfigError` when a factor is not in (0, 1].
        """
        from profiles._scale import scale_profile

        return scale_profile(self, scale, time_scale)

    def to_yaml(self) -> str:
        """This profile as YAML that `load_profile` reads back to an equal profile."""
        from profiles._dump import dump_profile

        return dump_profile(self)
