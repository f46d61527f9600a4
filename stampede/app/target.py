"""The system under test: an embedded store Stampede starts, or a user's own host."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from stampede.core.errors import ConfigError, TargetError

EMBEDDED_ADMIN_TOKEN = "stampede-embedded-admin"


def check_url(url: str, flag: str = "--host") -> str:
    """``url`` without a trailing slash, or a one-line error naming what is wrong."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"{flag} {url!r} is not a usable URL; expected http:// or https:// with a host, "
            "such as http://127.0.0.1:8000"
        )
    return url.rstrip("/")


def check_reachable(url: str, health: str = "/healthz", timeout_s: float = 5.0) -> None:
    """Any HTTP answer to ``health`` will do; no answer at all fails before any load is sent."""
    try:
        httpx.get(f"{url}{health}", timeout=timeout_s)
    except httpx.TransportError as exc:
        reason = re.sub(r"^\[Errno -?\d+\] ", "", str(exc) or type(exc).__name__).lower()
        raise TargetError(
            f"cannot reach {url}: {reason}; check --host, or leave it out to run against "
            "the embedded store"
        ) from exc


def fetch_admin(url: str, token: str | None, path: str | None) -> dict[str, Any] | None:
    """An admin endpoint's JSON, or None when there is no token, no path or no such endpoint."""
    if not token or path is None:
        return None
    try:
        response = httpx.get(
            f"{url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=120
        )
    except httpx.TransportError:
        return None
    if response.status_code != 200:
        return None
    body = response.json()
    return body if isinstance(body, dict) else None


def embedded_store_args(flash_sku: str | None, shoppers: int) -> list[str]:
    """Flags for a store seeded for this profile.

    Every simulated shopper comes from 127.0.0.1, which a real crowd never
    does, so the per-address limit is lifted; per-user and global limits stay.
    """
    args = ["--users", str(shoppers), "--anonymous-rate", "1000000"]
    if flash_sku:
        args += ["--flash-sku", flash_sku]
    return args


def store_data_dir(run_dir: Path) -> Path:
    return run_dir / "store-data"
