"""Settling checkouts a dead worker left half-done.

A worker killed mid-checkout (``kill-worker`` chaos, an OOM kill, a deploy)
leaves its order ``pending``, perhaps with stock held and the money already
captured: the shopper got no answer and the audit would find a capture
without a paid order. Every worker's sweeper, and the audit, settle such
orders once they are older than any live checkout can be:

* the stock was committed (the saga's last step before the order row): the
  sale happened, so the order is rolled *forward* to ``paid`` and its
  notification queued, exactly as checkout would have;
* otherwise it is rolled *back*: the payment voided (refunded if captured),
  the hold released and the order marked ``failed``.

Every step is idempotent and conditional on the order still being
``pending``, so several workers may sweep at once. Design notes: docs/chaos.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import msgspec

from stampede.store.db import Row
from stampede.store.services import Services

#: a checkout older than this is no longer running anywhere (it takes well under a second)
STALE_CHECKOUT_S = 30.0
_encoder = msgspec.json.Encoder()


async def settle_stale_checkouts(
    services: Services, older_than_s: float, clock: Callable[[], float] = time.time
) -> int:
    """Roll every stale pending order forward or back; returns how many were settled."""
    cutoff = clock() - older_than_s
    rows = await services.orders.db.fetch_all(
        "SELECT id, user_id, total_cents FROM orders WHERE status = 'pending' "
        "AND updated_at < :cutoff ORDER BY id",
        {"cutoff": cutoff},
    )
    settled = 0
    for row in rows:
        ref = str(row["id"])
        if await _committed(services, ref):
            settled += await _roll_forward(services, row, clock())
        else:
            settled += await _roll_back(services, row["id"], ref, clock())
    return settled


async def _committed(services: Services, ref: str) -> bool:
    row = await services.inventory.db.fetch_one(
        "SELECT COUNT(*) AS n FROM reservations WHERE order_ref = :ref AND status = 'committed'",
        {"ref": ref},
    )
    return row is not None and row["n"] > 0


async def _roll_forward(services: Services, row: Row, now: float) -> int:
    order_id = int(row["id"])
    event = _encoder.encode(
        {"order_id": order_id, "user_id": row["user_id"], "total_cents": row["total_cents"]}
    )
    async with services.orders.db.transaction() as tx:
        changed = await tx.execute(
            "UPDATE orders SET status = 'paid', updated_at = :now "
            "WHERE id = :id AND status = 'pending'",
            {"id": order_id, "now": now},
        )
        if changed:
            await tx.execute(
                "INSERT INTO outbox (event_type, payload, created_at) "
                "VALUES ('order_paid', :payload, :now)",
                {"payload": event, "now": now},
            )
    return int(changed > 0)


async def _roll_back(services: Services, order_id: int, ref: str, now: float) -> int:
    payments = await services.payments.db.fetch_all(
        "SELECT id FROM payments WHERE order_ref = :ref", {"ref": ref}
    )
    for payment in payments:
        await services.payments.void(payment["id"])
    await services.inventory.release(ref)
    changed = await services.orders.db.execute(
        "UPDATE orders SET status = 'failed', updated_at = :now "
        "WHERE id = :id AND status = 'pending'",
        {"id": order_id, "now": now},
    )
    return int(changed > 0)
