"""``stampede run``: one load test from profile to report.

1. validate the profile and flags (before anything starts);
2. start the embedded store on a free port, or check the user's host answers;
3. run Locust headless in a child process (it monkey-patches the standard
   library, so it never runs inside this one), showing its progress lines;
4. after the traffic — finished, failed or interrupted with Ctrl-C — audit
   the store, size the generator, update ``run.json``, write the report.

Whatever happened, what was measured stays in the run directory.
"""

from __future__ import annotations

import contextlib
import csv
import importlib.util
import json
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from profiles import Profile, load_profile
from stampede.errors import TargetError
from stampede.generator import GeneratorFootprint, TreeMemory, full_scale_workers
from stampede.rundir import RunDir, new_run_dir, use_run_dir, write_json
from stampede.target import (
    EMBEDDED_ADMIN_TOKEN,
    check_reachable,
    check_url,
    embedded_store_args,
    fetch_admin,
    store_data_dir,
)

Echo = Callable[[str], None]


@dataclass(frozen=True)
class RunRequest:
    profile: str
    host: str | None = None
    scale: float | None = None
    time_scale: float | None = None
    processes: int = 1
    out_root: Path = Path("runs")
    out_dir: Path | None = None
    admin_token: str | None = None
    store_workers: int = 1
    store_args: tuple[str, ...] = ()
    shoppers: int | None = None
    seed: int | None = None
    report: bool = True
    command: str = ""


@dataclass(frozen=True)
class RunResult:
    run_dir: Path
    run: dict[str, Any]
    interrupted: bool


def _locustfile() -> str:
    spec = importlib.util.find_spec("locustfile")
    if spec is None or spec.origin is None:
        raise TargetError("locustfile.py is not importable; reinstall Stampede (pip install -e .)")
    return spec.origin


def _shoppers(profile: Profile, requested: int | None) -> int:
    peak = max((s.users or 0) for s in profile.stages)
    return requested or max(10_000, round(peak * 1.2))


@contextlib.contextmanager
def _target(
    request: RunRequest, profile: Profile, run_dir: Path, echo: Echo
) -> Iterator[tuple[str, str | None, str]]:
    """(url, admin token, kind) of the system under test, for the length of the run."""
    if request.host is not None:
        yield check_url(request.host), request.admin_token, "remote"
        return
    from store.launcher import StoreProcess

    flash = profile.flash.sku if profile.flash else None
    args = [
        *embedded_store_args(flash, _shoppers(profile, request.shoppers)),
        "--workers",
        str(request.store_workers),
        *request.store_args,
    ]
    echo(f"Starting the embedded store ({request.store_workers} worker(s)) …")
    store = StoreProcess(
        store_data_dir(run_dir),
        admin_token=EMBEDDED_ADMIN_TOKEN,
        args=args,
        log_path=run_dir / "store.log",
        ready_timeout_s=300,
    )
    with store:
        yield store.url, EMBEDDED_ADMIN_TOKEN, "embedded"


def _locust_command(request: RunRequest, profile: Profile, url: str, run_dir: Path) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        _locustfile(),
        "--headless",
        "--traffic",
        request.profile,
        "--host",
        url,
        "--scale",
        str(profile.applied_scale),
        "--time-scale",
        str(profile.applied_time_scale),
        "--stampede-out",
        str(run_dir),
        "--csv",
        str(run_dir / "locust"),
        "--csv-full-history",
        "--only-summary",
        "--logfile",
        str(run_dir / "locust.log"),
        "--loglevel",
        "WARNING",
        "--shoppers",
        str(_shoppers(profile, request.shoppers)),
        "--stop-timeout",
        "10",
    ]
    if request.processes > 1:
        command += ["--processes", str(request.processes)]
    if request.seed is not None:
        command += ["--stampede-seed", str(request.seed)]
    return command


def _run_locust(command: list[str], run_dir: Path) -> tuple[int, bool, int]:
    """(exit code, interrupted, peak memory in bytes) of the Locust child."""
    with (run_dir / "locust.out").open("wb") as out:
        child = subprocess.Popen(command, stdout=out)
        memory = TreeMemory(child.pid).start()
        interrupted = False
        try:
            code = child.wait()
        except KeyboardInterrupt:
            interrupted = True
            child.send_signal(signal.SIGINT)  # in case it was not in our process group
            try:
                code = child.wait(timeout=60)
            except subprocess.TimeoutExpired:
                child.kill()
                code = child.wait()
        return code, interrupted, memory.stop()


def execute(request: RunRequest, echo: Echo) -> RunResult:
    profile = load_profile(request.profile).scaled(request.scale, request.time_scale)
    if request.host is not None:
        check_reachable(check_url(request.host))
    if request.out_dir is not None:
        run_dir = use_run_dir(request.out_dir)
    else:
        run_dir = new_run_dir(request.out_root, profile.name)
    echo(f"Run directory: {run_dir}")
    echo(
        f"Profile {profile.name}: scale {profile.applied_scale:g}, time scale "
        f"{profile.applied_time_scale:g}, {profile.duration_s:.0f} s, {profile.model} model"
    )
    with _target(request, profile, run_dir, echo) as (url, token, kind):
        echo(f"Target: {url} ({kind}); Ctrl-C stops the run and keeps what was measured")
        code, interrupted, peak_memory = _run_locust(
            _locust_command(request, profile, url, run_dir), run_dir
        )
        audit = fetch_admin(url, token, "/admin/audit")
        summary = fetch_admin(url, token, "/admin/summary")
    return _finish(request, run_dir, kind, code, interrupted, peak_memory, audit, summary, echo)


def _finish(
    request: RunRequest,
    run_dir: Path,
    kind: str,
    code: int,
    interrupted: bool,
    peak_memory: int,
    audit: dict[str, Any] | None,
    summary: dict[str, Any] | None,
    echo: Echo,
) -> RunResult:
    rundir = RunDir(run_dir)
    if not rundir.has("run.json"):
        raise TargetError(
            f"Locust exited with code {code} before measuring anything; see "
            f"{run_dir / 'locust.log'} and {run_dir / 'locust.out'}"
        )
    if audit is not None:
        write_json(run_dir / "audit.json", audit)
    if summary is not None:
        write_json(run_dir / "store-summary.json", summary)
    run = rundir.run()
    interrupted = interrupted or bool(run.get("interrupted"))
    run = rundir.update_run(
        {
            "target": kind,
            "command": request.command,
            "locust_exit_code": code,
            "interrupted": interrupted,
            "audit_ok": None if audit is None else bool(audit.get("ok")),
            "generator_sizing": _sizing(rundir, run),
            "generator_peak_memory_mb": round(peak_memory / 2**20, 1),
        }
    )
    if request.report:
        _report(run_dir, echo)
    return RunResult(run_dir, run, interrupted)


def _sizing(rundir: RunDir, run: dict[str, Any]) -> dict[str, float]:
    latency = rundir.latency()
    cpu = rundir.cpu()
    cpu_seconds = sum(s["core_percent"] for s in cpu) / 100.0  # one-second samples
    users = rundir.users()
    duration = max(float(run.get("duration_s", 0)), 1e-9)
    footprint = GeneratorFootprint(
        requests=latency.count(),
        cpu_seconds=cpu_seconds,
        peak_users=max((u["running"] for u in users), default=0.0),
        peak_memory_mb=float(run.get("generator", {}).get("memory_above_idle_bytes", 0)) / 2**20,
        peak_rps=_peak_rps(rundir, latency.count() / duration),
        scale=float(run.get("scale", 1.0)),
    )
    return full_scale_workers(footprint)


def _peak_rps(rundir: RunDir, fallback: float) -> float:
    """The highest request rate Locust reported (its rate is a moving average over seconds)."""
    path = rundir.file("locust_stats_history.csv")
    if not path.is_file():
        return fallback
    with path.open(newline="") as handle:
        rates = [
            float(row["Requests/s"])
            for row in csv.DictReader(handle)
            if row.get("Name") == "Aggregated" and row.get("Requests/s") not in (None, "")
        ]
    return max([*rates, fallback])


def _report(run_dir: Path, echo: Echo) -> None:
    try:
        from reports import write_report
    except ImportError:
        return
    path = write_report(run_dir)
    echo(f"Report: {path}")


def summary_lines(result: RunResult) -> list[str]:
    run = result.run
    validity = run.get("validity", {})
    lines = [
        f"Run {'INTERRUPTED' if result.interrupted else 'complete'}: {result.run_dir}",
        "Measurements: "
        + (
            "valid"
            if validity.get("valid")
            else "INVALID — " + "; ".join(validity.get("reasons", []))
        ),
    ]
    if run.get("audit_ok") is not None:
        lines.append(f"Store audit: {'clean' if run['audit_ok'] else 'FAILED'}")
    sizing = run.get("generator_sizing", {})
    if sizing.get("workers_needed"):
        lines.append(
            f"Generator: {sizing['measured_rps_per_core']:.0f} req/s per core, "
            f"{sizing['measured_memory_mb_per_user'] * 1024:.0f} KB per user; at full scale "
            f"({sizing['full_scale_peak_users']:,.0f} users, {sizing['full_scale_peak_rps']:,.0f}"
            f" req/s) it needs {sizing['workers_needed']} Locust worker processes and "
            f"{sizing['memory_gb_needed']} GB"
        )
    return lines


def dumps(result: RunResult) -> str:
    return json.dumps({"run_dir": str(result.run_dir), **result.run}, indent=1, default=str)
