"""Recovery after a fault, on hand-computed per-second series."""

from __future__ import annotations

from stampede.reports._model import Fault, GroupTimeline, Series
from stampede.reports._recovery import recovered_at, recoveries

REQUESTS = dict.fromkeys(range(30), 100.0)


def test_recovery_is_the_first_healthy_window_after_the_end() -> None:
    failures = {s: 50.0 for s in range(10, 15)} | {15: 2.0}  # 2 % in second 15
    p95 = dict.fromkeys(range(30), 0.1) | {16: 0.9}  # one slow second after the outage
    # error budget 1 %: window 15..19 holds 2 failures in 500 requests (0.4 %), but second 16
    # is slower than 500 ms; the first window clear of it starts at 17
    at = recovered_at(15.0, REQUESTS, failures, p95, 30.0, 0.01, 0.5, window_s=5)
    assert at == 17.0


def test_not_recovered_by_the_end_of_the_run() -> None:
    failures = {s: 50.0 for s in range(10, 30)}
    assert recovered_at(12.0, REQUESTS, failures, {}, 30.0, 0.01, None) is None


def test_windowed_faults_count_from_their_end_instant_ones_from_their_start() -> None:
    t = tuple(float(s) for s in range(30))
    requests = Series(t, tuple(100.0 for _ in t))
    failures = Series(t, tuple(50.0 if 10 <= s < 20 else 0.0 for s in range(30)))
    timeline = GroupTimeline("all", t, (100,) * 30, (0.01,) * 30, (0.05,) * 30, (0.1,) * 30)
    outage = Fault("payment-outage@10s:10s", "payment-outage", 10.0, 20.0, "")
    kill = Fault("kill-worker@12s", "kill-worker", 12.0, 12.2, "")
    never = Fault("kill-worker@40s", "kill-worker", None, None, "not injected")
    # the broker is down from 5 s until it answers at 18.5 s: recovered when it is back, at 20
    # (no earlier: the failures last until 20), never "at 6 s" while it was still down
    broker = Fault("broker-outage@5s:10s", "broker-outage", 5.0, 18.5, "")
    restart = Fault("broker-restart@5s", "broker-restart", 5.0, 18.5, "")
    faults = [outage, kill, never, broker, restart]
    found = recoveries(faults, requests, failures, timeline, 30.0, 0.01, 0.5)
    assert [(r.fault.kind, r.from_s, r.seconds) for r in found] == [
        ("payment-outage", 20.0, 0.0),
        ("kill-worker", 12.0, 8.0),
        ("broker-outage", 18.5, 1.5),
        ("broker-restart", 18.5, 1.5),
    ]
