"""docs/own-store.md's files, copied as a newcomer copies them, fit together.

Each code block of the walk-through that opens with ``# <file>`` is a file the reader
saves under that name: the locustfile, the target description, the two profiles and
the topology. Saved side by side, the locustfile imports and has the classes both
profiles' mixes name, both profiles find the description next to them and take SLOs
on its groups only, and the topology names the description's services. (The commands
the page runs, against Bazaar, are tests/byo/test_own_store.py's.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stampede.app.user_locustfile import (
    UserLocustfile,
    check_users,
    inspect_locustfile,
    resolve_target,
)
from stampede.capacity import load_topology
from stampede.profiles import load_profile

DOC = Path(__file__).resolve().parents[2] / "docs" / "own-store.md"
FILES = ("shop.py", "shop.target.yaml", "shop.yaml", "shop-probe.yaml", "shop.topology.yaml")


def _save_doc_files(where: Path) -> dict[str, Path]:
    blocks = re.findall(r"^```(?:python|yaml)\n# (\S+\.(?:py|yaml))\n(.*?)^```", DOC.read_text(),
                        re.S | re.M)  # fmt: skip
    saved: dict[str, Path] = {}
    for name, body in blocks:
        assert name not in saved, f"docs/own-store.md has two blocks named {name}"
        saved[name] = where / name
        saved[name].write_text(f"# {name}\n{body}")
    return saved


@pytest.fixture(scope="module")
def doc_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _save_doc_files(tmp_path_factory.mktemp("newcomer"))


@pytest.fixture(scope="module")
def users(doc_files: dict[str, Path]) -> UserLocustfile:
    """shop.py, imported in a child process as ``stampede run --locustfile`` does."""
    return inspect_locustfile(doc_files["shop.py"])


def test_the_walkthrough_names_each_file_once(doc_files: dict[str, Path]) -> None:
    assert tuple(doc_files) == FILES


def test_the_locustfile_imports_with_its_two_users(users: UserLocustfile) -> None:
    assert {(c.name, c.stampede) for c in users.classes} == {("Window", True), ("Buyer", True)}


@pytest.mark.parametrize("profile", ["shop.yaml", "shop-probe.yaml"])
def test_the_walkthrough_files_fit_together(
    doc_files: dict[str, Path], users: UserLocustfile, profile: str
) -> None:
    loaded = load_profile(doc_files[profile])
    assert check_users(loaded, users) == ()  # every class of the mix, none of them plain
    target = resolve_target(None, loaded, profile).description
    assert target.source.endswith("shop.target.yaml")
    assert target.orders is not None and str(target.orders) == "POST /basket/pay"
    topology = load_topology(doc_files["shop.topology.yaml"], target.service_names)
    assert set(topology.services) == set(target.service_names)
