"""Bazaar: a second store, structurally unlike the reference one, to test Stampede against.

Other paths (``/goods``, ``/basket``), other status codes (202 for a basket
line, 410 Gone when the stock is out, 422 for more than the limit), another
login (a form POST to ``/auth/token`` answered with a token that goes in an
``X-Session`` header), a health check at ``/ping`` and an audit at
``/ops/ledger`` behind ``Authorization: Bearer <ops key>``. A standard-library
threading HTTP server on loopback, started in the test's process (or on its
own, to try Stampede on: ``python -m tests.byo.bazaar``, docs/own-store.md);
each request costs ``service_ms`` of sleep, so its latency is known.
"""

from __future__ import annotations

import argparse
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.threaded_server import serving_in_thread

OPS_KEY = "bazaar-ops"
GOODS = 50
PAGE = 10
LIMIT = 2
PASSWORD = "open-sesame"


@dataclass
class Ledger:
    """The store's state: stock of the one hot item, sessions, baskets and orders."""

    stock: int
    initial: int = 0
    sold: int = 0
    orders: int = 0
    sessions: dict[str, str] = field(default_factory=dict)
    baskets: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.initial = self.stock


class Handler(BaseHTTPRequestHandler):
    server: BazaarServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else a small answer waits 40 ms for a delayed ACK

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _answer(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _user(self) -> str | None:
        return self.server.ledger.sessions.get(self.headers.get("X-Session", ""))

    def do_GET(self) -> None:
        time.sleep(self.server.service_s)
        url = urlsplit(self.path)
        if url.path == "/ping":
            self._answer(200, {"pong": True})
        elif url.path == "/goods":
            page = int((parse_qs(url.query).get("page") or ["1"])[0])
            first = (page - 1) * PAGE + 1
            self._answer(200, [{"sku": f"G-{n}"} for n in range(first, first + PAGE)])
        elif url.path.startswith("/goods/G-"):
            number = url.path.removeprefix("/goods/G-")
            if number.isdigit() and 1 <= int(number) <= GOODS:
                self._answer(200, {"sku": f"G-{number}", "price": 10 + int(number)})
            else:
                self._answer(404, {"reason": "no such goods"})
        elif url.path == "/ops/ledger":
            self._ledger()
        else:
            self._answer(404, {"reason": "not here"})

    def _ledger(self) -> None:
        if self.headers.get("Authorization") != f"Bearer {OPS_KEY}":
            self._answer(403, {"reason": "ops only"})
            return
        led = self.server.ledger
        ok = led.sold + led.stock == led.initial and led.stock >= 0
        self._answer(200, {"ok": ok, "sold": led.sold, "stock": led.stock, "orders": led.orders})

    def do_POST(self) -> None:
        time.sleep(self.server.service_s)
        body = self._body()
        path = urlsplit(self.path).path
        if path == "/auth/token":
            self._login(body)
        elif path == "/basket":
            self._add(body)
        elif path == "/basket/pay":
            self._pay()
        else:
            self._answer(405 if path.startswith("/goods") else 404, {"reason": "not here"})

    def _login(self, body: bytes) -> None:
        form = parse_qs(body.decode())
        if (form.get("password") or [""])[0] != PASSWORD:
            self._answer(401, {"reason": "wrong password"})
            return
        token = secrets.token_hex(8)
        self.server.ledger.sessions[token] = (form.get("username") or ["?"])[0]
        self._answer(200, {"access": token})

    def _add(self, body: bytes) -> None:
        user = self._user()
        if user is None:
            self._answer(401, {"reason": "log in first"})
            return
        try:
            qty = int(json.loads(body or b"{}").get("qty", 1))
        except (ValueError, AttributeError):
            self._answer(400, {"reason": "bad basket line"})
            return
        led = self.server.ledger
        with led.lock:
            led.baskets[user] = led.baskets.get(user, 0) + qty
        self._answer(202, {"queued": qty})

    def _pay(self) -> None:
        user = self._user()
        led = self.server.ledger
        if user is None:
            self._answer(401, {"reason": "log in first"})
            return
        with led.lock:
            qty = led.baskets.pop(user, 0)
            if qty > LIMIT:
                self._answer(422, {"reason": f"limit is {LIMIT}"})
                return
            if qty > led.stock or led.stock == 0:
                self._answer(410, {"reason": "gone"})
                return
            led.stock -= qty
            led.sold += qty
            led.orders += 1
        self._answer(200, {"order": led.orders})


class BazaarServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # an open model's pool connects at once; 5 would drop SYNs

    def __init__(self, stock: int, service_ms: float, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.ledger = Ledger(stock)
        self.service_s = service_ms / 1000.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def bazaar(stock: int = 200, service_ms: float = 2.0) -> Iterator[BazaarServer]:
    """A Bazaar serving on a free loopback port for the ``with`` block."""
    with serving_in_thread(BazaarServer(stock, service_ms)) as server:
        yield server


def main(argv: list[str] | None = None) -> None:
    """``python -m tests.byo.bazaar``: Bazaar on a loopback port until Ctrl-C."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.byo.bazaar", description="Bazaar, a store to try Stampede on."
    )
    parser.add_argument("--port", type=int, default=8080, help="loopback port (default 8080)")
    parser.add_argument("--stock", type=int, default=500, help="its hot item's units (500)")
    parser.add_argument("--service-ms", type=float, default=2.0, help="ms a request takes (2)")
    args = parser.parse_args(argv)
    server = BazaarServer(args.stock, args.service_ms, args.port)
    print(
        f"Bazaar: {server.url} (ops key {OPS_KEY}, stock {args.stock}); Ctrl-C stops it", flush=True
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
