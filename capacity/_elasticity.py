"""SPEC Research Group elasticity metrics (Herbst et al., 2015).

Demand ``d_t`` is the smallest number of replicas that serve the load within
the SLO; supply ``s_t`` the replicas ready to serve. Over ``T`` time steps of
``Δt``:

* accuracy ``θ_U = 100/T · Σ max(d − s, 0) / d · Δt`` and ``θ_O`` likewise
  with ``s − d``: how much, relative to demand, is missing or wasted;
* timeshare ``τ_U = 100/T · Σ [d > s] · Δt`` and ``τ_O``: how often;
* instability ``υ = 100/(T − Δt) · Σ_{t≥2} min(|sgn Δs_t − sgn Δd_t|, 1) · Δt``:
  how often supply and demand move differently;
* jitter ``j = (E_S − E_D) / T``: supply adaptations minus demand changes per
  minute (positive means oscillating, negative means too sluggish).

Steps with zero demand count as demand 1 in the accuracy ratios so that an
idle period with spare replicas does not divide by zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from stampede.core.errors import ConfigError


@dataclass(frozen=True)
class ElasticityMetrics:
    """The six SPEC RG elasticity metrics, in percent (jitter in adaptations per minute)."""

    under_accuracy: float
    over_accuracy: float
    under_timeshare: float
    over_timeshare: float
    instability: float
    jitter: float


def elasticity_metrics(
    demand: Sequence[float] | npt.NDArray[np.float64],
    supply: Sequence[float] | npt.NDArray[np.float64],
    *,
    step_s: float = 1.0,
) -> ElasticityMetrics:
    """Compute the SPEC RG elasticity metrics of a supply curve against demand.

    Parameters
    ----------
    demand, supply : sequence of float
        Resource units (replicas) needed and provided at each step.
    step_s : float
        Length of one step in seconds.

    Returns
    -------
    ElasticityMetrics

    Raises
    ------
    ConfigError
        If the curves differ in length or have fewer than two steps.

    Examples
    --------
    >>> m = elasticity_metrics([2, 2, 4, 4], [2, 2, 2, 4])
    >>> m.under_accuracy, m.under_timeshare
    (12.5, 25.0)
    """
    d = np.asarray(demand, dtype=float)
    s = np.asarray(supply, dtype=float)
    if d.shape != s.shape or d.ndim != 1 or d.size < 2:
        raise ConfigError(
            f"elasticity metrics need demand and supply of one equal length >= 2, not "
            f"{d.size} and {s.size}."
        )
    total = d.size * step_s
    base = np.maximum(d, 1.0)
    under = np.clip(d - s, 0.0, None)
    over = np.clip(s - d, 0.0, None)
    ds = np.sign(np.diff(s))
    dd = np.sign(np.diff(d))
    mismatch = np.minimum(np.abs(ds - dd), 1.0)
    adaptations = float(np.count_nonzero(ds) - np.count_nonzero(dd))
    return ElasticityMetrics(
        under_accuracy=float(100.0 * np.sum(under / base) * step_s / total),
        over_accuracy=float(100.0 * np.sum(over / base) * step_s / total),
        under_timeshare=float(100.0 * np.count_nonzero(d > s) * step_s / total),
        over_timeshare=float(100.0 * np.count_nonzero(s > d) * step_s / total),
        instability=float(100.0 * np.sum(mismatch) * step_s / (total - step_s)),
        jitter=adaptations / (total / 60.0),
    )
