"""``stampede gate`` on a real smoke run: each of its four exit codes, JUnit and Markdown."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.reports.conftest import stampede

LENIENT = "latency: {all: {p95: 60s, p99: 60s}}\nerror_rate: 0.5\n"
STRICT = "slos:\n  latency: {all: {p95: 1ms}, checkout: {p95: 2ms, p99: 3ms}}\n  error_rate: 0.5\n"


def _junit(path: Path) -> tuple[ET.Element, list[ET.Element]]:
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    return suite, suite.findall("testcase")


def _write(tmp_path: Path, text: str, name: str = "slos.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_exit_0_when_every_objective_is_met(smoke_run: Path, tmp_path: Path) -> None:
    summary = tmp_path / "step-summary.md"
    summary.write_text("previous step\n")
    result = stampede(
        "gate",
        str(smoke_run),
        "--slo",
        str(_write(tmp_path, LENIENT)),
        "--junit",
        str(tmp_path / "j.xml"),
        "--markdown",
        str(tmp_path / "s.md"),
        env={**os.environ, "GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    suite, cases = _junit(tmp_path / "j.xml")
    # validity + p95 + p99 + error rate
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "0", "0")
    assert len(cases) == 4 and not any(c.find("failure") is not None for c in cases)
    markdown = (tmp_path / "s.md").read_text()
    assert "## Stampede gate: ✅ PASSED" in markdown
    assert summary.read_text() == "previous step\n" + markdown + "\n"


def test_exit_1_when_an_objective_is_breached(smoke_run: Path, tmp_path: Path) -> None:
    junit = tmp_path / "j.xml"
    result = stampede(
        "gate",
        str(smoke_run),
        "--slo",
        str(_write(tmp_path, STRICT)),
        "--junit",
        str(junit),
        "--markdown",
        str(tmp_path / "s.md"),
    )
    assert result.returncode == 1, result.stdout + result.stderr
    suite, cases = _junit(junit)
    failed = [c for c in cases if c.find("failure") is not None]
    assert suite.get("tests") == "5" and suite.get("failures") == "3" == str(len(failed))
    assert {c.get("name", "").split(":")[0] for c in failed} == {
        "latency.all.p95",
        "latency.checkout.p95",
        "latency.checkout.p99",
    }
    # the verdict first, with where the objective was missed
    assert result.stdout.startswith("Not ready: checkout p95 "), result.stdout
    assert " during " in result.stdout.splitlines()[0] or "over the whole run" in result.stdout
    assert "❌ fail" in (tmp_path / "s.md").read_text()


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        (
            {"validity": {"valid": False, "reasons": ["the generator's CPU was saturated"]}},
            "saturated",
        ),
        ({"audit_ok": False}, "audit"),
        ({"interrupted": True}, "interrupted"),
    ],
)
def test_exit_2_when_the_run_cannot_be_trusted(
    copy_run: Callable[..., Path], tmp_path: Path, fields: dict[str, object], words: str
) -> None:
    run = copy_run("doctored", **fields)
    result = stampede("gate", str(run), "--slo", str(_write(tmp_path, LENIENT)))
    assert result.returncode == 2, result.stdout + result.stderr
    verdict = result.stdout.splitlines()[0]
    assert verdict.startswith(("Inconclusive: ", "Not ready: the store's")), verdict
    assert words in verdict
    suite, cases = _junit(run / "gate-junit.xml")
    assert suite.get("errors") == "1" and cases[0].find("error") is not None
    assert "Why the run cannot be trusted" in (run / "gate-summary.md").read_text()


def test_baseline_same_run_passes_and_too_few_intervals_is_invalid(
    copy_run: Callable[..., Path], smoke_run: Path, tmp_path: Path
) -> None:
    run = copy_run("candidate")
    slo = str(_write(tmp_path, LENIENT))
    same = stampede("gate", str(run), "--slo", slo, "--baseline", str(smoke_run))
    assert same.returncode == 0, same.stdout + same.stderr
    assert "regression.all.p95" in same.stdout and "Mann–Whitney" in same.stdout
    sparse = stampede(
        "gate", str(run), "--slo", slo, "--baseline", str(smoke_run), "--min-intervals", "1000"
    )
    assert sparse.returncode == 2 and "too few samples" in sparse.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--bogus"], "No such option"),
        (["--tolerance", "-1"], "--tolerance"),
        (["{missing}"], "does not exist"),
        (["--slo", "{bad_slo}"], "slos.yaml: latency.all.p95: fast is not allowed"),
    ],
)
def test_exit_3_on_usage_errors(
    smoke_run: Path, tmp_path: Path, args: list[str], words: str
) -> None:
    bad_slo = _write(tmp_path, "latency: {all: {p95: fast}}\n")
    filled = [a.format(missing=tmp_path / "nope", bad_slo=bad_slo) for a in args]
    target = [] if "{missing}" in args else [str(smoke_run)]
    result = stampede("gate", *target, *filled)
    assert result.returncode == 3, result.stdout + result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    if "--slo" in args:
        assert result.stderr.strip().count("\n") == 0


def test_page_load_objectives_are_gated(smoke_run: Path, tmp_path: Path) -> None:
    # the synthetic run's product pages: p95 well under 5 s, well over 1 ms
    met = _write(tmp_path, "page_load: {product: {p95: 5s}, all: {p99: 5s}}\n", "met.yaml")
    result = stampede("gate", str(smoke_run), "--slo", str(met), "--junit", str(tmp_path / "m.xml"))
    assert result.returncode == 0, result.stdout + result.stderr
    _, cases = _junit(tmp_path / "m.xml")
    assert {c.get("name", "").split(":")[0] for c in cases} >= {
        "page_load.product.p95",
        "page_load.all.p99",
    }
    missed = _write(tmp_path, "page_load: {product: {p95: 1ms}}\n", "missed.yaml")
    result = stampede("gate", str(smoke_run), "--slo", str(missed))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith("Not ready: product page load p95 "), result.stdout
    assert "> 1.0 ms over the whole run" in result.stdout.splitlines()[0]


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"time_scale": 0.25}, "time scale 1 here, 0.25 in the baseline"),
        ({"scale": 0.5}, "scale 1 here, 0.5 in the baseline"),
        ({"profile": "steady"}, "profile smoke here, steady in the baseline"),
    ],
)
def test_a_baseline_run_differently_warns_and_strict_refuses_it(
    copy_run: Callable[..., Path], tmp_path: Path, fields: dict[str, object], words: str
) -> None:
    run, baseline = copy_run("candidate"), copy_run("baseline", **fields)
    slo = str(_write(tmp_path, LENIENT))
    warned = stampede("gate", str(run), "--slo", slo, "--baseline", str(baseline))
    assert warned.returncode == 0, warned.stdout + warned.stderr
    assert warned.stderr.startswith("warning: --baseline") and words in warned.stderr
    refused = stampede("gate", str(run), "--slo", slo, "--baseline", str(baseline), "--strict")
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert words in refused.stderr and refused.stderr.strip().count("\n") == 0
    same = stampede("gate", str(run), "--slo", slo, "--baseline", str(copy_run("same")))
    assert same.returncode == 0 and "warning" not in same.stderr
