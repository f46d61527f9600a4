"""``stampede run``: one load test from profile to report.

1. validate the profile and flags (before anything starts);
2. start the embedded store on a free port (with a private Redis when a
   ``--chaos redis-restart`` asks for one), or check the user's host answers;
3. run Locust headless in a child process (it monkey-patches the standard
   library, so it never runs inside this one), showing its progress lines,
   while the chaos injector breaks things on schedule and a watchdog ends
   the run if the target dies;
4. after the traffic — finished, failed, interrupted with Ctrl-C or cut short
   by a dead target — audit the store, size the generator, update
   ``run.json`` (and ``chaos.json``), write the report.

Whatever happened, what was measured stays in the run directory; ``run.json``
says ``complete: true`` only once every file of the run was written.
"""

from __future__ import annotations

import contextlib
import importlib.util
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from stampede.app.chaos import ChaosTarget, FaultSpec, Injector, PrivateRedis
from stampede.app.generator_sizing import GeneratorFootprint, full_scale_workers
from stampede.app.run_checks import chaos_specs, needs_private_redis
from stampede.app.target import (
    EMBEDDED_ADMIN_TOKEN,
    check_reachable,
    check_url,
    embedded_store_args,
    fetch_admin,
    store_data_dir,
)
from stampede.app.watchdog import TargetWatch
from stampede.core.cpu import CpuSample, CpuSampler, process_cpu_times
from stampede.core.errors import ConfigError, StampedeError, TargetError
from stampede.core.extras import require_extra
from stampede.core.generator import TreeMemory, memory_per_user
from stampede.core.ports import free_port
from stampede.core.processes import stop_child
from stampede.core.protocol import WRITE_FAILED
from stampede.core.rundir import RunDir, new_run_dir, use_run_dir, write_json
from stampede.core.version import DISTRIBUTION
from stampede.profiles import Profile, load_profile

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
    chaos: tuple[str, ...] = ()
    on_worker_loss: str = "continue"
    target_down_after_s: float = 5.0
    watch_interval_s: float = 1.0


@dataclass(frozen=True)
class RunResult:
    run_dir: Path
    run: dict[str, Any]
    interrupted: bool

    @property
    def target_lost(self) -> bool:
        return bool(self.run.get("target_lost"))


@dataclass(frozen=True)
class Target:
    url: str
    token: str | None
    kind: str
    process: subprocess.Popen[bytes] | None = None
    redis: PrivateRedis | None = None


@dataclass(frozen=True)
class LocustExit:
    code: int
    interrupted: bool
    peak_memory: int
    target_lost: str | None


def _locustfile() -> str:
    spec = importlib.util.find_spec("stampede.locustfile")
    if spec is None or spec.origin is None:
        raise TargetError(f"stampede.locustfile is not importable; reinstall {DISTRIBUTION}")
    return spec.origin


def _shoppers(profile: Profile, requested: int | None) -> int:
    peak = max((s.users or 0) for s in profile.stages)
    return requested or max(10_000, round(peak * 1.2))


@contextlib.contextmanager
def _target(
    request: RunRequest, profile: Profile, run_dir: Path, echo: Echo, redis: bool
) -> Iterator[Target]:
    """The system under test, for the length of the run."""
    if request.host is not None:
        yield Target(check_url(request.host), request.admin_token, "remote")
        return
    if not redis:
        with _embedded(request, profile, run_dir, echo, []) as target:
            yield target
        return
    echo("Starting a private redis-server for --chaos redis-restart …")
    with (
        PrivateRedis(run_dir / "redis") as private,
        _embedded(request, profile, run_dir, echo, ["--redis-url", private.url]) as target,
    ):
        yield Target(target.url, target.token, target.kind, target.process, private)


@contextlib.contextmanager
def _embedded(
    request: RunRequest, profile: Profile, run_dir: Path, echo: Echo, extra: list[str]
) -> Iterator[Target]:
    from stampede.store.launcher import StoreProcess

    flash = profile.flash.sku if profile.flash else None
    args = [
        *embedded_store_args(flash, _shoppers(profile, request.shoppers)),
        "--workers",
        str(request.store_workers),
        *extra,
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
        yield Target(store.url, EMBEDDED_ADMIN_TOKEN, "embedded", store.process)


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
        "--on-worker-loss",
        request.on_worker_loss,
    ]
    if request.processes > 1:
        # a free port for the master, so two runs on one machine never collide on 5557
        # the forked workers connect to --master-port, so both must name it
        port = str(free_port())
        command += ["--processes", str(request.processes)]
        command += ["--master-bind-port", port, "--master-port", port]
        command += ["--expect-workers-max-wait", "60"]  # fail, never hang, if none connect
    if request.seed is not None:
        command += ["--stampede-seed", str(request.seed)]
    return command


def _stop(child: subprocess.Popen[bytes]) -> int:
    # one SIGINT: Locust stops gracefully and writes what it measured (a second
    # one, arriving while it stops its users, would kill it before it writes)
    return stop_child(child, signal.SIGINT, group=False, timeout_s=60)


def _run_locust(
    command: list[str], run_dir: Path, watch: TargetWatch, every_s: float
) -> LocustExit:
    """Run the Locust child to its end, to Ctrl-C, or until the target dies."""
    with (run_dir / "locust.out").open("wb") as out:
        # Locust leads its own process group, so a terminal's Ctrl-C reaches only
        # this process, which then stops Locust once (see _stop)
        child = subprocess.Popen(command, stdout=out, process_group=0)
        memory = TreeMemory(child.pid).start()
        try:
            while True:
                try:
                    code = child.wait(timeout=every_s)
                    return LocustExit(code, False, memory.stop(), None)
                except subprocess.TimeoutExpired:
                    pass
                lost = watch.check()
                if lost is not None:
                    return LocustExit(_stop(child), True, memory.stop(), lost)
        except KeyboardInterrupt:
            return LocustExit(_stop(child), True, memory.stop(), None)
        finally:
            watch.close()


def _watch(request: RunRequest, target: Target) -> TargetWatch:
    return TargetWatch(target.url, target.process, down_after_s=request.target_down_after_s)


def _store_cpu(target: Target) -> CpuSampler | None:
    """Sample the embedded store's CPU each second, on Unix time like Locust's history."""
    if target.process is None:
        return None
    sampler = CpuSampler(clock=time.time, sample=partial(process_cpu_times, target.process.pid))
    sampler.start()
    return sampler


def _write_store_cpu(run_dir: Path, samples: tuple[CpuSample, ...]) -> None:
    """store-cpu.json: cores the store used per second (a capacity plan splits them by service)."""
    rows = [{"at": round(s.at, 3), "cores": round(s.core_percent / 100.0, 4)} for s in samples]
    write_json(run_dir / "store-cpu.json", {"interval_s": 1.0, "samples": rows})


def _injector(
    specs: tuple[FaultSpec, ...], target: Target, run_dir: Path, profile: Profile
) -> Injector | None:
    if not specs:
        return None
    assert target.process is not None and target.token is not None, "checked: embedded only"
    chaos = ChaosTarget(target.url, target.token, target.process.pid, target.redis)
    return Injector(specs, chaos, run_dir, profile.flash.opens_at_s if profile.flash else None)


def execute(request: RunRequest, echo: Echo) -> RunResult:
    require_extra("load", "stampede run")
    if request.host is None:
        require_extra("store", "stampede run without --host (the embedded store)")
    profile = load_profile(request.profile).scaled(request.scale, request.time_scale)
    specs = chaos_specs(request.chaos, profile, request.host, request.store_args)
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
    with _target(request, profile, run_dir, echo, needs_private_redis(specs)) as target:
        echo(
            f"Target: {target.url} ({target.kind}); Ctrl-C stops the run, keeping what was measured"
        )
        injector = _injector(specs, target, run_dir, profile)
        if injector is not None:
            injector.start()
        store_cpu = _store_cpu(target)
        try:
            ended = _run_locust(
                _locust_command(request, profile, target.url, run_dir),
                run_dir,
                _watch(request, target),
                request.watch_interval_s,
            )
        finally:
            faults = injector.stop() if injector is not None else []
            if store_cpu is not None:
                _write_store_cpu(run_dir, store_cpu.stop())
        audit = summary = None
        if ended.target_lost is None:
            audit = fetch_admin(target.url, target.token, "/admin/audit")
            summary = fetch_admin(target.url, target.token, "/admin/summary")
    outcome = _Outcome(target.kind, ended, audit, summary, faults)
    try:
        return _finish(request, run_dir, outcome, echo)
    except StampedeError as exc:
        _mark_incomplete(run_dir, str(exc))
        raise


@dataclass(frozen=True)
class _Outcome:
    kind: str
    ended: LocustExit
    audit: dict[str, Any] | None
    summary: dict[str, Any] | None
    faults: list[dict[str, Any]]


def _mark_incomplete(run_dir: Path, why: str) -> None:
    """Best effort: the disk that refused a file may refuse this too."""
    with contextlib.suppress(StampedeError):
        rundir = RunDir(run_dir)
        if rundir.has("run.json"):
            rundir.update_run({"complete": False, "write_error": why})


def _finish(request: RunRequest, run_dir: Path, outcome: _Outcome, echo: Echo) -> RunResult:
    rundir = RunDir(run_dir)
    ended = outcome.ended
    if not rundir.has("run.json"):
        if ended.code == WRITE_FAILED:
            raise ConfigError(
                f"cannot write the run directory {run_dir}: Locust could not save its "
                "measurements (its error is above); nothing there is a complete run"
            )
        raise TargetError(
            f"Locust exited with code {ended.code} before measuring anything; see "
            f"{run_dir / 'locust.log'} and {run_dir / 'locust.out'}"
        )
    if outcome.audit is not None:
        write_json(run_dir / "audit.json", outcome.audit)
    if outcome.summary is not None:
        write_json(run_dir / "store-summary.json", outcome.summary)
    if outcome.faults:
        write_json(run_dir / "chaos.json", {"faults": outcome.faults})
    run = rundir.run()
    interrupted = ended.interrupted or bool(run.get("interrupted"))
    fields: dict[str, Any] = {
        "target": outcome.kind,
        # the replicas a capacity plan measured: every service ran in each worker
        "store_workers": request.store_workers if outcome.kind == "embedded" else None,
        "command": request.command,
        "locust_exit_code": ended.code,
        "interrupted": interrupted,
        "audit_ok": None if outcome.audit is None else bool(outcome.audit.get("ok")),
        "generator_sizing": _sizing(rundir, run),
        "generator_peak_memory_mb": round(ended.peak_memory / 2**20, 1),
        "chaos": outcome.faults,
        "complete": False,
    }
    if ended.target_lost is not None:
        fields["target_lost"] = ended.target_lost
        fields["stop_reason"] = f"the target died: {ended.target_lost}"
    run = rundir.update_run(fields)
    if request.report:
        _report(run_dir, echo)
    run = rundir.update_run({"complete": True})
    return RunResult(run_dir, run, interrupted)


def _sizing(rundir: RunDir, run: dict[str, Any]) -> dict[str, float | str]:
    latency = rundir.latency()
    cpu = rundir.cpu()
    cpu_seconds = sum(s["core_percent"] for s in cpu) / 100.0  # one-second samples
    users = rundir.users()
    duration = max(float(run.get("duration_s", 0)), 1e-9)
    memory = memory_per_user(
        [u["t"] for u in users],
        [u["running"] for u in users],
        [u.get("rss_bytes", 0.0) for u in users],  # absent from runs made before it was
        peak_above_idle_bytes=float(run.get("generator", {}).get("memory_above_idle_bytes", 0)),
    )
    footprint = GeneratorFootprint(
        requests=latency.count(),
        cpu_seconds=cpu_seconds,
        peak_users=max((u["running"] for u in users), default=0.0),
        memory=memory,
        peak_rps=_peak_rps(rundir, latency.count() / duration),
        scale=float(run.get("scale", 1.0)),
    )
    return full_scale_workers(footprint)


def _peak_rps(rundir: RunDir, fallback: float) -> float:
    """The highest request rate Locust reported (its rate is a moving average over seconds)."""
    rates = [
        float(row["Requests/s"])
        for row in rundir.read_csv("locust_stats_history.csv")
        if row.get("Name") == "Aggregated" and row.get("Requests/s") not in (None, "")
    ]
    return max([*rates, fallback])


def _report(run_dir: Path, echo: Echo) -> None:
    try:
        from stampede.reports import write_report
    except ImportError:
        return
    path = write_report(run_dir)
    echo(f"Report: {path}")
