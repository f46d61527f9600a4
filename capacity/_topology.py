"""The deployment being planned: per-service task sizes and the shared tiers.

Every field has a default, so a plan can be made without a topology file; a
YAML file overrides only what it names::

    cluster: shop
    services:
      catalog: {vcpu: 1.0, memory_gb: 2.0, min_replicas: 3}
    shared:
      db_max_connections: 2000

Unknown keys are errors, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from stampede.capacity._services import SERVICES
from stampede.core.errors import ConfigError

Arch = Literal["x86", "arm"]


@dataclass(frozen=True)
class ServiceSpec:
    """How one service is deployed and what the model may assume about it.

    A measured service's throughput per replica scales from the probe by
    ``vcpu / measured_vcpu``: a worker of the embedded store is one Python
    process, which uses one core, so a 0.5 vCPU task is planned at half a
    measured worker (and a 2 vCPU task runs two workers).
    """

    vcpu: float = 0.5
    memory_gb: float = 1.0
    arch: Arch = "x86"
    db_pool_size: int = 4
    slots_per_replica: int = 8
    measured_replicas: int = 1
    measured_vcpu: float = 1.0
    slo_share: float = 0.8
    target_utilization: float = 0.6
    min_replicas: int = 2
    max_replicas: int = 60
    service_time_ms: float | None = None
    #: CPU one request costs, ms on one vCPU (stated or measured): a service sized by a
    #: queue (no plateau measures it) is then one CPU server of rate vcpu / cpu_ms per
    #: replica, the rest of service_time_ms a fixed delay, instead of its slots
    cpu_ms: float | None = None
    service_cv: float = 1.0
    redis_ops_per_request: float = 0.0
    stateless: bool = True
    task_start_median_s: float = 30.0
    task_start_p95_s: float = 60.0
    #: this service's ALB target group (``app/<lb>/<id>/targetgroup/<tg>/<id>``), for ECS
    #: target tracking on ALBRequestCountPerTarget
    alb_resource_label: str | None = None
    #: the RabbitMQ queue this service consumes: its KEDA ScaledObject scales on that
    #: queue's backlog instead of on requests or CPU
    queue: str | None = None
    #: the oldest a waiting message may grow: a replica's backlog target is what it
    #: drains in this long at its target utilisation
    queue_lag_s: float = 30.0


@dataclass(frozen=True)
class SharedTiers:
    """The database, Redis, the outbox queue and the load balancer."""

    db_instance: str = "db.r6g.large"
    db_instances: int = 2
    db_max_connections: int = 1000
    db_reserved_connections: int = 10
    #: billed Aurora I/Os of one write transaction (log records in 4 KB units; stated)
    db_io_per_transaction: float = 4.0
    #: write transactions of one paid order (stock hold, order and payment, outbox)
    db_transactions_per_order: float = 3.0
    #: billed read I/Os per database request: reads hit the buffer cache but for misses
    db_read_io_per_request: float = 0.05
    db_storage_gb: float = 100.0
    redis_node_type: str = "cache.r6g.large"
    redis_nodes: int = 2
    redis_ops_per_s_per_node: float = 100_000.0
    redis_target_utilization: float = 0.5
    outbox_events_per_order: float = 2.0
    outbox_drain_per_s: float = 200.0
    #: API calls each event makes of SQS: send, receive and delete
    sqs_requests_per_event: float = 3.0
    #: events per SendMessageBatch / ReceiveMessage / DeleteMessageBatch call (1 to 10)
    sqs_batch_size: int = 10
    #: an outbox event's message, KB; SQS bills each 64 KB chunk of a call's payload
    sqs_message_kb: float = 2.0
    bytes_per_response: float = 20_000.0
    #: requests a client connection carries (keep-alive over a visit); stated, not measured
    alb_requests_per_connection: float = 20.0
    #: how long a client connection stays open, seconds
    alb_connection_s: float = 60.0
    #: listener rules evaluated per request (the first 10 are free)
    alb_rules: int = 7


@dataclass(frozen=True)
class Topology:
    """The whole deployment: services by name, shared tiers, naming for policies."""

    services: Mapping[str, ServiceSpec]
    shared: SharedTiers = field(default_factory=SharedTiers)
    cluster: str = "stampede"
    namespace: str = "stampede"
    timezone: str = "UTC"

    def service(self, name: str) -> ServiceSpec:
        """The spec of one service."""
        try:
            return self.services[name]
        except KeyError:
            raise ConfigError(
                f"topology has no service {name!r}; use one of {', '.join(self.services)}."
            ) from None


#: the reference gateway's CPU per request, ms on one core: a trivial request through it
#: is its routing, request id, rate-limit and metrics work; bench/store_throughput.py
#: measured 11,084 GET /healthz a second on one pinned core (2026-12-03, shared machine),
#: 0.090 ms each, an upper bound as the route's own work is in it; rounded up
GATEWAY_CPU_MS = 0.1

_SERVICE_DEFAULTS: Mapping[str, Mapping[str, Any]] = {
    "users": {"redis_ops_per_request": 1.0},
    "catalog": {"redis_ops_per_request": 0.5},
    "orders": {"redis_ops_per_request": 2.0, "vcpu": 1.0, "memory_gb": 2.0},
    "inventory": {"redis_ops_per_request": 3.0},
    "payments": {
        "service_time_ms": 60.0,
        "service_cv": 1.5,
        "slots_per_replica": 32,
        "slo_share": 0.5,
        "stateless": False,
    },
    "notifications": {
        "service_time_ms": 20.0,
        "slots_per_replica": 16,
        "slo_share": 1.0,
        # in production: stampede store --queue-name stampede.notifications
        "queue": "stampede.notifications",
    },
    "gateway": {
        "service_time_ms": 2.0,
        "cpu_ms": GATEWAY_CPU_MS,
        "slots_per_replica": 64,
        "slo_share": 0.1,
        "db_pool_size": 0,
        "redis_ops_per_request": 1.0,
    },
}


def default_topology(services: Sequence[str] = SERVICES) -> Topology:
    """The topology a plan uses when no file is given, for ``services`` (the reference's)."""
    return Topology({name: ServiceSpec(**_SERVICE_DEFAULTS.get(name, {})) for name in services})


def _apply(base: Any, values: Any, where: str, source: str) -> Any:
    if not isinstance(values, Mapping):
        raise ConfigError(f"{source}: {where} must be a mapping of keys to values.")
    allowed = {f.name for f in dataclasses.fields(base)}
    for key in values:
        if key not in allowed:
            raise ConfigError(
                f"{source}: unknown key {where}.{key}; allowed are {', '.join(sorted(allowed))}."
            )
    try:
        updated = dataclasses.replace(base, **dict(values))
    except TypeError as exc:
        raise ConfigError(f"{source}: {where} is invalid ({exc}).") from None
    queue = getattr(updated, "queue", None)
    if queue is not None and (not isinstance(queue, str) or not queue.strip()):
        raise ConfigError(
            f"{source}: {where}.queue is {queue!r}; give the name of the RabbitMQ queue the "
            "service consumes, or leave it out."
        )
    if getattr(updated, "arch", "x86") not in ("x86", "arm"):
        raise ConfigError(f"{source}: {where}.arch is {updated.arch!r}; allowed are x86, arm.")
    for f in dataclasses.fields(updated):
        value = getattr(updated, f.name)
        if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
            raise ConfigError(f"{source}: {where}.{f.name} is {value}; it must be >= 0.")
    return updated


def topology_from_mapping(
    data: Mapping[str, Any], *, source: str = "topology", services: Sequence[str] = SERVICES
) -> Topology:
    """Build a :class:`Topology` from parsed YAML, over the defaults.

    Parameters
    ----------
    data : mapping
        Keys ``services`` (service name to overrides), ``shared``, ``cluster``,
        ``namespace``, ``timezone``.
    source : str
        Named in error messages.
    services : sequence of str
        The services it may name (the target description's; the reference store's).

    Returns
    -------
    Topology

    Raises
    ------
    ConfigError
        On an unknown service or key, or a negative number.
    """
    base = default_topology(services)
    top_keys = {"services", "shared", "cluster", "namespace", "timezone"}
    for key in data:
        if key not in top_keys:
            raise ConfigError(
                f"{source}: unknown key {key}; allowed are {', '.join(sorted(top_keys))}."
            )
    specs = dict(base.services)
    for name, overrides in (data.get("services") or {}).items():
        if name not in specs:
            raise ConfigError(
                f"{source}: unknown service {name!r}; allowed are {', '.join(services)}."
            )
        specs[name] = _apply(specs[name], overrides, f"services.{name}", source)
    shared = _apply(base.shared, data.get("shared") or {}, "shared", source)
    return Topology(
        specs,
        shared,
        cluster=str(data.get("cluster", base.cluster)),
        namespace=str(data.get("namespace", base.namespace)),
        timezone=str(data.get("timezone", base.timezone)),
    )


def load_topology(path: str | Path | None = None, services: Sequence[str] = SERVICES) -> Topology:
    """Read a topology YAML file for ``services``, or the defaults when ``path`` is None.

    Raises
    ------
    ConfigError
        If the file is missing or not valid YAML, or a key is wrong.
    """
    if path is None:
        return default_topology(services)
    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(
            f"topology file {file} does not exist; pass an existing YAML file."
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"topology file {file} is not valid YAML ({exc}).") from None
    if not isinstance(data, Mapping):
        raise ConfigError(f"topology file {file} must hold a mapping at the top level.")
    return topology_from_mapping(data, source=str(file), services=services)
