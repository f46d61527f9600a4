"""The three validity rules, each broken and kept."""

from __future__ import annotations

import pytest

from stampede.core.cpu import CpuSample
from stampede.core.validity import (
    Validity,
    check_sample_count,
    check_saturation,
    check_sent,
    check_served,
    judge_run,
)


def _samples(hot: int, total: int) -> list[CpuSample]:
    return [
        CpuSample(float(i), 95.0 if i < hot else 30.0, 20.0, 95.0 if i < hot else 30.0)
        for i in range(total)
    ]


def _judge(intended: int = 1000, sent: int = 1000, hot: int = 0, count: int = 1000) -> Validity:
    return judge_run(
        intended=intended,
        sent=sent,
        cpu_samples=_samples(hot, 100),
        latency_count=count,
        min_latency_count=100,
    )


def test_a_clean_run_is_valid() -> None:
    assert _judge() == Validity(valid=True, reasons=())


@pytest.mark.parametrize(("sent", "broken"), [(950, False), (949, True), (0, True)])
def test_too_few_arrivals_sent(sent: int, broken: bool) -> None:
    verdict = _judge(sent=sent)
    assert verdict.valid is not broken
    if broken:
        assert verdict.reasons == (check_sent(1000, sent),)
        assert f"({sent:,} of 1,000)" in verdict.reasons[0]


@pytest.mark.parametrize(("hot", "broken"), [(5, False), (6, True), (12, True)])
def test_saturated_generator(hot: int, broken: bool) -> None:
    verdict = _judge(hot=hot)
    assert verdict.valid is not broken
    if broken:
        assert verdict.reasons == (
            f"the load generator's CPU was at or above 90% for {hot}% of the run; "
            "its latencies belong to the generator, not the target",
        )


@pytest.mark.parametrize(("count", "broken"), [(100, False), (99, True)])
def test_too_few_requests(count: int, broken: bool) -> None:
    verdict = _judge(count=count)
    assert verdict.valid is not broken
    if broken:
        assert verdict.reasons == (check_sample_count(99, 100),)
        assert "only 99 requests completed; at least 100" in verdict.reasons[0]


def test_every_broken_rule_gives_its_reason() -> None:
    verdict = _judge(sent=10, hot=50, count=5)
    assert not verdict.valid and len(verdict.reasons) == 3


def test_thresholds_are_parameters() -> None:
    assert check_sent(100, 80, min_sent_fraction=0.8) is None
    assert check_saturation(_samples(10, 100), threshold=99.0) is None
    assert check_saturation(_samples(10, 100), max_fraction=0.10) is None
    assert check_saturation([]) is None
    assert check_sent(0, 0) is None


@pytest.mark.parametrize(
    ("requests", "not_served", "broken"),
    [(1503, 1503, True), (1000, 201, True), (1000, 200, False), (1000, 0, False), (0, 0, False)],
)
def test_a_target_that_answers_mostly_404_does_not_serve_the_scenario(
    requests: int, not_served: int, broken: bool
) -> None:
    reason = check_served(requests, not_served)
    assert (reason is not None) == broken
    if requests == 1503:
        assert reason is not None
        assert "does not serve this scenario's API: 1,503 of 1,503 requests got 404" in reason
        assert "--locustfile" in reason
