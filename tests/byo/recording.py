"""A HAR file of a shopper on Bazaar, as a browser's network panel would save it.

The shopper browses a page of goods and two items, logs in with a form, puts
one item in the basket and pays, with the session token from the login's
answer in an ``X-Session`` header. Around those API calls sit what a real
recording holds too: a script, a stylesheet, an image, a font, a CORS
preflight and an analytics beacon to another origin.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ORIGIN = "https://bazaar.example"
TOKEN = "5e55101dfeedcafe"
BROWSER_HEADERS = [
    {"name": ":authority", "value": "bazaar.example"},
    {"name": "User-Agent", "value": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"},
    {"name": "Accept-Encoding", "value": "gzip, deflate, br"},
    {"name": "Cookie", "value": "theme=dark"},
    {"name": "sec-ch-ua-platform", "value": '"Linux"'},
]


def _entry(
    method: str,
    url: str,
    status: int = 200,
    mime: str = "application/json",
    answer: object = None,
    body: tuple[str, str] | None = None,
    headers: tuple[tuple[str, str], ...] = (),
    **extra: Any,
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "method": method,
        "url": url,
        "httpVersion": "HTTP/2",
        "headers": [*BROWSER_HEADERS, *({"name": n, "value": v} for n, v in headers)],
        "queryString": [],
        "cookies": [],
        "headersSize": -1,
        "bodySize": 0,
    }
    if body is not None:
        request["postData"] = {"mimeType": body[0], "text": body[1]}
    text = json.dumps(answer) if answer is not None else ""
    return {
        "pageref": "page_1" if "/basket" not in url else "page_2",
        "startedDateTime": "2026-12-02T09:00:00.000Z",
        "time": 12.0,
        "request": request,
        "response": {
            "status": status,
            "statusText": "",
            "httpVersion": "HTTP/2",
            "headers": [],
            "cookies": [],
            "content": {"size": len(text), "mimeType": mime, "text": text},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(text),
        },
        "cache": {},
        "timings": {"send": 0, "wait": 10, "receive": 2},
        **extra,
    }


def bazaar_har() -> dict[str, Any]:
    """The recording, as the HAR 1.2 document a browser saves."""
    session = (("X-Session", TOKEN),)
    entries = [
        _entry("GET", f"{ORIGIN}/goods?page=2", answer=[{"sku": "G-11"}]),
        _entry("GET", f"{ORIGIN}/static/app.js", mime="text/javascript", _resourceType="script"),
        _entry("GET", f"{ORIGIN}/static/site.css?v=3", mime="text/css"),
        _entry("GET", f"{ORIGIN}/img/G-17.webp", mime="image/webp"),
        _entry("GET", f"{ORIGIN}/fonts/inter.woff2", mime="font/woff2"),
        _entry("GET", "https://beacon.analytics.example/collect?e=view", status=204, mime=""),
        _entry("GET", f"{ORIGIN}/goods/G-17", answer={"sku": "G-17", "price": 27}),
        _entry("GET", f"{ORIGIN}/goods/G-4", answer={"sku": "G-4", "price": 14}),
        _entry(
            "POST", f"{ORIGIN}/auth/token", answer={"access": TOKEN},
            body=("application/x-www-form-urlencoded", "username=ann&password=open-sesame"),
            headers=(("Content-Type", "application/x-www-form-urlencoded"),),
        ),
        _entry("OPTIONS", f"{ORIGIN}/basket", status=204, mime=""),
        _entry(
            "POST", f"{ORIGIN}/basket", status=202, answer={"queued": 1},
            body=("application/json", '{"qty": 1}'),
            headers=(("Content-Type", "application/json"), *session),
        ),
        _entry("POST", f"{ORIGIN}/basket/pay", answer={"order": 1}, headers=session),
    ]  # fmt: skip
    pages = [
        {"id": "page_1", "title": "Bazaar — goods", "startedDateTime": "2026-12-02T09:00:00Z"},
        {"id": "page_2", "title": "Bazaar — basket", "startedDateTime": "2026-12-02T09:00:09Z"},
    ]
    return {"log": {"version": "1.2", "creator": {"name": "Firefox", "version": "140"},
                    "pages": pages, "entries": entries}}  # fmt: skip


def write_har(path: Path) -> Path:
    path.write_text(json.dumps(bazaar_har(), indent=2), encoding="utf-8")
    return path
