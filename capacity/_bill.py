"""Each line of the bill for holding one operating point, with its arithmetic in words.

One function, :func:`bill_lines`, prices every line and says how: the
quantities, the unit prices of the sheet and the hours, so that a reader can
redo each line with a calculator. A month is 730 hours.

- compute: Fargate tasks, vCPU-hours and GB-hours per replica;
- database: Aurora instances by the hour; its I/O from write transactions
  (each paid order's, stated per order) and read misses (stated per request),
  not from requests of the probe's mix; its storage by the GB-month;
- Redis: ElastiCache nodes by the hour;
- load balancer: the ALB hour plus its LCUs (:mod:`capacity._lcu`);
- queue: SQS requests of the outbox events, batched, one billed request per
  64 KB chunk of a call;
- data transfer out: the responses' bytes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from stampede.capacity._lcu import alb_lcus
from stampede.capacity._prices import PriceSheet
from stampede.capacity._topology import SharedTiers, Topology
from stampede.core.numbers import count, duration, money, number

HOURS_PER_MONTH = 730.0
SQS_CHUNK_KB = 64.0


@dataclass(frozen=True)
class LoadPoint:
    """Replicas per service and the traffic at one operating point (baseline or sale).

    ``total_rps`` is every user request of the demand: the load balancer and
    the data transfer are priced from it, whether or not the store has a
    service that answers them all (the reference store's gateway).
    """

    replicas: Mapping[str, int]
    demand: Mapping[str, float]
    paid_orders_per_s: float
    total_rps: float


@dataclass(frozen=True)
class BillLine:
    """One line's amount and how it was reached, in words and numbers."""

    amount: float
    how: str


def database_io_per_s(db_rps: float, orders_per_s: float, shared: SharedTiers) -> float:
    """Aurora I/Os billed a second: each paid order's write transactions, and read misses.

    A paid order is ``db_transactions_per_order`` write transactions of
    ``db_io_per_transaction`` billed I/Os each (Aurora bills the log records it
    writes, in 4 KB units, not pages); other requests mostly read from the
    buffer cache, ``db_read_io_per_request`` I/Os each. Both are stated in the
    topology, not measured.
    """
    writes = orders_per_s * shared.db_transactions_per_order * shared.db_io_per_transaction
    return writes + db_rps * shared.db_read_io_per_request


def sqs_billed_requests_per_event(shared: SharedTiers) -> float:
    """SQS requests billed per outbox event, with batching and 64 KB chunks.

    Each event is sent, received and deleted (``sqs_requests_per_event``
    calls) in batches of ``sqs_batch_size``; a call is billed one request per
    64 KB chunk of its payload, so a batch of ten 2 KB messages is one
    request: 3 × ⌈10 × 2 / 64⌉ / 10 = 0.3 billed requests per event.
    """
    batch = min(10, max(1, shared.sqs_batch_size))
    chunks = math.ceil(batch * shared.sqs_message_kb / SQS_CHUNK_KB - 1e-9)
    return shared.sqs_requests_per_event * max(1, chunks) / batch


def _compute(point: LoadPoint, hours: float, topology: Topology, prices: PriceSheet) -> BillLine:
    total, parts = 0.0, []
    for s, n in point.replicas.items():
        spec = topology.service(s)
        hour = prices.task_hour(spec.vcpu, spec.memory_gb, spec.arch)
        total += n * hour * hours
        parts.append(
            f"{s} {count(n)} × {number(hour, digits=4)} ({number(spec.vcpu)} vCPU, "
            f"{number(spec.memory_gb)} GB, {spec.arch})"
        )
    return BillLine(
        total,
        f"Fargate task-hours ({'; '.join(parts)}) × {number(hours)} h",
    )


def _database(
    point: LoadPoint, hours: float, topology: Topology, prices: PriceSheet
) -> dict[str, BillLine]:
    shared, seconds = topology.shared, hours * 3600.0
    db_rps = sum(
        rps
        for s, rps in point.demand.items()
        if s != "gateway" and topology.service(s).db_pool_size > 0
    )
    io_per_s = database_io_per_s(db_rps, point.paid_orders_per_s, shared)
    instance = prices.aurora_instance_hour(shared.db_instance)
    io_price = prices.price("aurora.io.per_million")
    gb_month = prices.price("aurora.storage.gb_month")
    return {
        "database": BillLine(
            shared.db_instances * instance * hours,
            f"{count(shared.db_instances)} Aurora {shared.db_instance} at "
            f"{number(instance)} an hour × {number(hours)} h",
        ),
        "database_io": BillLine(
            io_per_s * seconds / 1e6 * io_price,
            f"{number(point.paid_orders_per_s)} paid orders/s × "
            f"{number(shared.db_transactions_per_order)} write transactions × "
            f"{number(shared.db_io_per_transaction)} I/Os (stated) + {number(db_rps)} database "
            f"req/s × {number(shared.db_read_io_per_request)} read I/Os (buffer-cache misses, "
            f"stated) = {number(io_per_s)} I/Os/s, at {number(io_price)} a million × "
            f"{number(hours)} h",
        ),
        "database_storage": BillLine(
            shared.db_storage_gb * gb_month * hours / HOURS_PER_MONTH,
            f"{count(shared.db_storage_gb)} GB at {number(gb_month)} a GB-month × "
            f"{number(hours)} h of {count(HOURS_PER_MONTH)}",
        ),
    }


def _traffic(
    point: LoadPoint, hours: float, shared: SharedTiers, prices: PriceSheet
) -> dict[str, BillLine]:
    seconds, rps = hours * 3600.0, point.total_rps
    lcus = alb_lcus(rps, shared)
    alb_hour, lcu_hour = prices.price("alb.hour"), prices.price("alb.lcu_hour")
    events = point.paid_orders_per_s * shared.outbox_events_per_order
    per_event = sqs_billed_requests_per_event(shared)
    sqs, out_gb = prices.price("sqs.standard.per_million"), prices.price("data_transfer.out.gb")
    gb_per_s = rps * shared.bytes_per_response / 1e9
    return {
        "load_balancer": BillLine(
            (alb_hour + lcus.billed * lcu_hour) * hours,
            f"the ALB at {number(alb_hour)} an hour + {number(lcus.billed)} LCUs (the largest "
            f"of AWS's four dimensions at {count(rps)} req/s: {lcus.dimension}; new "
            f"connections {number(lcus.new_connections)}, active connections "
            f"{number(lcus.active_connections)}, processed bytes "
            f"{number(lcus.processed_bytes)}, rule evaluations {number(lcus.rule_evaluations)}"
            f", with {number(shared.alb_requests_per_connection)} requests a keep-alive "
            f"connection of {duration(shared.alb_connection_s)}, stated) at "
            f"{number(lcu_hour)} an LCU-hour × {number(hours)} h",
        ),
        "queue": BillLine(
            events * per_event * seconds / 1e6 * sqs,
            f"{number(events)} outbox events/s ({number(shared.outbox_events_per_order)} per "
            f"paid order) × {number(per_event)} billed SQS requests each (send, receive, "
            f"delete in batches of {count(shared.sqs_batch_size)}, one request per 64 KB "
            f"chunk of {number(shared.sqs_message_kb)} KB messages) at {number(sqs)} a million "
            f"× {number(hours)} h",
        ),
        "data_transfer": BillLine(
            gb_per_s * seconds * out_gb,
            f"{count(rps)} req/s × {count(shared.bytes_per_response)} bytes = "
            f"{number(gb_per_s * 3600)} GB an hour out, at {number(out_gb)} a GB × "
            f"{number(hours)} h",
        ),
    }


def bill_lines(
    point: LoadPoint, hours: float, topology: Topology, prices: PriceSheet
) -> dict[str, BillLine]:
    """Every cost line of holding ``point`` for ``hours``, with its arithmetic."""
    shared = topology.shared
    node = prices.elasticache_node_hour(shared.redis_node_type)
    return {
        "compute": _compute(point, hours, topology, prices),
        **_database(point, hours, topology, prices),
        "redis": BillLine(
            shared.redis_nodes * node * hours,
            f"{count(shared.redis_nodes)} ElastiCache {shared.redis_node_type} at "
            f"{number(node)} an hour × {number(hours)} h",
        ),
        **_traffic(point, hours, shared, prices),
    }


def explain(lines: Mapping[str, BillLine], currency: str) -> dict[str, str]:
    """Each line's arithmetic ending in its amount: ``… × 730 h = 1,234.56 USD``."""
    return {k: f"{v.how} = {money(v.amount)} {currency}" for k, v in lines.items()}
