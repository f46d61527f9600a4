"""The measurement core of a load run, without Locust: pacing, context, measurements.

What every process of a run needs that Locust does not provide, as plain
Python that imports neither ``locust`` nor ``gevent`` (Locust monkey-patches
the standard library on import), so that it is unit-tested on a fake clock:

- `ClosedPacer` and `OpenPacer`: when each virtual user acts next, and when it
  *intended* to (coordinated omission is measured from the intended time);
- `ShopperPatience`: how long a shopper waits before it abandons a page or a checkout;
- `TrafficOptions` and `TrafficContext`: the profile as run, its schedule, user
  numbering across worker processes and seeded random generators;
- `ProcessMeasurements`: what one process measured, and its reports to the master;
- `CatalogView`: what a process has learned of the target's catalog;
  `check_mix`: the profile's mix against a locustfile's user classes;
- `MasterTraffic`: what the master tells each worker to run, and `disagreements`
  with a worker's own flags;
- `user_row`, `WorkerCount`, `WorkerTally` and `RunStop`: what the master notes during a run;
  `Progress` and `progress_line`: the line it prints every few seconds.

``stampede.scenarios`` puts these behind Locust's users, shape and event hooks.
"""

from stampede.traffic._answers import (
    INTENDED_KEY,
    MAX_RETRY_AFTER_S,
    json_list,
    json_object,
    response_text,
    retry_after,
    timed_out,
)
from stampede.traffic._catalog import SEARCH_WORDS, CatalogView
from stampede.traffic._context import TrafficContext, TrafficOptions, open_pool_size
from stampede.traffic._handshake import (
    FLAG_CHECKS,
    TRAFFIC_REFUSED_MESSAGE,
    FlagCheck,
    Locustfile,
    MasterTraffic,
    disagreements,
    refusal,
)
from stampede.traffic._measurements import REPORT_KEY, ProcessMeasurements
from stampede.traffic._mix import UserClassInfo, check_mix
from stampede.traffic._pacing import ClosedPacer, OpenPacer
from stampede.traffic._patience import ShopperPatience, patience_rng
from stampede.traffic._progress import Progress, progress_line, recent_p95_ms, shown_outcomes
from stampede.traffic._run_log import RunStop, WorkerCount, WorkerLoss, WorkerTally, user_row

__all__ = [
    "FLAG_CHECKS",
    "INTENDED_KEY",
    "MAX_RETRY_AFTER_S",
    "REPORT_KEY",
    "SEARCH_WORDS",
    "TRAFFIC_REFUSED_MESSAGE",
    "CatalogView",
    "ClosedPacer",
    "FlagCheck",
    "Locustfile",
    "MasterTraffic",
    "OpenPacer",
    "ProcessMeasurements",
    "Progress",
    "RunStop",
    "ShopperPatience",
    "TrafficContext",
    "TrafficOptions",
    "UserClassInfo",
    "WorkerCount",
    "WorkerLoss",
    "WorkerTally",
    "check_mix",
    "disagreements",
    "json_list",
    "json_object",
    "open_pool_size",
    "patience_rng",
    "progress_line",
    "recent_p95_ms",
    "refusal",
    "response_text",
    "retry_after",
    "shown_outcomes",
    "timed_out",
    "user_row",
]
