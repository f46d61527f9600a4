"""Neil Gunther's Universal Scalability Law, fitted by bounded least squares.

::

    X(N) = λ·N / (1 + σ·(N − 1) + κ·N·(N − 1))

``σ`` is contention (serialisation), ``κ`` coherency (crosstalk), ``λ`` the
throughput of one unit of concurrency. Throughput peaks at
``N* = sqrt((1 − σ) / κ)`` and falls beyond it. The fit minimises the squared
throughput residuals, like the R ``usl`` package's ``nls`` method, so its
coefficients match the published ones for the same data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import overload

import numpy as np
import numpy.typing as npt
from scipy.optimize import OptimizeResult, least_squares

from stampede.core.errors import ConfigError

MIN_POINTS = 6
KAPPA_NEGLIGIBLE = 1e-7

FloatArray = npt.NDArray[np.float64]


@overload
def usl_throughput(n: float, sigma: float, kappa: float, lambda_: float) -> float: ...
@overload
def usl_throughput(n: FloatArray, sigma: float, kappa: float, lambda_: float) -> FloatArray: ...
def usl_throughput(
    n: float | FloatArray, sigma: float, kappa: float, lambda_: float
) -> float | FloatArray:
    """Throughput the USL predicts at concurrency ``n``."""
    return lambda_ * n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0))


@dataclass(frozen=True)
class UslFit:
    """A fitted USL model with its uncertainty and caveats.

    Attributes
    ----------
    sigma, kappa, lambda_ : float
        Contention, coherency and single-unit throughput.
    sigma_se, kappa_se, lambda_se : float
        Standard errors from the Jacobian at the optimum.
    r_squared : float
        ``1 - RSS/TSS`` of the throughput.
    n_star : float
        Concurrency at peak throughput, ``inf`` when ``kappa`` is 0.
    x_max : float
        Throughput at ``n_star`` (the ``σ``-limited asymptote ``λ/σ`` when
        ``kappa`` is 0).
    max_n : float
        The largest concurrency measured.
    warnings : list of str
        Caveats: a coefficient on its bound, data ending well before the peak.
    """

    sigma: float
    kappa: float
    lambda_: float
    sigma_se: float
    kappa_se: float
    lambda_se: float
    r_squared: float
    n_star: float
    x_max: float
    max_n: float
    warnings: list[str] = field(default_factory=list)

    def predict(self, n: float | Sequence[float] | FloatArray) -> float | FloatArray:
        """Throughput at concurrency ``n`` (a number or an array)."""
        if isinstance(n, int | float):
            return float(usl_throughput(float(n), self.sigma, self.kappa, self.lambda_))
        return np.asarray(
            usl_throughput(np.asarray(n, dtype=float), self.sigma, self.kappa, self.lambda_),
            dtype=float,
        )

    def response_time(self, n: float) -> float:
        """Mean time in the system at concurrency ``n`` (``N / X(N)``, Little's law)."""
        return n / float(self.predict(n))


def _initial_guess(n: FloatArray, x: FloatArray) -> FloatArray:
    """λ from the smallest-N point, σ and κ from Gunther's quadratic linearisation."""
    lowest = int(np.argmin(n))
    lam = float(x[lowest] / n[lowest])
    deviation = n * lam / x - 1.0
    design = np.column_stack([n - 1.0, n * (n - 1.0)])
    coef, *_ = np.linalg.lstsq(design, deviation, rcond=None)
    sigma = float(np.clip(coef[0], 1e-4, 0.99))
    kappa = float(np.clip(coef[1], 1e-9, 0.99))
    return np.array([sigma, kappa, lam])


def _standard_errors(jac: FloatArray, rss: float, dof: int) -> FloatArray:
    if dof <= 0:
        return np.full(3, np.nan)
    s2 = rss / dof
    try:
        cov = np.linalg.inv(jac.T @ jac) * s2
    except np.linalg.LinAlgError:
        return np.full(3, np.nan)
    return np.asarray(np.sqrt(np.clip(np.diag(cov), 0.0, None)), dtype=float)


def _validate(
    concurrency: Sequence[float] | FloatArray, throughput: Sequence[float] | FloatArray
) -> tuple[FloatArray, FloatArray]:
    n = np.asarray(concurrency, dtype=float)
    x = np.asarray(throughput, dtype=float)
    if n.shape != x.shape or n.ndim != 1:
        raise ConfigError(
            f"fit_usl got {n.size} concurrency and {x.size} throughput values; "
            "pass two 1-D sequences of the same length."
        )
    if n.size < MIN_POINTS:
        raise ConfigError(
            f"fit_usl got {n.size} measurement(s) and needs at least {MIN_POINTS}; "
            "run the capacity-probe profile, which holds enough load levels."
        )
    if not (np.all(np.isfinite(n)) and np.all(np.isfinite(x))) or np.any(n <= 0) or np.any(x <= 0):
        raise ConfigError(
            "fit_usl got a concurrency or throughput that is zero, negative or not a "
            "number; pass positive measurements only."
        )
    return n, x


def _warnings(sigma: float, kappa: float, n_star: float, max_n: float) -> list[str]:
    notes: list[str] = []
    if kappa == 0.0:
        notes.append(
            "kappa is on its lower bound 0: the data show no coherency penalty, so the "
            "peak concurrency n_star is unbounded; probe higher loads to find it."
        )
    elif kappa >= 1.0 - 1e-9:
        notes.append("kappa is on its upper bound 1: the fit is degenerate; check the data.")
    if sigma <= 1e-9:
        notes.append("sigma is on its lower bound 0: the data show no contention.")
    elif sigma >= 1.0 - 1e-9:
        notes.append("sigma is on its upper bound 1: throughput does not grow with load.")
    if math.isfinite(n_star) and max_n < n_star / 2.0:
        notes.append(
            f"the measurements stop at concurrency {max_n:.3g}, below half the predicted "
            f"peak n_star={n_star:.3g}; the peak is an extrapolation, probe higher loads."
        )
    return notes


def _least_squares(n: FloatArray, x: FloatArray, scale: float) -> OptimizeResult:
    """The bounded least-squares optimum of the USL, the best of three starting points."""

    def residuals(p: FloatArray) -> FloatArray:
        return np.asarray((usl_throughput(n, p[0], p[1], p[2]) - x) / scale, dtype=float)

    best = None
    guess = _initial_guess(n, x)
    for start in (guess, np.array([guess[0], 1e-6, guess[2]]), np.array([0.1, 1e-4, guess[2]])):
        result = least_squares(
            residuals,
            start,
            bounds=([0.0, 0.0, 1e-12], [1.0, 1.0, np.inf]),
            x_scale=np.array([0.1, 1e-3, guess[2]]),
            xtol=1e-12,
            ftol=1e-12,
            gtol=1e-12,
            max_nfev=2000,
        )
        if best is None or result.cost < best.cost:
            best = result
    assert best is not None
    return best


def _summarise(best: OptimizeResult, n: FloatArray, x: FloatArray, scale: float) -> UslFit:
    """The fit at the optimum: coefficients, standard errors, R², the peak and caveats."""
    sigma, kappa, lam = (float(v) for v in best.x)
    max_n = float(np.max(n))
    if kappa * max_n * max_n < KAPPA_NEGLIGIBLE:
        # The optimiser stops a hair above the bound; the coherency term it
        # leaves is far below the data's resolution, so kappa is 0.
        kappa = 0.0
    rss = float(np.sum((best.fun * scale) ** 2))
    tss = float(np.sum((x - x.mean()) ** 2))
    se = _standard_errors(np.asarray(best.jac) * scale, rss, n.size - 3)
    n_star = math.sqrt((1.0 - sigma) / kappa) if kappa > 0 else math.inf
    x_max = (
        float(usl_throughput(n_star, sigma, kappa, lam)) if kappa > 0 else lam / max(sigma, 1e-12)
    )
    return UslFit(
        sigma=sigma,
        kappa=kappa,
        lambda_=lam,
        sigma_se=float(se[0]),
        kappa_se=float(se[1]),
        lambda_se=float(se[2]),
        r_squared=1.0 - rss / tss if tss > 0 else float("nan"),
        n_star=n_star,
        x_max=x_max,
        max_n=max_n,
        warnings=_warnings(sigma, kappa, n_star, max_n),
    )


def fit_usl(
    concurrency: Sequence[float] | FloatArray, throughput: Sequence[float] | FloatArray
) -> UslFit:
    """Fit the Universal Scalability Law to throughput measured at several concurrencies.

    Parameters
    ----------
    concurrency : sequence of float
        Concurrency ``N`` of each measurement (in-flight requests, by
        Little's law ``X·R``, or processors, or users of a closed benchmark).
    throughput : sequence of float
        Throughput ``X`` at each ``N``, any unit; ``lambda_`` comes out in it.

    Returns
    -------
    UslFit
        Coefficients, standard errors, ``r_squared``, ``n_star``, ``x_max``
        and warnings.

    Raises
    ------
    ConfigError
        With fewer than 6 points, mismatched lengths, or non-positive values.

    Examples
    --------
    >>> n = [1, 2, 4, 8, 16, 32]
    >>> x = [100 * k / (1 + 0.05 * (k - 1) + 0.001 * k * (k - 1)) for k in n]
    >>> fit = fit_usl(n, x)
    >>> round(fit.sigma, 4), round(fit.kappa, 5), round(fit.lambda_, 2)
    (0.05, 0.001, 100.0)
    """
    n, x = _validate(concurrency, throughput)
    scale = float(np.max(x))
    return _summarise(_least_squares(n, x, scale), n, x, scale)
