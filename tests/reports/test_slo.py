"""SLO evaluation: hand-computed cases over plain data, and agreement with HdrHistogram."""

from __future__ import annotations

import pytest

from stampede.core.latency import LatencyRecorder
from stampede.profiles import LatencySlo, Slos
from stampede.reports import Distribution, SloMeasurements, evaluate_slos
from stampede.reports._hist import distribution_of

# 100 requests: 90 at 100 ms, 5 at 200 ms, 5 at 600 ms
HAND = Distribution(values_s=(0.1, 0.2, 0.6), counts=(90, 5, 5))


def test_distribution_percentiles_by_hand() -> None:
    # p95: the 95th request (int(95 * 100 / 100 + 0.5) = 95) is the last at 200 ms
    assert HAND.percentile(95) == 0.2
    assert HAND.percentile(99) == 0.6
    assert HAND.percentile(50) == 0.1
    assert HAND.fraction_over(0.5) == pytest.approx(0.05)
    assert HAND.fraction_over(0.15) == pytest.approx(0.10)
    assert Distribution().percentile(95) == 0.0


def _measure(**kwargs: object) -> SloMeasurements:
    base: dict[str, object] = {
        "distributions": {"all": HAND, "checkout": HAND},
        "requests": 1000,
        "failures": 5,
        "throughput_rps": 40.0,
    }
    base.update(kwargs)
    return SloMeasurements(**base)  # type: ignore[arg-type]


def test_latency_slos_by_hand() -> None:
    slos = Slos(latency=(LatencySlo("all", p95_s=0.25, p99_s=0.5),))
    p95, p99 = evaluate_slos(slos, _measure())
    assert (p95.key, p95.measured, p95.passed) == ("latency.all.p95", 0.2, True)
    assert p95.margin == pytest.approx((0.25 - 0.2) / 0.25)
    # 5 % slower than 250 ms against the 5 % a p95 allows: the whole budget
    assert p95.budget_used == pytest.approx(1.0)
    assert (p99.measured, p99.passed) == (0.6, False)
    assert p99.margin == pytest.approx(-0.2)
    # 5 % slower than 500 ms against the 1 % a p99 allows: five budgets
    assert p99.budget_used == pytest.approx(5.0)
    assert "over the 500 ms objective" in p99.detail


def test_page_load_slos_by_hand() -> None:
    # the same 100 views: p95 200 ms, p99 600 ms; the requests' distributions are not used
    slos = Slos(page_load=(LatencySlo("product", p95_s=0.25), LatencySlo("all", p99_s=0.5)))
    product, every = evaluate_slos(slos, _measure(page_loads={"product": HAND, "all": HAND}))
    assert (product.key, product.measured, product.passed) == ("page_load.product.p95", 0.2, True)
    assert product.name == "p95 page-load time, product page views"
    assert (every.key, every.measured, every.passed) == ("page_load.all.p99", 0.6, False)
    assert every.budget_used == pytest.approx(5.0)
    assert "p99 page-load time of all page views was 600 ms, over the 500 ms" in every.detail
    (none,) = evaluate_slos(Slos(page_load=(LatencySlo("cart", p95_s=1.0),)), _measure())
    assert none.passed is False and "no cart page views completed" in none.detail


def test_error_rate_and_throughput_by_hand() -> None:
    slos = Slos(error_rate=0.01, min_throughput=50.0)
    errors, throughput = evaluate_slos(slos, _measure())
    assert (errors.measured, errors.passed) == (0.005, True)
    assert errors.margin == pytest.approx(0.5)
    assert errors.budget_used == pytest.approx(0.5)
    assert (throughput.measured, throughput.passed) == (40.0, False)
    assert throughput.margin == pytest.approx(-0.2)
    assert throughput.budget_used is None


@pytest.mark.parametrize(
    ("slos", "measured"),
    [
        (Slos(latency=(LatencySlo("stock", p95_s=0.2),)), _measure()),
        (Slos(error_rate=0.01), _measure(requests=0, failures=0)),
    ],
)
def test_an_objective_with_nothing_to_judge_fails(slos: Slos, measured: SloMeasurements) -> None:
    (result,) = evaluate_slos(slos, measured)
    assert result.passed is False
    assert result.measured is None
    assert "cannot be judged" in result.detail


def test_zero_error_objective() -> None:
    (ok,) = evaluate_slos(Slos(error_rate=0.0), _measure(failures=0))
    (bad,) = evaluate_slos(Slos(error_rate=0.0), _measure(failures=1))
    assert ok.passed and ok.budget_used == 0.0
    assert not bad.passed and bad.budget_used is None


def test_distribution_agrees_with_hdrhistogram() -> None:
    recorder = LatencyRecorder()
    for i in range(1, 5001):
        recorder.record("GET /x", 0.0, 0.0, (i % 997) / 1000 + i / 1e6)
    dist = distribution_of(recorder.histogram("corrected", "GET /x"))
    expected = recorder.percentiles((50.0, 90.0, 95.0, 99.0, 99.9), group="GET /x")
    assert {p: dist.percentile(p) for p in expected} == expected
    assert dist.total == 5000
