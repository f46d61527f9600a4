"""CPU per request of each service, when the services shared a process during the probe.

The embedded store runs every service in each worker, so a probe finds the
limit of that process, not of any one service: a service's throughput where
its p95 crossed the budget was its share of a replica that also served the
others. To size a replica of one service alone, the planner needs each
service's share of the process's work.

The utilisation law holds second by second: the cores the process used are
``U = U0 + Σ_s X_s·D_s``, with ``X_s`` the requests of service ``s`` completed
in the second, ``D_s`` the CPU seconds each costs and ``U0`` the background
(sweepers, the outbox relay). Regressing the measured CPU on the counts with
non-negative least squares estimates every ``D_s`` and ``U0`` at once
(regression-based service demand estimation: Rolia & Vetland 1995; Zhang,
Cherkasova & Smirni 2007). Seconds are summed into bins so that a request
finishing just after a CPU sample does not land in the wrong row (one-second
rows measured best on the embedded store: more rows, more variety of mix).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.optimize import nnls

from stampede.capacity._history import endpoint_rows
from stampede.capacity._services import ServiceMap, reference_services
from stampede.core.errors import ConfigError

#: bins with fewer than this many seconds of both CPU and counts are dropped
MIN_BIN_COVERAGE = 0.8


@dataclass(frozen=True)
class ServiceDemands:
    """Each service's CPU per request, the background, and how well they explain the CPU.

    Attributes
    ----------
    cpu_ms : Mapping[str, float]
        CPU milliseconds one request of each service costs.
    cpu_ms_se : Mapping[str, float]
        Their standard errors (ordinary least squares, ignoring the bound at 0).
    background_cores : float
        Cores the process used with no requests.
    r_squared : float
        Share of the variance of the binned CPU the regression explains.
    bins : int
        Rows the regression used.
    """

    cpu_ms: Mapping[str, float]
    cpu_ms_se: Mapping[str, float]
    background_cores: float
    r_squared: float
    bins: int

    def shares(self, throughput: Mapping[str, float]) -> dict[str, float]:
        """Each service's share of the request CPU at the given request rates.

        Raises
        ------
        ConfigError
            If the rates cost no CPU at all.
        """
        work = {s: throughput.get(s, 0.0) * self.cpu_ms.get(s, 0.0) for s in self.cpu_ms}
        total = sum(work.values())
        if total <= 0:
            raise ConfigError(
                "the measured services cost no CPU at these rates; the store's CPU samples "
                "do not explain its requests."
            )
        return {s: w / total for s, w in work.items()}

    def share_errors(self, throughput: Mapping[str, float]) -> dict[str, float]:
        """Standard error of each share, from its CPU's (the total taken as known)."""
        total = sum(throughput.get(s, 0.0) * self.cpu_ms.get(s, 0.0) for s in self.cpu_ms)
        if total <= 0:
            return {s: float("inf") for s in self.cpu_ms}
        return {s: throughput.get(s, 0.0) * self.cpu_ms_se[s] / total for s in self.cpu_ms}


def per_second_counts(history: pd.DataFrame, services: ServiceMap | None = None) -> pd.DataFrame:
    """Requests completed each second by each measured service (columns: services).

    The history's counters are cumulative per endpoint; the row at ``t`` covers
    the second that ends at ``t``. ``services`` attributes the endpoints (the
    run's target description; the reference store's by default).
    """
    services = services or reference_services()
    rows = endpoint_rows(history)
    if rows.empty:
        raise ConfigError(
            "the stats history has no per-endpoint rows; record it with --csv-full-history."
        )
    pairs = zip(rows["type"], rows["name"], strict=True)
    owner = [services.service_of(str(kind), str(name)) for kind, name in pairs]
    rows = rows.assign(service=owner)
    frames = []
    for _, one in rows.groupby(["type", "name"], sort=False):
        one = one.sort_values("timestamp")
        total = one["total_requests"]
        # an endpoint's first row counts from zero: it appears with its first request
        done = total.diff().fillna(total.iloc[0]).clip(lower=0)
        frames.append(
            pd.DataFrame(
                {
                    "timestamp": one["timestamp"].to_numpy(dtype=int),
                    "service": one["service"].iloc[0],
                    "requests": done.to_numpy(dtype=float),
                }
            )
        )
    counts = (
        pd.concat(frames, ignore_index=True)
        .pivot_table(index="timestamp", columns="service", values="requests", aggfunc="sum")
        .fillna(0.0)
    )
    for service in services.measured:
        if service not in counts:
            counts[service] = 0.0
    counts.columns.name = None
    return counts[list(services.measured)]


def _cpu_bins(
    counts: pd.DataFrame, cpu: pd.DataFrame, bin_s: int
) -> tuple[pd.DataFrame, npt.NDArray[np.float64]]:
    """Requests per service and cores used, summed over bins of ``bin_s`` seconds.

    Bins where nothing was served or too few seconds were sampled are left
    out; the second array is how many seconds each bin holds.
    """
    # a sample ending at ``at`` covers the second the history's row ceil(at) closes
    at = np.ceil(cpu["at"].to_numpy(dtype=float) - 1e-6).astype(int)
    used = pd.Series(cpu["cores"].to_numpy(dtype=float), index=at, name="cores")
    used = used.groupby(level=0).sum()
    joined = counts.join(used, how="inner")
    joined = joined[joined[list(counts.columns)].sum(axis=1) > 0]
    bins = joined.groupby(joined.index.to_numpy() // bin_s)
    size = bins.size()
    keep = (size >= MIN_BIN_COVERAGE * bin_s).to_numpy()
    return bins.sum()[keep], size.to_numpy(dtype=float)[keep]


def _regress(
    binned: pd.DataFrame, seconds: npt.NDArray[np.float64], names: tuple[str, ...]
) -> ServiceDemands:
    """Non-negative least squares of CPU seconds on requests per service and elapsed time."""
    # cores summed over a bin are CPU seconds; counts summed are requests
    design = np.column_stack([binned[list(names)].to_numpy(dtype=float), seconds])
    target = binned["cores"].to_numpy(dtype=float)
    scale = design.max(axis=0)
    scale[scale == 0] = 1.0
    solution, _ = nnls(design / scale, target)
    coef = solution / scale
    fitted = design @ coef
    total = float(((target - target.mean()) ** 2).sum())
    r2 = 1.0 - float(((target - fitted) ** 2).sum()) / total if total > 0 else 0.0
    dof = max(len(target) - design.shape[1], 1)
    sigma2 = float(((target - fitted) ** 2).sum()) / dof
    se = np.sqrt(np.clip(np.diag(sigma2 * np.linalg.pinv(design.T @ design)), 0.0, None))
    return ServiceDemands(
        {s: float(coef[i]) * 1000.0 for i, s in enumerate(names)},
        {s: float(se[i]) * 1000.0 for i, s in enumerate(names)},
        float(coef[-1]),
        r2,
        len(binned),
    )


def estimate_service_demands(
    history: pd.DataFrame,
    cpu: pd.DataFrame,
    *,
    bin_s: int = 1,
    services: ServiceMap | None = None,
) -> ServiceDemands:
    """Estimate each measured service's CPU per request from a run.

    Parameters
    ----------
    history : pandas.DataFrame
        The normalized stats history (:func:`capacity.normalize_history`).
    cpu : pandas.DataFrame
        The process's CPU: columns ``at`` (Unix time at the end of each
        one-second sample) and ``cores`` (cores used over that second).
    bin_s : int
        Seconds summed into each regression row.
    services : ServiceMap, optional
        The measured services and their endpoints (the reference store's by default).

    Returns
    -------
    ServiceDemands

    Raises
    ------
    ConfigError
        With fewer bins than unknowns, or when nothing was measured.
    """
    services = services or reference_services()
    binned, seconds = _cpu_bins(per_second_counts(history, services), cpu, bin_s)
    unknowns = len(services.measured) + 1
    if len(binned) < 3 * unknowns:
        raise ConfigError(
            f"the store's CPU samples overlap the stats history in {len(binned)} bins of "
            f"{bin_s} s, and {3 * unknowns} are needed to split the CPU by service; "
            "run the capacity-probe profile with `stampede run`, which samples the store."
        )
    return _regress(binned, seconds, services.measured)
