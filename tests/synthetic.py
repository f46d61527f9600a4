"""Synthetic run directories, written by the real writers, for tests that read a run.

A real ``stampede run smoke`` takes half a minute; a report, a gate, a comparison or a plan
only reads the directory it leaves. :func:`write_run` writes one shaped like that run — the
same files, written the way the runner writes them (``LatencyTimeline``, ``ArrivalLedger``,
``OutcomeCounter``, ``RunDir.write_record``, ``write_json``, the profile's own YAML) — from a
seeded model of the smoke profile's 8 users, in a few milliseconds. Every test that needs a
run directory builds it here, so a change to a file of the run directory changes one place;
the few tests that check a real run end to end read the session's smoke run
(``tests/conftest.py``).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stampede.core.arrivals import ArrivalLedger
from stampede.core.latency import LatencyTimeline
from stampede.core.outcomes import OutcomeCounter
from stampede.core.records import RUN_FORMAT, RunRecord
from stampede.core.rundir import RunDir, write_json, write_text
from stampede.profiles import load_profile

#: 2025-11-28 09:00 UTC: the synthetic run's start, on Unix time as a real run's
ORIGIN = 1_764_320_400.0


@dataclass(frozen=True)
class Endpoint:
    """One request name of the synthetic traffic: its share of requests and median latency."""

    method: str
    name: str
    share: float
    median_ms: float

    @property
    def label(self) -> str:
        return f"{self.method} {self.name}"


#: the smoke run's request names, in about its proportions
ENDPOINTS = (
    Endpoint("GET", "/api/v1/products/[id]", 0.43, 2.0),
    Endpoint("GET", "/api/v1/stock/[sku]", 0.27, 1.5),
    Endpoint("GET", "/api/v1/cart", 0.07, 2.0),
    Endpoint("POST", "/api/v1/cart/items", 0.06, 3.0),
    Endpoint("POST", "/api/v1/checkout", 0.06, 15.0),
    Endpoint("GET", "/api/v1/orders", 0.02, 3.0),
    Endpoint("GET", "/api/v1/categories", 0.02, 2.0),
    Endpoint("GET", "/api/v1/products", 0.02, 2.5),
    Endpoint("GET", "/api/v1/search", 0.02, 4.0),
    Endpoint("POST", "/api/v1/sessions", 0.03, 8.0),
)
FAILED = Endpoint("POST", "/api/v1/checkout", 0.0, 0.0)
FAILURE = "CatchResponseError('HTTP 503 payment_unavailable')"

STATS_FIELDS = [
    "Type",
    "Name",
    "Request Count",
    "Failure Count",
    "Median Response Time",
    "Average Response Time",
    "Min Response Time",
    "Max Response Time",
    "Average Content Size",
    "Requests/s",
    "Failures/s",
]
HISTORY_FIELDS = [
    "Timestamp",
    "User Count",
    "Type",
    "Name",
    "Requests/s",
    "Failures/s",
    "Total Request Count",
    "Total Failure Count",
    "Total Median Response Time",
    "Total Average Response Time",
]

AUDIT_CHECKS = (
    "stock_balance",
    "reservations_match_stock",
    "no_expired_holds",
    "sold_equals_paid",
    "one_capture_per_order",
    "captured_equals_paid",
    "one_notification_per_paid_order",
)


@dataclass(frozen=True)
class Traffic:
    """What the synthetic run did: its requests per second over the smoke profile's 25 s."""

    seconds: int = 25
    users: int = 8
    requests_per_user_s: float = 7.5
    failures: int = 1
    seed: int = 11
    #: (from second, to second, seconds): every request in that window takes that much longer
    stall: tuple[int, int, float] | None = None
    #: (from second, to second): every request meant to start in that window fails
    failing: tuple[int, int] | None = None


@dataclass
class _Request:
    endpoint: Endpoint
    intended: float
    sent: float
    done: float
    failed: bool = False

    @property
    def ms(self) -> float:
        return (self.done - self.sent) * 1000.0


def _running_users(traffic: Traffic, second: int) -> int:
    """The smoke profile's stages: 4 users for 5 s, then 8, then none for the last 3 s."""
    if second >= traffic.seconds - 3:
        return 0 if second == traffic.seconds - 1 else traffic.users // 2
    return traffic.users // 2 if second < 5 else traffic.users


def _requests(traffic: Traffic) -> list[_Request]:
    rng = random.Random(traffic.seed)
    weights = [e.share for e in ENDPOINTS]
    requests = []
    for second in range(traffic.seconds):
        count = round(_running_users(traffic, second) * traffic.requests_per_user_s)
        for k in range(count):
            endpoint = rng.choices(ENDPOINTS, weights)[0]
            intended = ORIGIN + second + k / max(count, 1)
            sent = intended + rng.expovariate(1 / 0.0005)
            seconds = endpoint.median_ms / 1000.0 * rng.lognormvariate(0.0, 0.6)
            if traffic.stall is not None and traffic.stall[0] <= second < traffic.stall[1]:
                seconds += traffic.stall[2]
            fails = (
                traffic.failing is not None and traffic.failing[0] <= second < traffic.failing[1]
            )
            requests.append(_Request(endpoint, intended, sent, sent + seconds, fails))
    checkouts = [r for r in requests if r.endpoint.name == FAILED.name]
    for failed in checkouts[len(checkouts) // 2 :][: traffic.failures]:
        failed.failed = True
    return requests


def _write_measurements(rundir: RunDir, requests: list[_Request]) -> None:
    timeline = LatencyTimeline(1.0, 0.0)
    pages = LatencyTimeline(1.0, 0.0)
    arrivals = ArrivalLedger(1.0, 0.0, tolerance=0.05)
    for r in requests:
        timeline.record(r.endpoint.label, r.intended, r.sent, r.done)
        arrivals.record_sent(r.intended, r.sent)
        if r.endpoint.name == "/api/v1/products/[id]":
            # a product page: this call, then a second wave (stock, category) as long
            pages.record("product", r.intended, r.sent, r.done + (r.done - r.sent))
    write_json(rundir.file("pages.json"), pages.totals().to_dict())
    write_json(rundir.file("latency.json"), timeline.totals().to_dict())
    write_json(rundir.file("timeline.json"), timeline.to_dict())
    write_json(rundir.file("arrivals.json"), arrivals.to_dict())


def _write_outcomes(rundir: RunDir, requests: list[_Request]) -> dict[str, int]:
    outcomes = OutcomeCounter(1.0)
    for r in requests:
        if r.failed and r.endpoint.name != FAILED.name:
            continue
        if r.endpoint.name == "/api/v1/products/[id]":
            outcomes.add("viewed_product", r.done)
        elif r.endpoint.name == "/api/v1/cart/items":
            outcomes.add("added_to_cart", r.done)
        elif r.endpoint.name == "/api/v1/sessions":
            outcomes.add("logged_in", r.done)
        elif r.endpoint.name == "/api/v1/checkout":
            outcomes.add("checkout_attempted", r.done)
            outcomes.add("payment_unavailable" if r.failed else "order_paid", r.done)
    write_json(rundir.file("outcomes.json"), outcomes.to_dict())
    totals = outcomes.totals()
    return {"paid": totals.get("order_paid", 0), "failed": totals.get("payment_unavailable", 0)}


def _stats_row(label: tuple[str, str], done: list[_Request], seconds: int) -> dict[str, Any]:
    ms = sorted(r.ms for r in done)
    failures = sum(r.failed for r in done)
    return {
        "Type": label[0],
        "Name": label[1],
        "Request Count": len(done),
        "Failure Count": failures,
        "Median Response Time": round(ms[len(ms) // 2]),
        "Average Response Time": sum(ms) / len(ms),
        "Min Response Time": ms[0],
        "Max Response Time": ms[-1],
        "Average Content Size": 300.0,
        "Requests/s": len(done) / seconds,
        "Failures/s": failures / seconds,
    }


def _write_csv(path: Path, fields: list[str], rows: list[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fields)
        writer.writeheader()
        writer.writerows(rows)


def _write_locust_csvs(rundir: RunDir, requests: list[_Request], traffic: Traffic) -> None:
    """Locust's own statistics, with the columns the report and the planner read."""
    by_label: dict[tuple[str, str], list[_Request]] = {}
    for r in requests:
        by_label.setdefault((r.endpoint.method, r.endpoint.name), []).append(r)
    rows = [_stats_row(label, by_label[label], traffic.seconds) for label in sorted(by_label)]
    rows.append(_stats_row(("", "Aggregated"), requests, traffic.seconds))
    _write_csv(rundir.file("locust_stats.csv"), STATS_FIELDS, rows)
    history = []
    for second in range(traffic.seconds):
        done = [r for r in requests if r.done < ORIGIN + second + 1]
        now = [r for r in done if r.done >= ORIGIN + second]
        ms = sorted(r.ms for r in done) or [0.0]
        history.append(
            {
                # Locust writes each row with the totals as of its timestamp
                "Timestamp": int(ORIGIN) + second + 1,
                "User Count": _running_users(traffic, second),
                "Type": "",
                "Name": "Aggregated",
                "Requests/s": float(len(now)),
                "Failures/s": float(sum(r.failed for r in now)),
                "Total Request Count": len(done),
                "Total Failure Count": sum(r.failed for r in done),
                "Total Median Response Time": round(ms[len(ms) // 2]),
                "Total Average Response Time": sum(ms) / len(ms),
            }
        )
    _write_csv(rundir.file("locust_stats_history.csv"), HISTORY_FIELDS, history)
    failures = [r for r in requests if r.failed]
    with rundir.file("locust_failures.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Method", "Name", "Error", "Occurrences", "First Seen", "Last Seen"])
        by_name: dict[tuple[str, str], int] = {}
        for r in failures:
            key = (r.endpoint.method, r.endpoint.name)
            by_name[key] = by_name.get(key, 0) + 1
        for (method, name), occurrences in sorted(by_name.items()):
            out.writerow([method, name, FAILURE, occurrences, "", ""])
    rundir.file("locust_exceptions.csv").write_text("Count,Message,Traceback,Nodes\n")


def _write_generator_samples(rundir: RunDir, traffic: Traffic) -> None:
    users = [
        {
            "t": second + 0.001,
            "intended": float(_running_users(traffic, second)),
            "running": float(_running_users(traffic, second)),
            "rss_bytes": 67_000_000.0 + 2_800_000.0 * _running_users(traffic, second),
        }
        for second in range(traffic.seconds)
    ]
    write_json(rundir.file("users.json"), {"rows": users})
    cpu = [
        {"at": 2451.0 + s, "busiest_percent": 4.0, "core_percent": 4.0, "machine_percent": 2.0}
        for s in range(traffic.seconds)
    ]
    write_json(rundir.file("cpu.json"), {"samples": cpu})
    store_cpu = [{"at": ORIGIN + s + 0.3, "cores": 0.1} for s in range(traffic.seconds)]
    write_json(rundir.file("store-cpu.json"), {"interval_s": 1.0, "samples": store_cpu})


def _write_store_files(rundir: RunDir, orders: Mapping[str, int]) -> None:
    sold = orders["paid"] // 40
    flash = {"sku": "FLASH-001", "initial": 100, "sold": sold, "held": 0}
    summary = {
        "flash": [{**flash, "available": 100 - sold, "sold_out_at": None}],
        "orders_by_status": dict(orders),
    }
    write_json(rundir.file("store-summary.json"), summary)
    checks = [{"name": name, "ok": True, "detail": f"{name} holds"} for name in AUDIT_CHECKS]
    write_json(rundir.file("audit.json"), {"ok": True, "checks": checks})


def run_fields(traffic: Traffic, path: Path) -> dict[str, Any]:
    """run.json of the synthetic run, with the fields ``stampede run`` writes."""
    return {
        "format": RUN_FORMAT,
        "profile": "smoke",
        "model": "closed",
        "command": f"stampede run smoke --no-report --out {path} --seed {traffic.seed}",
        "target": "embedded",
        "locust_exit_code": 0,
        "host": "http://127.0.0.1:8000",
        "scale": 1.0,
        "time_scale": 1.0,
        "origin": ORIGIN,
        "started_at": ORIGIN,
        "ended_at": ORIGIN + traffic.seconds,
        "duration_s": float(traffic.seconds),
        "planned_duration_s": float(traffic.seconds),
        "phases": [
            ["baseline", 0.0, 5.0],
            ["doors-open", 5.0, 7.0],
            ["sale", 7.0, 22.0],
            ["decay", 22.0, float(traffic.seconds)],
        ],
        "sale_opens_at_s": 5.0,
        "interrupted": False,
        "complete": True,
        "stop_reason": "the profile's schedule ended",
        "audit_ok": True,
        "store_workers": 1,
        "chaos": [],
        "worker_losses": [],
        "on_worker_loss": "continue",
        "open_model_pool": None,
        "validity": {"valid": True, "reasons": []},
        "generator": {
            "processes": 1,
            "cpu_samples": traffic.seconds,
            "scheduled": 0,
            "late": 0,
            "lateness_tolerance_s": 0.05,
            "memory_above_idle_bytes": 91_000_000,
            "intended_user_seconds": 156.0,
            "running_user_seconds": 156.0,
        },
        "generator_peak_memory_mb": 151.1,
        "generator_sizing": {
            "full_scale_peak_rps": 74.5,
            "full_scale_peak_users": traffic.users,
            "measured_memory_mb_per_user": 2.75,
            "measured_rps_per_core": 860.9,
            "memory_gb_needed": 0.02,
            "memory_per_user_method": "slope",
            "memory_per_user_note": "slope of the Locust processes' memory on running users",
            "workers_needed": 1,
        },
        "versions": {"stampede": "0.1.0", "locust": "2.47.0", "python": "3.11.7"},
        "machine": {"cpus": 2, "hostname": "synthetic", "platform": "Linux", "processor": "?"},
    }


def write_run_json(path: Path, fields: Mapping[str, Any]) -> Path:
    """Write (or update) ``run.json`` of the run directory at ``path``; returns ``path``.

    ``fields`` replace keys of the record on disk; the result goes through the record's one
    parser and one writer, so a synthetic run is a run Stampede itself could have written.
    """
    path.mkdir(parents=True, exist_ok=True)
    rundir = RunDir(path)
    current = rundir.record().to_json() if rundir.has("run.json") else {}
    merged = {**current, **fields}
    rundir.write_record(RunRecord.from_json(merged, str(rundir.file("run.json"))))
    return path


def write_run(path: Path, traffic: Traffic = Traffic(), **overrides: Any) -> Path:
    """A complete run directory at ``path``, as ``stampede run smoke --no-report`` leaves one,
    with ``overrides`` replacing fields of run.json. Deterministic for one ``traffic``."""
    path.mkdir(parents=True, exist_ok=True)
    rundir = RunDir(path)
    requests = _requests(traffic)
    write_text(rundir.file("profile.yaml"), load_profile("smoke").to_yaml())
    _write_measurements(rundir, requests)
    orders = _write_outcomes(rundir, requests)
    _write_locust_csvs(rundir, requests, traffic)
    _write_generator_samples(rundir, traffic)
    _write_store_files(rundir, orders)
    write_run_json(path, {**run_fields(traffic, path), **overrides})
    return path
