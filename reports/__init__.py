"""Reports for managers and gates for CI: the HTML report, the gate, the comparison.

From a run directory written by ``stampede run``:

* :func:`write_report` writes ``report.html``: a verdict a manager can repeat,
  the key numbers, the SLO scorecard, charts and an engineer's drill-down;
* :func:`evaluate_slos` judges the objectives (a pure function over
  :class:`SloMeasurements`), :func:`detect_regression` tests a run against a
  baseline, and :func:`run_gate` turns both into an exit code, JUnit XML and
  Markdown for CI;
* :func:`write_comparison` compares runs side by side.

Nothing here imports ``locust``.
"""

from stampede.reports._compare import write_comparison
from stampede.reports._gate import (
    GateResult,
    baseline_differences,
    junit_xml,
    run_gate,
    summary_markdown,
)
from stampede.reports._hist import Distribution
from stampede.reports._load import load_run
from stampede.reports._model import RunData
from stampede.reports._regression import RegressionResult, detect_regression
from stampede.reports._report import recovery_seconds, render_report, write_report
from stampede.reports._slo import SloMeasurements, SloResult, evaluate_slos
from stampede.reports._slofile import load_slos
from stampede.reports._verdict import Verdict, VerdictInputs, judge

__all__ = [
    "Distribution",
    "GateResult",
    "RegressionResult",
    "RunData",
    "SloMeasurements",
    "SloResult",
    "Verdict",
    "VerdictInputs",
    "baseline_differences",
    "detect_regression",
    "evaluate_slos",
    "judge",
    "junit_xml",
    "load_run",
    "load_slos",
    "recovery_seconds",
    "render_report",
    "run_gate",
    "summary_markdown",
    "write_comparison",
    "write_report",
]
