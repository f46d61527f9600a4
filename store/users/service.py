"""Accounts: registration, log-in, profiles. Owns the ``users`` database."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable

import msgspec

from stampede.store.db import Database, Executor, IntegrityError, Row
from stampede.store.users.known import KnownAccounts
from stampede.store.users.passwords import hash_password, verify_password
from stampede.store.users.sessions import RedisSessions
from stampede.store.users.tokens import TokenSigner
from stampede.store.web import VISIBLE, ApiError

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
#: an e-mail address, with any blanks around it (they are trimmed); no control characters
_ADDRESS = r"[^@\x00-\x20\x7f]"
_AROUND = r"[ \t\r\n]*"
EMAIL_PATTERN = rf"^{_AROUND}{_ADDRESS}{{1,64}}@{_ADDRESS}{{1,190}}\.{_ADDRESS}{{1,63}}{_AROUND}$"
PASSWORD_LENGTH = (8, 256)
NAME_LENGTH = 100
#: a name: printable, with at least one character that is not a blank
NAME_PATTERN = rf"^[^\x00-\x1f\x7f]*{VISIBLE}[^\x00-\x1f\x7f]*$"
_NAME = re.compile(NAME_PATTERN)
_EMAIL = re.compile(EMAIL_PATTERN)


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

    Tokens are signed, so checking one needs no database beyond whether its
    account still exists (remembered for a while, see :mod:`store.users.known`);
    with ``sessions_in_db`` (the legacy monolith) every log-in is also a row and
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
        redis_sessions: RedisSessions | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self._sessions_in_db = sessions_in_db
        self._redis_sessions = redis_sessions
        self.signer = signer
        self._token_ttl_s = token_ttl_s
        self._kdf_n = kdf_n
        self._clock = clock
        self.known = KnownAccounts(self._exists)

    async def setup(self) -> None:
        await self.db.execute_script(SCHEMA)

    async def register(self, email: str, password: str, name: str) -> Profile:
        _check_registration(email, password, name)
        email, name = email.strip(" \t\r\n").lower(), name.strip(" ")
        hashed = await asyncio.to_thread(hash_password, password, self._kdf_n)
        now = self._clock()
        try:
            row = await self.db.fetch_one(
                "INSERT INTO users (email, name, password_hash, created_at) "
                "VALUES (:email, :name, :hash, :now) RETURNING id",
                {"email": email, "name": name, "hash": hashed, "now": now},
            )
        except IntegrityError as exc:
            raise ApiError(409, "email_taken", f"an account for {email} already exists") from exc
        assert row is not None
        return Profile(id=row["id"], email=email, name=name, created_at=now)

    async def log_in(self, email: str, password: str) -> Session:
        row = await self._account(email)
        ok = row is not None and await asyncio.to_thread(
            verify_password, password, row["password_hash"]
        )
        if not ok or row is None:
            raise ApiError(401, "invalid_credentials", "the e-mail or the password is wrong")
        expires_at = self._clock() + self._token_ttl_s
        token = self.signer.issue(row["id"], expires_at)
        if self._sessions_in_db or self._redis_sessions is not None:
            await self.db.execute(
                "INSERT INTO sessions (token, user_id, expires_at) VALUES (:t, :u, :exp)",
                {"t": token, "u": row["id"], "exp": expires_at},
            )
        if self._redis_sessions is not None:
            await self._redis_sessions.open(token, row["id"], self._token_ttl_s)
        return Session(token=token, expires_at=int(expires_at), user_id=row["id"])

    async def _account(self, email: str) -> Row | None:
        if "\x00" in email:  # no address holds one, and PostgreSQL refuses to compare it
            return None
        return await self.db.fetch_one(
            "SELECT id, password_hash FROM users WHERE email = :email",
            {"email": email.strip().lower()},
        )

    async def authenticate(self, token: str) -> int | None:
        user = self.signer.verify(token, self._clock())
        if user is None:
            return None
        cached = None
        if self._redis_sessions is not None:
            cached = await self._redis_sessions.is_open(token)
            if cached:
                return user if await self.known.exists(user) else None
        elif not self._sessions_in_db:
            return user if await self.known.exists(user) else None
        row = await self.db.fetch_one(
            "SELECT user_id, expires_at FROM sessions WHERE token = :t AND expires_at > :now",
            {"t": token, "now": self._clock()},
        )
        if row is None:
            return None
        if cached is False and self._redis_sessions is not None:  # Redis forgot it: put it back
            left = float(row["expires_at"]) - self._clock()
            await self._redis_sessions.open(token, int(row["user_id"]), left)
        return int(row["user_id"])

    async def log_out(self, token: str) -> None:
        """End the session of ``token``, where sessions are kept (Redis or the database)."""
        if self._redis_sessions is not None:
            await self.db.execute("DELETE FROM sessions WHERE token = :t", {"t": token})
            if not await self._redis_sessions.close(token):
                raise ApiError(
                    503,
                    "sessions_unavailable",
                    "the session store is unreachable; retry the log-out shortly",
                    {"Retry-After": "1"},
                )
        elif self._sessions_in_db:
            await self.db.execute("DELETE FROM sessions WHERE token = :t", {"t": token})
        else:
            raise ApiError(
                409,
                "sessions_not_kept",
                "this store keeps no sessions (signed tokens only, no Redis); a token "
                "stays valid until it expires",
            )

    async def _exists(self, user_id: int) -> bool:
        row = await self.db.fetch_one("SELECT 1 AS one FROM users WHERE id = :id", {"id": user_id})
        return row is not None

    async def profile(self, user_id: int) -> Profile:
        row = await self.db.fetch_one(
            "SELECT id, email, name, created_at FROM users WHERE id = :id", {"id": user_id}
        )
        if row is None:
            raise ApiError(404, "not_found", f"no user with id {user_id}")
        return Profile(**dict(row))

    async def reset(self) -> None:
        async with self.db.transaction() as tx:
            await self.clear(tx)
        self.known.forget()

    async def clear(self, tx: Executor) -> None:
        """Delete every account and session inside ``tx``; :meth:`seeded` after."""
        for table in TABLES:
            await tx.execute(f"DELETE FROM {table}")

    async def fill(self, tx: Executor, count: int) -> None:
        """Create ``count`` shoppers sharing :data:`SEED_PASSWORD` (hashed once), inside ``tx``."""
        hashed = await asyncio.to_thread(hash_password, SEED_PASSWORD, self._kdf_n)
        now = self._clock()
        for i in range(1, count + 1):
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

    async def seeded(self) -> None:
        """After a committed :meth:`fill`: new ids follow the seeded ones; no stale accounts."""
        await self.db.reset_identity("users")
        self.known.forget()


def _check_registration(email: str, password: str, name: str) -> None:
    if not _EMAIL.fullmatch(email):
        raise ApiError(
            422, "invalid_request", f"`email` {email.strip()[:320]!r} is not an e-mail address"
        )
    low, high = PASSWORD_LENGTH
    if not low <= len(password) <= high:
        raise ApiError(
            422, "invalid_request", f"`password` must be {low} to {high} characters long"
        )
    if len(name) > NAME_LENGTH or not _NAME.fullmatch(name):
        raise ApiError(
            422,
            "invalid_request",
            f"`name` must be 1 to {NAME_LENGTH} printable characters, not only blanks",
        )
