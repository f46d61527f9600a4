"""Known-answer tests of the store's pure parts: cache, buckets, tokens, passwords, provider."""

from __future__ import annotations

import asyncio
import statistics

import pytest

from stampede.store.cache import TtlCache
from stampede.store.config import PaymentSim, RateLimits
from stampede.store.gateway.ratelimit import RateLimiter, TokenBucket
from stampede.store.payments.provider import PaymentProvider
from stampede.store.users.passwords import hash_password, verify_password
from stampede.store.users.tokens import TokenSigner


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_cold_key_is_loaded_once_for_many_concurrent_readers() -> None:
    clock = FakeClock()
    cache: TtlCache[int] = TtlCache(ttl_s=5, clock=clock)
    loads = 0
    gate = asyncio.Event()

    async def load() -> int:
        nonlocal loads
        loads += 1
        await gate.wait()
        return 42

    async def scenario() -> list[int]:
        readers = [asyncio.create_task(cache.get("k", load)) for _ in range(50)]
        await asyncio.sleep(0)  # let every reader reach the cache before the load finishes
        gate.set()
        return list(await asyncio.gather(*readers))

    assert asyncio.run(scenario()) == [42] * 50
    assert loads == 1
    assert cache.peek("k") == 42
    clock.now += 5.01
    assert cache.peek("k") is None


def test_a_failed_load_reaches_every_waiter_and_is_not_cached() -> None:
    cache: TtlCache[int] = TtlCache(ttl_s=5, clock=FakeClock())

    async def boom() -> int:
        await asyncio.sleep(0)
        raise RuntimeError("db down")

    async def scenario() -> list[object]:
        return list(
            await asyncio.gather(*(cache.get("k", boom) for _ in range(3)), return_exceptions=True)
        )

    results = asyncio.run(scenario())
    assert all(isinstance(r, RuntimeError) for r in results)
    assert cache.peek("k") is None


def test_token_bucket_refills_at_its_rate() -> None:
    bucket = TokenBucket(rate=2.0, burst=4.0, tokens=4.0, updated=0.0)
    assert [bucket.take(0.0) for _ in range(4)] == [0.0] * 4
    assert bucket.take(0.0) == pytest.approx(0.5)
    assert bucket.take(0.5) == 0.0  # one token came back in half a second
    assert bucket.take(0.5) == pytest.approx(0.5)


def test_the_global_limit_caps_all_clients_together() -> None:
    clock = FakeClock()
    limits = RateLimits(anonymous_rate=100, anonymous_burst=100, global_rate=1, global_burst=3)
    limiter = RateLimiter(limits, clock=clock)
    results = [limiter.check(f"addr:{i}", signed_in=False) for i in range(5)]
    assert results[:3] == [None, None, None]
    assert results[3] is not None and results[3][0] == "global"


def test_the_client_table_is_bounded() -> None:
    limiter = RateLimiter(RateLimits(), clock=FakeClock(), max_clients=10)
    for i in range(100):
        limiter.check(f"addr:{i}", signed_in=False)
    assert len(limiter._clients) == 10


def test_tokens_verify_until_they_expire() -> None:
    signer = TokenSigner("s3cret")
    token = signer.issue(7, expires_at=2000.0)
    assert signer.verify(token, now=1999.0) == 7
    assert signer.verify(token, now=2000.0) is None
    assert TokenSigner("other").verify(token, now=1.0) is None
    _, expiry, nonce, mac = token.split(".")
    assert signer.verify(f"8.{expiry}.{nonce}.{mac}", now=1.0) is None  # the user id is signed
    assert signer.issue(7, expires_at=2000.0) != token  # a nonce: one second, two sessions


def test_passwords_verify_only_with_the_right_password() -> None:
    encoded = hash_password("hunter22", n=1024, salt=b"0" * 16)
    assert verify_password("hunter22", encoded)
    assert not verify_password("hunter23", encoded)
    assert not verify_password("hunter22", "md5$whatever")
    assert hash_password("hunter22", n=1024) != hash_password("hunter22", n=1024)  # salted


def test_provider_latency_has_the_configured_median_and_p99() -> None:
    provider = PaymentProvider(PaymentSim(latency_median_ms=50, latency_p99_ms=400, seed=1))
    samples = sorted(provider.latency_s() * 1000 for _ in range(40_000))
    assert statistics.median(samples) == pytest.approx(50, rel=0.05)
    assert samples[int(0.99 * len(samples))] == pytest.approx(400, rel=0.1)


def test_provider_declines_and_fails_at_the_configured_rates() -> None:
    sim = PaymentSim(latency_median_ms=0, decline_rate=0.2, failure_rate=0.1, seed=3)
    provider = PaymentProvider(sim)

    async def many() -> list[str]:
        outcomes: list[str] = []
        for _ in range(5000):
            try:
                outcomes.append(await provider.authorize(100))
            except Exception:
                outcomes.append("failed")
        return outcomes

    outcomes = asyncio.run(many())
    assert outcomes.count("failed") / 5000 == pytest.approx(0.1, abs=0.02)
    assert outcomes.count("declined") / 5000 == pytest.approx(0.2, abs=0.02)
