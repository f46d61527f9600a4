"""``stampede compare``: the metrics table from real runs, and regressions highlighted."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from stampede.reports import Distribution, load_run
from stampede.reports._compare import comparison_markdown, comparison_rows, comparison_verdict
from tests.reports.conftest import stampede


def test_compare_writes_html_and_markdown(
    smoke_run: Path, copy_run: Callable[..., Path], tmp_path: Path
) -> None:
    after = copy_run("after")
    result = stampede("compare", str(smoke_run), str(after), "--out", str(tmp_path / "cmp"))
    assert result.returncode == 0, result.stderr
    markdown = (tmp_path / "cmp" / "compare.md").read_text()
    assert "| Metric | Before | After | Change |" in markdown
    for metric in (
        "p95 latency (all)",
        "throughput (mean)",
        "error rate",
        "availability during the sale (seconds within the SLOs)",
        "requests served without error during the sale",
        "conversion (order_paid / viewed_product)",
        "flash SKU sold out",
    ):
        assert f"| {metric}" in markdown
    assert "❌" not in markdown  # the same run twice: no regression
    assert result.stdout.startswith("The same: no metric changed beyond the 10% tolerance")
    html = (tmp_path / "cmp" / "compare.html").read_text()
    assert html.count("data:image/svg+xml;base64,") == 4
    assert "Before" in html and "After" in html


def test_a_slower_run_is_highlighted(smoke_run: Path) -> None:
    before = load_run(smoke_run)
    slow = {
        group: Distribution(tuple(v * 2 for v in d.values_s), d.counts)
        for group, d in before.distributions.items()
    }
    after = dataclasses.replace(before, distributions=slow)
    rows = {row.metric: row for row in comparison_rows([before, after], tolerance=0.10)}
    assert rows["p95 latency (all)"].mark == "worse"
    assert rows["p95 latency (all)"].change is not None
    assert abs(rows["p95 latency (all)"].change - 1.0) < 0.01
    assert rows["error rate"].mark in ("same", "")
    assert "**2× ↑ ❌**" in comparison_markdown([before, after], list(rows.values()))
    verdict = comparison_verdict([before, after], list(rows.values()))
    assert verdict.startswith("Worse: p50 latency (all) 2× ↑ and "), verdict
    interrupted = dataclasses.replace(
        after, run=dataclasses.replace(
            after.run, measured=dataclasses.replace(after.run.measured, interrupted=True)
        )
    )  # fmt: skip
    assert comparison_verdict([before, interrupted], list(rows.values())).startswith(
        "Inconclusive: "
    )


def test_compare_needs_two_runs(smoke_run: Path) -> None:
    result = stampede("compare", str(smoke_run))
    assert result.returncode == 3 and "at least two" in result.stderr


def test_compare_of_a_slower_run_says_worse_first(smoke_run: Path, tmp_path: Path) -> None:
    from tests.synthetic import Traffic, write_run

    slow = write_run(tmp_path / "slow", Traffic(stall=(10, 13, 0.6)))
    result = stampede("compare", str(smoke_run), str(slow), "--out", str(tmp_path / "cmp"))
    assert result.returncode == 0, result.stderr
    first, *rest = result.stdout.splitlines()
    assert first.startswith("Worse: p50 latency (all) ") and "(run → slow)" in first, first
    assert rest[0] == f"Comparison: {tmp_path / 'cmp' / 'compare.html'}"
