"""Chaos during a run: ``stampede run --chaos SPEC`` breaks the embedded store on schedule.

The grammar of a spec is in :mod:`stampede.chaos._spec`; how each fault is
injected in :mod:`stampede.chaos._faults`; design notes in ``docs/chaos.md``.
"""

from __future__ import annotations

from stampede.chaos._faults import ChaosTarget
from stampede.chaos._inject import ORIGIN_FILE, FaultRecord, Injector, read_origin
from stampede.chaos._redis import PrivateRedis, redis_executable
from stampede.chaos._spec import FORMS, FaultSpec, check_specs, parse_spec

__all__ = [
    "FORMS",
    "ORIGIN_FILE",
    "ChaosTarget",
    "FaultRecord",
    "FaultSpec",
    "Injector",
    "PrivateRedis",
    "check_specs",
    "parse_spec",
    "read_origin",
    "redis_executable",
]
