"""ALB LCUs by AWS's four dimensions, worked by hand."""

from __future__ import annotations

import dataclasses

import pytest

from stampede.capacity._cost import sqs_billed_requests_per_event
from stampede.capacity._lcu import alb_lcus
from stampede.capacity._topology import SharedTiers


def test_keep_alive_lcus_are_set_by_processed_bytes() -> None:
    # 1,000 req/s of 2 KB, 20 requests a connection held 60 s, 7 rules (all free)
    shared = SharedTiers(bytes_per_response=2_000.0)
    lcus = alb_lcus(1000.0, shared)
    assert lcus.new_connections == pytest.approx(1000 / 20 / 25)  # 2
    assert lcus.active_connections == pytest.approx(1000 / 20 * 60 / 3000)  # 1
    assert lcus.processed_bytes == pytest.approx(1000 * 2000 * 3600 / 1e9)  # 7.2 GB/h
    assert lcus.rule_evaluations == 0.0
    assert lcus.billed == pytest.approx(7.2) and lcus.dimension == "processed bytes"


def test_one_connection_per_request_is_billed_on_new_connections() -> None:
    # what the old model assumed for every request: 323 LCUs at 8,075 req/s
    shared = dataclasses.replace(
        SharedTiers(), alb_requests_per_connection=1.0, bytes_per_response=500.0, alb_rules=25
    )
    lcus = alb_lcus(8075.0, shared)
    assert lcus.new_connections == pytest.approx(323.0)
    assert lcus.rule_evaluations == pytest.approx(8075 * 15 / 1000)
    assert lcus.billed == pytest.approx(323.0) and lcus.dimension == "new connections"


@pytest.mark.parametrize(
    ("batch", "kb", "expected"),
    [
        (10, 2.0, 3 * 1 / 10),  # ten 2 KB messages: one 64 KB chunk per call
        (10, 10.0, 3 * 2 / 10),  # 100 KB per call: two chunks
        (1, 2.0, 3.0),  # no batching: every call is a request
        (1, 100.0, 3 * 2),  # a 100 KB message alone is two chunks
    ],
)
def test_sqs_bills_each_64_kb_chunk_of_a_batch(batch: int, kb: float, expected: float) -> None:
    shared = SharedTiers(sqs_batch_size=batch, sqs_message_kb=kb)
    assert sqs_billed_requests_per_event(shared) == pytest.approx(expected)
