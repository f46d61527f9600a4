"""A headless Chromium driven over the DevTools protocol: open a page, report what happened.

Only what the report tests need: load a URL, collect console errors,
exceptions and network requests, evaluate an expression, take a full-page
screenshot. Waiting is on protocol events, never on sleeps.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
)


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class PageLoad:
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


class Page:
    """One tab, attached with a flat session."""

    def __init__(self, ws: ClientConnection, session: str) -> None:
        self._ws = ws
        self._session = session
        self._id = 100
        self.load = PageLoad()

    def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params or {}}
        self._ws.send(json.dumps({**message, "sessionId": self._session}))
        while True:
            reply = self._next()
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))

    def wait_for(self, event: str) -> None:
        while self._next().get("method") != event:
            pass

    def evaluate(self, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        return result["result"].get("value")

    def screenshot(self, path: Path, width: int = 1200) -> None:
        height = int(self.evaluate("document.documentElement.scrollHeight"))
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        shot = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        path.write_bytes(base64.b64decode(shot["data"]))

    def _next(self) -> dict[str, Any]:
        message = dict(json.loads(self._ws.recv(timeout=60)))
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.exceptionThrown":
            self.load.errors.append(json.dumps(params.get("exceptionDetails", {}))[:500])
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.load.errors.append(json.dumps(params.get("args", []))[:500])
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            self.load.errors.append(str(params["entry"].get("text", ""))[:500])
        elif method == "Network.requestWillBeSent":
            self.load.requests.append(str(params.get("request", {}).get("url", ""))[:200])
        return message


@contextmanager
def open_page(url: str, profile_dir: Path, executable: str) -> Iterator[Page]:
    """Chromium with a fresh profile, one tab loaded with ``url`` (after its load event)."""
    process = subprocess.Popen(
        [executable, *FLAGS, f"--user-data-dir={profile_dir}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "LANG": "C.UTF-8"},
    )
    try:
        assert process.stderr is not None
        endpoint = ""
        for line in process.stderr:
            if line.startswith("DevTools listening on "):
                endpoint = line.split(" on ", 1)[1].strip()
                break
        if not endpoint:
            raise RuntimeError(f"chromium exited with {process.wait()} before listening")
        with connect(endpoint, max_size=None, open_timeout=30) as ws:
            ws.send(
                json.dumps(
                    {"id": 1, "method": "Target.createTarget", "params": {"url": "about:blank"}}
                )
            )
            target = _reply(ws, 1)["targetId"]
            ws.send(
                json.dumps(
                    {
                        "id": 2,
                        "method": "Target.attachToTarget",
                        "params": {"targetId": target, "flatten": True},
                    }
                )
            )
            page = Page(ws, _reply(ws, 2)["sessionId"])
            for domain in ("Runtime", "Log", "Page", "Network"):
                page.call(f"{domain}.enable")
            page.call("Page.navigate", {"url": url})
            page.wait_for("Page.loadEventFired")
            yield page
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _reply(ws: ClientConnection, wanted: int) -> dict[str, Any]:
    while True:
        message = json.loads(ws.recv(timeout=60))
        if message.get("id") == wanted:
            return dict(message["result"])
