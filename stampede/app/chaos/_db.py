"""``db-restart``: every PostgreSQL connection of the store dropped, as a database restart does.

Stampede connects to the store's own database and runs ``pg_terminate_backend`` on every
other connection to it (the store's pools, in every worker); nothing outside that database
is touched. The store must reconnect and run its interrupted transactions again.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from stampede.app.chaos._errors import InjectionError

_TERMINATE = (
    "SELECT pg_terminate_backend(pid) AS gone FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


async def _terminate(url: str, timeout_s: float) -> int:
    import asyncpg

    conn = await asyncpg.connect(url, timeout=timeout_s)
    try:
        rows = await conn.fetch(_TERMINATE, timeout=timeout_s)
    finally:
        await conn.close()
    return sum(bool(row["gone"]) for row in rows)


def restart_database(url: str, timeout_s: float = 5.0) -> str:
    """Terminate the store's connections to its database; what was done, in one line."""
    name = urlsplit(url).path.strip("/")
    try:
        count = asyncio.run(_terminate(url, timeout_s))
    except Exception as exc:  # asyncpg's, the socket's or a timeout: the record says which
        raise InjectionError(f"pg_terminate_backend on database {name!r} failed: {exc!r}") from exc
    return f"pg_terminate_backend on {count} connection(s) to the store's database {name!r}"
