"""A target description: what Stampede knows of the store under test, as data.

Endpoint groups (for SLOs, charts and the plan), the deployable services
that answer them, the answers that are business outcomes rather than
failures, the health check and the audit: everything that varies from one
store to another. The reference store is one description among many
(:func:`reference_description`, shipped as ``reference-target.yaml``); a
user's own store is another (``stampede run --target FILE``)::

    name: shop                       # optional
    groups:                          # by request name: "METHOD glob" or "glob" (any method)
      browse: ["GET /goods*"]
      buy: ["POST /basket"]
    services:                        # which service answers which groups (stampede plan)
      shop: [browse, buy]
    derived_services:                # optional: services users never call directly
      mailer: {per_success_of: "POST /basket", calls: 1}
    orders: "POST /basket"           # optional: a successful request matching it is a paid order
    outcomes:                        # answers counted as business outcomes, not failures
      - {status: 410, name: sold_out}
      - {status: 409, body_contains: "limit", name: limit_exceeded}
      - {status: 503, body_contains: "psp", name: psp_down, failure: true}
    funnel: [viewed, added, paid]    # optional: outcome names, in order
    health: /health                  # checked before the run (default /healthz)
    audit: null                      # optional: admin path answering {"ok": bool, ...}

It is parsed once (:func:`load_description`) into a frozen
:class:`TargetDescription`; a mistake is a one-line `ConfigError` naming the
file, the key path, the bad value and what is allowed, as for profiles.
Requests that match no group are in :data:`OTHER_GROUP`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from stampede.core.errors import ConfigError
from stampede.core.node import Node, load_yaml

#: the group of a request that matches none of the description's groups
OTHER_GROUP = "other"
#: the group of every request (an SLO on it judges the whole run)
ALL_GROUP = "all"
DEFAULT_HEALTH = "/healthz"
REFERENCE_FILE = "reference-target.yaml"
_NAME = re.compile(r"[a-z][a-z0-9_-]*")
_OUTCOME = re.compile(r"[a-z][a-z0-9_]*")
_METHOD = re.compile(r"[A-Z]+|\*")
_KEYS = ("groups",)
_OPTIONAL = (
    "name",
    "services",
    "derived_services",
    "orders",
    "outcomes",
    "funnel",
    "health",
    "audit",
    "summary",
)


@functools.lru_cache(maxsize=1024)
def _glob(pattern: str) -> re.Pattern[str]:
    """``*`` is any text and ``?`` one character; everything else (``[id]``) is literal."""
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern]
    return re.compile("".join(parts))


@dataclass(frozen=True)
class RequestPattern:
    """``GET /goods*``: a method (None: any) and a glob on the request's name."""

    method: str | None
    glob: str

    def matches(self, method: str, name: str) -> bool:
        if self.method is not None and self.method != method.upper():
            return False
        return _glob(self.glob).fullmatch(name) is not None

    def __str__(self) -> str:
        return self.glob if self.method is None else f"{self.method} {self.glob}"


def split_name(name: str) -> tuple[str, str]:
    """``("GET", "/goods/[id]")`` from a recorded request name ``GET /goods/[id]``.

    A bare name (no method) has the method ``""``, which only method-less
    patterns match.
    """
    method, _, rest = name.partition(" ")
    if rest and _METHOD.fullmatch(method):
        return method, rest
    return "", name


@dataclass(frozen=True)
class EndpointGroupRule:
    name: str
    patterns: tuple[RequestPattern, ...]


@dataclass(frozen=True)
class Service:
    """A deployable service that answers the requests of ``groups``."""

    name: str
    groups: tuple[str, ...]


@dataclass(frozen=True)
class DerivedService:
    """A service users never call, driven by requests they make.

    It receives ``calls`` requests per request matching ``source`` (``all``:
    every request), or per *successful* one when ``successes_only``.
    """

    name: str
    source: RequestPattern | None  # None: every request
    calls: float
    successes_only: bool


@dataclass(frozen=True)
class OutcomeRule:
    """An answer that is a business outcome: its status, and text its body contains."""

    status: int
    name: str
    body_contains: str | None = None
    failure: bool = False

    def matches(self, status: int, body: Callable[[], str]) -> bool:
        if status != self.status:
            return False
        return self.body_contains is None or self.body_contains in body()


@dataclass(frozen=True)
class TargetDescription:
    """The groups, services, outcomes, health check and audit of one target."""

    name: str
    groups: tuple[EndpointGroupRule, ...]
    services: tuple[Service, ...] = ()
    derived_services: tuple[DerivedService, ...] = ()
    #: a successful request matching this is a paid order (None: the target takes no orders)
    orders: RequestPattern | None = None
    outcomes: tuple[OutcomeRule, ...] = ()
    funnel: tuple[str, ...] = ()
    health: str = DEFAULT_HEALTH
    audit: str | None = None
    summary: str | None = None
    source: str = ""

    @property
    def group_names(self) -> tuple[str, ...]:
        """The description's groups in its order, then ``other``."""
        return (*(g.name for g in self.groups), OTHER_GROUP)

    @property
    def service_names(self) -> tuple[str, ...]:
        """Every service: those answering groups, then the derived ones."""
        return (*(s.name for s in self.services), *(d.name for d in self.derived_services))

    @property
    def measured_services(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.services)

    def group_of(self, name: str) -> str:
        """The group of a request name (``GET /goods/[id]``); the first match wins."""
        method, rest = split_name(name)
        for group in self.groups:
            if any(p.matches(method, rest) for p in group.patterns):
                return group.name
        return OTHER_GROUP

    def service_of(self, name: str) -> str | None:
        """The service answering a request name; None for a request in no service's group."""
        group = self.group_of(name)
        return next((s.name for s in self.services if group in s.groups), None)

    def outcome_of(self, status: int, body: Callable[[], str]) -> OutcomeRule | None:
        """The first outcome rule an answer matches; ``body`` is read only when a rule asks."""
        return next((rule for rule in self.outcomes if rule.matches(status, body)), None)

    def check_slo_groups(self, groups: tuple[str, ...], where: str) -> None:
        """Raise a one-line `ConfigError` for an SLO group this target does not have."""
        known = (ALL_GROUP, *self.group_names)
        for group in groups:
            if group not in known:
                raise ConfigError(
                    f"{where}: slos.latency.{group}: {group} is not an endpoint group of the "
                    f"target {self.name} ({self.source}); expected one of {', '.join(known)}"
                )


def parse_description(root: Node) -> TargetDescription:
    """The description of ``root``, the top-level mapping of a target description file."""
    root.keys(_KEYS, _OPTIONAL)
    groups = _groups(root.child("groups"))
    names = [g.name for g in groups]
    services = _services(root.child("services"), names)
    outcomes = _outcomes(root.child("outcomes"))
    name = root.child("name")
    return TargetDescription(
        name=Path(root.source).stem if name.value is None else name.text("a name such as shop"),
        groups=groups,
        services=services,
        derived_services=_derived(root.child("derived_services"), [s.name for s in services]),
        orders=None if root.child("orders").value is None else _pattern(root.child("orders")),
        outcomes=outcomes,
        funnel=_funnel(root.child("funnel")),
        health=_path(root.child("health")) or DEFAULT_HEALTH,
        audit=_path(root.child("audit")),
        summary=_path(root.child("summary")),
        source=root.source,
    )


def _name(node: Node, key: object, what: str, pattern: re.Pattern[str] = _NAME) -> str:
    if not isinstance(key, str) or not pattern.fullmatch(key) or key in (OTHER_GROUP, ALL_GROUP):
        node.fail(f"{what} of lowercase letters, digits, _ and - (not all or other)")
    return key


def _pattern(node: Node) -> RequestPattern:
    expected = 'a request pattern such as "GET /goods*" or "/goods/[id]"'
    text = node.text(expected)
    method, _, rest = text.partition(" ")
    if rest.strip() and _METHOD.fullmatch(method):
        return RequestPattern(None if method == "*" else method, rest.strip())
    if " " in text:
        node.fail(expected + " (the method in capitals)")
    return RequestPattern(None, text)


def _groups(node: Node) -> tuple[EndpointGroupRule, ...]:
    if not isinstance(node.value, dict) or not node.value:
        node.fail('a mapping of group names to request patterns such as {browse: ["GET /goods*"]}')
    out = []
    for key in node.value:
        child = node.child(str(key))
        name = _name(Node(key, child.path, node.source), key, "a group name")
        out.append(EndpointGroupRule(name, tuple(_pattern(p) for p in child.items())))
    return tuple(out)


def _services(node: Node, groups: list[str]) -> tuple[Service, ...]:
    if node.value is None:
        return ()
    if not isinstance(node.value, dict):
        node.fail("a mapping of service names to their groups such as {shop: [browse, buy]}")
    out, owner = [], dict[str, str]()
    for key in node.value:
        child = node.child(str(key))
        name = _name(Node(key, child.path, node.source), key, "a service name")
        mine = []
        for item in child.items():
            group = item.text("a group name")
            if group not in groups:
                item.fail(f"a group of this description: {', '.join(groups)}")
            if group in owner:
                item.error(
                    f"{group} is already answered by {owner[group]}; a group has one service"
                )
            owner[group] = name
            mine.append(group)
        out.append(Service(name, tuple(mine)))
    return tuple(out)


def _derived(node: Node, services: list[str]) -> tuple[DerivedService, ...]:
    if node.value is None:
        return ()
    if not isinstance(node.value, dict):
        node.fail("a mapping of service names to {per_request_of: PATTERN, calls: N}")
    out = []
    for key in node.value:
        child = node.child(str(key))
        name = _name(Node(key, child.path, node.source), key, "a service name")
        if name in services:
            Node(key, child.path, node.source).error("is already a service of services")
        child.keys(("calls",), ("per_request_of", "per_success_of"))
        per_request, per_success = child.child("per_request_of"), child.child("per_success_of")
        if (per_request.value is None) == (per_success.value is None):
            child.error("expected exactly one of per_request_of and per_success_of")
        source = per_request if per_success.value is None else per_success
        calls = child.child("calls").number("a number of calls above 0 such as 1 or 2")
        if calls <= 0:
            child.child("calls").fail("a number of calls above 0 such as 1 or 2")
        pattern = None if source.value == ALL_GROUP else _pattern(source)
        out.append(DerivedService(name, pattern, calls, per_success.value is not None))
    return tuple(out)


def _outcomes(node: Node) -> tuple[OutcomeRule, ...]:
    if node.value is None:
        return ()
    out = []
    for item in node.items():
        item.keys(("status", "name"), ("body_contains", "failure"))
        status = item.child("status")
        code = status.whole("an HTTP status code such as 409")
        if not 100 <= code <= 599:
            status.fail("an HTTP status code such as 409")
        name = item.child("name")
        label = _name(name, name.value, "an outcome name", _OUTCOME)
        body, failure = item.child("body_contains"), item.child("failure")
        if failure.value is not None and not isinstance(failure.value, bool):
            failure.fail("true or false")
        text = None if body.value is None else body.text("text the answer's body contains")
        out.append(OutcomeRule(code, label, text, bool(failure.value)))
    return tuple(out)


def _funnel(node: Node) -> tuple[str, ...]:
    if node.value is None:
        return ()
    return tuple(_name(item, item.value, "an outcome name", _OUTCOME) for item in node.items())


def _path(node: Node) -> str | None:
    if node.value is None:
        return None
    text = node.text("a path on the target such as /healthz")
    if not text.startswith("/"):
        node.fail("a path on the target starting with / such as /healthz")
    return text


def description_from_yaml(text: str, source: str) -> TargetDescription:
    """The description in YAML ``text``; ``source`` names the file in error messages."""
    return parse_description(load_yaml(text, source, "a target description mapping"))


def load_description(path: str | Path) -> TargetDescription:
    """The description in the file at ``path``, or a one-line `ConfigError`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such target description file") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ConfigError(f"{path}: cannot read the target description: {reason}") from None
    return description_from_yaml(text, str(path))


def reference_text() -> str:
    """The YAML of the reference store's own description, as shipped."""
    return resources.files("stampede.core").joinpath(REFERENCE_FILE).read_text(encoding="utf-8")


def reference_description() -> TargetDescription:
    """The reference store's description: its groups, seven services and outcomes."""
    return description_from_yaml(reference_text(), f"stampede.core/{REFERENCE_FILE}")
