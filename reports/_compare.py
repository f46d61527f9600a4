"""``stampede compare``: runs side by side as Metric | Before | After | Change.

:func:`comparison_rows` is pure over :class:`~reports._model.RunData`; the
first run is "before", the last "after", and the change is theirs. A change
for the worse beyond the tolerance is a regression and is highlighted.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from stampede.core.numbers import rate
from stampede.core.rundir import write_text
from stampede.reports._availability import Availability, run_availability
from stampede.reports._charts import RUN_COLORS, plot_distribution, plot_overlay
from stampede.reports._figures import Chart, render
from stampede.reports._format import duration, ms, num, pct
from stampede.reports._improvement import improvement
from stampede.reports._load import load_run
from stampede.reports._model import RunData, Series
from stampede.reports._report import environment

Better = Literal["lower", "higher", "neither"]
Mark = Literal["worse", "better", "same", "new", ""]
Getter = Callable[[RunData], float | None]
Metric = tuple[str, Getter, Callable[[float | None], str], Better]


@dataclass(frozen=True)
class MetricRow:
    """One metric across runs; ``change`` is last over first, minus one."""

    metric: str
    values: tuple[float | None, ...]
    shown: tuple[str, ...]
    better: Better
    change: float | None
    mark: Mark

    @property
    def improvement(self) -> str:
        """The change in the case study's style (``87% ↓``, ``14× ↑``)."""
        return improvement(self.values[0], self.values[-1])


def _count(name: str) -> Callable[[RunData], float]:
    """How often a run had an outcome; the funnel's last step falls back on the store's
    own count of paid orders (its summary) when the users counted none."""

    def get(d: RunData) -> float:
        if name in d.outcome_totals:
            return float(d.outcome_totals[name])
        last = d.target.funnel[-1:] == (name,)
        return float(d.orders_by_status.get("paid", 0)) if last else 0.0

    return get


def _ratio(top: Callable[[RunData], float], bottom: Callable[[RunData], float]) -> Getter:
    def get(d: RunData) -> float | None:
        below = bottom(d)
        return top(d) / below if below else None

    return get


def _sold_out(d: RunData) -> float | None:
    if not d.flash or d.flash[0].sold_out_s is None:
        return None
    return d.flash[0].sold_out_s - (d.sale_opens_at_s or 0.0)


def _capacity(d: RunData, what: str) -> float | None:
    if d.capacity is None:
        return None
    if what == "replicas":
        return float(d.capacity.peak_replicas)
    return d.capacity.cost.monthly_baseline


def _availability_metrics(runs: Sequence[RunData]) -> list[Metric]:
    found: dict[int, Availability] = {id(d): run_availability(d) for d in runs}
    return [
        ("availability during the sale (seconds within the SLOs)",
         lambda d: found[id(d)].seconds_share, pct, "higher"),
        ("requests served without error during the sale",
         lambda d: found[id(d)].requests_share, pct, "higher"),
    ]  # fmt: skip


def _outcome_metrics(runs: Sequence[RunData]) -> list[Metric]:
    """The first run's target description's funnel (its last step, conversion from its first,
    success from the step before), then a count of each other outcome it names that any run
    had, all by the description's names."""
    target = runs[0].target
    funnel = target.funnel
    found: list[Metric] = []
    if funnel:
        last = funnel[-1]
        label = "orders paid" if target.orders is not None else last.replace("_", " ")
        found.append((f"{label} ({last})", _count(last), num, "higher"))
        if len(funnel) >= 2:
            found.append((f"conversion ({last} / {funnel[0]})",
                          _ratio(_count(last), _count(funnel[0])), pct, "higher"))  # fmt: skip
        if len(funnel) >= 3:
            found.append((f"last step's success ({last} / {funnel[-2]})",
                          _ratio(_count(last), _count(funnel[-2])), pct, "higher"))  # fmt: skip
    failures = {rule.name for rule in target.outcomes if rule.failure}
    for name in dict.fromkeys(rule.name for rule in target.outcomes):
        if name not in funnel and any(d.outcome_totals.get(name) for d in runs):
            better: Better = "lower" if name in failures else "neither"
            found.append((f"{name.replace('_', ' ')} answers ({name})", _count(name), num, better))
    return found


def _metrics(runs: Sequence[RunData]) -> list[Metric]:
    def q(group: str, p: float) -> Callable[[RunData], float | None]:
        def get(d: RunData) -> float | None:
            dist = d.distributions.get(group)
            return dist.percentile(p) if dist and dist.total else None

        return get

    found: list[Metric] = [
        ("p50 latency (all)", q("all", 50), ms, "lower"),
        ("p95 latency (all)", q("all", 95), ms, "lower"),
        ("p99 latency (all)", q("all", 99), ms, "lower"),
    ]
    for group in runs[0].group_order[1:]:
        if all(group in d.distributions for d in runs):
            found.append((f"p95 latency ({group})", q(group, 95), ms, "lower"))
    found += [
        ("throughput (mean)", lambda d: d.mean_rps, rate, "higher"),
        ("throughput (busiest 10 s)", lambda d: d.peak_rps(), rate, "higher"),
        ("error rate", lambda d: d.error_rate, pct, "lower"),
        *_availability_metrics(runs),
        ("peak users", lambda d: d.peak_users, num, "neither"),
        *_outcome_metrics(runs),
    ]  # fmt: skip
    if any(d.flash for d in runs):
        found.append(("flash SKU sold out after doors opened", _sold_out, duration, "neither"))
    if any(d.capacity is not None for d in runs):
        found += [
            ("replicas at the peak (plan)", lambda d: _capacity(d, "replicas"), num, "lower"),
            ("monthly cost at baseline (plan)", lambda d: _capacity(d, "cost"),
             lambda v: num(v, 2), "lower"),
        ]  # fmt: skip
    return found


def _mark(first: float | None, last: float | None, better: Better, tolerance: float) -> Mark:
    if first is None or last is None or better == "neither":
        return ""
    if first == 0:
        return "same" if last == 0 else ("new" if better == "higher" else "worse")
    change = last / first - 1
    if abs(change) <= tolerance:
        return "same"
    got_bigger = change > 0
    return "better" if got_bigger == (better == "higher") else "worse"


def comparison_rows(runs: Sequence[RunData], tolerance: float = 0.10) -> list[MetricRow]:
    """One row per metric, comparing the first run (before) with the last (after)."""
    rows = []
    for name, get, show, better in _metrics(runs):
        values = tuple(get(d) for d in runs)
        first, last = values[0], values[-1]
        change = last / first - 1 if first and last is not None and math.isfinite(first) else None
        rows.append(
            MetricRow(
                metric=name,
                values=values,
                shown=tuple(show(v) for v in values),
                better=better,
                change=change,
                mark=_mark(first, last, better, tolerance),
            )
        )
    return rows


def run_labels(runs: Sequence[RunData]) -> list[str]:
    """A short, unique label per run (its directory name)."""
    labels: list[str] = []
    for d in runs:
        label = d.path.name
        labels.append(label if label not in labels else f"{label} ({len(labels) + 1})")
    return labels


def headers(count: int) -> list[str]:
    return ["Before", "After"] if count == 2 else [f"Run {i + 1}" for i in range(count)]


def comparison_markdown(runs: Sequence[RunData], rows: Sequence[MetricRow]) -> str:
    """The comparison as a Markdown table; regressions in bold with a ❌."""
    labels = run_labels(runs)
    names = headers(len(runs))
    lines = ["# Stampede comparison", ""]
    lines += [f"- **{n}**: `{label}` ({d.profile})" for n, label, d in zip(names, labels, runs,
              strict=True)]  # fmt: skip
    lines += ["", "| Metric | " + " | ".join(names) + " | Change |",
              "|---|" + "---:|" * (len(names) + 1)]  # fmt: skip
    for row in rows:
        change = row.improvement
        if row.mark == "worse":
            change = f"**{change} ❌**"
        elif row.mark == "better":
            change = f"{change} ✅"
        lines.append(f"| {row.metric} | " + " | ".join(row.shown) + f" | {change} |")
    validity = ["valid" if d.valid else "**INVALID**" for d in runs]
    lines += ["| run validity | " + " | ".join(validity) + " | |", ""]
    return "\n".join(lines)


def comparison_charts(runs: Sequence[RunData], max_points: int = 900) -> list[Chart]:
    """Overlaid charts: p95 and throughput over time, users, and the latency distribution."""
    labels = run_labels(runs)

    def overlay(get: Callable[[RunData], Series], ylabel: str, log: bool = False) -> str:
        series = {label: get(d) for label, d in zip(labels, runs, strict=True)}
        return render(
            lambda fig: plot_overlay(
                fig.add_subplot(), series, ylabel, log=log, how="max" if log else "mean",
                max_points=max_points,
            ),
            (9, 2.8),
        )  # fmt: skip

    def p95(d: RunData) -> Series:
        tl = d.timelines.get("all")
        return Series(tl.t, tuple(v * 1000 for v in tl.p95)) if tl else Series()

    colors = dict(zip(labels, RUN_COLORS, strict=False))
    return [
        Chart("p95", "p95 latency over time (all requests)", overlay(p95, "ms", log=True),
              "Corrected p95 per second of each run, log scale."),
        Chart("throughput", "Throughput over time", overlay(lambda d: d.requests_per_s,
              "requests per second"), "Requests completed per second."),
        Chart("users", "Users over time", overlay(lambda d: Series(d.users.t, d.users.running),
              "users running"), "Concurrent users each run had running."),
        Chart("distribution", "Latency distribution (all requests)", render(
            lambda fig: plot_distribution(
                fig.add_subplot(),
                {label: d.distributions["all"] for label, d in zip(labels, runs, strict=True)
                 if "all" in d.distributions},
                colors=colors,
            ), (9, 3.0)), "Latency at each percentile over each whole run."),
    ]  # fmt: skip


def comparison_verdict(
    runs: Sequence[RunData], rows: Sequence[MetricRow], tolerance: float = 0.10
) -> str:
    """The comparison in one line: Inconclusive, Worse, Better or the same, and why."""
    labels = run_labels(runs)
    untrusted = [
        f"{label} was {'interrupted' if d.interrupted else 'invalid'}"
        for label, d in zip(labels, runs, strict=True)
        if d.interrupted or not d.valid
    ]
    between = f"{labels[0]} → {labels[-1]}"
    shapes = {(d.profile, d.scale, d.run.measured.time_scale) for d in runs}
    shape = "; the runs differ in profile or scale" if len(shapes) > 1 else ""
    if untrusted:
        return f"Inconclusive: {'; '.join(untrusted)}, so the comparison cannot be trusted."
    worse = [r for r in rows if r.mark == "worse"]
    better = [r for r in rows if r.mark == "better"]
    beyond = f"beyond the {tolerance:.0%} tolerance"

    def changes(found: Sequence[MetricRow]) -> str:
        first = f"{found[0].metric} {found[0].improvement}"
        return first + (f" and {len(found) - 1} more" if len(found) > 1 else "")

    if worse:
        return f"Worse: {changes(worse)} {beyond} ({between}){shape}."
    if better:
        return f"Better: {changes(better)} {beyond}, nothing worse ({between}){shape}."
    return f"The same: no metric changed {beyond} ({between}){shape}."


@dataclass(frozen=True)
class Comparison:
    html: Path
    markdown: Path
    verdict: str


def compare_runs(run_dirs: Sequence[Path], out_dir: Path, tolerance: float = 0.10) -> Comparison:
    """Write ``compare.html`` and ``compare.md`` into ``out_dir``; their paths and the verdict."""
    runs = [load_run(Path(p)) for p in run_dirs]
    rows = comparison_rows(runs, tolerance)
    out_dir.mkdir(parents=True, exist_ok=True)
    verdict = comparison_verdict(runs, rows, tolerance)
    html = (
        environment()
        .get_template("compare.html.j2")
        .render(
            runs=runs,
            labels=run_labels(runs),
            headers=headers(len(runs)),
            rows=rows,
            charts=comparison_charts(runs),
            tolerance=tolerance,
            verdict=verdict,
        )
    )
    html_path, md_path = out_dir / "compare.html", out_dir / "compare.md"
    write_text(html_path, html)
    write_text(md_path, f"{comparison_markdown(runs, rows)}\n**Verdict:** {verdict}\n")
    return Comparison(html_path, md_path, verdict)


def write_comparison(
    run_dirs: Sequence[Path], out_dir: Path, tolerance: float = 0.10
) -> tuple[Path, Path]:
    """Write ``compare.html`` and ``compare.md`` into ``out_dir``; return their paths."""
    found = compare_runs(run_dirs, out_dir, tolerance)
    return found.html, found.markdown
