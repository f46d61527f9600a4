"""``--chaos`` specs: what to break, when, and for how long.

::

    kill-worker@WHEN                    SIGKILL one store worker; the supervisor respawns it
    redis-restart@WHEN                  kill the store's private redis-server, start it again
    payment-outage@WHEN:DURATION        the payment provider fails every call for DURATION
    db-latency@WHEN:LATENCY:DURATION    every database call waits LATENCY first, for DURATION
    db-restart@WHEN                     terminate every PostgreSQL connection of the store
    broker-restart@WHEN                 stop the run's private RabbitMQ and start it again
    broker-outage@WHEN:DURATION         the run's private RabbitMQ is stopped for DURATION

    WHEN  = 30s | sale | sale+10s | sale-5s      from the run's start, or from the sale opening

Times are run time: seconds on the clock of the run as it happens, *after*
``--time-scale`` (``@sale+10s`` is ten wall-clock seconds after the scaled
sale opens). Specs are never scaled themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from stampede.core.errors import ConfigError
from stampede.profiles import parse_latency

FaultKind = Literal[
    "kill-worker",
    "redis-restart",
    "payment-outage",
    "db-latency",
    "db-restart",
    "broker-restart",
    "broker-outage",
]

#: kind -> the arguments after WHEN, in order
ARGUMENTS: dict[str, tuple[str, ...]] = {
    "kill-worker": (),
    "redis-restart": (),
    "payment-outage": ("DURATION",),
    "db-latency": ("LATENCY", "DURATION"),
    "db-restart": (),
    "broker-restart": (),
    "broker-outage": ("DURATION",),
}
FORMS = (
    "kill-worker@WHEN, redis-restart@WHEN, payment-outage@WHEN:DURATION, "
    "db-latency@WHEN:LATENCY:DURATION, db-restart@WHEN, broker-restart@WHEN, "
    "broker-outage@WHEN:DURATION with WHEN 30s, sale, sale+10s or sale-5s"
)


@dataclass(frozen=True)
class FaultSpec:
    """One parsed ``--chaos`` spec (times in run seconds, unscaled)."""

    text: str
    kind: FaultKind
    from_sale: bool
    offset_s: float
    duration_s: float | None = None
    latency_s: float | None = None

    def starts_at(self, sale_opens_at_s: float | None) -> float:
        """Run seconds from the start at which the fault begins."""
        if not self.from_sale:
            return self.offset_s
        assert sale_opens_at_s is not None, "checked by check_specs"
        return sale_opens_at_s + self.offset_s


def _bad(text: str, part: str, why: str) -> ConfigError:
    return ConfigError(f"--chaos {text!r}: {part!r} {why}; expected {FORMS}")


def _seconds(text: str, part: str, what: str, allow_zero: bool = False) -> float:
    try:
        value = parse_latency(part)
    except ValueError:
        raise _bad(text, part, f"is not a {what} such as 500ms, 30s or 2m") from None
    if value <= 0 and not allow_zero:
        raise _bad(text, part, f"is not a positive {what}")
    return value


def _when(text: str, part: str) -> tuple[bool, float]:
    if part == "sale":
        return True, 0.0
    if part.startswith(("sale+", "sale-")):
        sign = -1.0 if part[4] == "-" else 1.0
        return True, sign * _seconds(text, part[5:], "duration", allow_zero=True)
    return False, _seconds(text, part, "time", allow_zero=True)


def parse_spec(text: str) -> FaultSpec:
    """One spec, or a one-line ConfigError naming the spec, the bad part and the forms."""
    kind, at, rest = text.strip().partition("@")
    if kind not in ARGUMENTS:
        raise _bad(text, kind, "is not a fault kind")
    if not at or not rest:
        raise _bad(text, text, "has no @WHEN")
    when, *args = rest.split(":")
    wanted = ARGUMENTS[kind]
    if len(args) != len(wanted):
        given = ":".join(args) or rest
        need = ":".join(wanted) or "nothing"
        raise _bad(text, given, f"does not fit; {kind} takes {need} after WHEN")
    from_sale, offset = _when(text, when)
    values = dict(zip(wanted, args, strict=True))
    duration = _seconds(text, values["DURATION"], "duration") if "DURATION" in values else None
    latency = _seconds(text, values["LATENCY"], "latency") if "LATENCY" in values else None
    return FaultSpec(text, kind, from_sale, offset, duration, latency)  # type: ignore[arg-type]


def check_specs(
    specs: tuple[FaultSpec, ...], sale_opens_at_s: float | None, duration_s: float
) -> None:
    """Refuse specs that cannot happen inside this run."""
    for spec in specs:
        if spec.from_sale and sale_opens_at_s is None:
            raise _bad(spec.text, "sale", "needs a profile with a flash sale; use @30s instead")
        start = spec.starts_at(sale_opens_at_s)
        if not 0 <= start < duration_s:
            raise ConfigError(
                f"--chaos {spec.text!r}: starts at {start:g} s of run time, outside the "
                f"{duration_s:g} s run (times are after --time-scale)"
            )
