from __future__ import annotations

import math

import numpy as np
import pytest

from stampede.capacity import fit_usl
from stampede.capacity._usl import usl_throughput
from stampede.core.errors import ConfigError

# SPEC SDM91 on a 16-CPU Sun SPARCcenter 2000 (October 1994), the `specsdm91`
# dataset of the R `usl` package (Stefan Möding). The package's regression
# test tests/summary.Rout.save publishes its nonlinear least-squares fit:
# sigma 2.773e-02 (SE 9.122e-03), kappa 1.044e-04 (SE 1.988e-05),
# lambda 9.000e+01 (SE 1.421e+01), multiple R-squared 0.9896.
SPECSDM91_LOAD = [1, 18, 36, 72, 108, 144, 216]
SPECSDM91_THROUGHPUT = [64.9, 995.9, 1652.4, 1853.2, 1828.9, 1775.0, 1702.2]


def test_specsdm91_matches_the_published_coefficients() -> None:
    fit = fit_usl(SPECSDM91_LOAD, SPECSDM91_THROUGHPUT)
    assert fit.sigma == pytest.approx(2.773e-02, rel=1e-3)
    assert fit.kappa == pytest.approx(1.044e-04, rel=1e-3)
    assert fit.lambda_ == pytest.approx(90.00, rel=1e-3)
    assert fit.sigma_se == pytest.approx(9.122e-03, rel=1e-3)
    assert fit.kappa_se == pytest.approx(1.988e-05, rel=1e-3)
    assert fit.lambda_se == pytest.approx(14.21, rel=1e-3)
    assert fit.r_squared == pytest.approx(0.9896, abs=1e-4)
    # peak.scalability: sqrt((1 - sigma) / kappa)
    assert fit.n_star == pytest.approx(math.sqrt((1 - 2.773e-02) / 1.044e-04), rel=2e-3)
    assert fit.x_max == pytest.approx(fit.predict(fit.n_star))
    assert fit.warnings == []


@pytest.mark.parametrize(
    ("sigma", "kappa", "lambda_"),
    [(0.05, 0.001, 100.0), (0.2, 0.0001, 12.5), (0.0277, 0.000104, 90.0), (0.01, 0.02, 1000.0)],
)
def test_exact_data_recovers_its_parameters(sigma: float, kappa: float, lambda_: float) -> None:
    n_star = math.sqrt((1 - sigma) / kappa)
    n = np.geomspace(1, 2.5 * n_star, 8)
    fit = fit_usl(n, usl_throughput(n, sigma, kappa, lambda_))
    assert (fit.sigma, fit.kappa, fit.lambda_) == pytest.approx((sigma, kappa, lambda_), rel=1e-6)
    assert fit.r_squared == pytest.approx(1.0)
    assert fit.n_star == pytest.approx(n_star, rel=1e-6)


def test_predict_takes_numbers_and_arrays() -> None:
    fit = fit_usl(SPECSDM91_LOAD, SPECSDM91_THROUGHPUT)
    assert isinstance(fit.predict(10), float)
    many = fit.predict([1, 10, 100])
    assert isinstance(many, np.ndarray) and many.shape == (3,)
    assert fit.response_time(10) == pytest.approx(10 / fit.predict(10))


def test_amdahl_data_puts_kappa_on_its_bound() -> None:
    n = np.array([1, 2, 4, 8, 16, 32, 64])
    fit = fit_usl(n, usl_throughput(n, 0.1, 0.0, 50.0))
    assert fit.kappa == pytest.approx(0.0, abs=1e-9)
    assert fit.n_star == math.inf
    assert fit.x_max == pytest.approx(50.0 / 0.1)
    assert any("kappa is on its lower bound" in w for w in fit.warnings)


def test_data_stopping_short_of_the_peak_is_flagged() -> None:
    n = np.array([1, 2, 3, 4, 5, 6])
    fit = fit_usl(n, usl_throughput(n, 0.01, 0.0001, 10.0))
    assert fit.n_star > 2 * 6
    assert any("below half the predicted peak" in w for w in fit.warnings)


@pytest.mark.parametrize(
    ("n", "x", "match"),
    [
        ([1, 2, 3, 4, 5], [1, 2, 3, 4, 5], "needs at least 6.*capacity-probe"),
        ([1, 2, 3, 4, 5, 6], [1, 2, 3], "same length"),
        ([1, 2, 3, 4, 5, 0], [1, 2, 3, 4, 5, 6], "positive measurements"),
        ([1, 2, 3, 4, 5, 6], [1, 2, 3, 4, float("nan"), 6], "positive measurements"),
    ],
)
def test_bad_input_is_a_config_error(n: list[float], x: list[float], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        fit_usl(n, x)
