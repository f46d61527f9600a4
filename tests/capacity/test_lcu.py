"""ALB LCUs by AWS's four dimensions, worked by hand."""

from __future__ import annotations

import dataclasses

import pytest

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
