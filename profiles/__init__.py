"""Traffic profiles: the load a Stampede run applies, over time, by whom, judged how.

A profile is a YAML file (the bundled ones sit next to this module) validated
into a frozen `Profile`; every mistake is a one-line `ConfigError` naming the
file, the key path and the bad value. `Schedule` turns a profile into pure
functions of the run's clock. Nothing here imports ``locust``: a
``LoadTestShape`` elsewhere asks the schedule what to do.

The format (durations ``30s``/``5m``/``1h30m`` or seconds; latencies ``500ms``/``1.2s``)::

    name: flash-sale
    description: what it models and why its default scales
    scale: 0.005          # default factor for users, rates and min_throughput, in (0, 1]
    time_scale: 0.25      # default factor for durations, in (0, 1]
    stages:               # all users (closed model) or all arrivals_per_s (open model)
      - {duration: 1m, users: 5000, phase: baseline}    # linear ramp from the previous target
      - {duration: 1m, users: 120000, spawn_rate: 2500, phase: doors-open}
    mix: {browser: 0.5, flash_buyer: 0.5}    # user class names or bundled behaviours; total 1.0
    think_times:
      browser: {min: 2s, max: 8s}                       # uniform
      flash_buyer: {distribution: exponential, mean: 1s, max: 5s}   # or constant: {value: 1s}
    flash: {sku: FLASH-001, opens_at: 1m}
    slos:
      latency: {all: {p95: 500ms, p99: 1s}, checkout: {p95: 800ms}}
      error_rate: 0.01
      min_throughput: 10000   # requests/s at scale 1
    target: shop.target.yaml  # optional: the target description (groups, services, outcomes)
    patience: on   # bundled shoppers abandon slow pages and checkouts (docs/patience.md);
                   # off (the default), or {page: {median: 3s, sigma: 0.5}, checkout: {...}}

Use::

    profile = load_profile("flash-sale").scaled(scale=None, time_scale=None)
    schedule = Schedule.from_profile(profile)
    schedule.at(42.0)  # IntendedLoad(phase='baseline', stage=1, users=25, spawn_rate=..., ...)

An open-model profile (stages of ``arrivals_per_s``) may add ``arrivals: poisson``
(independent shoppers arrive as a Poisson process) or ``arrivals: even`` (evenly
spaced, as k6's constant-arrival-rate; the default).

The units and the ``slos:`` block are public for other inputs written the same way::

    parse_duration("1h30m"), parse_latency("500ms")  # (5400.0, 0.5)
    slos_from_mapping({"error_rate": 0.01}, source="slos.yaml")  # Slos(error_rate=0.01, ...)
"""

from stampede.profiles._load import available_profiles, load_profile, profile_from_yaml
from stampede.profiles._model import (
    ALL_GROUP,
    Arrivals,
    ConstantThinkTime,
    ExponentialThinkTime,
    FlashSale,
    LatencySlo,
    LogNormalWait,
    Patience,
    Slos,
    Stage,
    ThinkTime,
    UniformThinkTime,
    UserBehaviour,
)
from stampede.profiles._parse import slos_from_mapping
from stampede.profiles._profile import Profile
from stampede.profiles._schedule import IntendedLoad, Phase, PlannedPlateau, Schedule
from stampede.profiles._units import parse_duration, parse_latency

__all__ = [
    "ALL_GROUP",
    "Arrivals",
    "ConstantThinkTime",
    "ExponentialThinkTime",
    "FlashSale",
    "IntendedLoad",
    "LatencySlo",
    "LogNormalWait",
    "Patience",
    "Phase",
    "PlannedPlateau",
    "Profile",
    "Schedule",
    "Slos",
    "Stage",
    "ThinkTime",
    "UniformThinkTime",
    "UserBehaviour",
    "available_profiles",
    "load_profile",
    "parse_duration",
    "parse_latency",
    "profile_from_yaml",
    "slos_from_mapping",
]
