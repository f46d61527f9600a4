"""The PostgreSQL implementation of :class:`store.db.Database`, on asyncpg.

One pool per service; each service lives in its own schema of the store's
database (``search_path`` is set per pool), created on first use. Statements
are translated once (``:name`` → ``$n``) and cached; asyncpg then prepares
and caches them per connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from stampede.core.errors import ServiceUnavailableError
from stampede.store.db import (
    ConnectionLost,
    Delay,
    Executor,
    IntegrityError,
    Params,
    Row,
    TransientConflict,
    no_delay,
    transact,
    wait_delay,
)
from stampede.store.dialects import arguments, mask_url, numbered, postgres_ddl

_CONNECT_ERRORS = (OSError, asyncio.TimeoutError, asyncpg.PostgresError)
#: the connection is gone: class 08, a terminated backend (57P01-57P03), a closed socket,
#: asyncpg refusing a connection it knows is closed, or one left mid-operation by the loss
_LOST = (
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    OSError,
)
log = logging.getLogger("stampede.store")

#: seconds a closing pool waits for its connections to come back before it drops them
#: (asyncpg's ``Pool.close`` waits for every connection without a limit)
CLOSE_TIMEOUT_S = 10.0
#: attempts of a read whose connection was lost (a write runs in a transaction, retried by
#: :func:`store.db.transact` when it was lost before the commit)
_READ_RETRIES = 3


def _reads(sql: str) -> bool:
    return sql.lstrip()[:6].upper() == "SELECT"


#: the server rolled the transaction back to resolve a conflict: 40P01, 40001
_CONFLICT = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)


def _cancelling() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    """asyncpg's errors in the store's terms (:mod:`store.db`).

    A connection lost while the task is being cancelled stays a cancellation: asyncpg's
    rollback of a cancelled transaction raises the loss in its place, and a loss is retried
    or logged, so the task would run on and never end.
    """
    try:
        yield
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise IntegrityError(str(exc)) from exc
    except _CONFLICT as exc:
        raise TransientConflict(f"PostgreSQL rolled back a transaction: {exc}") from exc
    except _LOST as exc:
        if _cancelling():
            raise asyncio.CancelledError() from exc
        raise ConnectionLost(f"the PostgreSQL connection was lost: {_reason(exc)}") from exc


class _Statements:
    """``:name`` → ``$n`` translations, cached per statement text."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[str, tuple[str, ...]]] = {}

    def __call__(self, sql: str, params: Params | None) -> tuple[str, list[Any]]:
        cached = self._cache.get(sql)
        if cached is None:
            cached = self._cache[sql] = numbered(sql)
        return cached[0], arguments(cached[1], params)


class _PgConnection:
    """An asyncpg connection seen through the :class:`Executor` interface."""

    def __init__(self, conn: asyncpg.Connection, statements: _Statements) -> None:
        self._conn = conn
        self._sql = statements

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        query, args = self._sql(sql, params)
        with _translated():
            return cast(list[Row], await self._conn.fetch(query, *args))

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def execute(self, sql: str, params: Params | None = None) -> int:
        query, args = self._sql(sql, params)
        with _translated():
            status = await self._conn.execute(query, *args)
        # "UPDATE 3", "INSERT 0 1", "DELETE 0": the row count is the last word
        last = str(status).rsplit(" ", 1)[-1]
        return int(last) if last.isdigit() else 0


class PostgresDatabase:
    """A pool of asyncpg connections to one schema of the store's database."""

    dialect = "postgres"

    def __init__(
        self,
        url: str,
        schema: str,
        *,
        pool_size: int = 4,
        connect_timeout_s: float = 5.0,
        delay: Delay = no_delay,
    ) -> None:
        self.url = url
        self.delay = delay
        self.schema = schema
        self._pool_size = pool_size
        self._timeout = connect_timeout_s
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()
        self._sql = _Statements()

    async def _get_pool(self) -> asyncpg.Pool:
        if self._pool is not None:
            return self._pool
        async with self._opening:
            if self._pool is None:
                conn = await connect(self.url, self._timeout)
                try:
                    async with conn.transaction():
                        await _ddl_lock(conn)
                        await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
                finally:
                    await conn.close()
                self._pool = await asyncpg.create_pool(
                    self.url,
                    min_size=1,
                    max_size=self._pool_size,
                    timeout=self._timeout,
                    server_settings={"search_path": self.schema},
                )
            return self._pool

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[_PgConnection]:
        await wait_delay(self.delay)
        pool = await self._get_pool()
        with _translated():
            async with pool.acquire() as conn:
                yield _PgConnection(conn, self._sql)

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        if not _reads(sql):
            return await transact(self, lambda tx: tx.fetch_all(sql, params))
        for attempt in range(_READ_RETRIES):
            try:
                async with self._connection() as conn:
                    return await conn.fetch_all(sql, params)
            except ConnectionLost:
                if attempt == _READ_RETRIES - 1:
                    raise
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def execute(self, sql: str, params: Params | None = None) -> int:
        # a write in a transaction of its own: lost before its commit, it is run again
        return await transact(self, lambda tx: tx.execute(sql, params))

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Executor]:
        """One transaction; errors in the store's terms, the commit's included."""
        await wait_delay(self.delay)
        pool = await self._get_pool()
        with _translated():
            async with pool.acquire() as conn, conn.transaction():
                yield _PgConnection(conn, self._sql)

    async def execute_script(self, statements: Sequence[str]) -> None:
        pool = await self._get_pool()
        async with pool.acquire() as conn, conn.transaction():
            await _ddl_lock(conn)
            for statement in statements:
                await conn.execute(postgres_ddl(statement))

    async def reset_identity(self, table: str) -> None:
        """Move the id sequence past rows inserted with explicit ids."""
        await self.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        )

    async def lock_table(self, tx: Executor, table: str) -> None:
        await tx.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")

    async def close(self) -> None:
        """Close the pool gracefully; connections not back within
        :data:`CLOSE_TIMEOUT_S` (one left mid-operation by a lost server) are dropped."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            in_use = pool.get_size() - pool.get_idle_size()
            try:
                await asyncio.wait_for(pool.close(), CLOSE_TIMEOUT_S)
            except TimeoutError:
                log.warning(
                    "PostgreSQL pool %s: not closed within %g s (%d connection(s) in use when "
                    "closing began); dropping its connections",
                    self.schema,
                    CLOSE_TIMEOUT_S,
                    in_use,
                )
            except _LOST as exc:
                log.warning("PostgreSQL pool %s: closing failed (%s)", self.schema, _reason(exc))
            finally:
                pool.terminate()  # a no-op once close() finished


async def _ddl_lock(conn: asyncpg.Connection) -> None:
    """Serialise schema changes: two workers creating the same table at once would collide."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", zlib.crc32(b"stampede-ddl"))


async def connect(url: str, timeout_s: float) -> asyncpg.Connection:
    """One connection, or ServiceUnavailableError naming the (masked) URL and the cause."""
    try:
        return await asyncpg.connect(url, timeout=timeout_s)
    except _CONNECT_ERRORS as exc:
        raise ServiceUnavailableError(
            f"cannot reach PostgreSQL at {mask_url(url)}: {_reason(exc)}; "
            "check --database-url / STAMPEDE_DATABASE_URL and that the server is running"
        ) from exc


async def ensure_database(url: str, timeout_s: float = 5.0) -> None:
    """Create the URL's database when it does not exist yet (idempotent)."""
    try:
        conn = await asyncpg.connect(url, timeout=timeout_s)
    except asyncpg.InvalidCatalogNameError:
        name = urlsplit(url).path.lstrip("/")
        admin = await connect(urlunsplit(urlsplit(url)._replace(path="/postgres")), timeout_s)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        except asyncpg.DuplicateDatabaseError:
            pass
        finally:
            await admin.close()
        conn = await connect(url, timeout_s)
    except _CONNECT_ERRORS:
        conn = await connect(url, timeout_s)  # raises the one-line error
    await conn.close()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return "the connection timed out"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
