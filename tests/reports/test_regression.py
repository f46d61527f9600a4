"""The regression test against a baseline: hand-computed Mann–Whitney cases."""

from __future__ import annotations

import pytest

from stampede.reports import detect_regression
from stampede.reports._regression import interval_p95s


def test_every_candidate_interval_slower_is_a_regression_with_exact_p() -> None:
    # U = 16 of 16 pairs; exact one-sided p = 1 / C(8, 4) = 1 / 70
    result = detect_regression(
        [1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], tolerance=0.0, min_intervals=4
    )
    assert result.judged and result.regressed
    assert result.p_value == pytest.approx(1 / 70)
    assert result.change == pytest.approx(6.5 / 2.5 - 1)


def test_identical_runs_do_not_regress() -> None:
    values = [0.05 + 0.001 * (i % 7) for i in range(30)]
    result = detect_regression(values, values)
    assert result.judged and not result.regressed
    assert result.p_value is not None and result.p_value > 0.5


def test_a_slowdown_within_the_tolerance_passes_and_beyond_it_fails() -> None:
    base = [0.1 + 0.002 * (i % 11) for i in range(40)]
    assert not detect_regression(base, [v * 1.05 for v in base], tolerance=0.10).regressed
    assert detect_regression(base, [v * 1.30 for v in base], tolerance=0.10).regressed


def test_too_few_intervals_is_not_judged() -> None:
    result = detect_regression([0.1] * 5, [0.2] * 5, group="checkout", min_intervals=10)
    assert not result.judged and not result.regressed and result.p_value is None
    assert "at least 10" in result.detail


def test_interval_p95s_drop_sparse_intervals() -> None:
    assert interval_p95s([0.1, 0.2, 0.3], [10, 2, 5], min_requests=5) == [0.1, 0.3]
