"""Application Load Balancer capacity units (LCUs) by AWS's four dimensions.

An LCU-hour buys, for EC2/ECS targets: 25 new connections per second, 3,000
active connections (per minute), 1 GB of processed bytes per hour, and 1,000
rule evaluations per second (the first 10 rules of a request are free). The
bill counts, each hour, the largest of the four.

New connections come from connection reuse: browsers and apps keep a
connection alive across a visit, so new connections are requests divided by
the requests each connection carries (a stated topology figure,
``alb_requests_per_connection``, unless measured); active connections are
new connections times how long each stays open.
"""

from __future__ import annotations

from dataclasses import dataclass

from stampede.capacity._topology import SharedTiers

NEW_CONNECTIONS_PER_LCU = 25.0
ACTIVE_CONNECTIONS_PER_LCU = 3000.0
GB_PER_HOUR_PER_LCU = 1.0
RULE_EVALUATIONS_PER_LCU = 1000.0
FREE_RULES = 10


@dataclass(frozen=True)
class Lcus:
    """The four dimensions in LCUs at one request rate; ``billed`` is the largest."""

    new_connections: float
    active_connections: float
    processed_bytes: float
    rule_evaluations: float

    @property
    def billed(self) -> float:
        return max(
            self.new_connections,
            self.active_connections,
            self.processed_bytes,
            self.rule_evaluations,
        )

    @property
    def dimension(self) -> str:
        """Which dimension sets the bill."""
        values = vars(self)
        return max(values, key=lambda k: values[k]).replace("_", " ")


def alb_lcus(requests_per_s: float, shared: SharedTiers) -> Lcus:
    """LCUs the load balancer is billed at ``requests_per_s``.

    Parameters
    ----------
    requests_per_s : float
        Requests through the load balancer.
    shared : SharedTiers
        ``alb_requests_per_connection``, ``alb_connection_s``, ``alb_rules``
        and ``bytes_per_response`` (request and response bytes, processed
        both ways) of the topology.

    Returns
    -------
    Lcus
    """
    new = requests_per_s / max(shared.alb_requests_per_connection, 1.0)
    active = new * shared.alb_connection_s
    gb_per_hour = requests_per_s * shared.bytes_per_response * 3600.0 / 1e9
    rules = requests_per_s * max(0, shared.alb_rules - FREE_RULES)
    return Lcus(
        new / NEW_CONNECTIONS_PER_LCU,
        active / ACTIVE_CONNECTIONS_PER_LCU,
        gb_per_hour / GB_PER_HOUR_PER_LCU,
        rules / RULE_EVALUATIONS_PER_LCU,
    )
