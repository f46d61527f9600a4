"""A probe run directory of six exact plateaus of a store of our own (no noise), for
known answers of ``stampede plan``: :func:`write_probe`.

Each user looks at the goods four times a second and pays once; of each second's
payments :data:`SOLD_OUT_SHARE` were answered 410 sold out, which the task accepted (a
success to Locust). The description is Bazaar's, cut down: storefront, till, the
accounts its users log in to and the mailer paid orders drive.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stampede.core.latency import LatencyTimeline
from stampede.core.outcomes import OutcomeCounter
from stampede.core.protocol import OUTCOMES_FILE, TARGET_FILE, TIMELINE_FILE
from stampede.core.records import RunRecord
from stampede.core.rundir import RunDir, write_json, write_text
from stampede.profiles import load_profile
from tests.capacity.synthetic import T0, exact_history
from tests.cli import CliResult, run_cli
from tests.core.samples import measured_run, runner_facts

LEVELS = (10, 20, 30, 40, 50, 60)
SECONDS = 40
#: requests per user-second: four looks at the goods, one payment
PER_USER = (("GET", "/goods/[sku]", 4), ("POST", "/basket/pay", 1))
#: of each user's payment a second, this share was answered 410 sold out (a success)
SOLD_OUT_SHARE = 0.4
TARGET = """\
name: shop
groups:
  browse: ["GET /goods*"]
  login: ["POST /auth/token"]
  pay: ["POST /basket/pay"]
services:
  storefront: [browse]
  accounts: [login]
  till: [pay]
derived_services:
  mailer: {per_success_of: "POST /basket/pay", calls: 1}
orders: "POST /basket/pay"
outcomes:
  - {status: 410, name: sold_out}
"""


def write_probe(path: Path, *, answers: bool = True, logins: int = 0) -> Path:
    """The probe run at ``path``, its stats history, timeline.json and outcomes.json
    exact. ``answers``: outcomes.json tallies the sold-out answers by request (a run
    recorded before they were tallied has none); ``logins``: log-ins done in the run's
    first second, before any plateau (``on_start``: in the history, not the timeline)."""
    rundir = RunDir(path)
    path.mkdir()
    rundir.write_profile(load_profile("capacity-probe").scaled(0.005, 0.5))
    rundir.write_record(RunRecord(measured_run(), runner_facts(store_workers=None)))
    write_text(rundir.file(TARGET_FILE), TARGET)
    opening = (("POST", "/auth/token", logins),) if logins else ()
    history = exact_history(LEVELS, PER_USER, seconds=SECONDS, opening=opening)
    history.to_csv(rundir.file("locust_stats_history.csv"), index=False)
    outcomes, timeline = OutcomeCounter(1.0), LatencyTimeline(1.0, 0.0)
    second = T0  # the row at T0 + k counts the second [T0 + k - 1, T0 + k)
    for users in LEVELS:
        for _ in range(SECONDS):
            for kind, name, rate in PER_USER:
                for _ in range(users * rate):  # each done mid-second, 10 ms after its send
                    timeline.record(f"{kind} {name}", second + 0.49, second + 0.49, second + 0.5)
            sold_out = round(users * SOLD_OUT_SHARE)
            outcomes.add("sold_out", second + 0.5, sold_out)
            outcomes.add("paid", second + 0.5, users - sold_out)
            if answers:
                outcomes.add_answer("POST /basket/pay", "sold_out", second + 0.5, sold_out)
            second += 1
    write_json(rundir.file(OUTCOMES_FILE), outcomes.to_dict())
    write_json(rundir.file(TIMELINE_FILE), timeline.to_dict())
    return path


def plan(run_dir: Path, *args: str) -> tuple[CliResult, dict[str, Any]]:
    """``stampede plan RUN_DIR ARGS --no-charts`` and the plan.json it wrote."""
    done = run_cli("plan", str(run_dir), *args, "--no-charts")
    assert done.returncode == 0, done.stdout + done.stderr
    written = json.loads((run_dir / "capacity" / "plan.json").read_text())
    assert isinstance(written, dict)
    return done, written
