"""The traffic of one Locust process: the profile as run, its schedule, the measurements.

Built once per process from Locust's parsed options and kept on the
environment (``environment.stampede``), so users, the shape and the event
hooks share it without module globals.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from stampede.core.target_description import (
    TargetDescription,
    description_from_yaml,
    load_description,
    reference_description,
    reference_text,
)
from stampede.profiles import Profile, Schedule, ThinkTime, load_profile
from stampede.traffic._catalog import CatalogView
from stampede.traffic._handshake import Locustfile, MasterTraffic, text_fingerprint
from stampede.traffic._measurements import ProcessMeasurements
from stampede.traffic._pacing import ClosedPacer, OpenPacer
from stampede.traffic._patience import ShopperPatience, patience_rng
from stampede.traffic._run_log import WorkerTally

#: an open-model user may take this long per arrival before the pool runs short
OPEN_MODEL_LATENCY_BUDGET_S = 2.0
#: what a process runs when neither its flags nor a master say otherwise
DEFAULT_TRAFFIC = "smoke"
DEFAULT_SHOPPERS = 10_000
DEFAULT_LATENESS_TOLERANCE_MS = 50.0


@dataclass(frozen=True)
class TrafficOptions:
    traffic: str
    scale: float | None
    time_scale: float | None
    out_dir: Path | None
    shoppers: int
    lateness_tolerance_s: float
    progress_interval_s: float
    seed: int | None
    #: the target description; None: the reference store's
    target: Path | None = None

    @classmethod
    def from_parsed(cls, parsed: Any) -> TrafficOptions:
        """The options Locust parsed; a flag left unset (None) takes its default."""
        out = getattr(parsed, "stampede_out", None)
        shoppers, lateness = parsed.shoppers, parsed.lateness_tolerance
        target = getattr(parsed, "stampede_target", None)
        return cls(
            traffic=parsed.traffic or DEFAULT_TRAFFIC,
            scale=parsed.scale,
            time_scale=parsed.time_scale,
            out_dir=Path(out) if out else None,
            shoppers=DEFAULT_SHOPPERS if shoppers is None else shoppers,
            lateness_tolerance_s=(DEFAULT_LATENESS_TOLERANCE_MS if lateness is None else lateness)
            / 1000.0,
            progress_interval_s=parsed.progress_interval,
            seed=parsed.stampede_seed,
            target=Path(target) if target else None,
        )

    @staticmethod
    def explicit(parsed: Any, profile: Profile) -> dict[str, object]:
        """The traffic flags set on this process's command line (or environment), by flag,
        as :class:`~stampede.traffic.MasterTraffic` holds them (``--traffic``: the name)."""
        given: dict[str, object] = {
            "--traffic": profile.name if parsed.traffic is not None else None,
            "--scale": parsed.scale,
            "--time-scale": parsed.time_scale,
            "--stampede-seed": parsed.stampede_seed,
            "--shoppers": parsed.shoppers,
            "--lateness-tolerance": parsed.lateness_tolerance,
            "--stampede-target": (
                text_fingerprint(Path(target).read_text(encoding="utf-8"))
                if (target := getattr(parsed, "stampede_target", None))
                else None
            ),
        }
        return {flag: value for flag, value in given.items() if value is not None}

    def following(self, master: MasterTraffic) -> TrafficOptions:
        """These options with the master's traffic in place of this process's own."""
        return replace(
            self,
            traffic=f"the master's {master.profile}",
            scale=master.scale,
            time_scale=master.time_scale,
            shoppers=master.shoppers,
            lateness_tolerance_s=master.lateness_tolerance_ms / 1000.0,
            seed=master.seed,
        )


def open_pool_size(schedule: Schedule) -> int:
    """Virtual users for an open-model profile: the peak rate times the latency budget."""
    peak = max(max(s.start_value, s.end_value) for s in schedule.segments)
    return max(10, math.ceil(peak * OPEN_MODEL_LATENCY_BUDGET_S))


@dataclass
class TrafficContext:
    options: TrafficOptions
    profile: Profile
    schedule: Schedule
    measurements: ProcessMeasurements
    target: TargetDescription = field(default_factory=reference_description)
    #: the mix's plain Locust users: measured from their actual send only
    uncorrected: tuple[str, ...] = ()
    origin: float = field(default_factory=time.time)
    worker_index: int = 0
    worker_count: int = 1
    catalog: CatalogView = field(default_factory=CatalogView)
    worker_tally: WorkerTally = field(default_factory=WorkerTally)
    _users: itertools.count[int] = field(default_factory=itertools.count)
    clock: Callable[[], float] = field(default=time.time)

    @classmethod
    def create(cls, options: TrafficOptions) -> TrafficContext:
        profile = load_profile(options.traffic).scaled(options.scale, options.time_scale)
        return cls.running(options, profile)

    @classmethod
    def running(cls, options: TrafficOptions, profile: Profile) -> TrafficContext:
        """The context of ``profile`` as it is (already scaled)."""
        target_file = options.target
        if target_file is None and profile.target is not None:
            target_file = Path(profile.target)
        target = reference_description() if target_file is None else load_description(target_file)
        target.check_slo_groups(tuple(s.group for s in profile.slos.latency), options.traffic)
        return cls(
            options,
            profile,
            Schedule.from_profile(profile),
            ProcessMeasurements(1.0, options.lateness_tolerance_s),
            target,
        )

    @classmethod
    def following(cls, own: TrafficContext, master: MasterTraffic) -> TrafficContext:
        """A worker's context running the master's traffic and target description (its
        catalog view kept): nothing of it is read from this machine's files."""
        profile = master.resolved_profile()
        target = description_from_yaml(master.target_yaml, "the master's target description")
        options = own.options.following(master)
        target.check_slo_groups(tuple(s.group for s in profile.slos.latency), options.traffic)
        ctx = cls(
            options,
            profile,
            Schedule.from_profile(profile),
            ProcessMeasurements(1.0, options.lateness_tolerance_s),
            target,
        )
        ctx.catalog = own.catalog
        ctx.origin, ctx.worker_index, ctx.worker_count = (
            own.origin,
            own.worker_index,
            own.worker_count,
        )
        return ctx

    def master_traffic(self, locustfiles: Sequence[Locustfile]) -> MasterTraffic:
        """What this (master) process tells its workers to run."""
        options, profile = self.options, self.profile
        return MasterTraffic(
            profile_yaml=profile.to_yaml(),
            profile=profile.name,
            scale=profile.applied_scale,
            time_scale=profile.applied_time_scale,
            seed=options.seed,
            shoppers=options.shoppers,
            lateness_tolerance_ms=options.lateness_tolerance_s * 1000.0,
            locustfiles=tuple(locustfiles),
            target_yaml=self.target_text(),
        )

    @property
    def pool_size(self) -> int:
        return open_pool_size(self.schedule)

    def run_time(self) -> float:
        return self.clock() - self.origin

    def next_user_number(self) -> int:
        """A distinct user number across processes (worker i takes i, i+W, i+2W, …)."""
        return next(self._users) * max(1, self.worker_count) + self.worker_index

    def shopper_email(self, number: int) -> str:
        """The seeded shopper account a user signs in as (the store seeds shopper1 … N)."""
        return f"shopper{number % self.options.shoppers + 1}@stampede.test"

    def rng(self, number: int) -> random.Random:
        seed = self.options.seed
        return random.Random(None if seed is None else seed * 1_000_003 + number)

    def patience(self, number: int) -> ShopperPatience:
        """User ``number``'s patience under the profile's ``patience`` (seeded by ``--seed``)."""
        seed = self.options.seed
        return ShopperPatience(self.profile.patience, patience_rng(seed, number), self.clock)

    def target_text(self) -> str:
        """The YAML of the target description in use."""
        path = self.options.target or (Path(self.profile.target) if self.profile.target else None)
        return reference_text() if path is None else path.read_text(encoding="utf-8")

    def pacer(self, behaviour: str, rng: random.Random) -> ClosedPacer | OpenPacer:
        if self.profile.model == "open":
            return OpenPacer(self.schedule, self.pool_size, lambda: self.origin, self.clock, rng)
        return ClosedPacer(self.think_time(behaviour), rng, self.clock)

    def think_time(self, behaviour: str) -> ThinkTime:
        """The think time the profile gives the user class named ``behaviour``."""
        return next(m.think_time for m in self.profile.mix if m.behaviour == behaviour)

    def users_at(self, run_time: float) -> tuple[int, float] | None:
        """Users and spawn rate for Locust's load shape at ``run_time``; None once it is over.

        Closed model: the stage's target users and its spawn rate, 0.1 a second
        at the least. Open model: the whole pool of arrival users, spawned within
        a second; their pacers keep the arrival rate.
        """
        target = self.schedule.at(run_time)
        if target is None:
            return None
        if self.profile.model == "open":
            return self.pool_size, float(max(self.pool_size, 1))
        assert target.users is not None and target.spawn_rate is not None
        return target.users, max(target.spawn_rate, 0.1)

    def sale_opens_at(self) -> float | None:
        """Epoch time the flash sale opens, if the profile has one."""
        opens = self.schedule.sale_opens_at_s
        return None if opens is None else self.origin + opens
