"""Chaos during a run: ``stampede run --chaos SPEC`` breaks the embedded store on schedule.

The grammar of a spec is in :mod:`stampede.app.chaos._spec`; how each fault is
injected in :mod:`stampede.app.chaos._faults`; design notes in ``docs/chaos.md``.
"""

from __future__ import annotations

from stampede.app.chaos._faults import ChaosTarget
from stampede.app.chaos._inject import FaultRecord, Injector, read_origin
from stampede.app.chaos._redis import PrivateRedis, redis_executable
from stampede.app.chaos._spec import FORMS, FaultSpec, check_specs, parse_spec

__all__ = [
    "FORMS",
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
