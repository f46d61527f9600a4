"""The public surface: re-exported, sorted, and free of locust."""

from __future__ import annotations

import ast
from pathlib import Path

from stampede import capacity

PACKAGE = Path(capacity.__file__).parent


def test_all_is_sorted_and_complete() -> None:
    # isort-style, as ruff's RUF022 keeps it: constants, classes, then functions
    def key(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert capacity.__all__ == sorted(capacity.__all__, key=key)
    for name in capacity.__all__:
        assert hasattr(capacity, name), name
    public = {n for n in vars(capacity) if not n.startswith("_")} - {"annotations"}
    modules = {
        n for n in public if n.startswith("_") or type(getattr(capacity, n)).__name__ == "module"
    }
    assert public - modules == set(capacity.__all__)


def test_headline_functions_are_exported() -> None:
    for name in (
        "fit_usl",
        "make_plan",
        "write_plan",
        "load_stats_history",
        "erlang_c",
        "simulate",
        "load_prices",
        "hpa_desired_replicas",
        "elasticity_metrics",
    ):
        assert name in capacity.__all__


def test_capacity_never_imports_locust() -> None:
    for source in PACKAGE.glob("*.py"):
        tree = ast.parse(source.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n.split(".")[0] == "locust" for n in names), source.name


def test_public_functions_have_docstrings() -> None:
    for name in capacity.__all__:
        obj = getattr(capacity, name)
        if callable(obj):
            assert obj.__doc__, name
