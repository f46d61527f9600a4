"""The pacers against a fake clock: think times, intended times, arrivals at the schedule's rate.

The open-model schedules are worked by hand. A ramp 0 → 10 arrivals/s over
10 s intends t²/2 arrivals by t, so (2s + 1)/2 in second s; the hold at
10/s after it intends 10 a second; 100 in the 15 s.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import Counter

import numpy as np
import pytest
from scipy import stats

from stampede.core.arrivals import ArrivalLedger
from stampede.profiles import (
    ConstantThinkTime,
    ExponentialThinkTime,
    Schedule,
    UniformThinkTime,
    load_profile,
)
from stampede.traffic import ClosedPacer, OpenPacer
from tests.traffic.conftest import FakeClock, MakeSchedule, WriteProfile, profile_data

RAMP_AND_HOLD = [
    {"duration": "10s", "arrivals_per_s": 10, "phase": "ramp"},
    {"duration": "5s", "arrivals_per_s": 10, "phase": "hold"},
]

# -- closed model ---------------------------------------------------------


def test_a_closed_user_intends_to_act_when_its_think_time_ends() -> None:
    clock = FakeClock(100.0)
    pacer = ClosedPacer(ConstantThinkTime(0.25), random.Random(1), clock)
    assert pacer.next_intended is None
    assert pacer.wait() == 0.25
    assert pacer.next_intended == 100.25
    clock.advance(0.75)  # a busy generator wakes the user half a second late …
    assert pacer.wait() == 0.25  # … and it thinks again from the moment it asks
    assert pacer.next_intended == 101.0


def test_a_closed_user_draws_its_think_times_from_its_own_rng() -> None:
    think = UniformThinkTime(1.0, 3.0)
    pacer = ClosedPacer(think, random.Random(42), FakeClock())
    pauses = [pacer.wait() for _ in range(200)]
    same = random.Random(42)
    assert pauses == [same.uniform(1.0, 3.0) for _ in range(200)]
    assert all(p is not None and 1.0 <= p <= 3.0 for p in pauses)


def test_a_capped_exponential_think_time_never_exceeds_its_cap() -> None:
    pacer = ClosedPacer(ExponentialThinkTime(1.0, max_s=2.0), random.Random(7), FakeClock())
    pauses = [pacer.wait() for _ in range(2000)]
    assert max(p for p in pauses if p is not None) == 2.0  # e^-2 of draws are capped
    assert min(p for p in pauses if p is not None) >= 0.0


# -- open model -----------------------------------------------------------


def _pool(schedule: Schedule, size: int, clock: FakeClock, seed: int = 0) -> list[OpenPacer]:
    return [
        OpenPacer(schedule, size, lambda: 1000.0, clock, random.Random(seed * 1000 + i))
        for i in range(size)
    ]


def _run_idle(pacers: list[OpenPacer], clock: FakeClock) -> list[float]:
    """Every user sends the moment its wait ends (no service time); the intended run times."""
    due: list[tuple[float, int]] = []

    def ask(i: int) -> None:
        pause = pacers[i].wait()
        if pause is not None:
            intended = pacers[i].next_intended
            assert intended is not None and intended == pytest.approx(clock.now + pause)
            heapq.heappush(due, (intended, i))

    for i in range(len(pacers)):
        ask(i)
    sent = []
    while due:
        clock.now, i = heapq.heappop(due)
        sent.append(clock.now - 1000.0)
        ask(i)
    return sent


def _per_second(times: list[float]) -> list[int]:
    counts = Counter(int(t) for t in times)
    return [counts.get(s, 0) for s in range(max(counts) + 1)]


def test_evenly_phased_users_together_send_every_arrival_of_the_schedule(
    make_schedule: MakeSchedule,
) -> None:
    schedule = make_schedule(RAMP_AND_HOLD)
    clock = FakeClock(1000.0)
    pacers = _pool(schedule, 4, clock)
    for j, pacer in enumerate(pacers):
        pacer.phase = (j + 0.25) / 4  # user j owns the arrivals at counts 4k + j + 0.25
    sent = _run_idle(pacers, clock)
    # arrival m + 0.25 falls in second s when s²/2 <= m + 0.25 < (s + 1)²/2, then 10 a second
    assert _per_second(sent) == [1, 1, 3, 3, 5, 5, 7, 7, 9, 9, 10, 10, 10, 10, 10]
    for s, count in enumerate(_per_second(sent)):
        assert abs(count - schedule.intended_arrivals(s, s + 1)) <= 1
    assert len(sent) == 100 == schedule.intended_arrivals(0, 15)
    assert sent == sorted(sent) and max(sent) < schedule.duration_s


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_randomly_phased_users_together_start_arrivals_at_the_schedules_rate(
    make_schedule: MakeSchedule, seed: int
) -> None:
    # 0 → 200/s over 10 s, then 200/s for 10 s: 1000 + 2000 arrivals
    schedule = make_schedule(
        [
            {"duration": "10s", "arrivals_per_s": 200, "phase": "ramp"},
            {"duration": "10s", "arrivals_per_s": 200, "phase": "hold"},
        ]
    )
    size = 10
    clock = FakeClock(1000.0)
    sent = _run_idle(_pool(schedule, size, clock, seed), clock)
    # user i sends ceil(A/V - u_i) of the first A arrivals, so the pool sends A - Σu plus
    # something in (0, V]; a second's count, the difference of two such, is within V
    per_second = _per_second(sent)
    assert len(per_second) == 20
    for s, count in enumerate(per_second):
        assert abs(count - schedule.intended_arrivals(s, s + 1)) < size, s
    assert abs(len(sent) - 3000) < size
    # on the hold the rate is flat: 200 a second, give or take the pool
    assert sum(per_second[10:]) == pytest.approx(2000, abs=size)


def test_a_busy_user_sends_late_from_the_schedules_intended_time(
    make_schedule: MakeSchedule,
) -> None:
    # one user owning every arrival, phase ½: the k-th at count k + ½, on the ramp at
    # run time √(2k + 1): 1, √3, √5, …
    schedule = make_schedule(RAMP_AND_HOLD)
    clock = FakeClock(1000.0)
    pacer = OpenPacer(schedule, 1, lambda: 1000.0, clock, random.Random(0))
    pacer.phase = 0.5
    ledger = ArrivalLedger(1.0, origin=1000.0, tolerance=0.05)

    assert pacer.wait() == pytest.approx(1.0)
    assert pacer.next_intended == pytest.approx(1001.0)
    clock.now = 1001.0
    assert pacer.next_intended is not None
    ledger.record_sent(pacer.next_intended, clock.now)  # on time
    clock.now = 1002.0  # the request took 1 s: the next arrival (at √3 s) is overdue
    assert pacer.wait() == 0.0  # sent at once …
    assert pacer.next_intended == pytest.approx(1000 + math.sqrt(3))  # … as of the schedule
    assert pacer.next_intended is not None
    ledger.record_sent(pacer.next_intended, clock.now)  # 0.27 s late: missed, not hidden
    assert pacer.wait() == pytest.approx(math.sqrt(5) - 2)  # the next keeps to the schedule
    assert pacer.next_intended == pytest.approx(1000 + math.sqrt(5))
    assert (ledger.sent, ledger.missed) == (2, 1)


def test_the_schedules_end_stops_an_open_user(make_schedule: MakeSchedule) -> None:
    schedule = make_schedule(RAMP_AND_HOLD)
    clock = FakeClock(1000.0)
    pacer = OpenPacer(schedule, 1, lambda: 1000.0, clock, random.Random(0))
    pacer.phase = 0.5
    intended = []
    while (pause := pacer.wait()) is not None:
        assert pacer.next_intended is not None
        intended.append(pacer.next_intended - 1000.0)
        clock.advance(pause)
    # counts ½, 1½, … 99½ of the 100: √(2k + 1) on the ramp, 10 + (k + ½ - 50)/10 on the hold
    assert intended[:3] == pytest.approx([1.0, math.sqrt(3), math.sqrt(5)])
    assert intended[50:52] == pytest.approx([10.05, 10.15])
    assert len(intended) == 100 and intended[-1] == pytest.approx(14.95)
    assert pacer.next_intended is None
    assert pacer.wait() is None  # and stays stopped


def test_poisson_users_together_send_a_poisson_stream_at_the_schedule_rate(
    write_profile: WriteProfile,
) -> None:
    # 50 arrivals/s for 200 s from a pool of 20 users, each drawing its own exponential gaps
    data = profile_data(
        [
            {"duration": "1s", "arrivals_per_s": 50, "phase": "ramp"},
            {"duration": "200s", "arrivals_per_s": 50, "phase": "hold"},
        ]
    )
    data["arrivals"] = "poisson"
    schedule = Schedule.from_profile(load_profile(write_profile(data)))
    clock = FakeClock(1000.0)
    sent = sorted(t for t in _run_idle(_pool(schedule, 20, clock, seed=3), clock) if t >= 1)
    # the count is Poisson with mean 10,000: within 4 standard deviations
    assert abs(len(sent) - 10_000) < 4 * math.sqrt(10_000)
    # the merged gaps are exponential of mean 1/50 s (Kolmogorov–Smirnov, fixed seed)
    gaps = np.diff(sent)
    assert stats.kstest(gaps, "expon", args=(0, 1 / 50)).pvalue > 0.01
    assert float(np.std(gaps) / np.mean(gaps)) == pytest.approx(1.0, abs=0.05)
    # counts per second are Poisson too: variance about the mean, not about zero
    counts = np.array(_per_second(sent)[1:], dtype=float)
    assert counts.var() / counts.mean() == pytest.approx(1.0, abs=0.3)


def test_even_users_send_gaps_that_are_not_exponential(make_schedule: MakeSchedule) -> None:
    schedule = make_schedule(
        [
            {"duration": "1s", "arrivals_per_s": 50, "phase": "ramp"},
            {"duration": "200s", "arrivals_per_s": 50, "phase": "hold"},
        ]
    )
    assert schedule.arrivals == "even"
    clock = FakeClock(1000.0)
    sent = sorted(t for t in _run_idle(_pool(schedule, 20, clock, seed=3), clock) if t >= 1)
    assert stats.kstest(np.diff(sent), "expon", args=(0, 1 / 50)).pvalue < 1e-6
    # each user sends one every 0.4 s: every 2 s holds 100 arrivals, give or take a boundary
    pairs = np.array(_per_second(sent)[1:201]).reshape(-1, 2).sum(axis=1)
    assert np.abs(pairs - 100).max() <= 2


def test_an_open_user_started_mid_run_takes_its_next_arrival_not_a_burst(
    make_schedule: MakeSchedule,
) -> None:
    # a survivor's new user, 12 s in: 70 arrivals (50 ramp, 20 hold) were before it existed
    schedule = make_schedule(RAMP_AND_HOLD)
    clock = FakeClock(1012.0)
    pacer = OpenPacer(schedule, 1, lambda: 1000.0, clock, random.Random(0))
    pause = pacer.wait()
    assert pause is not None and 0 <= pause < 0.1  # one arrival each 0.1 s on the hold
    assert pacer.next_intended is not None and pacer.next_intended >= 1012.0
    # the same user from run time 0 owns the same arrivals from 12 s on
    fresh = OpenPacer(schedule, 1, lambda: 1000.0, FakeClock(1000.0), random.Random(0))
    times = []
    while fresh.wait() is not None and fresh.next_intended is not None:
        times.append(fresh.next_intended)
    assert pacer.next_intended == min(t for t in times if t >= 1012.0)
