"""The legacy monolith's one database, shared by every service.

Besides sharing, it can *pin* a transaction to the current task: inside
:meth:`SharedDatabase.pinned` every statement any service runs goes through
that one transaction (nested transactions become savepoints). The legacy
checkout uses it to run the whole saga, provider calls included, inside one
transaction behind a table lock, as the case study's monolith did.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
from collections.abc import AsyncIterator, Sequence

from stampede.store.db import Database, Executor, Params, Row


class SharedDatabase:
    """One :class:`Database` seen by all services, with task-pinned transactions."""

    def __init__(self, inner: Database) -> None:
        self.inner = inner
        self.dialect = inner.dialect
        self._pinned: contextvars.ContextVar[Executor | None] = contextvars.ContextVar(
            f"pinned-{id(self)}", default=None
        )
        self._savepoints = itertools.count(1)

    @contextlib.asynccontextmanager
    async def pinned(self, lock_table: str) -> AsyncIterator[Executor]:
        """One transaction for everything this task runs until the block ends."""
        async with self.inner.transaction() as tx:
            await self.inner.lock_table(tx, lock_table)
            token = self._pinned.set(tx)
            try:
                yield tx
            finally:
                self._pinned.reset(token)

    def _target(self) -> Executor:
        return self._pinned.get() or self.inner

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        return await self._target().fetch_all(sql, params)

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        return await self._target().fetch_one(sql, params)

    async def execute(self, sql: str, params: Params | None = None) -> int:
        return await self._target().execute(sql, params)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Executor]:
        tx = self._pinned.get()
        if tx is None:
            async with self.inner.transaction() as own:
                yield own
            return
        name = f"sp{next(self._savepoints)}"
        await tx.execute(f"SAVEPOINT {name}")
        try:
            yield tx
        except BaseException:
            await tx.execute(f"ROLLBACK TO SAVEPOINT {name}")
            raise
        await tx.execute(f"RELEASE SAVEPOINT {name}")

    async def execute_script(self, statements: Sequence[str]) -> None:
        await self.inner.execute_script(statements)

    async def reset_identity(self, table: str) -> None:
        await self.inner.reset_identity(table)

    async def lock_table(self, tx: Executor, table: str) -> None:
        await self.inner.lock_table(tx, table)

    async def close(self) -> None:
        await self.inner.close()
