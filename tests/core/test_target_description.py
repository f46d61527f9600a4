"""Target descriptions: the reference store's, groups, services and outcomes parsed, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from stampede.core.errors import ConfigError
from stampede.core.target_description import (
    OTHER_GROUP,
    description_from_yaml,
    load_description,
    reference_description,
)

BAZAAR = Path(__file__).resolve().parents[1] / "byo" / "bazaar.target.yaml"


@pytest.mark.parametrize(
    ("name", "group", "service"),
    [
        ("GET /api/v1/products/[id]", "browse", "catalog"),
        ("GET /api/v1/products?category=[slug]", "browse", "catalog"),
        ("GET /api/v1/search", "browse", "catalog"),
        ("GET /", "browse", "catalog"),
        ("POST /api/v1/cart/items", "cart", "orders"),
        ("POST /api/v1/checkout", "checkout", "orders"),
        ("GET /api/v1/orders", "checkout", "orders"),
        ("POST /api/v1/sessions", "auth", "users"),
        ("GET /api/v1/stock/[sku]", "stock", "inventory"),
        ("/api/v1/cart", "cart", "orders"),  # a bare name matches method-less patterns
        ("GET /items", OTHER_GROUP, None),
        ("GET /api/v1/productsx", "browse", "catalog"),  # the old prefix rule's reach
    ],
)
def test_the_reference_description_groups_as_the_store_always_did(
    name: str, group: str, service: str | None
) -> None:
    described = reference_description()
    assert described.group_of(name) == group
    assert described.service_of(name) == service


def test_the_reference_store_names_its_seven_services() -> None:
    described = reference_description()
    assert described.service_names == (
        "users", "catalog", "orders", "inventory", "payments", "notifications", "gateway",
    )  # fmt: skip
    assert described.measured_services == ("users", "catalog", "orders", "inventory")
    payments = described.derived_services[0]
    assert (payments.name, payments.calls, payments.successes_only) == ("payments", 2.0, True)
    assert payments.source is not None and payments.source.matches("POST", "/api/v1/checkout")
    assert described.derived_services[2].source is None  # the gateway: every request
    assert (described.health, described.audit) == ("/healthz", "/admin/audit")


def test_a_store_of_its_own() -> None:
    bazaar = load_description(BAZAAR)
    assert bazaar.name == "bazaar"
    assert bazaar.group_names == ("browse", "login", "basket", "pay", OTHER_GROUP)
    assert bazaar.group_of("GET /goods/[sku]") == "browse"
    assert bazaar.group_of("POST /goods/[sku]") == OTHER_GROUP  # the method counts
    assert bazaar.group_of("POST /basket/pay") == "pay"  # exact: /basket does not take it
    assert bazaar.service_of("POST /basket/pay") == "till"
    assert bazaar.outcome_of(410, lambda: "") is not None
    limit = bazaar.outcome_of(422, lambda: '{"reason": "limit is 2"}')
    assert limit is not None and limit.name == "limit_exceeded"
    assert bazaar.outcome_of(422, lambda: '{"reason": "bad sku"}') is None
    assert (bazaar.health, bazaar.audit, bazaar.funnel) == ("/ping", "/ops/ledger", ("paid",))


def test_brackets_in_a_pattern_are_literal() -> None:
    described = description_from_yaml('groups: {item: ["GET /goods/[id]"]}', "t.yaml")
    assert described.group_of("GET /goods/[id]") == "item"
    assert described.group_of("GET /goods/i") == OTHER_GROUP


def test_slo_groups_are_checked_against_the_target() -> None:
    bazaar = load_description(BAZAAR)
    bazaar.check_slo_groups(("all", "browse", "pay", "other"), "p.yaml")
    with pytest.raises(ConfigError) as error:
        bazaar.check_slo_groups(("checkout",), "p.yaml")
    assert str(error.value).startswith("p.yaml: slos.latency.checkout: checkout is not an")
    assert "expected one of all, browse, login, basket, pay, other" in str(error.value)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "the file is empty; expected a target description mapping"),
        ("groups: [a]", 'groups: ["a"] is not allowed; expected a mapping of group names'),
        ("grups: {a: [x]}", "unknown key; did you mean groups?"),
        ("groups: {Browse: [/x]}", "groups.Browse: Browse is not allowed; expected a group name"),
        ("groups: {all: [/x]}", "expected a group name of lowercase letters"),
        ("groups: {a: []}", "groups.a: [] is not allowed; expected a non-empty list"),
        ("groups: {a: [get /x]}", 'groups.a[0]: "get /x" is not allowed'),
        ("groups: {a: [/x]}\nservices: {s: [b]}", "services.s[0]: b is not allowed; expected a"),
        (
            "groups: {a: [/x]}\nservices: {s: [a], t: [a]}",
            "services.t[0]: a is already answered by s",
        ),
        ("groups: {a: [/x]}\noutcomes: [{status: 99, name: x}]", "outcomes[0].status: 99"),
        ("groups: {a: [/x]}\noutcomes: [{status: 410}]", "outcomes[0].name: missing"),
        (
            "groups: {a: [/x]}\noutcomes: [{status: 410, name: x, failure: maybe}]",
            "outcomes[0].failure: maybe is not allowed; expected true or false",
        ),
        ("groups: {a: [/x]}\nhealth: ping", "health: ping is not allowed; expected a path"),
        (
            "groups: {a: [/x]}\nderived_services: {m: {calls: 1}}",
            "derived_services.m: expected exactly one of per_request_of and per_success_of",
        ),
        (
            "groups: {a: [/x]}\nderived_services: {m: {per_request_of: all, calls: 0}}",
            "derived_services.m.calls: 0 is not allowed",
        ),
    ],
)
def test_bad_input_is_one_line_naming_the_file_the_key_and_the_value(text: str, words: str) -> None:
    with pytest.raises(ConfigError) as error:
        description_from_yaml(text, "shop.yaml")
    message = str(error.value)
    assert message.startswith("shop.yaml: ") and "\n" not in message
    assert words in message


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such target description file"):
        load_description(tmp_path / "nope.yaml")
