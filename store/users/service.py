"""Accounts: registration, log-in, profiles. Owns the ``users`` database."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable

import msgspec

from store.db import Database, IntegrityError
from store.users.passwords import hash_password, verify_password
from store.users.tokens import TokenSigner
from store.web import ApiError

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS users (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_at REAL NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS sessions (
        token TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL,
        expires_at REAL NOT NULL
    )""",
]
TABLES = ("sessions", "users")

#: the password every seeded shopper shares (shopper1@stampede.test … shopperN@…)
SEED_PASSWORD = "stampede-shopper"
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,63}$")


class Profile(msgspec.Struct, frozen=True):
    id: int
    email: str
    name: str
    created_at: float


class Session(msgspec.Struct, frozen=True):
    token: str
    expires_at: float
    user_id: int


def seed_email(i: int) -> str:
    """The e-mail of the i-th seeded shopper (1-based)."""
    return f"shopper{i}@stampede.test"


class UsersService:
    """Registers users, checks passwords and issues bearer tokens.

    Tokens are signed, so checking one needs no database; with
    ``sessions_in_db`` (the legacy monolith) every log-in is also a row and
    every request looks its session up, as the case study's store did.
    """

    def __init__(
        self,
        db: Database,
        signer: TokenSigner,
        *,
        token_ttl_s: float,
        kdf_n: int,
        sessions_in_db: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self._sessions_in_db = sessions_in_db
        self.signer = signer
        self._token_ttl_s = token_ttl_s
        self._kdf_n = kdf_n
        self._clock = clock

    async def setup(self) -> None:
        await self.db.execute_script(SCHEMA)

    async def register(self, email: str, password: str, name: str) -> Profile:
        email = email.strip().lower()
        _check_registration(email, password, name)
        hashed = await asyncio.to_thread(hash_password, password, self._kdf_n)
        now = self._clock()
        try:
            row = await self.db.fetch_one(
                "INSERT INTO users (email, name, password_hash, created_at) "
                "VALUES (:email, :name, :hash, :now) RETURNING id",
                {"email": email, "name": name.strip(), "hash": hashed, "now": now},
            )
        except IntegrityError as exc:
            raise ApiError(409, "email_taken", f"an account for {email} already exists") from exc
        assert row is not None
        return Profile(id=row["id"], email=email, name=name.strip(), created_at=now)

    async def log_in(self, email: str, password: str) -> Session:
        row = await self.db.fetch_one(
            "SELECT id, password_hash FROM users WHERE email = :email",
            {"email": email.strip().lower()},
        )
        ok = row is not None and await asyncio.to_thread(
            verify_password, password, row["password_hash"]
        )
        if not ok or row is None:
            raise ApiError(401, "invalid_credentials", "the e-mail or the password is wrong")
        expires_at = self._clock() + self._token_ttl_s
        token = self.signer.issue(row["id"], expires_at)
        if self._sessions_in_db:
            await self.db.execute(
                "INSERT INTO sessions (token, user_id, expires_at) VALUES (:t, :u, :exp)",
                {"t": token, "u": row["id"], "exp": expires_at},
            )
        return Session(token=token, expires_at=int(expires_at), user_id=row["id"])

    async def authenticate(self, token: str) -> int | None:
        user = self.signer.verify(token, self._clock())
        if user is None or not self._sessions_in_db:
            return user
        row = await self.db.fetch_one(
            "SELECT user_id FROM sessions WHERE token = :t AND expires_at > :now",
            {"t": token, "now": self._clock()},
        )
        return int(row["user_id"]) if row is not None else None

    async def profile(self, user_id: int) -> Profile:
        row = await self.db.fetch_one(
            "SELECT id, email, name, created_at FROM users WHERE id = :id", {"id": user_id}
        )
        if row is None:
            raise ApiError(404, "not_found", f"no user with id {user_id}")
        return Profile(**dict(row))

    async def reset(self) -> None:
        for table in TABLES:
            await self.db.execute(f"DELETE FROM {table}")

    async def seed(self, count: int) -> None:
        """Create ``count`` shoppers sharing :data:`SEED_PASSWORD` (hashed once)."""
        hashed = await asyncio.to_thread(hash_password, SEED_PASSWORD, self._kdf_n)
        now = self._clock()
        batch = 1000
        for start in range(1, count + 1, batch):
            async with self.db.transaction() as tx:
                for i in range(start, min(start + batch, count + 1)):
                    await tx.execute(
                        "INSERT INTO users (id, email, name, password_hash, created_at) "
                        "VALUES (:id, :email, :name, :hash, :now)",
                        {
                            "id": i,
                            "email": seed_email(i),
                            "name": f"Shopper {i}",
                            "hash": hashed,
                            "now": now,
                        },
                    )
        await self.db.reset_identity("users")


def _check_registration(email: str, password: str, name: str) -> None:
    if not _EMAIL.match(email):
        raise ApiError(422, "invalid_request", f"`email` {email!r} is not an e-mail address")
    if not 8 <= len(password) <= 256:
        raise ApiError(422, "invalid_request", "`password` must be 8 to 256 characters long")
    if not 1 <= len(name.strip()) <= 100:
        raise ApiError(422, "invalid_request", "`name` must be 1 to 100 characters long")
