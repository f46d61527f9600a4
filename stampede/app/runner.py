"""``stampede run``: one load test from profile to report.

1. validate the profile and flags (before anything starts), resolve and
   scale the profile once and write it to the run directory (``profile.yaml``);
2. start the embedded store on a free port (with a private Redis or RabbitMQ
   when a ``--chaos redis-restart`` or ``broker-*`` asks for one, on ``--queue``
   when given; on cores apart from the generator's), or check the host answers;
3. run Locust headless in a child process (it monkey-patches the standard
   library, so it never runs inside this one) on that profile file, showing
   its progress lines, while the chaos injector breaks things on schedule and
   a watchdog ends the run if the target dies;
4. after the traffic — finished, failed, interrupted with Ctrl-C or cut short
   by a dead target — audit the store, size the generator, write the report
   and then the run's final record (:mod:`stampede.app.run_finish`).

The command line, the files and the exit codes the two processes share are
in :mod:`stampede.core.protocol`. Whatever happened, what was measured stays
in the run directory; ``run.json`` says ``complete: true`` only once every
file of the run was written.
"""

from __future__ import annotations

import contextlib
import importlib.util
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import IO

from stampede.app.chaos import ChaosTarget, FaultSpec, Injector, PrivateRedis
from stampede.app.chaos._rabbit import PrivateRabbit
from stampede.app.isolation import isolate
from stampede.app.queue_watch import QueueWatch
from stampede.app.run_checks import (
    chaos_specs,
    database_url,
    needs_private_broker,
    needs_private_redis,
    store_flag,
)
from stampede.app.run_finish import AfterTraffic, LocustExit, RunResult, RunSources, finish_run
from stampede.app.target import (
    EMBEDDED_ADMIN_TOKEN,
    check_reachable,
    check_url,
    embedded_store_args,
    fetch_admin,
    store_data_dir,
)
from stampede.app.user_locustfile import (
    ResolvedTarget,
    UserLocustfile,
    check_users,
    inspect_locustfile,
    resolve_target,
)
from stampede.app.watchdog import TargetWatch
from stampede.core.cpu import CpuSample, CpuSampler, process_cpu_times
from stampede.core.errors import TargetError
from stampede.core.extras import require_extra
from stampede.core.generator import TreeMemory
from stampede.core.ports import free_port
from stampede.core.processes import stop_child
from stampede.core.protocol import LOCUST_ERR, LOCUST_OUT, STORE_CPU_FILE, TARGET_FILE, ChildArgs
from stampede.core.queue_samples import write_queue
from stampede.core.records import CoreIsolation, RunRecord
from stampede.core.rundir import RunDir, new_run_dir, use_run_dir, write_json, write_text
from stampede.core.version import DISTRIBUTION
from stampede.profiles import Profile, load_profile

Echo = Callable[[str], None]
_MODELS = {
    "closed": "closed model (a number of users, each with think times)",
    "open": "open model (arrivals per second, whatever the target does)",
}


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
    #: pin the embedded store and the generator to separate cores; None: as the profile says
    isolation: bool | None = None
    store_args: tuple[str, ...] = ()
    shoppers: int | None = None
    seed: int | None = None
    report: bool = True
    command: str = ""
    chaos: tuple[str, ...] = ()
    #: amqp://… the embedded store's order events go through (None: its in-database outbox)
    queue: str | None = None
    on_worker_loss: str = "continue"
    target_down_after_s: float = 5.0
    watch_interval_s: float = 1.0
    #: the user's own locustfile (None: the bundled scenarios) and target description
    locustfile: Path | None = None
    target: Path | None = None


@dataclass(frozen=True)
class SystemUnderTest:
    """The target of the run: the embedded store (with its process) or the user's host."""

    url: str
    token: str | None
    kind: str
    process: subprocess.Popen[bytes] | None = None
    redis: PrivateRedis | None = None
    broker: PrivateRabbit | None = None
    #: the broker and queue the embedded store's notifications go through, if any
    queue_url: str | None = None
    queue_name: str | None = None
    #: the embedded store's and the generator's CPU cores (None: the user's host)
    isolation: CoreIsolation | None = None


def _locustfile(module: str | None) -> str:
    spec = importlib.util.find_spec(module or "stampede.locustfile")
    if spec is None or spec.origin is None:
        raise TargetError(f"stampede.locustfile is not importable; reinstall {DISTRIBUTION}")
    return spec.origin


def _shoppers(profile: Profile, requested: int | None) -> int:
    return requested or max(10_000, round(max((s.users or 0) for s in profile.stages) * 1.2))


@contextlib.contextmanager
def _system(
    request: RunRequest, profile: Profile, run_dir: Path, echo: Echo, specs: tuple[FaultSpec, ...]
) -> Iterator[SystemUnderTest]:
    """The system under test, for the length of the run."""
    if request.host is not None:
        yield SystemUnderTest(check_url(request.host), request.admin_token, "remote")
        return
    with contextlib.ExitStack() as stack:
        extra: list[str] = []
        redis = broker = None
        if needs_private_redis(specs):
            echo("Starting a private redis-server for --chaos redis-restart …")
            redis = stack.enter_context(PrivateRedis(run_dir / "redis"))
            extra += ["--redis-url", redis.url]
        queue_url = request.queue or store_flag(request.store_args, "--queue")
        if needs_private_broker(specs):
            echo("Starting a private rabbitmq-server for --chaos broker-* …")
            broker = stack.enter_context(PrivateRabbit(run_dir / "rabbitmq"))
            queue_url = broker.url
        queue_name = None
        if queue_url is not None:
            queue_name = store_flag(request.store_args, "--queue-name") or (
                f"stampede.{run_dir.name}.notifications"
            )
            extra += ["--queue", queue_url, "--queue-name", queue_name]
        sut = stack.enter_context(_embedded(request, profile, run_dir, echo, extra))
        yield replace(sut, redis=redis, broker=broker, queue_url=queue_url, queue_name=queue_name)


@contextlib.contextmanager
def _embedded(
    request: RunRequest, profile: Profile, run_dir: Path, echo: Echo, extra: list[str]
) -> Iterator[SystemUnderTest]:
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
    with store, isolate(store.process, echo, request.isolation, profile.isolation) as cores:
        sut = SystemUnderTest(store.url, EMBEDDED_ADMIN_TOKEN, "embedded", store.process)
        yield replace(sut, isolation=cores)


def _locust_command(
    request: RunRequest, profile: Profile, url: str, run_dir: Path, traffic: Path
) -> list[str]:
    # a free port for the master, so two runs on one machine never collide on 5557
    port = free_port() if request.processes > 1 else None
    own = request.locustfile
    return ChildArgs(
        # with a locustfile of the user's: Stampede's hooks and shape, then the user's classes
        locustfile=_locustfile("stampede.scenarios.hooks_locustfile" if own else None),
        traffic=traffic,
        host=url,
        run_dir=run_dir,
        shoppers=_shoppers(profile, request.shoppers),
        target=run_dir / TARGET_FILE,
        user_locustfile=own.resolve() if own is not None else None,
        on_worker_loss=request.on_worker_loss,
        processes=request.processes,
        master_port=port,
        seed=request.seed,
    ).argv()


def _stop(child: subprocess.Popen[bytes]) -> int:
    # one SIGINT: Locust stops and writes what it measured (a second would kill it first)
    return stop_child(child, signal.SIGINT, group=False, timeout_s=60)


#: the child's line that ends the run's console output: Locust's tables follow it
_WRITTEN = b"Stampede: run written to "


def _relay(stream: IO[bytes], keep: IO[bytes], echo: Echo) -> None:
    """Keep every line of the child's stderr; show the user its progress, Stampede's own
    lines and any error, but not Locust's statistics tables after the run was written
    (the report has them, with the corrected numbers)."""
    written = False
    for line in stream:
        keep.write(line)
        if not written or line.startswith(b"Stampede:"):
            echo(line.decode(errors="replace").rstrip("\n"))
        written = written or line.startswith(_WRITTEN)


def _run_locust(
    command: list[str], run_dir: Path, watch: TargetWatch, every_s: float, echo: Echo
) -> LocustExit:
    """Run the Locust child to its end, to Ctrl-C, or until the target dies."""
    with (run_dir / LOCUST_OUT).open("wb") as out, (run_dir / LOCUST_ERR).open("wb") as err:
        # Locust leads its own process group, so a terminal's Ctrl-C reaches only
        # this process, which then stops Locust once (see _stop)
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE, process_group=0)
        assert child.stderr is not None
        relay = threading.Thread(target=_relay, args=(child.stderr, err, echo), daemon=True)
        relay.start()
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
            relay.join(timeout=30)


def _watch(request: RunRequest, sut: SystemUnderTest) -> TargetWatch:
    return TargetWatch(sut.url, sut.process, down_after_s=request.target_down_after_s)


def _store_cpu(sut: SystemUnderTest) -> CpuSampler | None:
    """Sample the embedded store's CPU each second, on Unix time like Locust's history."""
    if sut.process is None:
        return None
    sampler = CpuSampler(clock=time.time, sample=partial(process_cpu_times, sut.process.pid))
    sampler.start()
    return sampler


def _queue_watch(sut: SystemUnderTest) -> QueueWatch | None:
    """Sample the store's notifications queue each second (queue.json), when it has one."""
    if sut.queue_url is None or sut.queue_name is None:
        return None
    return QueueWatch(sut.queue_url, sut.queue_name, sut.url).start()


def _stop_samplers(run_dir: Path, store_cpu: CpuSampler | None, queue: QueueWatch | None) -> None:
    if store_cpu is not None:
        _write_store_cpu(run_dir, store_cpu.stop())
    if queue is not None:
        write_queue(run_dir, queue.stop())


def _write_store_cpu(run_dir: Path, samples: tuple[CpuSample, ...]) -> None:
    """store-cpu.json: cores the store used per second (a capacity plan splits them by service)."""
    rows = [{"at": round(s.at, 3), "cores": round(s.core_percent / 100.0, 4)} for s in samples]
    write_json(run_dir / STORE_CPU_FILE, {"interval_s": 1.0, "samples": rows})


def _injector(
    request: RunRequest,
    specs: tuple[FaultSpec, ...],
    sut: SystemUnderTest,
    run_dir: Path,
    profile: Profile,
) -> Injector | None:
    if not specs:
        return None
    assert sut.process is not None and sut.token is not None, "checked: embedded only"
    chaos = ChaosTarget(
        sut.url,
        sut.token,
        sut.process.pid,
        sut.redis,
        sut.broker,
        database_url(request.store_args),
    )
    return Injector(specs, chaos, run_dir, profile.flash.opens_at_s if profile.flash else None)


def _own_files(
    request: RunRequest, profile: Profile
) -> tuple[UserLocustfile | None, ResolvedTarget]:
    """The user's locustfile (checked against the profile's mix) and the target description."""
    own = None
    if request.locustfile is not None:
        own = inspect_locustfile(request.locustfile)
        check_users(profile, own)
    return own, resolve_target(request.target, profile, request.profile)


def execute(request: RunRequest, echo: Echo) -> RunResult:
    require_extra("load", "stampede run")
    if request.host is None:
        require_extra("store", "stampede run without --host (the embedded store)")
    profile = load_profile(request.profile).scaled(request.scale, request.time_scale)
    specs = chaos_specs(request.chaos, profile, request.host, request.store_args, request.queue)
    own, target = _own_files(request, profile)
    if request.host is not None:
        check_reachable(check_url(request.host), target.description.health)
    if request.out_dir is not None:
        run_dir = use_run_dir(request.out_dir)
    else:
        run_dir = new_run_dir(request.out_root, profile.name)
    echo(f"Run directory: {run_dir}")
    echo(
        f"Profile {profile.name}: scale {profile.applied_scale:g}, time scale "
        f"{profile.applied_time_scale:g}, {profile.duration_s:.0f} s, {_MODELS[profile.model]}"
    )
    # resolved and scaled once, here: the child runs these files as they are
    write_text(run_dir / TARGET_FILE, target.text)
    traffic = RunDir(run_dir).write_profile(replace(profile, target=TARGET_FILE))
    with _system(request, profile, run_dir, echo, specs) as sut:
        echo(f"Target: {sut.url} ({sut.kind}); Ctrl-C stops the run, keeping what was measured")
        injector = _injector(request, specs, sut, run_dir, profile)
        if injector is not None:
            injector.start()
        store_cpu = _store_cpu(sut)
        queue = _queue_watch(sut)
        try:
            ended = _run_locust(
                _locust_command(request, profile, sut.url, run_dir, traffic),
                run_dir,
                _watch(request, sut),
                request.watch_interval_s,
                echo,
            )
        finally:
            faults = injector.stop() if injector is not None else []
            _stop_samplers(run_dir, store_cpu, queue)
        audit = summary = None
        if ended.target_lost is None:
            audit = fetch_admin(sut.url, sut.token, target.description.audit)
            summary = fetch_admin(sut.url, sut.token, target.description.summary)
    after = AfterTraffic(sut.kind, ended, audit, summary, tuple(faults), sut.isolation)
    sources = RunSources(
        str(own.path) if own else None,
        own.sha256 if own else None,
        str(target.file) if target.file else None,
    )
    return finish_run(
        RunDir(run_dir),
        after,
        command=request.command,
        store_workers=request.store_workers,
        sources=sources,
        report=_report if request.report else None,
    )


def _report(run_dir: Path, record: RunRecord) -> Path | None:
    """Write the run's report; its path goes into the final summary, after the verdict."""
    try:
        from stampede.reports import write_report
    except ImportError:
        return None
    return write_report(run_dir, record=record)
