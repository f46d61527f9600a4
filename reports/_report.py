"""``report.html``: one self-contained page; the verdict on top, the engineer's detail below.

The page inlines its CSS and embeds its charts as data URIs, so it opens
offline, mails as one file and prints cleanly. Every value from the run
(endpoint names come from the target) goes through Jinja's autoescaping.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from stampede.core.records import RunRecord
from stampede.core.rundir import write_text
from stampede.reports._availability import Availability, run_availability
from stampede.reports._figures import Chart, capacity_caption, png_file_uri, run_charts
from stampede.reports._format import FILTERS, duration, ms, num, pct, when
from stampede.reports._hist import Distribution
from stampede.reports._load import load_run
from stampede.reports._model import RunData
from stampede.reports._notes import run_notes
from stampede.reports._pages import page_load_note, page_rows
from stampede.reports._recovery import Recovery, recoveries
from stampede.reports._slo import SloMeasurements, SloResult, evaluate_slos
from stampede.reports._slowness import slowness_figure
from stampede.reports._verdict import Verdict, VerdictInputs, judge
from stampede.reports._where import place_misses

#: images of the capacity plan embedded at most, in bytes (the page stays under 2 MB)
CAPACITY_IMAGE_BUDGET = 900_000
_INTEGRITY = {
    "stock_balance": "oversell",
    "sold_equals_paid": "oversell",
    "reservations_match_stock": "stock holds",
    "no_expired_holds": "stock holds",
    "one_capture_per_order": "double charges",
    "captured_equals_paid": "double charges",
    "one_notification_per_paid_order": "lost orders",
}


@dataclass(frozen=True)
class KeyNumber:
    label: str
    value: str
    note: str = ""
    tone: str = ""  # "", "good" or "bad"


def measurements(data: RunData) -> SloMeasurements:
    """What a run's objectives are judged on."""
    return SloMeasurements(
        distributions=data.distributions,
        requests=data.requests,
        failures=data.failures,
        throughput_rps=data.peak_rps(),
        timeouts=_group_timeouts(data),
        kind=data.latency_kind,
        page_loads=data.page_loads,
    )


def _group_timeouts(data: RunData) -> dict[str, int]:
    found: dict[str, int] = {}
    for endpoint in data.endpoints:
        for group in ("all", endpoint.group):
            found[group] = found.get(group, 0) + endpoint.timeouts
    return {group: n for group, n in found.items() if n}


def facts(data: RunData) -> VerdictInputs:
    """What a run's verdict depends on besides its objectives."""
    failed = tuple(
        f"{c.name.replace('_', ' ')}: {c.detail}" for c in data.audit_checks or () if not c.ok
    )
    plan = data.capacity
    holds = None if plan is None else plan.feasibility
    needs = None if holds is None or holds.feasible else holds.needs
    return VerdictInputs(
        scale=data.scale,
        peak_users=data.peak_users,
        valid=data.valid,
        invalid_reasons=data.invalid_reasons,
        interrupted=data.interrupted,
        stop_reason=data.run.measured.stop_reason if data.interrupted else "",
        audit_ok=data.audit_ok,
        failed_audit_checks=failed,
        plan_users=None if plan is None else plan.inputs.target_users,
        plan_needs=needs,
    )


def _sold_out(data: RunData) -> KeyNumber:
    if not data.flash:
        return KeyNumber("Flash SKU", "—", "no flash sale in this profile")
    sku = data.flash[0]
    if sku.sold_out_s is None:
        return KeyNumber(
            f"{sku.sku} sold out", "not sold out", f"{sku.sold:,} of {sku.initial:,} sold"
        )
    opens = data.sale_opens_at_s
    after = f"{sku.sold_out_s - opens:,.1f} s after the doors opened" if opens is not None else ""
    return KeyNumber(
        f"{sku.sku} sold out",
        f"{sku.sold_out_s:,.1f} s",
        f"{after}; {sku.sold:,} of {sku.initial:,} sold",
    )


def _integrity(data: RunData) -> KeyNumber:
    if data.audit_ok is None:
        return KeyNumber(
            "Data integrity", "not audited", "the target names no audit, or no admin token"
        )
    failed = sorted({_INTEGRITY.get(c.name, c.name) for c in data.audit_checks or () if not c.ok})
    if data.audit_ok:
        return KeyNumber(
            "Data integrity", "clean", "no oversell, lost orders or double charges", "good"
        )
    return KeyNumber("Data integrity", "FAILED", ", ".join(failed) or "see the audit", "bad")


def _availability(found: Availability) -> KeyNumber:
    share = found.seconds_share
    note = (
        f"{found.seconds_met:,} of {found.seconds_judged:,} seconds of the sale met the "
        f"objectives; {pct(found.requests_share)} of its {found.requests:,} requests "
        "served without error"
    )
    tone = "" if share is None else ("good" if share >= 0.999 else "bad" if share < 0.99 else "")
    return KeyNumber("Availability during the sale", pct(share), note, tone)


def key_numbers(
    data: RunData, slos: tuple[SloResult, ...], found: Availability | None = None
) -> list[KeyNumber]:
    """The numbers under the verdict, for a reader with one minute."""
    all_ = data.distributions.get("all", Distribution())

    def p(q: float) -> str:
        return ms(all_.percentile(q)) if all_.total else "—"

    runner = data.run.runner
    full = runner.generator_sizing.full_scale_peak_users if runner is not None else None
    scale_note = f"scale {data.scale:g}" + (f"; {full:,.0f} at full scale" if full else "")
    paid = data.outcome_totals.get("order_paid", data.orders_by_status.get("paid", 0))
    error_ok = all(s.passed for s in slos if s.key == "error_rate")
    return [
        KeyNumber("Peak users", num(data.peak_users), scale_note),
        KeyNumber(
            "Peak arrivals",
            f"{num(data.peak_arrivals_per_s)} /s",
            f"shopper visits started per second; each sends several requests "
            f"({data.requests:,} requests in all)",
        ),
        KeyNumber(
            "Throughput",
            f"{num(data.mean_rps, 1)} req/s",
            f"mean; busiest 10 s {num(data.peak_rps(), 1)} req/s",
        ),
        KeyNumber(
            "Latency p50 / p95 / p99",
            f"{p(50)} / {p(95)} / {p(99)}",
            "all requests, corrected"
            if data.corrected
            else "all requests, uncorrected (plain Locust users; corrected unavailable)",
        ),
        KeyNumber("Page load p50 / p95", *page_load_note(data.page_loads)),
        KeyNumber(
            "Error rate",
            pct(data.error_rate),
            f"{data.failures:,} of {data.requests:,} requests",
            "" if error_ok else "bad",
        ),
        _availability(found if found is not None else run_availability(data)),
        KeyNumber("Orders paid", num(paid), _orders_note(data)),
        KeyNumber("Orders lost to slowness", *slowness_figure(data.patience, data.outcome_totals)),
        _sold_out(data),
        _integrity(data),
    ]


def _orders_note(data: RunData) -> str:
    others = {k: v for k, v in data.orders_by_status.items() if k != "paid"}
    return ", ".join(f"{v:,} {k}" for k, v in sorted(others.items())) or "no other orders"


def _capacity(data: RunData) -> dict[str, Any] | None:
    if data.capacity is None:
        return None
    plan = data.capacity
    charts_dir = data.path / "capacity" / "charts"
    images, skipped, used = [], [], 0
    paths = sorted(charts_dir.glob("*.png"), key=lambda p: (p.name != "savings.png", p.name))
    for path in paths:
        size = path.stat().st_size * 4 // 3
        if used + size > CAPACITY_IMAGE_BUDGET:
            skipped.append(path.name)
            continue
        used += size
        images.append((capacity_caption(path.stem), png_file_uri(path)))
    cost = plan.cost
    return {
        "inputs": plan.inputs,
        "sizing": plan.sizing,
        "demands": plan.service_demands,
        "replicas_baseline": plan.baseline_replicas,
        "replicas_peak": plan.peak_replicas,
        "cost": cost,
        "cost_lines": [(line.label, line.monthly, line.sale_window) for line in cost.lines],
        "per_1000_orders": _finite(cost.cost_per_1000_orders),
        "response_bytes": plan.source.response_bytes_measured if plan.source else None,
        "warnings": plan.warnings,
        "images": images,
        "skipped": skipped,
    }


def _finite(value: float | None) -> float | None:
    """``value`` when it is finite (a plan with no orders has no cost per order)."""
    return value if value is not None and math.isfinite(value) else None


def _environment(data: RunData) -> list[tuple[str, str]]:
    measured, runner = data.run.measured, data.run.runner
    machine, versions = measured.machine, measured.versions
    cpu = data.cpu.values
    target = runner.target_kind if runner is not None else "?"
    peak_mb = runner.generator_peak_memory_mb if runner is not None else "?"
    rows = [
        ("Profile", f"{data.profile} ({measured.model} model)"),
        ("Scale", f"users × {measured.scale}, durations × {measured.time_scale}"),
        ("Target", f"{measured.host} ({target})"),
        ("Started / ended", f"{when(measured.started_at)} / {when(measured.ended_at)}"),
        (
            "Duration",
            f"{duration(data.duration_s)} (planned {duration(measured.planned_duration_s)})",
        ),
        ("Stop reason", measured.stop_reason),
        (
            "Host",
            f"{machine.hostname}: {'?' if machine.cpus is None else machine.cpus} CPUs, "
            f"{machine.processor}, {machine.platform}",
        ),
        (
            "Versions",
            f"locust {versions.locust}, python {versions.python}, stampede {versions.stampede}",
        ),
        (
            "Generator",
            f"{measured.generator.processes} worker process(es); CPU of the busiest "
            f"core mean {sum(cpu) / len(cpu) if cpu else 0:.0f}%, peak {max(cpu, default=0):.0f}%;"
            f" peak memory {peak_mb} MB",
        ),
    ]
    sizing = runner.generator_sizing if runner is not None else None
    if sizing is not None and sizing.workers_needed:
        rows.append(
            (
                "Full-scale generator",
                f"{sizing.workers_needed} worker processes and {sizing.memory_gb_needed} GB "
                f"for {sizing.full_scale_peak_users:,.0f} users "
                f"({sizing.measured_rps_per_core:,.0f} req/s per core measured)",
            )
        )
    return rows


def run_recoveries(data: RunData) -> tuple[Recovery, ...]:
    """Each injected fault's recovery, judged on the ``all`` p95 and the error-rate SLOs."""
    slo = data.slos.latency_for("all")
    return recoveries(
        data.faults,
        data.requests_per_s,
        data.failures_per_s,
        data.timelines.get("all"),
        data.duration_s,
        data.slos.error_rate,
        slo.p95_s if slo is not None else None,
    )


def recovery_seconds(data: RunData) -> dict[str, float | None]:
    """Each injected fault's recovery in seconds, by spec (None: not recovered by the end)."""
    return {r.fault.spec: r.seconds for r in run_recoveries(data)}


def _chaos_rows(data: RunData, found: tuple[Recovery, ...]) -> list[dict[str, str]]:
    by_spec = {r.fault.spec: r for r in found}
    rows = []
    for fault in data.faults:
        found_one = by_spec.get(fault.spec)
        if found_one is None:
            recovery = "—"
        elif found_one.seconds is None:
            recovery = "not recovered by the end of the run"
        else:
            recovery = f"{found_one.seconds:.0f} s (at {found_one.recovered_at_s:.0f} s)"
        rows.append(
            {
                "spec": fault.spec,
                "start": "—" if fault.start_s is None else f"{fault.start_s:.1f} s",
                "end": "—" if fault.end_s is None else f"{fault.end_s:.1f} s",
                "detail": fault.detail,
                "recovery": recovery,
            }
        )
    return rows


def report_context(data: RunData, max_points: int = 900) -> dict[str, Any]:
    """Everything the report template shows, computed from one run."""
    slos = evaluate_slos(data.slos, measurements(data))
    verdict: Verdict = judge(facts(data), slos, place_misses(data, slos, data.slos))
    available = run_availability(data)
    found = run_recoveries(data)
    recovered = {r.fault.spec: r.recovered_at_s for r in found if r.recovered_at_s is not None}
    charts: list[Chart] = run_charts(data, max_points, recovered)
    return {
        "data": data,
        "run": data.run,
        "verdict": verdict,
        "slos": slos,
        "key_numbers": key_numbers(data, slos, available),
        "availability": available,
        "charts": charts,
        "pages": page_rows(data.page_loads),
        "endpoints": sorted(
            data.endpoints, key=lambda e: (_index(data.group_order, e.group), e.name)
        ),
        "capacity": _capacity(data),
        "environment": _environment(data),
        "command": _command(data),
        "chaos": _chaos_rows(data, found),
        "run_notes": run_notes(data),
    }


def _index(order: tuple[str, ...], group: str) -> int:
    return order.index(group) if group in order else len(order)


def _command(data: RunData) -> str:
    """How to make this run again: the command that made it, else the plainest one."""
    runner = data.run.runner
    if runner is None or not runner.command:
        return f"stampede run {data.profile}"
    files = [f"target {runner.target_file or 'the reference store'}"]
    if runner.locustfile is not None:
        files.insert(0, f"locustfile {runner.locustfile} sha256 {runner.locustfile_sha256}")
    return f"{runner.command}\n# {'; '.join(files)}"


def environment() -> jinja2.Environment:
    """The Jinja environment of the package's templates, autoescaping everything."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("stampede.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    return env


def render_report(data: RunData, max_points: int = 900) -> str:
    """The report page of one run, as HTML text."""
    return environment().get_template("report.html.j2").render(report_context(data, max_points))


def report_run(run_dir: Path, out: Path | None = None) -> tuple[Path, Verdict]:
    """Write the report of ``run_dir`` (to ``out``); its path and the run's verdict."""
    data = load_run(Path(run_dir))
    path = Path(out) if out is not None else data.path / "report.html"
    context = report_context(data)
    write_text(path, environment().get_template("report.html.j2").render(context))
    return path, context["verdict"]


def write_report(run_dir: Path, out: Path | None = None, record: RunRecord | None = None) -> Path:
    """Write ``report.html`` for the run directory ``run_dir`` and return its path.

    Parameters
    ----------
    run_dir
        A directory written by ``stampede run``.
    out
        Where to write the page (default ``run_dir/report.html``).
    record
        The run's record, when it is not (yet) the one in ``run_dir/run.json``.
    """
    data = load_run(Path(run_dir), record)
    path = Path(out) if out is not None else data.path / "report.html"
    write_text(path, render_report(data))
    return path
