"""The database interface every service talks to, and its SQLite implementation.

A service owns one :class:`Database`. SQL is written once with ``:name``
parameters; the SQLite backend passes them through, the PostgreSQL backend
translates them. Reads run in autocommit mode; writes that must be atomic run
inside :meth:`Database.transaction`, which on SQLite is ``BEGIN IMMEDIATE`` so
two writers never interleave inside one transaction. The PostgreSQL backend is
:mod:`store.postgres`; the legacy monolith's one shared database is
:mod:`store.shared`.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast

import aiosqlite

from stampede.core.errors import ServiceUnavailableError

Row = Mapping[str, Any]
Params = Mapping[str, Any]
#: seconds every database call waits before it takes a connection (injected latency)
Delay = Callable[[], float]


def no_delay() -> float:
    return 0.0


async def wait_delay(delay: Delay) -> None:
    """Wait the injected latency, as a slow network to the database would, holding nothing."""
    seconds = delay()
    if seconds > 0:
        await asyncio.sleep(seconds)


class IntegrityError(Exception):
    """A unique or foreign-key constraint refused a write (any backend)."""


class ConnectionLost(ServiceUnavailableError):
    """The database connection failed or was terminated (a restart, ``pg_terminate_backend``).

    Inside a transaction nothing was committed unless it was lost during the commit itself;
    outside one (an autocommit write) the outcome is unknown. The gateway answers 503.
    """


class TransientConflict(ServiceUnavailableError):
    """The database rolled a transaction back to break a deadlock or a serialization
    conflict (PostgreSQL 40P01, 40001): running it again is correct."""


T = TypeVar("T")
#: attempts of one transaction, and the first wait between them (doubled each time)
TRANSACT_ATTEMPTS = 5
TRANSACT_BACKOFF_S = 0.02


async def transact(
    db: Database,
    work: Callable[[Executor], Awaitable[T]],
    *,
    committed: Callable[[], Awaitable[bool]] | None = None,
    attempts: int = TRANSACT_ATTEMPTS,
    backoff_s: float = TRANSACT_BACKOFF_S,
) -> T:
    """Run ``work`` in one transaction of ``db``, again when it can safely be run again.

    Retried: a deadlock or serialization failure (rolled back by the server), and a
    connection lost before the commit was sent (nothing was committed). A connection lost
    during the commit leaves its outcome unknown: ``committed`` (a read) says whether it
    happened, and the transaction is run again only if not; without it the loss surfaces
    as :class:`ConnectionLost` (503), and the caller's idempotency key makes the client's
    retry safe.
    """
    for attempt in range(attempts):
        committing = False
        try:
            async with db.transaction() as tx:
                result = await work(tx)
                committing = True
            return result
        except (ConnectionLost, TransientConflict) as exc:
            if committing and isinstance(exc, ConnectionLost):
                if committed is None:
                    raise
                if await committed():
                    return result
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(backoff_s * 2**attempt)
    raise AssertionError("unreachable: the last attempt returns or raises")


class Executor(Protocol):
    """What can run SQL: a database (autocommit) or an open transaction."""

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]: ...

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None: ...

    async def execute(self, sql: str, params: Params | None = None) -> int: ...


class Database(Executor, Protocol):
    """One service's database."""

    dialect: str

    def transaction(self) -> contextlib.AbstractAsyncContextManager[Executor]: ...

    async def execute_script(self, statements: Sequence[str]) -> None: ...

    async def reset_identity(self, table: str) -> None:
        """Make new rows' ids follow rows inserted with explicit ids."""
        ...

    async def lock_table(self, tx: Executor, table: str) -> None:
        """Hold ``table`` against other writers until ``tx`` ends."""
        ...

    async def close(self) -> None: ...


class _SqliteConnection:
    """An aiosqlite connection seen through the :class:`Executor` interface."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        try:
            async with self._conn.execute(sql, params or {}) as cursor:
                return cast(list[Row], list(await cursor.fetchall()))
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(str(exc)) from exc

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        try:
            async with self._conn.execute(sql, params or {}) as cursor:
                row = await cursor.fetchone()
                # RETURNING rows are produced one step at a time: drain the cursor
                # so the statement finishes before the transaction commits.
                await cursor.fetchall()
                return cast(Row | None, row)
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(str(exc)) from exc

    async def execute(self, sql: str, params: Params | None = None) -> int:
        try:
            async with self._conn.execute(sql, params or {}) as cursor:
                return int(cursor.rowcount)
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(str(exc)) from exc


class SqliteDatabase:
    """A pool of aiosqlite connections to one SQLite file in WAL mode."""

    dialect = "sqlite"

    def __init__(
        self,
        path: Path,
        pool_size: int = 4,
        busy_timeout_ms: int = 30_000,
        delay: Delay = no_delay,
    ) -> None:
        self.path = path
        self.delay = delay
        self._pool_size = pool_size
        self._busy_timeout_ms = busy_timeout_ms
        self._idle: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._all: list[aiosqlite.Connection] = []
        self._opening = asyncio.Lock()

    async def _open(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        await conn.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = NORMAL")
        await conn.execute("PRAGMA foreign_keys = ON")
        return conn

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[aiosqlite.Connection]:
        await wait_delay(self.delay)
        if self._idle.empty() and len(self._all) < self._pool_size:
            async with self._opening:
                if len(self._all) < self._pool_size:
                    conn = await self._open()
                    self._all.append(conn)
                    self._idle.put_nowait(conn)
        conn = await self._idle.get()
        try:
            yield conn
        finally:
            self._idle.put_nowait(conn)

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        async with self._connection() as conn:
            return await _SqliteConnection(conn).fetch_all(sql, params)

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        async with self._connection() as conn:
            return await _SqliteConnection(conn).fetch_one(sql, params)

    async def execute(self, sql: str, params: Params | None = None) -> int:
        async with self._connection() as conn:
            return await _SqliteConnection(conn).execute(sql, params)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Executor]:
        async with self._connection() as conn:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteConnection(conn)
            except BaseException:
                # shielded: a cancelled request must not return a connection
                # to the pool with its transaction still open
                await asyncio.shield(conn.execute("ROLLBACK"))
                raise
            await conn.execute("COMMIT")

    async def execute_script(self, statements: Sequence[str]) -> None:
        async with self._connection() as conn:
            for statement in statements:
                await conn.execute(statement)

    async def reset_identity(self, table: str) -> None:
        """SQLite's rowid already follows the largest id."""

    async def lock_table(self, tx: Executor, table: str) -> None:
        """``BEGIN IMMEDIATE`` already holds the whole file's write lock."""

    async def close(self) -> None:
        for conn in self._all:
            await conn.close()
        self._all.clear()
        self._idle = asyncio.Queue()
