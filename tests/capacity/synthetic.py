"""A synthetic Locust stats history generated from known USL parameters.

Each plateau holds ``users`` for ``seconds``; the closed-system steady state
``users = N + X(N)·Z`` (Little's law with think time ``Z``) fixes the
in-flight concurrency ``N``, the USL gives ``X(N)`` and ``R = N / X``. Request
counts are Poisson and latencies carry a few per cent of noise, all from one
seeded generator, so the data are noisy but reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from stampede.capacity._history import LOCUST_COLUMNS
from stampede.capacity._usl import usl_throughput

ENDPOINTS: tuple[tuple[str, str, float], ...] = (
    ("GET", "/api/v1/products/[id]", 0.35),
    ("GET", "/api/v1/search", 0.15),
    ("GET", "/api/v1/categories", 0.05),
    ("POST", "/api/v1/sessions", 0.05),
    ("GET", "/api/v1/users/me", 0.05),
    ("POST", "/api/v1/cart/items", 0.15),
    ("GET", "/api/v1/stock/[sku]", 0.10),
    ("POST", "/api/v1/checkout", 0.05),
    ("GET", "/api/v1/orders/[id]", 0.05),
)
CHECKOUT_FAILURE = 0.02
P95_OVER_MEAN = 2.2
T0 = 1_700_000_000


@dataclass(frozen=True)
class Truth:
    """The parameters the data were generated from."""

    sigma: float = 0.02
    kappa: float = 0.0004
    lambda_: float = 20.0
    think_s: float = 0.25

    def concurrency(self, users: float) -> float:
        """In-flight requests at ``users``: solves ``users = N + X(N)·Z``."""

        def gap(n: float) -> float:
            return (
                n
                + float(usl_throughput(n, self.sigma, self.kappa, self.lambda_)) * self.think_s
                - users
            )

        return float(brentq(gap, 1e-9, users))

    def throughput(self, users: float) -> float:
        """Requests per second at ``users``."""
        return float(usl_throughput(self.concurrency(users), self.sigma, self.kappa, self.lambda_))


LEVELS = (10, 25, 50, 75, 100, 130, 160, 200, 250)


def _row(
    ts: int,
    users: int,
    kind: str,
    name: str,
    state: dict[str, float],
    rps: float,
    fps: float,
    mean_ms: float,
) -> dict[str, object]:
    pct = {
        k: mean_ms * f
        for k, f in (
            ("50%", 0.8),
            ("66%", 1.0),
            ("75%", 1.2),
            ("80%", 1.4),
            ("90%", 1.8),
            ("95%", P95_OVER_MEAN),
            ("98%", 2.8),
            ("99%", 3.2),
            ("99.9%", 5.0),
            ("99.99%", 6.0),
            ("100%", 7.0),
        )
    }
    return {
        "Timestamp": ts,
        "User Count": users,
        "Type": kind,
        "Name": name,
        "Requests/s": rps,
        "Failures/s": fps,
        **pct,
        "Total Request Count": int(state["n"]),
        "Total Failure Count": int(state["f"]),
        "Total Median Response Time": state["avg"] * 0.8,
        "Total Average Response Time": state["avg"],
        "Total Min Response Time": 1.0,
        "Total Max Response Time": state["avg"] * 8,
        "Total Average Content Size": 1200.0,
    }


def synthetic_history(
    truth: Truth = Truth(),
    levels: tuple[int, ...] = LEVELS,
    *,
    seconds: int = 60,
    seed: int = 7,
    latency_noise: float = 0.02,
) -> pd.DataFrame:
    """A stats history in Locust's column layout (with ``"N/A"`` before any request)."""
    rng = np.random.default_rng(seed)
    names = [(k, n) for k, n, _ in ENDPOINTS]
    state = {key: {"n": 0.0, "f": 0.0, "avg": 0.0} for key in [*names, ("", "Aggregated")]}
    rows: list[dict[str, object]] = []
    na = dict.fromkeys(
        ["50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%"], "N/A"
    )
    rows.append({**_row(T0, 0, "", "Aggregated", state[("", "Aggregated")], 0, 0, 0), **na})
    ts = T0 + 1
    for users in levels:
        n = truth.concurrency(users)
        x = truth.throughput(users)
        r_ms = n / x * 1000.0
        for _ in range(seconds):
            total_n = total_f = 0.0
            for kind, name, share in ENDPOINTS:
                s = state[(kind, name)]
                count = float(rng.poisson(x * share))
                fails = (
                    float(rng.binomial(int(count), CHECKOUT_FAILURE)) if "checkout" in name else 0.0
                )
                lat = r_ms * (1.0 + latency_noise * rng.standard_normal())
                if count:
                    s["avg"] = (s["avg"] * s["n"] + lat * count) / (s["n"] + count)
                s["n"] += count
                s["f"] += fails
                total_n += count
                total_f += fails
                rows.append(_row(ts, users, kind, name, s, count, fails, lat))
            agg = state[("", "Aggregated")]
            endpoint_states = [state[k] for k in names]
            agg["n"] = sum(e["n"] for e in endpoint_states)
            agg["f"] = sum(e["f"] for e in endpoint_states)
            agg["avg"] = sum(e["avg"] * e["n"] for e in endpoint_states) / agg["n"]
            rows.append(_row(ts, users, "", "Aggregated", agg, total_n, total_f, r_ms))
            ts += 1
    frame = pd.DataFrame(rows)
    return frame[list(LOCUST_COLUMNS)]


def exact_history(
    levels: tuple[int, ...],
    per_user: tuple[tuple[str, str, int], ...],
    *,
    seconds: int = 40,
    mean_ms: float = 10.0,
    opening: tuple[tuple[str, str, int], ...] = (),
) -> pd.DataFrame:
    """A stats history without noise: ``per_user`` is (type, name, requests per user-second).

    At ``users`` each endpoint completes exactly ``users × rate`` requests a
    second, none failing, each taking ``mean_ms``; the row at ``T0 + k``
    counts the requests done in the second before it (as Locust's rows do).
    ``opening`` (type, name, requests) are done in the run's first second
    only, as the logins of users who log in once, in ``on_start``.
    """
    keys = [(k, n) for k, n, _ in (*per_user, *opening)]
    state = {key: {"n": 0.0, "f": 0.0, "avg": mean_ms} for key in [*keys, ("", "Aggregated")]}
    rows: list[dict[str, object]] = []
    ts = T0
    rows.append(_row(ts, 0, "", "Aggregated", {"n": 0.0, "f": 0.0, "avg": 0.0}, 0, 0, 0))
    for users in levels:
        for _ in range(seconds):
            ts += 1
            total = 0.0
            first = [(k, n, c / users) for k, n, c in opening] if ts == T0 + 1 else []
            later = [(k, n, 0) for k, n, _ in opening] if ts > T0 + 1 else []
            for kind, name, rate in (*per_user, *first, *later):
                count = float(users * rate)
                state[(kind, name)]["n"] += count
                total += count
                rows.append(_row(ts, users, kind, name, state[(kind, name)], count, 0, mean_ms))
            state[("", "Aggregated")]["n"] += total
            rows.append(
                _row(ts, users, "", "Aggregated", state[("", "Aggregated")], total, 0, mean_ms)
            )
    return pd.DataFrame(rows)[list(LOCUST_COLUMNS)]
