"""``stampede plan`` on a synthetic run directory: the summary, the files, the one-line errors."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from stampede import capacity
from stampede.app.planning import parse_slo
from stampede.cli import main
from tests.plan.conftest import MakeRun


def _plan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["plan", *args, "--no-charts"])
    out, err = capsys.readouterr()
    return code, out, err


def test_plan_prints_the_fit_sizing_cost_and_the_run_it_came_from(
    make_run: MakeRun, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = make_run()
    code, out, err = _plan(capsys, str(run_dir))
    assert code == 0, err
    # this synthetic probe's plan breaks its shared tiers, so the verdict line says so first
    first = out.splitlines()[0]
    assert out.startswith("Infeasible as planned") and " replicas at the peak" in first, out
    assert "capacity-probe, scale 0.005, time scale 0.5): measurements valid" in out
    assert "Target 120,000 users, p95 objective 500 ms" in out
    assert "USL fit on 9 plateaus: sigma" in out and "R²" in out and "X_max" in out
    assert "Replicas (baseline→peak): users" in out
    assert "Locust worker processes" in out
    assert "USD/month baseline" in out and "per 1,000 orders" in out
    assert "Top savings:" in out
    plan = json.loads((run_dir / "capacity" / "plan.json").read_text())
    assert plan["source"]["valid"] is True and plan["source"]["scale"] == 0.005
    assert plan["inputs"]["slo_p95_ms"] == 500
    summary = (run_dir / "capacity" / "summary.md").read_text()
    assert "- measurements: valid" in summary and "scale 0.005, time scale 0.5" in summary
    for path in (run_dir / "capacity" / "k8s").glob("*.yaml"):
        assert all(doc for doc in yaml.safe_load_all(path.read_text()))


def test_a_new_plan_drops_the_verification_of_the_plan_it_replaces(
    make_run: MakeRun, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = make_run()
    assert _plan(capsys, str(run_dir))[0] == 0
    plan_dir = run_dir / "capacity"
    (plan_dir / "verify.json").write_text('{"verdict": "The plan held: of the earlier plan"}')
    for earlier in ("verify-run", "verify-calibration"):
        (plan_dir / earlier).mkdir()
        (plan_dir / earlier / "run.json").write_text("{}")
    assert _plan(capsys, str(run_dir), "--target-users", "60000")[0] == 0
    assert (plan_dir / "plan.json").is_file()
    names = {p.name for p in plan_dir.iterdir()}
    left = {"verify.json", "verify-run", "verify-calibration"} & names
    assert not left, f"{left} confirmed the earlier plan, not this one"


#: a business whose every visit buys, and within 10 s: the outbox relay cannot keep up
#: with the sale's orders nor, afterwards, with an ordinary day's
EVERY_VISIT_BUYS = ("--conversion", "100%", "--visit-length", "10s")

#: what a person must never read in a plan: NaN, infinities, exponents, Python reprs
UNREADABLE = re.compile(r"\bnan\b|\binf\b|\d[eE][+-]\d|\bNone\b|\bTrue\b|\bFalse\b|\[['\"]")


def test_the_summaries_hold_only_readable_numbers(
    make_run: MakeRun, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = make_run()
    code, out, err = _plan(capsys, str(run_dir), *EVERY_VISIT_BUYS)
    assert code == 0, err
    summary = (run_dir / "capacity" / "summary.md").read_text()
    # this probe's outbox never drains and its USL kappa standard error is tiny
    assert "never drained" in summary and "0.0000" in summary
    for where, text in (("stdout", out), ("summary.md", summary)):
        found = UNREADABLE.findall(text)
        assert not found, f"{where} holds {found}"


def test_an_infeasible_plan_opens_with_it_and_prices_the_fixes(
    make_run: MakeRun, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = make_run()
    code, out, err = _plan(capsys, str(run_dir), *EVERY_VISIT_BUYS)
    assert code == 0, err
    first = out.splitlines()[0]
    assert first.startswith("Infeasible as planned (")
    assert ": the plan for 120,000 users needs PgBouncer" in first
    summary = (run_dir / "capacity" / "summary.md").read_text()
    assert summary.splitlines()[2] == "## Infeasible as planned"
    assert "The fixed plan costs" in summary and "Ready" not in summary
    plan = json.loads((run_dir / "capacity" / "plan.json").read_text())
    holds = plan["feasibility"]
    assert holds["feasible"] is False
    assert [f["tier"] for f in holds["fixes"]] == ["database", "redis", "outbox", "max_replicas"]
    assert holds["monthly"] == pytest.approx(sum(f["monthly"] for f in holds["fixes"]))


def test_plan_states_an_invalid_run_and_takes_overrides(
    make_run: MakeRun, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = make_run(valid=False)
    code, out, err = _plan(capsys, str(run_dir), "--target-users", "5000", "--slo", "p95=1.2s")
    # the draft is written, but a plan resting on an invalid run cannot be trusted: exit 2
    assert code == 2, err
    assert (run_dir / "capacity" / "plan.json").is_file()
    assert out.startswith("Inconclusive: the probe run's measurements are invalid (12 % of")
    assert "measurements INVALID — 12 % of sends were late" in out
    assert "Target 5,000 users, p95 objective 1,200 ms" in out
    assert "the run is marked invalid" in out


@pytest.mark.parametrize(
    ("text", "ms"), [("p95=500ms", 500.0), ("p95=1.5s", 1500.0), (" p95 = 250ms ", 250.0)]
)
def test_parse_slo(text: str, ms: float) -> None:
    assert parse_slo(text) == ms


def _bad_prices(tmp_path: Path) -> Path:
    sheet = yaml.safe_load(
        (Path(capacity.__file__).parent / "prices" / "aws-us-east-1.yaml").read_text()
    )
    sheet["rows"] = [r for r in sheet["rows"] if r["name"] != "alb.hour"]
    path = tmp_path / "prices.yaml"
    path.write_text(yaml.safe_dump(sheet))
    return path


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("missing-dir", ["does not exist", "stampede run capacity-probe"]),
        ("no-history", ["no stats history (locust_stats_history.csv)", "capacity-probe"]),
        ("few-plateaus", ["3 steady plateau(s)", "6 are needed", "capacity-probe"]),
        ("price-row", ["has no row 'alb.hour'", "add it"]),
        ("bad-slo", ["--slo 'p95=abc'", "p95=500ms"]),
        ("no-unit-slo", ["--slo 'p95=500'", "with a unit"]),
    ],
)
def test_bad_input_is_one_line_and_exit_3(
    case: str,
    words: list[str],
    make_run: MakeRun,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cases: dict[str, Callable[[], list[str]]] = {
        "missing-dir": lambda: [str(tmp_path / "nope")],
        "no-history": lambda: [str(make_run(history=False))],
        "few-plateaus": lambda: [str(make_run((10, 20, 30)))],
        "price-row": lambda: [str(make_run()), "--prices", str(_bad_prices(tmp_path))],
        "bad-slo": lambda: [str(make_run()), "--slo", "p95=abc"],
        "no-unit-slo": lambda: [str(make_run()), "--slo", "p95=500"],
    }
    code, _, err = _plan(capsys, *cases[case]())
    assert code == 3
    assert err.startswith("Error: ") and err.count("\n") == 1, err
    for word in words:
        assert word in err
    assert "Traceback" not in err


def test_the_sale_and_the_baseline_can_be_given(
    make_run: MakeRun, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = make_run()
    code, out, err = _plan(
        capsys,
        str(run_dir),
        "--baseline-users",
        "3000",
        "--sale-start",
        "2026-12-04T09:00",
        "--sale-duration",
        "2h",
    )
    assert code == 0, err
    plan = json.loads((run_dir / "capacity" / "plan.json").read_text())
    assert plan["inputs"]["baseline_users"] == 3000
    assert plan["inputs"]["sale_start"] == "2026-12-04T09:00:00"
    assert plan["inputs"]["sale_duration_s"] == 7200
    assert "(3,000 users;" in out
    assert "no sale_start given" not in out
    keda = yaml.safe_load((run_dir / "capacity" / "k8s" / "keda-orders.yaml").read_text())
    cron = next(t for t in keda["spec"]["triggers"] if t["type"] == "cron")
    assert cron["metadata"]["end"] == "0 11 4 12 *"  # 09:00 plus two hours, on 4 December
    release = json.loads(
        (
            run_dir / "capacity" / "aws" / "orders" / "put-scheduled-action-orders-release.json"
        ).read_text()
    )
    assert release["Schedule"] == "at(2026-12-04T11:00:00)"


def test_a_smaller_baseline_costs_less_a_month(
    make_run: MakeRun, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = make_run()
    costs = []
    for users in ("12000", "1200"):
        code, _, err = _plan(capsys, str(run_dir), "--baseline-users", users)
        assert code == 0, err
        plan = json.loads((run_dir / "capacity" / "plan.json").read_text())
        costs.append(plan["cost"]["monthly_lines"])
    # traffic-priced lines scale with the users; instances do not
    assert costs[1]["data_transfer"] == pytest.approx(costs[0]["data_transfer"] / 10)
    assert costs[1]["database"] == costs[0]["database"]


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--sale-duration", "soon"], 3, ["--sale-duration 'soon'", "e.g. --sale-duration 1h"]),
        (["--sale-duration", "0s"], 3, ["--sale-duration '0s'", "a length of time"]),
        (["--sale-start", "tomorrow"], 3, ["'tomorrow'", "%Y-%m-%dT%H:%M"]),
        (["--baseline-users", "0"], 3, ["--baseline-users", "0"]),
    ],
)
def test_a_bad_sale_or_baseline_is_one_error(
    args: list[str],
    code: int,
    words: list[str],
    make_run: MakeRun,
    capsys: pytest.CaptureFixture[str],
) -> None:
    got, _, err = _plan(capsys, str(make_run()), *args)
    assert got == code
    assert "Traceback" not in err
    for word in words:
        assert word in err
