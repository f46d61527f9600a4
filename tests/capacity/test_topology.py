from __future__ import annotations

from pathlib import Path

import pytest

from stampede.capacity import SERVICES, default_topology, load_topology
from stampede.core.errors import ConfigError


def test_defaults_cover_every_service() -> None:
    topo = default_topology()
    assert tuple(topo.services) == SERVICES
    assert topo.service("gateway").db_pool_size == 0
    assert load_topology(None) == topo


def test_file_overrides_only_what_it_names(tmp_path: Path) -> None:
    path = tmp_path / "topology.yaml"
    path.write_text(
        "cluster: shop\nservices:\n  catalog: {vcpu: 2, arch: arm}\n"
        "shared: {db_max_connections: 5000}\n"
    )
    topo = load_topology(path)
    assert topo.cluster == "shop"
    assert topo.service("catalog").vcpu == 2 and topo.service("catalog").arch == "arm"
    assert topo.service("catalog").memory_gb == default_topology().service("catalog").memory_gb
    assert topo.shared.db_max_connections == 5000


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("services:\n  basket: {vcpu: 1}\n", "unknown service 'basket'"),
        ("services:\n  catalog: {cpus: 1}\n", r"unknown key services\.catalog\.cpus"),
        ("services:\n  catalog: {arch: mips}\n", "allowed are x86, arm"),
        ("services:\n  notifications: {queue: 5}\n", r"services\.notifications\.queue is 5; give"),
        ("services:\n  notifications: {queue: ' '}\n", r"queue is ' '; give the name"),
        ("shared: {db_max_connections: -1}\n", "must be >= 0"),
        ("colour: blue\n", "unknown key colour"),
        ("[1, 2", "not valid YAML"),
    ],
)
def test_bad_topologies_name_the_key(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "topology.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=match):
        load_topology(path)


def test_missing_topology_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_topology(tmp_path / "nope.yaml")
