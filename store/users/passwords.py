"""Password hashing with scrypt, a memory-hard KDF.

The default cost (N=2**14, r=8, p=1: 16 MiB, tens of milliseconds) is the
interactive-login setting of the scrypt paper. Hashes carry their parameters,
so the cost can change without invalidating stored passwords.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

_R = 8
_P = 1
_DKLEN = 32


def hash_password(password: str, n: int, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else os.urandom(16)
    digest = _scrypt(password, salt, n)
    return "$".join(["scrypt", str(n), str(_R), str(_P), _b64(salt), _b64(digest)])


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
    except ValueError:
        return False
    if scheme != "scrypt" or int(r) != _R or int(p) != _P:
        return False
    candidate = _scrypt(password, _unb64(salt), int(n))
    return hmac.compare_digest(candidate, _unb64(digest))


def _scrypt(password: str, salt: bytes, n: int) -> bytes:
    return hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=_R, p=_P, maxmem=256 * n * _R + 2**20, dklen=_DKLEN
    )


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
