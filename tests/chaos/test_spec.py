"""``--chaos`` specs: the grammar, and refusals that name the spec, the bad part and the forms."""

from __future__ import annotations

import pytest

from stampede.app.chaos import FORMS, FaultSpec, check_specs, parse_spec
from stampede.core.errors import ConfigError


@pytest.mark.parametrize(
    ("text", "kind", "from_sale", "offset", "duration", "latency"),
    [
        ("kill-worker@sale+30s", "kill-worker", True, 30.0, None, None),
        ("redis-restart@60s", "redis-restart", False, 60.0, None, None),
        ("payment-outage@sale+10s:30s", "payment-outage", True, 10.0, 30.0, None),
        ("db-latency@sale:200ms:1m", "db-latency", True, 0.0, 60.0, 0.2),
        ("kill-worker@sale-5s", "kill-worker", True, -5.0, None, None),
    ],
)
def test_specs_parse(
    text: str,
    kind: str,
    from_sale: bool,
    offset: float,
    duration: float | None,
    latency: float | None,
) -> None:
    assert parse_spec(text) == FaultSpec(text, kind, from_sale, offset, duration, latency)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("kill-server@30s", "'kill-server' is not a fault kind"),
        ("kill-worker", "has no @WHEN"),
        ("kill-worker@soon", "'soon' is not a time"),
        ("kill-worker@30s:5s", "'5s' does not fit; kill-worker takes nothing"),
        ("payment-outage@30s", "'30s' does not fit; payment-outage takes DURATION"),
        ("payment-outage@30s:0s", "'0s' is not a positive duration"),
        ("db-latency@sale:200:5s", "'200' is not a latency"),
    ],
)
def test_bad_specs_name_the_part_and_the_forms(text: str, part: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_spec(text)
    message = str(caught.value)
    assert message.startswith(f"--chaos {text!r}: ")
    assert part in message and FORMS in message
    assert "\n" not in message


def test_times_are_run_time_after_time_scale() -> None:
    spec = parse_spec("payment-outage@sale+10s:5s")
    assert spec.starts_at(sale_opens_at_s=7.5) == 17.5
    check_specs((spec,), 7.5, duration_s=30.0)
    with pytest.raises(ConfigError, match="outside the 15 s run"):
        check_specs((spec,), 7.5, duration_s=15.0)
    with pytest.raises(ConfigError, match="needs a profile with a flash sale"):
        check_specs((spec,), None, duration_s=60.0)
