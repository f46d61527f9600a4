"""Which user ids still have an account, remembered for a while.

Tokens are signed, so checking one needs no database; but a signature outlives
its account (``/admin/seed`` replaces every shopper). The gateway asks here on
every signed-in request: a remembered id costs a dict look-up, any other one
primary-key query. A deleted account stops working at once in the worker that
deleted it and within ``ttl_s`` in the others.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable


class KnownAccounts:
    """A time-limited memory of the user ids that were found to exist."""

    def __init__(
        self,
        lookup: Callable[[int], Awaitable[bool]],
        *,
        ttl_s: float = 30.0,
        max_size: int = 250_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lookup = lookup
        self._ttl_s = ttl_s
        self._max_size = max_size
        self._clock = clock
        self._until: dict[int, float] = {}

    async def exists(self, user_id: int) -> bool:
        now = self._clock()
        if self._until.get(user_id, now) > now:
            return True
        if not await self._lookup(user_id):
            self._until.pop(user_id, None)
            return False
        if len(self._until) >= self._max_size:
            self._until.clear()
        self._until[user_id] = now + self._ttl_s
        return True

    def __len__(self) -> int:
        return len(self._until)

    def forget(self) -> None:
        """Drop everything remembered (after accounts were deleted)."""
        self._until.clear()
