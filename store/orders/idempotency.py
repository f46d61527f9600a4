"""Idempotency keys for checkout, in the orders database.

The same key with the same request replays the first answer; the same key
with another request is refused; a duplicate that arrives while the first is
still running gets 409 instead of a second order.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from stampede.store.db import Database, Executor, IntegrityError
from stampede.store.web import ApiError

MAX_KEY_LENGTH = 255
#: printable ASCII, not only spaces (a UUID is the usual key)
KEY_PATTERN = r"^[\x20-\x7e]*[\x21-\x7e][\x20-\x7e]*$"
_KEY = re.compile(KEY_PATTERN)


@dataclass(frozen=True)
class Replay:
    status_code: int
    body: bytes


def request_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def check_key(key: str | None) -> str:
    if key is None or not key.strip():
        raise ApiError(
            400,
            "idempotency_key_required",
            "checkout needs an `Idempotency-Key` header (a UUID per purchase attempt)",
        )
    if len(key) > MAX_KEY_LENGTH or not _KEY.fullmatch(key):
        raise ApiError(
            400,
            "invalid_idempotency_key",
            f"the `Idempotency-Key` header must be 1 to {MAX_KEY_LENGTH} printable ASCII "
            "characters",
        )
    return key


async def begin(db: Database, user_id: int, key: str, digest: str, now: float) -> Replay | None:
    """Claim the key (None), or return the stored answer to replay."""
    try:
        await db.execute(
            "INSERT INTO idempotency_keys (user_id, key, request_hash, state, created_at) "
            "VALUES (:u, :k, :h, 'running', :now)",
            {"u": user_id, "k": key, "h": digest, "now": now},
        )
        return None
    except IntegrityError:
        pass
    row = await db.fetch_one(
        "SELECT request_hash, state, status_code, body FROM idempotency_keys "
        "WHERE user_id = :u AND key = :k",
        {"u": user_id, "k": key},
    )
    if row is None:  # released between our insert and read: the caller may retry
        raise ApiError(409, "checkout_in_progress", "a checkout with this key is in progress")
    if row["request_hash"] != digest:
        raise ApiError(
            422,
            "idempotency_key_reused",
            "this `Idempotency-Key` was used for a different request; use a new key",
        )
    if row["state"] != "done":
        raise ApiError(
            409,
            "checkout_in_progress",
            "a checkout with this `Idempotency-Key` is still in progress; retry shortly",
            {"Retry-After": "1"},
        )
    return Replay(row["status_code"], bytes(row["body"]))


async def finish(ex: Executor, user_id: int, key: str, status_code: int, body: bytes) -> None:
    await ex.execute(
        "UPDATE idempotency_keys SET state = 'done', status_code = :s, body = :b "
        "WHERE user_id = :u AND key = :k",
        {"u": user_id, "k": key, "s": status_code, "b": body},
    )


async def release(db: Database, user_id: int, key: str) -> None:
    """Forget the key so a retry runs again (the attempt failed before any outcome)."""
    await db.execute(
        "DELETE FROM idempotency_keys WHERE user_id = :u AND key = :k", {"u": user_id, "k": key}
    )
