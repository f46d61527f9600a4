"""The master's traffic as a worker receives it: sent whole, followed, contradictions named."""

from __future__ import annotations

import argparse
from pathlib import Path

import msgpack
import pytest

from stampede.core.errors import ConfigError
from stampede.traffic import (
    FLAG_CHECKS,
    Locustfile,
    MasterTraffic,
    TrafficContext,
    TrafficOptions,
    WorkerTally,
    disagreements,
    refusal,
)

LOCUSTFILE = Locustfile("locustfile.py", "ab" * 32)


def _master() -> MasterTraffic:
    options = TrafficOptions("flash-sale", 0.0002, 0.03, None, 200, 0.05, 5.0, 11)
    return TrafficContext.create(options).master_traffic([LOCUSTFILE])


def _parsed(**given: object) -> argparse.Namespace:
    flags: dict[str, object] = {"traffic": None, "scale": None, "time_scale": None}
    flags |= {"stampede_seed": None}
    flags |= {"shoppers": None, "lateness_tolerance": None, "progress_interval": 5.0}
    return argparse.Namespace(**(flags | given))


def test_the_traffic_survives_locusts_wire_and_the_worker_runs_it_exactly() -> None:
    master = _master()
    wire = msgpack.unpackb(msgpack.packb(master.to_wire()), raw=False)  # Locust's Message
    assert MasterTraffic.from_wire(wire) == master
    own = TrafficContext.create(TrafficOptions.from_parsed(_parsed()))
    assert own.profile.name == "smoke"
    own.origin, own.worker_index, own.worker_count = 123.0, 2, 3
    ctx = TrafficContext.following(own, MasterTraffic.from_wire(wire))
    expected = TrafficContext.create(
        TrafficOptions("flash-sale", 0.0002, 0.03, None, 200, 0.05, 5.0, 11)
    )
    assert ctx.profile == expected.profile
    assert ctx.schedule.duration_s == expected.schedule.duration_s
    assert (ctx.options.seed, ctx.options.shoppers, ctx.options.lateness_tolerance_s) == (
        11,
        200,
        0.05,
    )
    assert (ctx.origin, ctx.worker_index, ctx.worker_count) == (123.0, 2, 3)
    assert ctx.rng(5).random() == expected.rng(5).random()


def test_flags_left_to_their_defaults_never_disagree() -> None:
    own = TrafficContext.create(TrafficOptions.from_parsed(_parsed()))
    assert TrafficOptions.explicit(_parsed(), own.profile) == {}
    assert disagreements({}, [LOCUSTFILE], _master()) == []


@pytest.mark.parametrize(
    ("given", "phrase"),
    [
        ({"--traffic": "smoke"}, "--traffic smoke differs from the master's flash-sale"),
        ({"--scale": 0.5}, "--scale 0.5 differs from the master's 0.0002"),
        ({"--time-scale": 1.0}, "--time-scale 1 differs from the master's 0.03"),
        ({"--stampede-seed": 3}, "--stampede-seed 3 differs from the master's 11"),
        ({"--shoppers": 10}, "--shoppers 10 differs from the master's 200"),
        ({"--lateness-tolerance": 20.0}, "--lateness-tolerance 20 differs from the master's 50"),
    ],
)
def test_an_explicit_flag_that_contradicts_the_master_is_named(
    given: dict[str, object], phrase: str
) -> None:
    assert disagreements(given, [LOCUSTFILE], _master()) == [phrase]


def test_the_same_values_given_explicitly_agree() -> None:
    same = {"--traffic": "flash-sale", "--scale": 0.0002, "--time-scale": 0.03}
    same |= {"--stampede-seed": 11, "--shoppers": 200, "--lateness-tolerance": 50.0}
    same |= {"--stampede-target": _master().target}
    assert {c.flag for c in FLAG_CHECKS} == set(same)
    assert disagreements(same, [LOCUSTFILE], _master()) == []


def test_another_locustfile_is_refused_with_both_fingerprints(tmp_path: Path) -> None:
    mine = tmp_path / "mine.py"
    mine.write_text("from locust import HttpUser\n")
    found = disagreements({}, [Locustfile.of(mine)], _master())
    assert len(found) == 1 and found[0].startswith("locustfile mine.py (sha256 ")
    assert found[0].endswith(f"differs from the master's locustfile.py (sha256 {'ab' * 6})")
    line = refusal([*found, "--scale 0.5 differs from the master's 0.0002"])
    assert "\n" not in line and line.startswith("this worker's locustfile mine.py")
    assert "; its --scale 0.5 differs" in line


def test_a_master_of_another_version_is_one_line() -> None:
    wire = _master().to_wire()
    del wire["shoppers"]
    with pytest.raises(ConfigError, match="lacks shoppers; the master runs another version"):
        MasterTraffic.from_wire(wire)


def test_the_tally_lists_each_worker_with_its_peak_users_and_all_its_requests() -> None:
    tally = WorkerTally()
    tally.note("w1", {"host": "gen-a", "pid": 10, "requests": 30}, users=5)
    tally.note("w2", {"host": "gen-b", "pid": 11, "requests": 7}, users=4)
    tally.note("w1", {"host": "gen-a", "pid": 10, "requests": 12}, users=0)  # its last report
    tally.note("w3", {"host": "gen-c", "pid": 12, "requests": 0}, users=0)  # never ran a user
    tally.went_missing(["w2"])
    rows = [(w.id, w.host, w.pid, w.users, w.requests, w.lost) for w in tally.listing()]
    assert rows == [("w1", "gen-a", 10, 5, 42, False), ("w2", "gen-b", 11, 4, 7, True)]


def test_the_worker_runs_the_masters_target_description_and_names_another() -> None:
    master = _master()
    own = TrafficContext.create(TrafficOptions.from_parsed(_parsed()))
    followed = TrafficContext.following(own, master).target  # the reference store's, as text
    assert followed.group_names == own.target.group_names
    assert followed.service_names == own.target.service_names
    assert master.target.startswith("sha256 ") and len(master.target) == 19
    found = disagreements({"--stampede-target": "sha256 000000000000"}, [LOCUSTFILE], master)
    assert found == [
        f"--stampede-target sha256 000000000000 differs from the master's {master.target}"
    ]
