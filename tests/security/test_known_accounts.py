"""The memory of existing accounts behind token checks: remembered for a while, then asked again."""

from __future__ import annotations

import asyncio

from stampede.store.users.known import KnownAccounts


class Accounts:
    """Which ids exist, and how often the database was asked."""

    def __init__(self, *ids: int) -> None:
        self.ids = set(ids)
        self.lookups = 0

    async def exists(self, user_id: int) -> bool:
        self.lookups += 1
        return user_id in self.ids


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_existing_account_is_remembered_until_the_ttl_passes() -> None:
    accounts, clock = Accounts(1), Clock()
    known = KnownAccounts(accounts.exists, ttl_s=30, clock=clock)
    assert asyncio.run(known.exists(1))
    clock.now += 29
    assert asyncio.run(known.exists(1))
    assert accounts.lookups == 1
    accounts.ids.clear()
    clock.now += 2
    assert not asyncio.run(known.exists(1))
    assert accounts.lookups == 2


def test_a_missing_account_is_asked_about_every_time() -> None:
    accounts = Accounts()
    known = KnownAccounts(accounts.exists, ttl_s=30, clock=Clock())
    assert not asyncio.run(known.exists(7))
    assert not asyncio.run(known.exists(7))
    assert accounts.lookups == 2


def test_forget_drops_what_was_remembered() -> None:
    accounts = Accounts(1)
    known = KnownAccounts(accounts.exists, ttl_s=30, clock=Clock())
    asyncio.run(known.exists(1))
    accounts.ids.clear()
    known.forget()
    assert not asyncio.run(known.exists(1))


def test_the_memory_is_bounded() -> None:
    accounts = Accounts(*range(1, 11))
    known = KnownAccounts(accounts.exists, ttl_s=30, max_size=4, clock=Clock())
    for user_id in range(1, 11):
        asyncio.run(known.exists(user_id))
    assert len(known) <= 4
