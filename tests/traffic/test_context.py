"""The traffic context: user numbers across workers, seeded rngs, pacers, the shape's answer."""

from __future__ import annotations

import argparse
import math
import random
from pathlib import Path

import pytest

from stampede.profiles import ConstantThinkTime
from stampede.traffic import (
    ClosedPacer,
    OpenPacer,
    TrafficContext,
    TrafficOptions,
    open_pool_size,
)
from tests.traffic.conftest import FakeClock, WriteProfile, options, profile_data

CLOSED = [
    {"duration": "4s", "users": 8, "phase": "ramp"},  # 2 users/s
    {"duration": "6s", "users": 8, "phase": "hold"},
]
OPEN = [
    {"duration": "10s", "arrivals_per_s": 10, "phase": "ramp"},
    {"duration": "5s", "arrivals_per_s": 10, "phase": "hold"},
]


def _context(path: Path, seed: int | None = 7, index: int = 0, workers: int = 1) -> TrafficContext:
    ctx = TrafficContext.create(options(path, seed=seed))
    ctx.worker_index, ctx.worker_count = index, workers
    return ctx


def test_workers_number_their_users_i_i_plus_w_and_so_on(write_profile: WriteProfile) -> None:
    path = write_profile(profile_data(CLOSED))
    workers = [_context(path, index=i, workers=3) for i in range(3)]
    numbers = [[ctx.next_user_number() for _ in range(4)] for ctx in workers]
    assert numbers == [[0, 3, 6, 9], [1, 4, 7, 10], [2, 5, 8, 11]]
    alone = _context(path)
    assert [alone.next_user_number() for _ in range(3)] == [0, 1, 2]


def test_a_users_rng_depends_on_the_seed_and_its_number_only(write_profile: WriteProfile) -> None:
    path = write_profile(profile_data(CLOSED))
    alone, worker = _context(path), _context(path, index=1, workers=2)

    def draws(rng: random.Random) -> list[float]:
        return [rng.random() for _ in range(5)]

    # user 3 draws the same wherever it runs, and again in a later run with the same seed
    assert draws(alone.rng(3)) == draws(worker.rng(3)) == draws(_context(path).rng(3))
    assert draws(alone.rng(3)) != draws(alone.rng(4))
    assert draws(alone.rng(3)) != draws(_context(path, seed=8).rng(3))
    assert draws(_context(path, seed=None).rng(3)) != draws(_context(path, seed=None).rng(3))


@pytest.mark.parametrize(
    ("number", "email"),
    [
        (0, "shopper1@stampede.test"),
        (99, "shopper100@stampede.test"),
        (100, "shopper1@stampede.test"),
    ],
)
def test_users_sign_in_as_the_seeded_shoppers_in_turn(
    write_profile: WriteProfile, number: int, email: str
) -> None:
    assert _context(write_profile(profile_data(CLOSED))).shopper_email(number) == email


def test_a_closed_profile_paces_with_the_behaviours_think_time(
    write_profile: WriteProfile,
) -> None:
    ctx = _context(write_profile(profile_data(CLOSED, distribution="constant", value="300ms")))
    clock = FakeClock(50.0)
    ctx.clock = clock
    pacer = ctx.pacer(ctx.profile.mix[0].behaviour, random.Random(0))
    assert isinstance(pacer, ClosedPacer) and pacer.think == ConstantThinkTime(0.3)
    assert pacer.wait() == pytest.approx(0.3)
    assert pacer.next_intended == pytest.approx(50.3)


def test_an_open_profile_paces_on_the_schedule_from_the_origin(
    write_profile: WriteProfile,
) -> None:
    ctx = _context(write_profile(profile_data(OPEN)))
    clock = FakeClock(1000.0)
    ctx.clock, ctx.origin = clock, 1000.0
    pacer = ctx.pacer(ctx.profile.mix[0].behaviour, random.Random(0))
    assert isinstance(pacer, OpenPacer) and pacer.pool_size == 20  # 10/s · 2 s
    pacer.phase = 0.1  # its first arrival at count 2: t²/2 = 2 at t = 2
    assert pacer.wait() == pytest.approx(2.0)
    ctx.origin = 1001.0  # a worker hears the master's origin after its users started
    assert pacer.wait() == pytest.approx(1 + math.sqrt(44))  # count 22 at √44 s after it


@pytest.mark.parametrize(("peak", "pool"), [(10, 20), (2, 10), (100.5, 201)])
def test_the_open_pool_is_the_peak_rate_times_two_seconds(
    write_profile: WriteProfile, peak: float, pool: int
) -> None:
    stages = [{"duration": "10s", "arrivals_per_s": peak}, {"duration": "5s", "arrivals_per_s": 1}]
    assert open_pool_size(_context(write_profile(profile_data(stages))).schedule) == pool


@pytest.mark.parametrize(
    ("t", "shape"),
    [(0.0, (8, 2.0)), (3.9, (8, 2.0)), (5.0, (8, 2.0)), (9.99, (8, 2.0)), (10.0, None)],
)
def test_the_shape_asks_a_closed_profile_for_its_stage_and_spawn_rate(
    write_profile: WriteProfile, t: float, shape: tuple[int, float] | None
) -> None:
    assert _context(write_profile(profile_data(CLOSED))).users_at(t) == shape


def test_the_shape_spawns_an_open_profiles_whole_pool_at_once(
    write_profile: WriteProfile,
) -> None:
    ctx = _context(write_profile(profile_data(OPEN)))
    assert [ctx.users_at(t) for t in (0.0, 12.0, 15.0)] == [(20, 20.0), (20, 20.0), None]


def test_the_run_clock_and_the_sale_opening_count_from_the_origin(
    write_profile: WriteProfile,
) -> None:
    data = profile_data(CLOSED)
    data["flash"] = {"sku": "FLASH-001", "opens_at": "5s"}
    ctx = _context(write_profile(data))
    ctx.clock, ctx.origin = FakeClock(1012.5), 1000.0
    assert ctx.run_time() == 12.5
    assert ctx.sale_opens_at() == 1005.0
    assert _context(write_profile(profile_data(CLOSED))).sale_opens_at() is None


def test_options_come_from_locusts_parsed_arguments_in_seconds() -> None:
    parsed = argparse.Namespace(
        traffic="smoke",
        scale=0.5,
        time_scale=None,
        stampede_out="runs/x",
        shoppers=200,
        lateness_tolerance=50.0,  # ms on the command line
        progress_interval=5.0,
        stampede_seed=3,
    )
    assert TrafficOptions.from_parsed(parsed) == TrafficOptions(
        "smoke", 0.5, None, Path("runs/x"), 200, 0.05, 5.0, 3
    )
