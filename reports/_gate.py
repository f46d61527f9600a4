"""The CI gate: a run's objectives and its regression against a baseline, as an exit code.

::

    0  every objective met (and no regression against the baseline)
    1  an objective breached, or a regression beyond the tolerance
    2  the run (or the baseline) cannot be trusted: run.json's validity is false,
       the run was interrupted, the store's audit failed, or too few intervals
       to judge a regression
    3  a usage error (raised as ConfigError/UsageError before anything is judged)

:func:`run_gate` is pure over :class:`~reports._model.RunData`;
:func:`junit_xml` and :func:`summary_markdown` render its result.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Literal

from stampede.profiles import Slos
from stampede.reports._availability import Availability, run_availability
from stampede.reports._format import ms, pct, signed_pct, value
from stampede.reports._model import RunData
from stampede.reports._regression import RegressionResult, detect_regression, interval_p95s
from stampede.reports._report import facts, measurements, run_recoveries
from stampede.reports._slo import SloResult, evaluate_slos
from stampede.reports._verdict import Verdict, judge
from stampede.reports._where import place_misses

PASSED, BREACHED, INVALID = 0, 1, 2
CaseStatus = Literal["passed", "failed", "error", "skipped"]


@dataclass(frozen=True)
class GateCase:
    """One line of the gate's verdict; one JUnit test case."""

    classname: str
    name: str
    status: CaseStatus
    message: str


@dataclass(frozen=True)
class GateResult:
    """The gate's verdict on a run: exit code, a headline and every case behind it."""

    exit_code: int
    headline: str
    run_label: str
    cases: tuple[GateCase, ...]
    slos: tuple[SloResult, ...]
    regressions: tuple[RegressionResult, ...] = ()
    baseline_label: str | None = None
    problems: tuple[str, ...] = ()
    availability: Availability | None = None


def _trust_problems(data: RunData, role: str) -> list[str]:
    problems = []
    if data.interrupted:
        problems.append(f"the {role} run was interrupted before its schedule ended")
    if not data.valid:
        problems += [f"the {role} run is invalid: {r}" for r in data.invalid_reasons]
    if data.audit_ok is False:
        failed = [c.name for c in data.audit_checks or () if not c.ok]
        problems.append(f"the store's audit of the {role} run failed: {', '.join(failed)}")
    return problems


def baseline_differences(data: RunData, baseline: RunData) -> list[str]:
    """How the baseline was run differently (profile, scale, time scale): a p95 against a
    baseline of another shape is a comparison of two different tests."""
    ours, theirs = data.run.measured, baseline.run.measured
    found = []
    for what, mine, other in (
        ("profile", ours.profile, theirs.profile),
        ("scale", f"{ours.scale:g}", f"{theirs.scale:g}"),
        ("time scale", f"{ours.time_scale:g}", f"{theirs.time_scale:g}"),
    ):
        if mine != other:
            found.append(f"{what} {mine} here, {other} in the baseline")
    return found


def _label(data: RunData) -> str:
    return f"{data.path.name} ({data.profile}, scale {data.scale:g})"


def _regressions(
    data: RunData,
    baseline: RunData,
    slos: Slos,
    *,
    tolerance: float,
    alpha: float,
    min_intervals: int,
) -> tuple[RegressionResult, ...]:
    groups = ["all", *(s.group for s in slos.latency if s.group != "all")]
    results = []
    for group in groups:
        ours, theirs = data.timelines.get(group), baseline.timelines.get(group)
        results.append(
            detect_regression(
                interval_p95s(theirs.p95, theirs.count) if theirs else [],
                interval_p95s(ours.p95, ours.count) if ours else [],
                group=group,
                tolerance=tolerance,
                alpha=alpha,
                min_intervals=min_intervals,
            )
        )
    return tuple(results)


def _slo_cases(judged: tuple[SloResult, ...]) -> list[GateCase]:
    return [
        GateCase(
            "stampede.slo",
            f"{s.key}: {s.name} {'≥' if s.unit == 'rps' else '≤'} {value(s.target, s.unit)}",
            "passed" if s.passed else "failed",
            s.detail,
        )
        for s in judged
    ]


def _regression_cases(
    regressions: tuple[RegressionResult, ...],
) -> tuple[list[GateCase], list[str]]:
    """A case per group, and the problem of too few samples for ``all``."""
    cases, problems = [], []
    for r in regressions:
        status: CaseStatus = "skipped" if not r.judged else "failed" if r.regressed else "passed"
        if not r.judged and r.group == "all":
            status = "error"
            problems.append(f"too few samples to judge a regression: {r.detail}")
        name = f"regression.{r.group}.p95: within +{r.tolerance:.0%} of the baseline"
        cases.append(GateCase("stampede.regression", name, status, r.detail))
    return cases, problems


def _recovery_cases(data: RunData, max_recovery_s: float) -> list[GateCase]:
    """One case per injected fault: recovered (objectives and store) within the limit."""
    cases = []
    for found in run_recoveries(data):
        name = f"recovery from {found.fault.spec}"
        took = found.longest_s
        if took is None:
            message = f"{found.fault.spec} not recovered by the end of the run"
        else:
            store = found.fault.store_recovery_s
            own = f"; the store's own calls failed {store:.2f} s" if store else ""
            message = (
                f"{found.fault.spec} recovered in {took:.1f} s (limit {max_recovery_s:g} s){own}"
            )
        ok = took is not None and took <= max_recovery_s
        cases.append(GateCase("recovery", name, "passed" if ok else "failed", message))
    return cases


def _validity_case(problems: list[str], data: RunData) -> GateCase:
    audit = "audit clean" if data.audit_ok else "not audited"
    plain = data.run.measured.uncorrected_users
    latency = f", latency uncorrected (plain Locust users: {', '.join(plain)})" if plain else ""
    return GateCase(
        "stampede.core.validity",
        f"the run can be trusted (valid, complete, {audit})",
        "error" if problems else "passed",
        "; ".join(problems) or f"valid: schedule kept, generator not saturated, {audit}{latency}",
    )


def _verdict(
    problems: list[str], cases: list[GateCase], verdict: Verdict, baseline: bool
) -> tuple[int, str]:
    """The exit code, and the headline: the report's verdict, told also what only the
    gate knows (the baseline, a regression). Untrusted first, then breached, else passed."""
    missed = [c for c in cases if c.status == "failed"]
    if problems:
        if verdict.status != "ready":
            return INVALID, verdict.sentence
        return INVALID, f"Inconclusive: {problems[0]}, so this run cannot be judged."
    if missed:
        if verdict.status == "not_ready":
            return BREACHED, verdict.sentence
        more = f" (and {len(missed) - 1} more)" if len(missed) > 1 else ""
        return BREACHED, f"Not ready: {missed[0].message}{more}."
    against = ", with no p95 regression against the baseline" if baseline else ""
    return PASSED, verdict.sentence.removesuffix(".") + against + "."


def run_gate(
    data: RunData,
    slos: Slos,
    baseline: RunData | None = None,
    *,
    tolerance: float = 0.10,
    alpha: float = 0.05,
    min_intervals: int = 10,
    max_recovery_s: float | None = None,
) -> GateResult:
    """Judge ``data`` by ``slos`` and, with a ``baseline``, for a p95 regression.

    The regression test is run for all requests and for every group with a
    latency objective; too few intervals for ``all`` makes the result
    untrustworthy (exit 2), for another group skips its case. With ``max_recovery_s``
    every injected fault must have recovered within it (exit 1 otherwise).
    """
    judged = evaluate_slos(slos, measurements(data))
    cases = _slo_cases(judged)
    if max_recovery_s is not None:
        cases += _recovery_cases(data, max_recovery_s)
    problems = _trust_problems(data, "measured")
    regressions: tuple[RegressionResult, ...] = ()
    if baseline is not None:
        problems += _trust_problems(baseline, "baseline")
        regressions = _regressions(
            data, baseline, slos, tolerance=tolerance, alpha=alpha, min_intervals=min_intervals
        )
        regression_cases, too_few = _regression_cases(regressions)
        cases += regression_cases
        problems += too_few
    cases.insert(0, _validity_case(problems, data))
    verdict = judge(facts(data), judged, place_misses(data, judged, slos))
    code, headline = _verdict(problems, cases, verdict, baseline is not None)
    return GateResult(
        code,
        headline,
        _label(data),
        tuple(cases),
        judged,
        regressions,
        _label(baseline) if baseline is not None else None,
        tuple(problems),
        run_availability(data),
    )


def junit_xml(result: GateResult, suite: str = "stampede gate") -> str:
    """The result as JUnit XML: one ``testsuite``, one ``testcase`` per case."""
    counts = {s: sum(c.status == s for c in result.cases) for s in ("failed", "error", "skipped")}
    root = ET.Element("testsuites", name=suite)
    testsuite = ET.SubElement(
        root,
        "testsuite",
        name=f"{suite}: {result.run_label}",
        tests=str(len(result.cases)),
        failures=str(counts["failed"]),
        errors=str(counts["error"]),
        skipped=str(counts["skipped"]),
        time="0",
    )
    for key, text in (("exit_code", str(result.exit_code)), ("baseline", result.baseline_label)):
        if text is not None:
            props = testsuite.find("properties")
            if props is None:
                props = ET.SubElement(testsuite, "properties")
            ET.SubElement(props, "property", name=key, value=text)
    for case in result.cases:
        element = ET.SubElement(
            testsuite, "testcase", classname=case.classname, name=case.name, time="0"
        )
        if case.status == "failed":
            ET.SubElement(
                element, "failure", message=case.message, type="SloBreached"
            ).text = case.message
        elif case.status == "error":
            ET.SubElement(
                element, "error", message=case.message, type="InvalidRun"
            ).text = case.message
        elif case.status == "skipped":
            ET.SubElement(element, "skipped", message=case.message)
        else:
            ET.SubElement(element, "system-out").text = case.message
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, testsuite.get(key, "0"))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


_ICONS = {PASSED: "✅ PASSED", BREACHED: "❌ FAILED", INVALID: "⚠️ INVALID RUN"}
_MARKS = {"passed": "✅ pass", "failed": "❌ fail", "error": "⚠️ error", "skipped": "➖ skipped"}


def _availability_line(found: Availability | None) -> list[str]:
    if found is None:
        return []
    return [
        f"**Availability during the sale:** {pct(found.seconds_share)} of its seconds within "
        f"the objectives ({found.seconds_met:,} of {found.seconds_judged:,}), "
        f"{pct(found.requests_share)} of its requests served without error"
    ]


def summary_markdown(result: GateResult) -> str:
    """The result as Markdown for a pull request or a CI job summary."""
    lines = [
        f"## Stampede gate: {_ICONS.get(result.exit_code, result.exit_code)}",
        "",
        f"**Run:** `{_cell(result.run_label)}`  ",
        *([f"**Baseline:** `{_cell(result.baseline_label)}`  "] if result.baseline_label else []),
        f"**Verdict:** {_cell(result.headline)} (exit code {result.exit_code})  ",
        *_availability_line(result.availability),
        "",
    ]
    if result.slos:
        lines += [
            "| Objective | Target | Measured | Margin | Error budget used | Result |",
            "|---|---:|---:|---:|---:|---|",
            *(
                f"| {_cell(s.name)} | {value(s.target, s.unit)} | {value(s.measured, s.unit)} "
                f"| {signed_pct(s.margin)} | "
                f"{'—' if s.budget_used is None else f'{s.budget_used:.0%}'} "
                f"| {_MARKS['passed' if s.passed else 'failed']} |"
                for s in result.slos
            ),
            "",
        ]
    else:
        lines += ["No objectives were set.", ""]
    if result.regressions:
        lines += [
            "| Group | Baseline median p95 | This run | Change | p-value | Result |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for r in result.regressions:
            mark = "skipped" if not r.judged else "failed" if r.regressed else "passed"
            p_value = "—" if r.p_value is None else f"{r.p_value:.3g}"
            lines.append(
                f"| {r.group} | {ms(r.baseline_median_s)} | {ms(r.candidate_median_s)} "
                f"| {signed_pct(r.change)} | {p_value} | {_MARKS[mark]} |"
            )
        lines += [
            "",
            f"Regression: one-sided Mann–Whitney U over per-interval p95s, tolerance "
            f"+{result.regressions[0].tolerance:.0%}, alpha {result.regressions[0].alpha:g}.",
            "",
        ]
    if result.problems:
        lines += ["### Why the run cannot be trusted", ""]
        lines += [f"- {_cell(problem)}" for problem in result.problems] + [""]
    return "\n".join(lines)
