"""``case-study.json``, ``case-study.md`` and ``case-study.html``: the dashboard written out.

The JSON is ``{"metrics": [{"metric", "before", "after", "unit", "improvement",
"status", "note"}, ...], ...}`` with the conditions of the runs beside it; the
HTML page is one offline file (inline CSS, no scripts, autoescaped) that states
the scale, time scale and machine, and that the absolute numbers are a laptop's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from stampede.core import numbers
from stampede.core.fields import Json
from stampede.core.rundir import write_text
from stampede.reports._case_study import CaseMetric, Side, dashboard, fault_notes
from stampede.reports._report import environment

CASE_STUDY_FORMAT = "stampede.case-study/1"
#: legacy over modern checkout p95 in the case study
CASE_STUDY_RATIO = 7.5
LAPTOP = (
    "The absolute numbers are a laptop's: both architectures ran here, one after the other, "
    "on the same shared cores, at a fraction of the case study's load and time. Compare the "
    "changes, not the values, with a production dashboard."
)


@dataclass(frozen=True)
class Conditions:
    """What the runs were made under, as the page states it."""

    scale: float
    time_scale: float
    probe_time_scale: float
    backend: str
    machine: str
    fault: str
    started_at: str


def _shown(value: float | None, unit: str) -> str:
    """A row's value in its unit, by the one number formatter."""
    if value is None:
        return numbers.DASH
    if unit == "%":
        return numbers.percent(value / 100)
    if unit == "ms":
        return numbers.latency(value / 1000)
    if unit == "s":
        return numbers.latency(value)
    if unit in ("users", "orders"):
        return numbers.count(value)
    return numbers.money(value, unit)


def shown(row: CaseMetric, side: int) -> str:
    """Before (0) or after (1) of a row, ``≥`` when it is a lower bound."""
    value = row.before if side == 0 else row.after
    text = _shown(value, row.unit)
    names = ("before", "after")
    return f"≥ {text}" if row.at_least and names[side] in row.at_least else text


def cell(row: CaseMetric, side: int) -> str:
    """A cell of a row not measured on both sides: the side's value if it has one."""
    value = row.before if side == 0 else row.after
    return shown(row, side) if value is not None else row.status


def checkout_ratio(rows: Sequence[CaseMetric]) -> str:
    """Legacy over modern checkout p95, and what the case study reported."""
    row = next(r for r in rows if r.metric == "checkout response time (p95)")
    if row.before is None or not row.after:
        return "The checkout p95 ratio could not be computed: " + row.note
    bound = "at least " if row.at_least else ""
    ratio = row.before / row.after
    side = "at or above" if ratio >= CASE_STUDY_RATIO else "below"
    return (
        f"Checkout p95, legacy over modern: {bound}{ratio:.1f}×, {side} the case study's "
        f"{CASE_STUDY_RATIO:g}×. The legacy store is the monolith's real faults — one shared "
        "database, no cache, N+1 queries, synchronous e-mail and checkout behind a table lock "
        "— and how much they cost depends on how many shoppers queue behind that lock at once, "
        "so the ratio grows with the scale (the shoppers at the sale's peak) and with how few "
        "cores this machine gives the store; nothing is slowed on purpose."
    )


def invalid_runs(sides: Sequence[Side]) -> list[str]:
    """Each run of the study whose measurements cannot be trusted, with why."""
    found = []
    for side in sides:
        for what, run in (("sale", side.sale), ("probe", side.probe)):
            if run is not None and not run.valid:
                found.append(f"{side.architecture} {what}: " + "; ".join(run.invalid_reasons))
    return found


def document(rows: Sequence[CaseMetric], sides: Sequence[Side], cond: Conditions) -> Json:
    metrics: list[Json] = [
        {
            "metric": r.metric,
            "before": r.before,
            "after": r.after,
            "unit": r.unit,
            "improvement": r.improvement,
            "status": r.status,
            "note": r.note,
        }
        for r in rows
    ]
    return {
        "format": CASE_STUDY_FORMAT,
        "before": sides[0].architecture,
        "after": sides[1].architecture,
        "conditions": dict(vars(cond)),
        "runs": {
            s.architecture: {
                "sale": str(s.sale.path),
                "probe": None if s.probe is None else str(s.probe.path),
                "plan_error": s.plan_error,
                "invalid": list(invalid_runs((s,))),
            }
            for s in sides
        },
        "metrics": metrics,
    }


def markdown(rows: Sequence[CaseMetric], sides: Sequence[Side], cond: Conditions) -> str:
    before, after = sides[0].architecture, sides[1].architecture
    lines = [
        f"# Stampede case study: {before} → {after}",
        "",
        f"Scale {cond.scale:g}, time scale {cond.time_scale:g} (capacity probe "
        f"{cond.probe_time_scale:g}), {cond.backend} backend, on {cond.machine}. {LAPTOP}",
        "",
        f"| Metric | Before ({before}) | After ({after}) | Improvement |",
        "|---|---:|---:|---:|",
    ]
    notes = []
    for r in rows:
        if r.status == "measured":
            lines.append(f"| {r.metric} | {shown(r, 0)} | {shown(r, 1)} | {r.improvement} |")
        else:
            lines.append(f"| {r.metric} | {cell(r, 0)} | {cell(r, 1)} | — |")
            notes.append(f"- **{r.metric}** ({r.status}): {r.note}")
    lines += ["", checkout_ratio(rows), "", *[f"- {n}" for n in fault_notes(sides)], ""]
    invalid = invalid_runs(sides)
    if invalid:
        lines += ["**Runs whose measurements cannot be trusted:**", ""]
        lines += [f"- {n}" for n in invalid] + [""]
    if notes:
        lines += ["## Not measured", "", *notes, ""]
    return "\n".join(lines)


def write_case_study(
    out_dir: Path, before: Side, after: Side, cond: Conditions
) -> tuple[Path, Path, Path]:
    """Write the three files into ``out_dir``; return (json, md, html) paths."""
    rows = dashboard(before, after)
    sides = (before, after)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = (out_dir / "case-study.json", out_dir / "case-study.md", out_dir / "case-study.html")
    doc = document(rows, sides, cond)
    write_text(paths[0], json.dumps(doc, indent=1, allow_nan=False) + "\n")
    write_text(paths[1], markdown(rows, sides, cond))
    html = (
        environment()
        .get_template("case-study.html.j2")
        .render(
            rows=rows,
            shown=shown,
            cell=cell,
            before=before,
            after=after,
            cond=cond,
            laptop=LAPTOP,
            ratio=checkout_ratio(rows),
            faults=fault_notes(sides),
            invalid=invalid_runs(sides),
        )
    )
    write_text(paths[2], html)
    return paths
