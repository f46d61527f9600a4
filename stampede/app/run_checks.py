"""Checks of ``stampede run --chaos`` made before anything starts, each a one-line error."""

from __future__ import annotations

from collections.abc import Sequence

from stampede.app.chaos import FaultSpec, check_specs, parse_spec, redis_executable
from stampede.core.errors import ConfigError
from stampede.profiles import Profile, Schedule


def _store_flag(args: Sequence[str], flag: str) -> str | None:
    """The value of ``flag`` among ``--store-arg`` values (``--flag=v`` or ``--flag v``)."""
    for i, arg in enumerate(args):
        if arg == flag:
            return args[i + 1] if i + 1 < len(args) else ""
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    return None


def _check_redis_restart(store_args: Sequence[str]) -> None:
    if _store_flag(store_args, "--redis-url") is not None:
        raise ConfigError(
            "--chaos redis-restart restarts only a private Redis that Stampede starts; "
            "drop --store-arg=--redis-url"
        )
    if _store_flag(store_args, "--architecture") == "legacy":
        raise ConfigError(
            "--chaos redis-restart cannot work with --store-arg=--architecture=legacy: "
            "the legacy store does not use Redis; use the modern architecture"
        )
    redis_executable()


def chaos_specs(
    texts: Sequence[str], profile: Profile, host: str | None, store_args: Sequence[str]
) -> tuple[FaultSpec, ...]:
    """Parsed, checked specs for this run (times in run time, after --time-scale)."""
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
    return specs


def needs_private_redis(specs: Sequence[FaultSpec]) -> bool:
    return any(spec.kind == "redis-restart" for spec in specs)
