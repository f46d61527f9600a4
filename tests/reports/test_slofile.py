"""The ``--slo`` file of ``stampede gate``: read through the profiles' public surface."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from stampede import reports
from stampede.core.errors import ConfigError
from stampede.profiles import LatencySlo, Slos, load_profile
from stampede.reports._slofile import load_slos

PACKAGE = Path(reports.__file__).parent
EXPECTED = Slos(latency=(LatencySlo("all", 0.5, 1.0),), error_rate=0.01)


@pytest.mark.parametrize(
    "text",
    [
        "latency: {all: {p95: 500ms, p99: 1s}}\nerror_rate: 0.01\n",
        "slos:\n  latency: {all: {p95: 500ms, p99: 1s}}\n  error_rate: 0.01\n",
    ],
    ids=["bare block", "under slos"],
)
def test_reads_the_block_bare_or_under_slos(tmp_path: Path, text: str) -> None:
    path = tmp_path / "slos.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_slos(path) == EXPECTED


def test_a_whole_profile_gives_its_objectives() -> None:
    path = Path(__file__).resolve().parents[2] / "profiles" / "flash-sale.yaml"
    assert load_slos(path) == load_profile("flash-sale").slos


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("latency: {all: {p95: fast}}\n", "slos.yaml: latency.all.p95: fast is not allowed"),
        ("slos: {latency: {all: {p95: 500}}}\n", "slos.yaml: slos.latency.all.p95: 500 is not"),
        ("- error_rate\n", "slos.yaml: expected a mapping of objectives"),
        ("latency: [\n", "slos.yaml: malformed YAML"),
    ],
)
def test_mistakes_are_one_line_config_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "slos.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_slos(path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such SLO file"):
        load_slos(tmp_path / "nope.yaml")


def test_reports_use_only_the_public_surface_of_profiles() -> None:
    for source in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                private = parts[0] == "profiles" and any(p.startswith("_") for p in parts[1:])
                assert not private, f"{source.name} imports {name}"
