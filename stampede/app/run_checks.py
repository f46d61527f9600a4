"""Checks of ``stampede run --chaos`` and ``--queue`` made before anything starts, each a
one-line error."""

from __future__ import annotations

import os
from collections.abc import Sequence

from stampede.app.chaos import FaultSpec, check_specs, parse_spec, redis_executable
from stampede.app.chaos._rabbit import rabbitmq_executable
from stampede.core.errors import ConfigError
from stampede.profiles import Profile, Schedule
from stampede.store.dialects import mask_url


def store_flag(args: Sequence[str], flag: str) -> str | None:
    """The value of ``flag`` among ``--store-arg`` values (``--flag=v`` or ``--flag v``)."""
    for i, arg in enumerate(args):
        if arg == flag:
            return args[i + 1] if i + 1 < len(args) else ""
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    return None


def _check_redis_restart(store_args: Sequence[str]) -> None:
    if store_flag(store_args, "--redis-url") is not None:
        raise ConfigError(
            "--chaos redis-restart restarts only a private Redis that Stampede starts; "
            "drop --store-arg=--redis-url"
        )
    if store_flag(store_args, "--architecture") == "legacy":
        raise ConfigError(
            "--chaos redis-restart cannot work with --store-arg=--architecture=legacy: "
            "the legacy store does not use Redis; use the modern architecture"
        )
    redis_executable()


def database_url(store_args: Sequence[str]) -> str | None:
    """The embedded store's PostgreSQL URL, when ``--store-arg`` puts it on PostgreSQL."""
    if store_flag(store_args, "--backend") != "postgres":
        return None
    return store_flag(store_args, "--database-url") or os.environ.get("STAMPEDE_DATABASE_URL")


def _check_db_restart(store_args: Sequence[str]) -> None:
    if database_url(store_args) is None:
        raise ConfigError(
            "--chaos db-restart terminates the embedded store's PostgreSQL connections; run it "
            "on PostgreSQL: --store-arg=--backend=postgres "
            "--store-arg=--database-url=postgresql://…"
        )


def _check_broker(spec: FaultSpec, queue: str | None, store_args: Sequence[str]) -> None:
    if queue is not None or store_flag(store_args, "--queue") is not None:
        theirs = mask_url(queue) if queue else "the --store-arg=--queue URL"
        raise ConfigError(
            f"--chaos {spec.text!r} stops and starts only a private RabbitMQ that Stampede "
            f"starts, not the broker at {theirs}; "
            "drop --queue "
            "(Stampede then starts one for the run)"
        )
    rabbitmq_executable()


def chaos_specs(
    texts: Sequence[str],
    profile: Profile,
    host: str | None,
    store_args: Sequence[str],
    queue: str | None = None,
) -> tuple[FaultSpec, ...]:
    """Parsed, checked specs for this run (times in run time, after --time-scale)."""
    if queue is not None and host is not None:
        raise ConfigError(
            f"--queue {mask_url(queue)} with --host {host}: the queue is the embedded store's; "
            "configure your own store's broker and drop --queue"
        )
    specs = tuple(parse_spec(text) for text in texts)
    if not specs:
        return specs
    if host is not None:
        raise ConfigError(
            f"--chaos {specs[0].text!r} with --host {host}: faults are injected only into the "
            "embedded store Stampede starts, never a remote host; drop --host or --chaos"
        )
    schedule = Schedule.from_profile(profile)
    check_specs(specs, schedule.sale_opens_at_s, schedule.duration_s)
    if needs_private_redis(specs):
        _check_redis_restart(store_args)
    if any(spec.kind == "db-restart" for spec in specs):
        _check_db_restart(store_args)
    for spec in specs:
        if spec.kind in BROKER_FAULTS:
            _check_broker(spec, queue, store_args)
            break
    return specs


#: faults that stop the broker: they need one of Stampede's own
BROKER_FAULTS = ("broker-restart", "broker-outage")


def needs_private_redis(specs: Sequence[FaultSpec]) -> bool:
    return any(spec.kind == "redis-restart" for spec in specs)


def needs_private_broker(specs: Sequence[FaultSpec]) -> bool:
    return any(spec.kind in BROKER_FAULTS for spec in specs)
