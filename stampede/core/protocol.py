"""What ``stampede run`` and its Locust child agree on: the flags, the files, the exit codes.

The parent starts ``locust`` in a child process (Locust monkey-patches the
standard library, so it never runs inside the parent); the two talk only
through the child's command line (:class:`ChildArgs`), the run directory (the
file names below) and the child's exit code. The parent resolves and scales
the profile once and hands the child that file (``--traffic
RUN_DIR/profile.yaml``), so both run the same schedule; the child writes its
:class:`~stampede.core.records.MeasuredRun` into ``run.json``, the parent the
final :class:`~stampede.core.records.RunRecord` over it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

# -- the files of a run directory --------------------------------------------------------

RUN_FILE = "run.json"
#: the profile as run: resolved and scaled once, by whoever started the run
PROFILE_FILE = "profile.yaml"
#: the target description as run (the reference store's, or the user's --target)
TARGET_FILE = "target.yaml"
LATENCY_FILE = "latency.json"
TIMELINE_FILE = "timeline.json"
#: page views by page type: a document and its API calls timed as one transaction
PAGES_FILE = "pages.json"
ARRIVALS_FILE = "arrivals.json"
OUTCOMES_FILE = "outcomes.json"
USERS_FILE = "users.json"
CPU_FILE = "cpu.json"
#: written by the child when the test starts: run time 0 in Unix time, for ``--chaos``
ORIGIN_FILE = "origin.json"
STORE_CPU_FILE = "store-cpu.json"
AUDIT_FILE = "audit.json"
STORE_SUMMARY_FILE = "store-summary.json"
CHAOS_FILE = "chaos.json"
#: the notifications queue each second (``stampede run --queue``)
QUEUE_FILE = "queue.json"
REPORT_FILE = "report.html"
#: ``--csv`` prefix: Locust writes locust_stats.csv, locust_stats_history.csv, …
LOCUST_CSV_PREFIX = "locust"
STATS_FILE = "locust_stats.csv"
HISTORY_FILE = "locust_stats_history.csv"
FAILURES_FILE = "locust_failures.csv"
EXCEPTIONS_FILE = "locust_exceptions.csv"
LOCUST_LOG = "locust.log"
LOCUST_OUT = "locust.out"
#: the child's standard error, all of it (the console gets its progress and Stampede's lines)
LOCUST_ERR = "locust.err"
#: ``stampede plan`` writes the plan into this subdirectory, plan.json first
PLAN_DIR = "capacity"
PLAN_FILE = "plan.json"

# -- the child's exit codes (besides Locust's own 0, and 1 when a request failed) -------

#: a bad option or profile, found while Locust started
CONFIG_FAILED = 3
#: the child could not write the run directory
WRITE_FAILED = 5

# -- the flags Stampede adds to Locust's command line ------------------------------------

TRAFFIC = "--traffic"
SCALE = "--scale"
TIME_SCALE = "--time-scale"
OUT = "--stampede-out"
SHOPPERS = "--shoppers"
LATENESS_TOLERANCE = "--lateness-tolerance"
PROGRESS_INTERVAL = "--progress-interval"
SEED = "--stampede-seed"
ON_WORKER_LOSS = "--on-worker-loss"
TARGET = "--stampede-target"
WORKER_LOSS_CHOICES = ("continue", "stop")


@dataclass(frozen=True)
class ChildArgs:
    """The command line of the Locust child of ``stampede run``.

    ``traffic`` is the resolved profile in the run directory, never a name to
    resolve again: the child runs it at the factors it records; ``target`` the
    target description copied there. With a ``user_locustfile`` the child loads
    ``locustfile`` (Stampede's hooks and shape, no users) and then the user's.
    """

    locustfile: str
    traffic: Path
    host: str
    run_dir: Path
    shoppers: int
    #: the target description in the run directory (None: the reference store's)
    target: Path | None = None
    #: the user's own locustfile (--locustfile), loaded after ``locustfile``: Stampede's hooks
    user_locustfile: Path | None = None
    on_worker_loss: str = "continue"
    processes: int = 1
    #: a free port for the master when ``processes > 1``
    master_port: int | None = None
    seed: int | None = None
    python: str = sys.executable
    stop_timeout_s: int = 10
    #: fail, never hang, when forked workers do not connect
    workers_max_wait_s: int = 60

    def argv(self) -> list[str]:
        run_dir = self.run_dir
        files = self.locustfile
        if self.user_locustfile is not None:
            files += f",{self.user_locustfile}"
        command = [self.python, "-m", "locust", "-f", files, "--headless"]
        command += [TRAFFIC, str(self.traffic), "--host", self.host, OUT, str(run_dir)]
        command += ["--csv", str(run_dir / LOCUST_CSV_PREFIX), "--csv-full-history"]
        command += ["--only-summary", "--logfile", str(run_dir / LOCUST_LOG)]
        command += ["--loglevel", "WARNING", SHOPPERS, str(self.shoppers)]
        command += ["--stop-timeout", str(self.stop_timeout_s)]
        command += [ON_WORKER_LOSS, self.on_worker_loss]
        if self.target is not None:
            command += [TARGET, str(self.target)]
        if self.processes > 1:
            if self.master_port is None:
                raise ValueError("ChildArgs: processes > 1 needs a master_port")
            # the forked workers connect to --master-port, so both must name it
            port = str(self.master_port)
            command += ["--processes", str(self.processes)]
            command += ["--master-bind-port", port, "--master-port", port]
            command += ["--expect-workers-max-wait", str(self.workers_max_wait_s)]
        if self.seed is not None:
            command += [SEED, str(self.seed)]
        return command
