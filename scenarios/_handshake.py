"""The master's traffic handed to each worker with Locust's own spawn message.

The vocabulary (:class:`~stampede.traffic.MasterTraffic`, the checks) is in
``stampede.traffic``; this module moves it over Locust's runners. Locust sends
the master's parsed options with every ``spawn`` message and a worker takes
the custom ones into its own before its ``test_start``; the master puts its
traffic (and, once the test starts, run time 0 and the worker count) among
them, so a worker has them exactly when its first users are about to spawn,
whenever it joined, with no message that could come too early or too late.
The worker takes the traffic, or refuses it in one line, tells the master why
(a custom message) and quits with :data:`~stampede.core.protocol.CONFIG_FAILED`.
So that a refused worker never joins a test, each worker also asks for the
master's traffic as it starts (custom messages) and refuses it then.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import Any

import gevent

from stampede.core.errors import StampedeError
from stampede.core.protocol import CONFIG_FAILED
from stampede.traffic import (
    TRAFFIC_REFUSED_MESSAGE,
    Locustfile,
    MasterTraffic,
    TrafficContext,
    TrafficOptions,
    disagreements,
    refusal,
)

#: the master's options that carry its traffic and the run's start to the workers
TRAFFIC_OPTION = "stampede_master_traffic"
START_OPTION = "stampede_run_start"
#: a worker starting up asks for the master's traffic, to refuse it before any spawn
TRAFFIC_REQUEST_MESSAGE = "stampede_traffic_request"
TRAFFIC_CHECK_MESSAGE = "stampede_traffic"


def locustfiles(environment: Any) -> list[Locustfile]:
    """The fingerprints of the locustfiles this process runs."""
    paths = environment.parsed_locustfiles or []
    return [Locustfile.of(p) for p in paths if Path(p).is_file()]


def offer(environment: Any) -> None:
    """On the master: its traffic goes with every spawn message; refusals are printed."""
    publish(environment)

    refused: set[str] = set()

    def on_refused(environment: Any, msg: Any, **_: Any) -> None:
        data = msg.data
        sys.stderr.write(
            f"Stampede: refused the worker on {data['host']} (pid {data['pid']}): "
            f"{data['reason']}\n"
        )
        refused.add(msg.node_id)
        runner = environment.runner
        if all(client.id in refused for client in runner.clients.values()):
            # Locust would stop the test when the refused worker quits, with no word of it
            sys.stderr.write(
                "Error: no worker is left to run the test: every worker connected to this "
                "master was refused; start them with only --worker --master-host\n"
            )
            sys.stderr.flush()
            _quit_refused(environment)
        sys.stderr.flush()

    def on_request(environment: Any, msg: Any, **_: Any) -> None:
        answer = getattr(environment.parsed_options, TRAFFIC_OPTION)
        environment.runner.send_message(TRAFFIC_CHECK_MESSAGE, answer, client_id=msg.node_id)

    environment.runner.register_message(TRAFFIC_REFUSED_MESSAGE, on_refused)
    environment.runner.register_message(TRAFFIC_REQUEST_MESSAGE, on_request)


def publish(environment: Any) -> None:
    """On the master: the traffic it runs now, for every spawn message from here on."""
    ctx: TrafficContext = environment.stampede
    traffic = ctx.master_traffic(locustfiles(environment))
    setattr(environment.parsed_options, TRAFFIC_OPTION, traffic.to_wire())


def announce_start(environment: Any, origin: float, workers: int) -> None:
    """On the master as its test starts: run time 0 and the workers, for every spawn after."""
    setattr(environment.parsed_options, START_OPTION, {"origin": origin, "workers": workers})


def check_early(environment: Any, own: TrafficContext, parsed: Any) -> None:
    """On a worker at start-up: note the flags it was given (``parsed``: its own command
    line, not the master's options that a spawn writes over Locust's) and ask the master
    for its traffic, to refuse before the test starts."""
    flags = TrafficOptions.explicit(parsed, own.profile)
    environment.stampede_own_flags = flags

    def on_check(environment: Any, msg: Any, **_: Any) -> None:
        try:
            master = MasterTraffic.from_wire(msg.data)
        except StampedeError as exc:
            _refuse(environment, str(exc))
            return
        found = disagreements(flags, locustfiles(environment), master)
        if found:
            _refuse(environment, refusal(found))

    # asked for once this handler is in place (Locust's worker connects before its
    # init hooks run, and drops a message it has no handler for yet)
    environment.runner.register_message(TRAFFIC_CHECK_MESSAGE, on_check)
    environment.runner.send_message(TRAFFIC_REQUEST_MESSAGE, {})


def take(environment: Any) -> bool:
    """On a worker as its test starts: run the master's traffic; False when it refused it."""
    if getattr(environment, "stampede_refused", False):
        return False
    options = environment.parsed_options
    data = getattr(options, TRAFFIC_OPTION, None)
    own: TrafficContext = environment.stampede
    if data is None:
        sys.stderr.write(
            "Stampede: the master sent no traffic (it does not run Stampede's locustfile "
            "hooks, or an older version); this worker runs its own flags' traffic\n"
        )
        return True
    try:
        master = MasterTraffic.from_wire(data)
        found = disagreements(environment.stampede_own_flags, locustfiles(environment), master)
        if found:
            _refuse(environment, refusal(found))
            return False
        ctx = TrafficContext.following(own, master)
    except StampedeError as exc:
        _refuse(environment, str(exc))
        return False
    start = getattr(options, START_OPTION, None)
    if start is not None:
        ctx.origin, ctx.worker_count = float(start["origin"]), int(start["workers"])
    ctx.worker_index = int(environment.runner.worker_index)
    environment.stampede = ctx
    return True


def _refuse(environment: Any, reason: str) -> None:
    if getattr(environment, "stampede_refused", False):
        return  # refused as it started; the spawn that raced its quit changes nothing
    environment.stampede_refused = True
    sys.stderr.write(f"Error: {reason}\n")
    sys.stderr.flush()
    runner = environment.runner
    who = {"host": socket.gethostname(), "pid": os.getpid()}
    runner.send_message(TRAFFIC_REFUSED_MESSAGE, {**who, "reason": reason})
    environment.process_exit_code = CONFIG_FAILED
    # as a worker does on the master's "quit": Locust then tells the master it is gone
    gevent.spawn(runner.greenlet.kill, block=True)


def _quit_refused(environment: Any) -> None:
    """End a headless master with exit 3: every worker it had was refused."""
    if not environment.parsed_options.headless:
        return  # the web UI's user sees the line and may start another worker
    environment.process_exit_code = CONFIG_FAILED
    if hasattr(environment, "stampede_run"):  # the test is running: stop and write it
        gevent.spawn(environment.runner.quit)
        return
    # still waiting for --expect-workers in Locust's main greenlet, which no quit ends:
    # it exits there, as it would on a usage error (there is no run to write)
    hub = gevent.get_hub()
    hub.loop.run_callback(hub.parent.throw, SystemExit(CONFIG_FAILED))
