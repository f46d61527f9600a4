"""Bearer tokens: ``<user id>.<expiry>.<nonce>.<HMAC-SHA256>``, verified without a database.

A token cannot be forged without the store's secret and stops working at its
expiry; every worker process shares the secret through the store's config.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


class TokenSigner:
    """Issues and checks bearer tokens with one secret."""

    def __init__(self, secret: str) -> None:
        self._key = secret.encode()

    def issue(self, user_id: int, expires_at: float) -> str:
        # a random nonce: two log-ins of one user in one second are two sessions, not one
        payload = f"{user_id}.{int(expires_at)}.{secrets.token_hex(8)}"
        return f"{payload}.{self._sign(payload)}"

    def verify(self, token: str, now: float) -> int | None:
        """The user id in a valid, unexpired token; None for anything else."""
        if not token.isascii():  # compare_digest refuses non-ASCII text; no token holds any
            return None
        parts = token.split(".")
        if len(parts) != 4 or not parts[0].isdigit() or not parts[1].isdigit():
            return None
        payload = ".".join(parts[:3])
        if not hmac.compare_digest(self._sign(payload), parts[3]):
            return None
        if int(parts[1]) <= now:
            return None
        return int(parts[0])

    def _sign(self, payload: str) -> str:
        mac = hmac.new(self._key, payload.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")
