"""The constant-rate probe against a stub server on a loopback port."""

from __future__ import annotations

import asyncio

import pytest

from stampede.app.probe import (
    ProbeConfig,
    ProbeResult,
    ProbeUrl,
    parse_target,
    read_response,
    run_probe,
)
from stampede.core.errors import ConfigError, TargetError
from tests.measure.stub_server import StubServer, serving


def test_parse_target() -> None:
    assert parse_target("https://shop.example:8443/a/b?q=1") == ProbeUrl(
        url="https://shop.example:8443/a/b?q=1",
        tls=True,
        host="shop.example",
        port=8443,
        path="/a/b?q=1",
        host_header="shop.example:8443",
    )
    assert parse_target("http://[::1]").port == 80
    assert parse_target("http://[::1]").host_header == "[::1]"


@pytest.mark.parametrize("url", ["ftp://host/", "http://", "localhost:8000", "", "http://h:99999/"])
def test_parse_target_rejects_what_cannot_be_probed(url: str) -> None:
    with pytest.raises(ConfigError, match="expected an http:// or https:// URL"):
        parse_target(url)


@pytest.mark.parametrize(
    ("changes", "flag"),
    [
        ({"rate": 0}, "--rate"),
        ({"duration": -1}, "--duration"),
        ({"connections": 0}, "--connections"),
        ({"timeout": 0}, "--timeout"),
        ({"method": "GE T"}, "--method"),
    ],
)
def test_config_names_the_bad_flag(changes: dict[str, object], flag: str) -> None:
    settings: dict[str, object] = {
        "url": "http://127.0.0.1/",
        "rate": 1.0,
        "duration": 1.0,
    } | changes
    with pytest.raises(ConfigError, match=flag):
        ProbeConfig(**settings)  # type: ignore[arg-type]


def _parse(raw: bytes, head_only: bool = False) -> tuple[int, bool, bytes]:
    async def main() -> tuple[int, bool, bytes]:
        reader = asyncio.StreamReader()
        reader.feed_data(raw + b"NEXT")
        reader.feed_eof()
        status, keep_alive = await read_response(reader, head_only)
        return status, keep_alive, await reader.read()

    return asyncio.run(main())


@pytest.mark.parametrize(
    ("raw", "head_only", "expected"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", False, (200, True, b"NEXT")),
        (
            b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"3;x=y\r\nabc\r\n0\r\nTrailer: 1\r\n\r\n",
            False,
            (201, True, b"NEXT"),
        ),
        (b"HTTP/1.1 204 No Content\r\n\r\n", False, (204, True, b"NEXT")),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", True, (200, True, b"NEXT")),
        (
            b"HTTP/1.1 503 Busy\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            False,
            (503, False, b"NEXT"),
        ),
        (b"HTTP/1.0 200 OK\r\n\r\nuntil the end", False, (200, False, b"")),
        (
            b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
            False,
            (200, True, b"NEXT"),
        ),
    ],
)
def test_read_response(raw: bytes, head_only: bool, expected: tuple[int, bool, bytes]) -> None:
    assert _parse(raw, head_only) == expected


def test_read_response_rejects_what_is_not_http() -> None:
    with pytest.raises(ValueError):
        _parse(b"SSH-2.0-OpenSSH\r\n\r\n")


def test_unreachable_target_fails_before_any_load() -> None:
    config = ProbeConfig(url="http://127.0.0.1:1/", rate=10, duration=1)
    with pytest.raises(
        TargetError, match=r"cannot connect to http://127.0.0.1:1/: connection refused"
    ):
        asyncio.run(run_probe(config))


def test_a_frozen_target_shows_in_the_corrected_percentiles_only() -> None:
    # 200 arrivals/s for 5 s over 4 connections; request 200 (about 1 s in) freezes the
    # server for 3 s. Only the 4 requests in flight see the freeze as service time;
    # the ~600 arrivals intended during it wait, and corrected latency counts the wait.
    server = StubServer(freeze_at=200, freeze_seconds=3.0)
    with serving(server):
        config = ProbeConfig(url=server.url, rate=200, duration=5, connections=4, timeout=10)
        result = asyncio.run(run_probe(config))
    assert server.froze.is_set()
    corrected = result.latency.percentiles([99, 100], "corrected")
    uncorrected = result.latency.percentiles([99, 100], "uncorrected")
    assert corrected[99] >= 2.0
    assert corrected[100] >= 2.9
    assert uncorrected[99] < 0.1
    assert uncorrected[100] >= 2.5  # the requests caught in the freeze
    assert result.arrivals.intended == result.arrivals.sent == 1000
    assert result.arrivals.missed >= 450
    assert result.late_wakeups < result.arrivals.missed // 2  # the connections were busy
    assert result.statuses == {200: 1000} and not result.errors
    assert max(row.corrected.p99 for row in result.timeline.summaries()) >= 2.0
    assert not result.interrupted and 4.9 < result.elapsed < 7.0


def test_stop_ends_the_run_and_keeps_what_was_measured() -> None:
    server = StubServer(signal_at=50)

    async def probe_until_50_requests() -> ProbeResult:
        stop = asyncio.Event()

        async def stop_at_50() -> None:
            await asyncio.to_thread(server.signalled.wait, 10)
            stop.set()

        stopper = asyncio.create_task(stop_at_50())
        config = ProbeConfig(url=server.url, rate=200, duration=30, connections=2)
        result = await run_probe(config, stop=stop)
        await stopper
        return result

    with serving(server):
        result = asyncio.run(probe_until_50_requests())
    assert result.interrupted
    assert 48 <= result.completed < 1000  # up to 2 were in flight
    assert result.arrivals.intended < 1000
    assert result.arrivals.sent_fraction > 0.9
    assert not result.validity.valid  # fewer than 100 requests
