"""The store's audit: after traffic stops, did it lose, oversell or double-charge anything?

It first runs the sweeper and drains the outbox, so that what it checks is
the settled state, then asks each service through its interface.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import msgspec

from stampede.core.numbers import money
from stampede.store.inventory.service import AuditCheck
from stampede.store.services import Services


class AuditReport(msgspec.Struct, frozen=True):
    ok: bool
    checks: list[AuditCheck]


async def audit(services: Services) -> AuditReport:
    await services.inventory.sweep()
    await services.relay.drain(wait_for_others=True)
    checks = [
        *await services.inventory.audit(),
        await _sold_matches_paid(services),
        *await _payments(services),
        await _notifications(services),
    ]
    return AuditReport(all(c.ok for c in checks), checks)


async def _sold_matches_paid(services: Services) -> AuditCheck:
    sold = {sku: n for sku, n in (await services.inventory.sold_by_sku()).items() if n}
    paid = await services.orders.paid_quantity_by_sku()
    diff = sorted(sku for sku in sold.keys() | paid.keys() if sold.get(sku, 0) != paid.get(sku, 0))
    detail = "; ".join(
        f"{sku}: sold {sold.get(sku, 0)}, paid orders hold {paid.get(sku, 0)}" for sku in diff[:5]
    )
    return AuditCheck(
        "sold_equals_paid",
        not diff,
        detail or f"sold units equal paid order quantities across {len(sold)} SKUs",
    )


async def _payments(services: Services) -> list[AuditCheck]:
    captured = await services.payments.captured()
    per_order = Counter(p.order_ref for p in captured)
    doubles = sorted(ref for ref, n in per_order.items() if n > 1)
    once = AuditCheck(
        "one_capture_per_order",
        not doubles,
        f"orders captured more than once: {', '.join(doubles[:5])}"
        if doubles
        else f"{len(captured)} captured payments, none twice",
    )
    paid = {str(r["id"]): int(r["total_cents"]) for r in await services.orders.paid_orders()}
    charged = {p.order_ref: p.amount_cents for p in captured}
    unpaid = sorted(ref for ref in charged if ref not in paid)
    uncharged = sorted(ref for ref in paid if charged.get(ref) != paid[ref])
    totals = AuditCheck(
        "captured_equals_paid",
        not unpaid and not uncharged,
        f"captured {money(sum(charged.values()) / 100)} vs paid orders "
        f"{money(sum(paid.values()) / 100)}; "
        f"captured without a paid order: {unpaid[:5]}; paid without a matching capture: "
        f"{uncharged[:5]}"
        if unpaid or uncharged
        else f"captured total {money(sum(charged.values()) / 100)} equals the {len(paid):,} "
        "paid orders' total",
    )
    return [once, totals]


#: how long the audit waits for the queue's consumers to catch up with the paid orders
QUEUE_SETTLE_S = 15.0


async def _notifications(services: Services) -> AuditCheck:
    """Exactly one notification per paid order; with a queue, once its consumers caught up."""
    deadline = time.monotonic() + (QUEUE_SETTLE_S if services.queue is not None else 0.0)
    while True:
        await services.relay.drain(wait_for_others=True)
        pending = await services.relay.pending()
        counts = await services.notifications.count_by_order()
        paid = {str(r["id"]) for r in await services.orders.paid_orders()}
        wrong = sorted(
            ref for ref in paid | counts.keys() if counts.get(ref, 0) != (1 if ref in paid else 0)
        )
        ok = not wrong and pending == 0
        if ok or time.monotonic() >= deadline:
            break
        await asyncio.sleep(0.2)  # the consumers are other tasks and processes
    queued = "" if services.queue is None else f"; {await services.queue.depth()} in the queue"
    detail = (
        f"{pending} outbox events undelivered{queued}; orders with other than one "
        f"notification: {wrong[:5]}"
        if not ok
        else f"each of {len(paid)} paid orders has exactly one notification"
    )
    return AuditCheck("one_notification_per_paid_order", ok, detail)
