"""``slos_from_mapping``: a ``slos:`` block read on its own, as a profile reads it."""

from __future__ import annotations

from typing import Any

import pytest

from stampede.core.errors import ConfigError
from stampede.profiles import LatencySlo, Slos, slos_from_mapping
from tests.profiles.conftest import MakeProfile, valid


def test_reads_the_block_as_a_profile_does(make_profile: MakeProfile) -> None:
    data = valid()
    assert slos_from_mapping(data["slos"], "tiny.yaml") == make_profile(data).slos


def test_every_objective() -> None:
    block = {
        "latency": {"checkout": {"p99": "1s"}, "all": {"p95": "500ms", "p99": "1.2s"}},
        "error_rate": 0.01,
        "min_throughput": 250,
    }
    assert slos_from_mapping(block, "slos.yaml") == Slos(
        # the groups in the file's order, then all
        latency=(
            LatencySlo("checkout", None, 1.0),
            LatencySlo("all", 0.5, 1.2),
        ),
        error_rate=0.01,
        min_throughput=250.0,
    )


def test_page_load_objectives_by_page_type() -> None:
    block = {"page_load": {"product": {"p95": "2s"}, "all": {"p95": "2.5s", "p99": "4s"}}}
    slos = slos_from_mapping(block, "slos.yaml")
    assert slos.page_load == (LatencySlo("product", 2.0, None), LatencySlo("all", 2.5, 4.0))
    assert slos.latency == ()


def test_none_means_no_objectives() -> None:
    assert slos_from_mapping(None, "slos.yaml") == Slos()


@pytest.mark.parametrize(
    ("data", "key_path", "message"),
    [
        (
            {"latency": {"all": {"p95": "fast"}}},
            "",
            "slos.yaml: latency.all.p95: fast is not allowed; expected a positive latency",
        ),
        (
            {"latency": {"all": {"p95": "fast"}}},
            "slos",
            "slos.yaml: slos.latency.all.p95: fast is not allowed",
        ),
        ({"error_rate": 5}, "", "slos.yaml: error_rate: 5 is not allowed"),
        ({"p95": "1s"}, "slos", "slos.yaml: slos.p95: unknown key"),
        (["error_rate"], "", 'slos.yaml: top level: ["error_rate"] is not allowed'),
        (
            {"page_load": {"product": {"p95": "slow"}}},
            "slos",
            "slos.yaml: slos.page_load.product.p95: slow is not allowed; expected a positive "
            "latency",
        ),
        (
            {"page_load": {"Product Page": {"p95": "2s"}}},
            "",
            'slos.yaml: page_load.Product Page: "Product Page" is not allowed; '
            "expected a page type",
        ),
        (
            {"page_load": {"all": {"p95": "3s", "p99": "2s"}}},
            "",
            "slos.yaml: page_load.all.p99: 2s is not allowed; expected a p99 no lower than p95",
        ),
    ],
)
def test_mistakes_name_the_file_and_the_key_path(data: Any, key_path: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        slos_from_mapping(data, "slos.yaml", key_path=key_path)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
