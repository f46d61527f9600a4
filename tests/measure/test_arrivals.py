"""ArrivalLedger: intended, sent and missed arrivals per interval."""

from __future__ import annotations

import json

import pytest

from stampede.core.arrivals import ArrivalCounts, ArrivalLedger
from stampede.core.errors import ConfigError


def test_counts_on_time_late_and_unsent_arrivals_per_interval() -> None:
    ledger = ArrivalLedger(interval=1.0, origin=10.0, tolerance=0.05)
    ledger.record_sent(10.0, 10.01)  # on time
    ledger.record_sent(10.5, 10.54)  # within the tolerance: on time
    ledger.record_sent(10.9, 11.5)  # late: counted in its intended interval
    ledger.record_unsent(12.2, count=3)
    assert (ledger.intended, ledger.sent, ledger.missed) == (6, 3, 4)
    assert ledger.sent_fraction == pytest.approx(0.5)
    assert ledger.rows() == [
        ArrivalCounts(index=0, start=0.0, intended=3, sent=3, missed=1),
        ArrivalCounts(index=2, start=2.0, intended=3, sent=0, missed=3),
    ]


def test_nothing_intended_is_fully_sent() -> None:
    assert ArrivalLedger(1.0, 0.0).sent_fraction == 1.0


def test_merge_through_json_equals_one_ledger() -> None:
    everything = ArrivalLedger(1.0, 0.0, 0.01)
    parts = [ArrivalLedger(1.0, 0.0, 0.01) for _ in range(3)]
    for i in range(1_000):
        intended, sent = i * 0.013, i * 0.013 + (i % 7) * 0.004
        everything.record_sent(intended, sent)
        parts[i % 3].record_sent(intended, sent)
        if i % 11 == 0:
            everything.record_unsent(intended)
            parts[i % 3].record_unsent(intended)
    merged = ArrivalLedger.from_dict(json.loads(json.dumps(parts[0].to_dict())))
    for part in parts[1:]:
        merged.merge(part)
    assert merged.rows() == everything.rows()
    assert merged.to_dict() == everything.to_dict()


def test_rejects_bad_settings_and_data() -> None:
    with pytest.raises(ConfigError):
        ArrivalLedger(0.0, 0.0)
    with pytest.raises(ConfigError):
        ArrivalLedger(1.0, 0.0, tolerance=-1)
    with pytest.raises(ConfigError, match="same settings"):
        ArrivalLedger(1.0, 0.0, 0.01).merge(ArrivalLedger(1.0, 0.0, 0.02))
    with pytest.raises(ConfigError):
        ArrivalLedger.from_dict({"format": "stampede.arrivals/1", "interval": 1, "rows": []})
    with pytest.raises(ConfigError):
        ArrivalLedger.from_dict(
            {"format": "stampede.arrivals/1", "interval": 1, "tolerance": 0, "rows": [[1, 2]]}
        )
