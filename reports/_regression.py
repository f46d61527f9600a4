"""Is a run slower than its baseline beyond a tolerance? A statistical test, not one number.

Each run is summarised as one p95 per interval (corrected latency of the
requests completed in it). The candidate regressed when its per-interval p95s
are stochastically greater than the baseline's inflated by the tolerance, by a
one-sided Mann–Whitney U test at level ``alpha``. With fewer than
``min_intervals`` intervals in either run the comparison cannot be judged.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.stats import mannwhitneyu

from stampede.core.numbers import latency


@dataclass(frozen=True)
class RegressionResult:
    """The comparison of one endpoint group's per-interval p95 against a baseline."""

    group: str
    baseline_intervals: int
    candidate_intervals: int
    baseline_median_s: float
    candidate_median_s: float
    tolerance: float
    alpha: float
    p_value: float | None
    judged: bool
    regressed: bool
    detail: str

    @property
    def change(self) -> float | None:
        """The candidate's median over the baseline's, minus one (0.12 is 12 % slower)."""
        if not self.baseline_median_s:
            return None
        return self.candidate_median_s / self.baseline_median_s - 1


def _median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else 0.0


def detect_regression(
    baseline: Sequence[float],
    candidate: Sequence[float],
    *,
    group: str = "all",
    tolerance: float = 0.10,
    alpha: float = 0.05,
    min_intervals: int = 10,
) -> RegressionResult:
    """Test whether ``candidate``'s per-interval p95s exceed ``baseline``'s beyond ``tolerance``.

    Parameters
    ----------
    baseline, candidate
        Per-interval p95 latencies (seconds) of the two runs.
    group
        The endpoint group they belong to (for the message).
    tolerance
        Allowed slowdown as a fraction (0.10: the candidate may be 10 % slower).
    alpha
        Significance level of the one-sided test.
    min_intervals
        Fewest intervals each run needs for the test to be judged.
    """
    unjudged = RegressionResult(
        group=group,
        baseline_intervals=len(baseline),
        candidate_intervals=len(candidate),
        baseline_median_s=_median(baseline),
        candidate_median_s=_median(candidate),
        tolerance=tolerance,
        alpha=alpha,
        p_value=None,
        judged=False,
        regressed=False,
        detail=f"{group}: only {len(baseline)} baseline and {len(candidate)} candidate "
        f"intervals with requests; at least {min_intervals} each are needed to judge a "
        "regression",
    )
    if min(len(baseline), len(candidate)) < min_intervals:
        return unjudged
    return _judge(unjudged, baseline, candidate)


def _judge(
    unjudged: RegressionResult, baseline: Sequence[float], candidate: Sequence[float]
) -> RegressionResult:
    """The one-sided Mann–Whitney U test of the candidate against the inflated baseline."""
    tolerance, alpha = unjudged.tolerance, unjudged.alpha
    inflated = [value * (1 + tolerance) for value in baseline]
    p_value = float(mannwhitneyu(candidate, inflated, alternative="greater").pvalue)
    regressed = p_value < alpha
    base_median, cand_median = unjudged.baseline_median_s, unjudged.candidate_median_s
    change = cand_median / base_median - 1 if base_median else 0.0
    verdict = "slower beyond" if regressed else "within"
    return dataclasses.replace(
        unjudged,
        p_value=p_value,
        judged=True,
        regressed=regressed,
        detail=f"{unjudged.group}: median per-interval p95 {latency(cand_median)} against "
        f"{latency(base_median)} ({change:+.1%}), {verdict} the {tolerance:.0%} tolerance "
        f"(one-sided Mann–Whitney U, p = {p_value:.3g}, alpha {alpha:g})",
    )


def interval_p95s(
    p95: Sequence[float], counts: Sequence[int], min_requests: int = 5
) -> list[float]:
    """The per-interval p95s of intervals with at least ``min_requests`` requests."""
    return [v for v, n in zip(p95, counts, strict=True) if n >= min_requests]
