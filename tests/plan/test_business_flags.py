"""``stampede plan``'s business flags: each taken into plan.json and summary.md, and each
bad value one line and exit 3."""

from __future__ import annotations

import json

import pytest

from stampede.cli import main
from tests.plan.conftest import MakeRun


def _plan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["plan", *args, "--no-charts"])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_business_flags_set_the_orders_and_the_ordinary_day(
    make_run: MakeRun, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = make_run()
    flags = ("--conversion", "5%", "--visit-length", "2m", "--pace", "1.5")
    code, out, err = _plan(capsys, str(run_dir), *flags, "--daily-visits", "720000")
    assert code == 0, err
    plan = json.loads((run_dir / "capacity" / "plan.json").read_text())
    peak, base = plan["demand"]["peak"], plan["demand"]["baseline"]
    # 120,000 users / 120 s = 1,000 visits/s x 5 % = 50 orders/s; 1.5 req/s each
    assert peak["paid_orders_per_s"] == pytest.approx(50.0)
    assert peak["total_rps"] == pytest.approx(180_000)
    # 720,000 visits a day x 120 s / 86,400 s = 1,000 users at a time
    assert plan["inputs"]["baseline_users"] == pytest.approx(1000)
    assert "USD/month baseline (1,000 users;" in out
    assert "50 paid orders/s (5% of 1,000 visits/s, the business's)" in out
    # a stated pace is not compared with the probe's think time
    assert "requests per think time" not in out
    assert base["paid_orders_per_s"] == pytest.approx(1000 / 120 * 0.05)
    summary = (run_dir / "capacity" / "summary.md").read_text()
    assert "- pace: a shopper sends 1.5 req/s (stated);" in summary
    assert "- conversion: 5% of visits buy" in summary
    assert "720,000 visits a day spread over 24 h, 1,000 users at a time" in summary


def test_by_default_the_pace_comes_from_the_profile_s_think_time(
    make_run: MakeRun, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = make_run()
    code, out, err = _plan(capsys, str(run_dir))
    assert code == 0, err
    assert "requests per think time of 4.3 s" in out  # this synthetic probe's users are fast
    summary = (run_dir / "capacity" / "summary.md").read_text()
    # the capacity-probe profile's mix of think times has a mean of 4.3 s
    assert "one action (a page and its API calls) every 4.3" in summary
    assert "the profile's mean think time of 4.3 s" in summary
    assert "2.56% of visits buy" in summary and "4.2% of the peak" in summary


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (("--conversion", "abc"), "--conversion 'abc' is not a share"),
        (("--conversion", "120%"), "--conversion '120%' is not a share"),
        (("--visit-length", "soon"), "--visit-length 'soon' is not a length of time"),
        (("--visit-length", "0s"), "--visit-length '0s' is not a length of time"),
        (("--pace", "0"), "--pace"),
        (("--daily-visits", "-3"), "--daily-visits"),
        (("--baseline-share", "0"), "--baseline-share 0 leaves no ordinary day"),
        (
            ("--baseline-users", "10", "--daily-visits", "100"),
            "--baseline-users and --daily-visits both set the ordinary day",
        ),
    ],
)
def test_bad_business_flags_are_one_line_and_exit_3(
    flags: tuple[str, ...],
    words: str,
    make_run: MakeRun,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = _plan(capsys, str(make_run()), *flags)
    assert code == 3, err
    assert err.startswith("Error: ") and err.count("\n") == 1, err
    assert words in err and "Traceback" not in err


def test_plan_json_states_the_business(
    make_run: MakeRun, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = make_run()
    code, _, err = _plan(capsys, str(run_dir), "--pace", "2")
    assert code == 0, err
    text = (run_dir / "capacity" / "plan.json").read_text()
    plan = json.loads(text, parse_constant=lambda c: pytest.fail(f"plan.json holds {c}"))
    demand = plan["demand"]
    assert demand["business"]["conversion"] == 0.0256 and demand["business"]["visit_s"] == 300
    assert demand["pace"] == {"rps": 2.0, "requests_per_action": None, "action_s": None}
    assert demand["peak"]["requests_per_user_s"] == 2.0
