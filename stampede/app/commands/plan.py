"""``stampede plan``: a capacity plan for a flash sale from a capacity-probe run."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

import click

from stampede.app.commands.verify import HOLD_HELP, parse_hold, run_verify
from stampede.app.planning import DEFAULT_TARGET_USERS


@click.command()
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option(
    "--target-users",
    type=click.FloatRange(0, min_open=True),
    default=DEFAULT_TARGET_USERS,
    show_default=True,
    help="Concurrent users at the sale's peak.",
)
@click.option(
    "--slo",
    default=None,
    metavar="p95=DURATION",
    help="End-to-end p95 objective, e.g. p95=500ms (default: the run profile's 'all' p95).",
)
@click.option(
    "--prices",
    type=click.Path(path_type=Path),
    default=None,
    help="YAML price sheet (default: the bundled capacity/prices/aws-us-east-1.yaml).",
)
@click.option(
    "--topology",
    type=click.Path(path_type=Path),
    default=None,
    help="YAML topology: task sizes and shared tiers (default: the built-in one).",
)
@click.option(
    "--baseline-users",
    type=click.FloatRange(0, min_open=True),
    default=None,
    help="Concurrent users on an ordinary day, for baseline replicas and the monthly cost "
    "(default: a tenth of --target-users).",
)
@click.option(
    "--daily-visits",
    type=click.FloatRange(0, min_open=True),
    default=None,
    help="Visits on an ordinary day, for the baseline instead of --baseline-users "
    "(spread over 24 h: daily visits x visit length / 86,400 users at a time).",
)
@click.option(
    "--baseline-share",
    default=None,
    metavar="SHARE",
    help="Users on an ordinary day as a share of --target-users, e.g. 5% "
    "(default: the case study's 5,000 of 120,000).",
)
@click.option(
    "--conversion",
    default="2.56%",
    show_default=True,
    metavar="SHARE",
    help="Orders per visit (the case study's 2.56%): paid orders are visits x conversion.",
)
@click.option(
    "--visit-length",
    default="5m",
    show_default=True,
    metavar="DURATION",
    help="How long a shopper's visit lasts (stated): concurrent users / visit length = visits/s.",
)
@click.option(
    "--pace",
    type=click.FloatRange(0, min_open=True),
    default=None,
    help="Requests a shopper sends per second at scale 1 (default: the probe's requests per "
    "action over the profile's think time plus the response time).",
)
@click.option(
    "--sale-start",
    type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]),
    default=None,
    help="When the sale opens, in the topology's timezone (UTC unless set), e.g. "
    "2026-12-04T09:00; the pre-warm schedules are written for it.",
)
@click.option(
    "--sale-duration",
    default="1h",
    show_default=True,
    metavar="DURATION",
    help="How long the sale lasts, e.g. 1h or 45m.",
)
@click.option(
    "--autoscaler",
    type=click.Choice(["keda", "hpa"]),
    default="keda",
    show_default=True,
    help="One Kubernetes autoscaler per Deployment: a KEDA ScaledObject (cron pre-warm for "
    "the sale plus the reactive metric) or a reactive HPA.",
)
@click.option("--no-charts", is_flag=True, help="Skip the PNG charts.")
@click.option(
    "--verify",
    "verify",
    is_flag=True,
    help="Then confirm the plan on one replica (as `stampede verify RUN/capacity`); the exit "
    "code is the confirmation's.",
)
@click.option("--verify-hold", default="8s", show_default=True, help=HOLD_HELP)
def plan(
    run_dir: Path,
    target_users: float,
    slo: str | None,
    prices: Path | None,
    topology: Path | None,
    baseline_users: float | None,
    daily_visits: float | None,
    baseline_share: str | None,
    conversion: str,
    visit_length: str,
    pace: float | None,
    sale_start: datetime | None,
    sale_duration: str,
    autoscaler: Literal["keda", "hpa"],
    no_charts: bool,
    verify: bool,
    verify_hold: str,
) -> None:
    """Plan capacity for a flash sale from RUN_DIR, a capacity-probe run: fit the Universal
    Scalability Law, size each service, write autoscaling policies and price the sale into
    RUN_DIR/capacity/, and print a summary.

    \b
    Example:
      stampede run capacity-probe --out runs/probe
      stampede plan runs/probe                          # 120,000 users, the profile's p95
      stampede plan runs/probe --target-users 50000 --slo p95=300ms --prices my-prices.yaml
      stampede plan runs/probe --sale-start 2026-12-04T09:00 --sale-duration 2h

    Exits 0 with a plan, 2 when the probe run's measurements are invalid (the plan is
    still written, as a draft, and its first line says why), 3 on a bad option or file.
    With --verify the plan is then confirmed on one replica and the exit code is the
    confirmation's (see `stampede verify`).
    """
    from stampede.app.plan_summary import summary_lines
    from stampede.app.planning import PlanRequest, parse_sale_duration, parse_slo, plan_run
    from stampede.app.planning import business_demand as business

    request = PlanRequest(
        run_dir=run_dir,
        target_users=target_users,
        slo_p95_ms=parse_slo(slo) if slo is not None else None,
        prices=prices,
        topology=topology,
        charts=not no_charts,
        baseline_users=baseline_users,
        sale_start=sale_start,
        sale_duration_s=parse_sale_duration(sale_duration),
        autoscaler=autoscaler,
        business=business(
            conversion, visit_length, pace, baseline_share, daily_visits, baseline_users
        ),
    )
    if verify:
        parse_hold(verify_hold)  # a bad length fails before the plan, in one line
    outcome = plan_run(request)
    for line in summary_lines(outcome):
        click.echo(line)
    _after_the_plan(outcome.facts.valid, run_dir, verify_hold if verify else None)


def _after_the_plan(valid: bool, run_dir: Path, verify_hold: str | None) -> None:
    """Confirm a trusted plan when asked; a plan resting on an invalid run exits as the run."""
    if verify_hold is not None and valid:
        run_verify(run_dir, verify_hold, None, None)
    if not valid:
        from stampede.core.exits import Exit

        click.get_current_context().exit(Exit.UNTRUSTED)
