"""Locust event hooks: options, the traffic context, worker reports, progress, artifacts.

Importing this module registers nothing: :func:`install` adds the hooks to
Locust's ``events``, and ``locustfile.py`` calls it. They make plain
``locust -f locustfile.py --traffic flash-sale`` behave as Stampede: every
process records corrected latencies, workers ship them to the master with
their stats, and the master writes the run directory when the test stops.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

import gevent
from gevent.event import Event
from locust.argument_parser import get_parser
from locust.event import Events
from locust.runners import MasterRunner, WorkerRunner

from stampede.core import protocol
from stampede.core.errors import StampedeError
from stampede.core.rundir import new_run_dir, write_json
from stampede.profiles import ThinkTime, available_profiles
from stampede.scenarios import _handshake as handshake
from stampede.scenarios import _web_ui as web_ui
from stampede.scenarios._greenlets import stop_csv_writer
from stampede.scenarios._run_state import RunState
from stampede.scenarios._user import client_timeout_s, is_stampede_user, mix_name
from stampede.traffic import (
    INTENDED_KEY,
    REPORT_KEY,
    ProcessMeasurements,
    TrafficContext,
    TrafficOptions,
    UserClassInfo,
    check_mix,
    response_text,
    timed_out,
)


def install(events: Events) -> None:
    """Add Stampede's options and hooks to ``events`` (``locust.events``); again adds nothing.

    A second call (a locustfile that imports another which installs too)
    replaces the listeners instead of doubling them: one set of options, one
    context per process, one run directory.
    """
    for hook, listener in (
        (events.init_command_line_parser, add_options),
        (events.init, create_context),
        (events.test_start, on_test_start),
        (events.test_stopping, on_test_stopping),
        (events.test_stop, on_test_stop),
        (events.quitting, on_quitting),
        (events.quit, stop_csv_writer),
    ):
        with contextlib.suppress(ValueError):  # not installed there yet
            hook.remove_listener(listener)
        hook.add_listener(listener)


def add_options(parser: Any) -> None:
    group = parser
    group.add_argument(
        protocol.TRAFFIC,
        default=os.environ.get("STAMPEDE_TRAFFIC"),
        help=(
            f"traffic profile: {', '.join(available_profiles())} or a .yaml path (default "
            f"smoke; a worker runs its master's); {web_ui.DISABLED_NOTE}"
        ),
        include_in_web_ui=True,
    )
    group.add_argument(
        protocol.SCALE,
        type=float,
        default=None,
        include_in_web_ui=True,
        help="users and rates times this (default: the profile's)",
    )
    group.add_argument(
        protocol.TIME_SCALE,
        type=float,
        default=None,
        include_in_web_ui=True,
        help="durations times this (default: the profile's)",
    )
    group.add_argument(
        protocol.OUT,
        default=None,
        include_in_web_ui=False,
        help="run directory to write (default runs/<time>-<profile>)",
    )
    group.add_argument(
        protocol.SHOPPERS,
        type=int,
        default=None,
        help="seeded shopper accounts on the target (shopper1 … N; default 10000)",
    )
    group.add_argument(
        protocol.LATENESS_TOLERANCE,
        type=float,
        default=None,
        help="ms after its intended time a request still counts as on time (default 50)",
    )
    group.add_argument(
        protocol.PROGRESS_INTERVAL,
        type=float,
        default=5.0,
        help="seconds between progress lines (0: none)",
    )
    group.add_argument(protocol.SEED, type=int, default=None, help="seed for reproducible traffic")
    _add_target_option(group)
    group.add_argument(
        protocol.ON_WORKER_LOSS,
        choices=protocol.WORKER_LOSS_CHOICES,
        default="continue",
        help="when a worker process disappears: go on with the rest, or stop the run",
    )


def _add_target_option(group: Any) -> None:
    group.add_argument(
        protocol.TARGET,
        default=os.environ.get("STAMPEDE_TARGET") or None,
        help="target description YAML: endpoint groups, services, outcomes "
        "(default: the profile's target:, else the reference store's)",
    )


def _fail(message: str) -> None:
    sys.stderr.write(f"Error: {message}\n")
    sys.stderr.flush()
    os._exit(protocol.CONFIG_FAILED)  # inside Locust's start-up: an exit code, no traceback


def _is_worker(environment: Any) -> bool:
    if isinstance(environment.runner, WorkerRunner):
        return True
    return bool(getattr(environment.parsed_options, "worker", False))


def _initialised(environment: Any) -> Event:
    """Set once init has built the traffic context (see on_test_start)."""
    ready: Event | None = getattr(environment, "stampede_initialised", None)
    if ready is None:
        ready = Event()
        environment.stampede_initialised = ready
    return ready


def _own_options(environment: Any) -> Any:
    """This process's own command line (and environment, config file) as Locust parsed it.

    On a worker it is parsed again: a spawn that raced Locust's init (see
    on_test_start) has already written the master's options over
    ``environment.parsed_options``, and the worker must refuse flags that
    contradict the master's, and must not read the master's profile path.
    """
    if not _is_worker(environment):
        return environment.parsed_options
    return get_parser().parse_args()


def create_context(environment: Any, **_: Any) -> None:
    own = _own_options(environment)
    try:
        ctx = TrafficContext.create(TrafficOptions.from_parsed(own))
    except StampedeError as exc:
        _fail(str(exc))
        return
    environment.stampede = ctx
    # the environment's context, which a worker replaces with its master's traffic
    environment.events.request.add_listener(partial(_on_request, environment))
    try:
        if isinstance(environment.runner, WorkerRunner):
            # the master dispatches the users by its profile; every class stays spawnable here
            handshake.check_early(environment, ctx, own)
            _pace_plain_users(environment.user_classes, ctx)
        else:
            environment.stampede_user_classes = list(environment.user_classes)
            _weigh_user_classes(environment, ctx)
            web_ui.extend(environment)
    except StampedeError as exc:
        _fail(str(exc))
        return
    if isinstance(environment.runner, MasterRunner):
        handshake.offer(environment)
        if environment.parsed_options.on_worker_loss == "continue":
            # Locust's own rebalancing: a lost worker's users go to the workers left
            # (and a worker that joins takes its share)
            environment.parsed_options.enable_rebalancing = True

    def report_to_master(data: dict[str, Any], **_: Any) -> None:
        data[REPORT_KEY] = environment.stampede.measurements.drain()

    def worker_report(client_id: str, data: dict[str, Any], **_: Any) -> None:
        if REPORT_KEY in data:
            report = data[REPORT_KEY]
            environment.stampede.measurements.absorb(report)
            if "worker" in report:
                users = int(data.get("user_count", 0))
                environment.stampede.worker_tally.note(client_id, report["worker"], users)

    _handle_ctrl_c(environment)
    environment.events.report_to_master.add_listener(report_to_master)
    environment.events.worker_report.add_listener(worker_report)
    _initialised(environment).set()


def _weigh_user_classes(environment: Any, ctx: TrafficContext) -> None:
    """Keep the user classes the profile's mix names, weighted as it says (else ConfigError).

    A plain Locust user keeps its tasks and is paced by the profile's think
    time; it is measured from Locust's request event, from its actual send.
    """
    classes = {mix_name(c): c for c in environment.stampede_user_classes}
    infos = [
        UserClassInfo(name, is_stampede_user(c), _kind(c)) for name, c in sorted(classes.items())
    ]
    ctx.uncorrected = check_mix(ctx.profile, infos, _source(environment))
    weights = ctx.profile.weights()
    kept = [c for name, c in classes.items() if weights.get(name, 0) > 0]
    for user_class in kept:
        user_class.weight = max(1, round(weights[mix_name(user_class)] * 1000))
    _pace_plain_users(kept, ctx)
    environment.user_classes[:] = kept


def _pace_plain_users(classes: list[type], ctx: TrafficContext) -> None:
    """A plain user of the mix waits the profile's think time (a StampedeUser paces itself)."""
    names = {entry.behaviour for entry in ctx.profile.mix}
    for user_class in classes:
        name = mix_name(user_class)
        if name in names and not is_stampede_user(user_class):
            user_class.wait_time = _think(ctx.think_time(name), ctx)  # type: ignore[attr-defined]


def _kind(user_class: type) -> str:
    for base in user_class.__mro__[1:]:
        if base.__module__.startswith("locust."):
            return base.__name__
    return "User"


def _source(environment: Any) -> str:
    files = str(getattr(environment.parsed_options, "locustfile", "") or "locustfile")
    mine = [f for f in files.split(",") if not f.endswith("hooks_locustfile.py")]
    return ",".join(mine) or files


def _think(think: ThinkTime, ctx: TrafficContext) -> Any:
    rng = ctx.rng(-1)

    def wait_time(user: Any) -> float:
        return think.sample(rng)

    return wait_time


def _on_request(
    environment: Any,
    request_type: str,
    name: str,
    response_time: float | None,
    response: Any = None,
    context: Any = None,
    start_time: float | None = None,
    exception: Any = None,
    **_: Any,
) -> None:
    """Every request of every user: its latencies, its status, and its business outcome."""
    ctx: TrafficContext = environment.stampede
    done = time.time()
    elapsed = (response_time or 0.0) / 1000.0
    sent = start_time if start_time is not None else done - elapsed
    done = sent + elapsed
    intended = context.get(INTENDED_KEY) if isinstance(context, dict) else None
    intended = sent if intended is None else min(float(intended), sent)
    m = ctx.measurements
    request = f"{request_type} {name}"
    m.record(request, intended, sent, done)
    status = int(getattr(response, "status_code", 0) or 0)
    m.count_status(request, status, timed_out(exception))
    rule = ctx.target.outcome_of(status, lambda: response_text(response))
    if rule is not None:
        m.outcomes.add(rule.name, done)
        if exception is None:  # a success that was a business outcome: no paid order, say
            m.outcomes.add_answer(request, rule.name, done)


def _handle_ctrl_c(environment: Any) -> None:
    """Ctrl-C reaches Locust's main greenlet, which stops the test gracefully.

    Left alone, SIGINT raises KeyboardInterrupt in whichever greenlet happens
    to run (a user, a progress line) and prints its traceback. Workers that
    ``--processes`` forked leave the stopping to their master.
    """
    options = environment.parsed_options
    if getattr(options, "worker", False) and getattr(options, "processes", None):
        gevent.signal_handler(signal.SIGINT, lambda: None)
        return
    main = gevent.getcurrent()
    gevent.signal_handler(signal.SIGINT, lambda: main.throw(KeyboardInterrupt))


def on_test_start(environment: Any, **_: Any) -> None:
    if _is_worker(environment):
        # a worker joining a running test is told to spawn while it is still connecting:
        # inside Locust's WorkerRunner(), before the environment has its runner and before
        # init (the traffic context, the master's handshake) has run; the spawn waits for it
        _initialised(environment).wait()
        if not handshake.take(environment):
            return
    elif not _follow_web_ui(environment):
        return
    ctx: TrafficContext = environment.stampede
    ctx.measurements.close()  # a web UI's previous test: its run directory is written
    ctx.measurements = ProcessMeasurements(
        1.0, ctx.options.lateness_tolerance_s, client_timeout_s(environment.user_classes)
    )
    ctx.measurements.start()
    if isinstance(environment.runner, WorkerRunner):
        return
    ctx.origin = time.time()
    if isinstance(environment.runner, MasterRunner):
        ctx.worker_count = max(1, environment.runner.worker_count)
        handshake.announce_start(environment, ctx.origin, ctx.worker_count)
    root = ctx.options.out_dir
    out = root if root is not None else new_run_dir(Path("runs"), ctx.profile.name)
    out.mkdir(parents=True, exist_ok=True)
    try:  # tells `stampede run --chaos` when run time 0 is
        write_json(out / protocol.ORIGIN_FILE, {"origin": ctx.origin})
        # the run's past seconds wait on disk until the run is written, not in memory
        ctx.measurements.spill_into(out)
    except StampedeError as exc:
        sys.stderr.write(f"Stampede: {exc}\n")
    environment.stampede_run = RunState(environment, ctx, out)


def on_test_stopping(environment: Any, **_: Any) -> None:
    state: RunState | None = getattr(environment, "stampede_run", None)
    if state is not None:
        state.stopping()


def _follow_web_ui(environment: Any) -> bool:
    """The traffic the web UI's form asked for; False (the test stopped) when it is bad."""
    try:
        web_ui.follow_form(environment)
    except StampedeError as exc:
        sys.stderr.write(f"Error: the web UI's traffic: {exc}\n")
        gevent.spawn(environment.runner.stop)
        return False
    try:
        _weigh_user_classes(environment, environment.stampede)
    except StampedeError as exc:
        sys.stderr.write(f"Error: the web UI's traffic: {exc}\n")
        gevent.spawn(environment.runner.stop)
        return False
    if isinstance(environment.runner, MasterRunner):
        handshake.publish(environment)
    return True


def on_test_stop(environment: Any, **_: Any) -> None:
    ctx: TrafficContext = environment.stampede
    ctx.measurements.stop()
    state: RunState | None = getattr(environment, "stampede_run", None)
    if state is not None:
        state.finish()


def on_quitting(environment: Any, **_: Any) -> None:
    state: RunState | None = getattr(environment, "stampede_run", None)
    if state is not None:
        state.finish()  # again: the workers' last reports may have come in since
        state.ctx.measurements.close()
