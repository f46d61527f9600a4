"""Turning the plain data of a profile file into a validated `Profile`.

Each function checks one section and raises a one-line `ConfigError` naming
the file, the key path, the bad value and what is allowed.
"""

from __future__ import annotations

import re

from stampede.core.node import Node
from stampede.profiles._model import (
    ALL_GROUP,
    ARRIVALS,
    Arrivals,
    ConstantThinkTime,
    ExponentialThinkTime,
    FlashSale,
    LatencySlo,
    LogNormalWait,
    Patience,
    Slos,
    Stage,
    ThinkTime,
    UniformThinkTime,
    UserBehaviour,
)
from stampede.profiles._profile import Isolation, Profile
from stampede.profiles._units import format_duration, parse_duration, parse_latency

_TOP_REQUIRED = ("name", "stages", "mix", "think_times")
_TOP_OPTIONAL: tuple[str, ...] = ("description", "flash", "slos", "scale", "time_scale", "applied")
_TOP_OPTIONAL += ("arrivals",)
_TOP_OPTIONAL += ("target",)
_TOP_OPTIONAL += ("patience",)
_TOP_OPTIONAL += ("isolation",)
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
#: a user class of the locustfile, or a bundled behaviour (browser, flash_buyer, ...)
_CLASS_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: an endpoint group of the target description (browse, checkout, ...)
GROUP_NAME = re.compile(r"[a-z][a-z0-9_-]*")
_WEIGHT_TOLERANCE = 1e-6
_FACTOR = "a number in (0, 1] such as 0.01"
_POSITIVE_DURATION = "a positive duration such as 30s or 5m"
_NON_NEGATIVE_DURATION = "a duration of 0 or more such as 0s, 500ms or 2s"


def parse_profile(root: Node) -> Profile:
    """The `Profile` described by ``root``, the top-level mapping of a profile file."""
    root.keys(_TOP_REQUIRED, _TOP_OPTIONAL)
    name = root.child("name")
    if not isinstance(name.value, str) or not _NAME.fullmatch(name.value):
        name.fail("a name of lowercase letters, digits and dashes such as flash-sale")
    description = root.child("description")
    stages = parse_stages(root.child("stages"))
    applied = root.child("applied")
    if applied.value is not None:
        applied.keys(optional=("scale", "time_scale"))
    target = root.child("target")
    return Profile(
        arrivals=_arrivals(root.child("arrivals"), stages),
        name=name.value,
        description="" if description.value is None else description.text(),
        stages=stages,
        mix=parse_mix(root.child("mix"), root.child("think_times")),
        flash=_flash(root.child("flash"), sum(s.duration_s for s in stages)),
        slos=parse_slos(root.child("slos")),
        scale=_factor(root.child("scale")),
        time_scale=_factor(root.child("time_scale")),
        applied_scale=_factor(applied.child("scale")),
        applied_time_scale=_factor(applied.child("time_scale")),
        target=None if target.value is None else target.text("the path of a target description"),
        patience=parse_patience(root.child("patience")),
        isolation=_isolation(root.child("isolation")),
    )


def _isolation(node: Node) -> Isolation:
    """``isolation``: shared (the default) or pinned, the embedded store and the generator on
    separate CPU cores (a capacity probe's: each replica's figures measured undisturbed)."""
    if node.value is None:
        return "shared"
    if node.value not in ("shared", "pinned"):
        node.fail(
            "shared (the store and the generator share the machine's cores, the default) or "
            "pinned (each on cores of its own)"
        )
    return "pinned" if node.value == "pinned" else "shared"


_PATIENCE = "on, off or {page: {median: 3s, sigma: 0.5}, checkout: {median: 10s, sigma: 0.5}}"


def parse_patience(node: Node) -> Patience | None:
    """``patience``: off (the default), on (docs/patience.md's distributions) or a mapping
    of ``page`` and ``checkout``, each a log-normal ``{median, sigma}``."""
    if node.value in (None, False, "off"):  # YAML reads a bare off as false
        return None
    if node.value in (True, "on"):
        return Patience()
    if not isinstance(node.value, dict):
        node.fail(_PATIENCE)
    node.keys(optional=("page", "checkout"))
    default = Patience()
    return Patience(
        page=_wait(node.child("page"), default.page),
        checkout=_wait(node.child("checkout"), default.checkout),
    )


def _wait(node: Node, default: LogNormalWait) -> LogNormalWait:
    if node.value is None:
        return default
    if not isinstance(node.value, dict):
        node.fail("a log-normal wait such as {median: 3s, sigma: 0.5}")
    node.keys(("median", "sigma"))
    sigma = node.child("sigma")
    expected = "a log-normal shape above 0 and at most 3 such as 0.5"
    value = sigma.number(expected)
    if not 0 < value <= 3:
        sigma.fail(expected)
    return LogNormalWait(_duration(node.child("median"), positive=True), value)


def _arrivals(node: Node, stages: tuple[Stage, ...]) -> Arrivals:
    """``arrivals``: even (the default) or poisson, and only for an open-model profile."""
    if node.value is None:
        return "even"
    if node.value not in ARRIVALS:
        node.fail("even (evenly spaced, the default) or poisson (a Poisson process)")
    if stages[0].users is not None:
        node.fail(
            "no arrivals on a closed-model profile (it applies to stages of arrivals_per_s; "
            "users arrive by their think times)"
        )
    return "poisson" if node.value == "poisson" else "even"


def _factor(node: Node) -> float:
    if node.value is None:
        return 1.0
    value = node.number(_FACTOR)
    if not 0 < value <= 1:
        node.fail(_FACTOR)
    return value


def _duration(node: Node, *, positive: bool) -> float:
    expected = _POSITIVE_DURATION if positive else _NON_NEGATIVE_DURATION
    try:
        seconds = parse_duration(node.value)
    except ValueError:
        node.fail(expected)
    if seconds < 0 or (positive and seconds == 0):
        node.fail(expected)
    return seconds


def _latency(node: Node) -> float:
    expected = "a positive latency with its unit such as 500ms or 1.2s"
    try:
        seconds = parse_latency(node.value)
    except ValueError:
        node.fail(expected)
    if seconds <= 0:
        node.fail(expected)
    return seconds


def parse_stages(node: Node) -> tuple[Stage, ...]:
    """The stages of a profile: all closed-model (users) or all open-model (arrivals_per_s)."""
    stages: list[Stage] = []
    for index, item in enumerate(node.items()):
        stage = _stage(item, index, stages[-1].target if stages else 0.0)
        if stages and (stage.users is None) != (stages[0].users is None):
            used, other = ("users", "arrivals_per_s")[:: 1 if stages[0].users is not None else -1]
            item.error(
                f"uses {other} but stages[0] uses {used}; expected every stage to use {used} "
                "(a profile is either closed-model or open-model)"
            )
        stages.append(stage)
    if all(stage.target == 0 for stage in stages):
        node.fail("at least one stage with a target above 0", shown="every target of 0")
    return tuple(stages)


def _stage(node: Node, index: int, previous: float) -> Stage:
    node.keys(("duration",), ("users", "arrivals_per_s", "spawn_rate", "phase"))
    duration = _duration(node.child("duration"), positive=True)
    phase = node.child("phase")
    name = f"stage-{index}" if phase.value is None else phase.text("a phase name such as sale")
    users, rate, spawn = node.child("users"), node.child("arrivals_per_s"), node.child("spawn_rate")
    if (users.value is None) == (rate.value is None):
        found = "both users and arrivals_per_s are set"
        if users.value is None:
            found = "neither users nor arrivals_per_s is set"
        node.error(
            f"{found}; expected exactly one: users (closed model) or arrivals_per_s (open model)"
        )
    if rate.value is not None:
        if spawn.value is not None:
            spawn.fail("no spawn_rate on an arrivals_per_s stage (it only applies to users)")
        return Stage(duration, name, arrivals_per_s=_rate(rate))
    count = users.whole("a whole number of users, 0 or more")
    if count < 0:
        users.fail("a whole number of users, 0 or more")
    spawn_rate = None if spawn.value is None else _spawn_rate(spawn, count - previous, duration)
    return Stage(duration, name, users=count, spawn_rate=spawn_rate)


def _rate(node: Node) -> float:
    rate = node.number("an arrival rate per second, 0 or more, such as 50")
    if rate < 0:
        node.fail("an arrival rate per second, 0 or more, such as 50")
    return rate


def _spawn_rate(node: Node, step: float, duration: float) -> float:
    spawn_rate = node.number("a spawn rate in users per second above 0 such as 10")
    if spawn_rate <= 0:
        node.fail("a spawn rate in users per second above 0 such as 10")
    needed = abs(step) / duration
    if spawn_rate < needed:
        node.fail(
            f"at least {needed:g} users/s to move {abs(step):g} users within "
            f"{format_duration(duration)}"
        )
    return spawn_rate


def parse_mix(mix: Node, think_times: Node) -> tuple[UserBehaviour, ...]:
    """The behaviours of the mix with their weights and think times."""
    weights: dict[str, float] = {}
    for key, node in _named_entries(mix, "mix"):
        expected = "a weight between 0 and 1 such as 0.25 (a fraction, not a percentage)"
        weight = node.number(expected)
        if not 0 <= weight <= 1:
            node.fail(expected)
        weights[key] = weight
    total = sum(weights.values())
    if abs(total - 1) > _WEIGHT_TOLERANCE:
        terms = " + ".join(f"{key} {weight:g}" for key, weight in weights.items())
        mix.error(
            f"the weights add up to {total:.10g} ({terms}); expected a total of 1.0 within 1e-6"
        )
    thinks = dict(_named_entries(think_times, "think_times"))
    for key in thinks:
        if key not in weights:
            think_times.child(key).error(f"{key} is not in mix; expected only behaviours of mix")
    for key in weights:
        if key not in thinks:
            think_times.child(key).error("missing; every behaviour of mix needs a think time")
    return tuple(UserBehaviour(key, weights[key], parse_think_time(thinks[key])) for key in weights)


def _named_entries(node: Node, what: str) -> list[tuple[str, Node]]:
    """The entries of ``mix`` or ``think_times``: keyed by user class names."""
    if not isinstance(node.value, dict) or not node.value:
        node.fail("a mapping of user class names (or bundled behaviours such as browser) to values")
    entries = []
    for key in node.value:
        if not isinstance(key, str) or not _CLASS_NAME.fullmatch(key):
            Node(key, f"{node.path}.{key}", node.source).fail(
                f"a user class name such as Shopper or browser in {what}"
            )
        entries.append((key, node.child(key)))
    return entries


def parse_think_time(node: Node) -> ThinkTime:
    """A think time: ``{min, max}`` (uniform), ``{distribution: constant, value}``
    or ``{distribution: exponential, mean, max?}``."""
    if not isinstance(node.value, dict):
        node.fail("a think time such as {min: 1s, max: 5s}")
    kind = node.child("distribution")
    name = "uniform" if kind.value is None else kind.value
    if name == "constant":
        node.keys(("distribution", "value"))
        return ConstantThinkTime(_duration(node.child("value"), positive=False))
    if name == "exponential":
        node.keys(("distribution", "mean"), ("max",))
        cap = node.child("max")
        mean = _duration(node.child("mean"), positive=False)
        return ExponentialThinkTime(
            mean, None if cap.value is None else _duration(cap, positive=False)
        )
    if name != "uniform":
        kind.fail("a distribution of uniform, constant or exponential")
    node.keys(("min", "max"), ("distribution",))
    low = _duration(node.child("min"), positive=False)
    high = _duration(node.child("max"), positive=False)
    if high < low:
        node.child("max").fail(f"a duration no shorter than min ({format_duration(low)})")
    return UniformThinkTime(low, high)


def _flash(node: Node, total_s: float) -> FlashSale | None:
    if node.value is None:
        return None
    node.keys(("sku", "opens_at"))
    sku = node.child("sku")
    if isinstance(sku.value, int) and not isinstance(sku.value, bool):
        sku = Node(str(sku.value), sku.path, sku.source)
    opens = node.child("opens_at")
    opens_at = _duration(opens, positive=False)
    if opens_at >= total_s:
        opens.fail(f"a time before the profile ends at {format_duration(total_s)}")
    return FlashSale(sku.text("a SKU such as FLASH-001"), opens_at)


def slos_from_mapping(data: object, source: str, *, key_path: str = "") -> Slos:
    """The objectives in ``data``, a ``slos:`` block as plain data (parsed YAML or JSON).

    ``data`` is written as in a profile, such as
    ``{"latency": {"all": {"p95": "500ms"}}, "error_rate": 0.01}``; ``None`` means
    no objectives. ``source`` names the file and ``key_path`` where the block sits
    in it (``slos``, or empty at the top level), so a mistake reads
    ``<source>: <key_path>.latency.all.p95: fast is not allowed; expected ...``.
    Raise `ConfigError` for anything a profile's ``slos:`` would refuse.
    """
    return parse_slos(Node(data, key_path, source))


def parse_slos(node: Node) -> Slos:
    """The objectives: latency per endpoint group, error rate and minimum throughput."""
    if node.value is None:
        return Slos()
    node.keys(optional=("latency", "error_rate", "min_throughput", "page_load"))
    latency, pages = node.child("latency"), node.child("page_load")
    return Slos(
        latency=() if latency.value is None else _latency_slos(latency, _GROUPS),
        error_rate=_bounded(node.child("error_rate"), 1.0, "a fraction such as 0.01 for 1%"),
        min_throughput=_bounded(node.child("min_throughput"), None, "requests per second"),
        page_load=() if pages.value is None else _latency_slos(pages, _PAGES),
    )


def _bounded(node: Node, upper: float | None, what: str) -> float | None:
    if node.value is None:
        return None
    expected = f"{what}, between 0 and {upper:g}" if upper is not None else f"{what}, 0 or more"
    value = node.number(expected)
    if value < 0 or (upper is not None and value > upper):
        node.fail(expected)
    return value


#: what the keys of ``slos.latency`` and ``slos.page_load`` name: (a mapping of ..., one key)
_GROUPS = (
    f"a mapping of endpoint groups ({ALL_GROUP} or the target's) to objectives",
    f"an endpoint group such as {ALL_GROUP}, browse or checkout",
)
_PAGES = (
    f"a mapping of page types ({ALL_GROUP}, product, category, home or cart) to objectives",
    f"a page type such as {ALL_GROUP}, product or category",
)


def _latency_slos(node: Node, what: tuple[str, str]) -> tuple[LatencySlo, ...]:
    found: dict[str, LatencySlo] = {}
    if not isinstance(node.value, dict):
        node.fail(what[0])
    for key in node.value:
        if not isinstance(key, str) or not GROUP_NAME.fullmatch(key):
            Node(key, f"{node.path}.{key}", node.source).fail(what[1])
        group = node.child(key)
        group.keys(optional=("p95", "p99"))
        p95, p99 = group.child("p95"), group.child("p99")
        if p95.value is None and p99.value is None:
            group.fail("p95, p99 or both such as {p95: 500ms, p99: 1s}")
        slo = LatencySlo(
            key,
            None if p95.value is None else _latency(p95),
            None if p99.value is None else _latency(p99),
        )
        if slo.p95_s is not None and slo.p99_s is not None and slo.p99_s < slo.p95_s:
            p99.fail(f"a p99 no lower than p95 ({p95.value})")
        found[key] = slo
    # the groups in the order the file gives them, then `all`
    return tuple(sorted(found.values(), key=lambda slo: slo.group == ALL_GROUP))
