"""Which drain rate the outbox plan uses: the queue consumers' measured one, or the stated one.

A run with ``--queue`` records the notifications queue each second (``queue.json``); the
rate its consumers took messages off while messages were waiting is what they can drain
(:meth:`~stampede.core.queue_samples.QueueRecord.drain_rate`). One message is one outbox
event. The plan uses that rate in place of the topology's ``shared.outbox_drain_per_s``
unless the topology states its own (a production consumer fleet the run did not measure),
and says in one sentence which it used and why.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from stampede.capacity._topology import SharedTiers, Topology
from stampede.core.numbers import rate


@dataclass(frozen=True)
class DrainChoice:
    """The outbox drain rate the plan uses, events per second, and why that one."""

    drain_per_s: float
    measured: bool
    reason: str


def choose_drain(
    topology: Topology, measured_per_s: float | None, queue: str | None
) -> DrainChoice:
    """The measured consumer drain rate when there is one and the topology states none.

    ``queue`` names the run's queue (None: the run had no queue); ``measured_per_s`` is its
    drain rate (None: the queue never backed up, so the run could not measure it).
    """
    stated = topology.shared.outbox_drain_per_s
    default = stated == SharedTiers().outbox_drain_per_s
    if measured_per_s is not None and measured_per_s > 0 and default:
        drained = rate(measured_per_s, "messages/s")
        return DrainChoice(
            measured_per_s,
            True,
            f"measured: the consumers of queue {queue} drained {drained} "
            "while messages were waiting (queue.json)",
        )
    if measured_per_s is not None and measured_per_s > 0:
        why = (
            f"the topology's own shared.outbox_drain_per_s, not the "
            f"{rate(measured_per_s, 'messages/s')} the run's consumers of queue {queue} measured"
        )
    elif queue is not None:
        why = (
            f"stated (shared.outbox_drain_per_s): queue {queue} never backed up in the run, "
            "so its drain rate was not measured"
        )
    else:
        why = "stated (shared.outbox_drain_per_s): the run had no queue (stampede run --queue)"
    return DrainChoice(stated, False, why)


def with_drain(topology: Topology, choice: DrainChoice) -> Topology:
    """``topology`` whose outbox drains at the chosen rate."""
    shared = dataclasses.replace(topology.shared, outbox_drain_per_s=choice.drain_per_s)
    return dataclasses.replace(topology, shared=shared)
