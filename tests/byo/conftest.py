"""Bazaar's shop and store, shared by the bring-your-own-store tests (tests/byo/shop.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.byo.bazaar import BazaarServer, bazaar
from tests.byo.shop import STOCK, copy_shop


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A working directory holding Bazaar's locustfiles, description and profiles."""
    return copy_shop(tmp_path)


@pytest.fixture
def store() -> Iterator[BazaarServer]:
    """Bazaar on loopback, with ``STOCK`` of its hot item."""
    with bazaar(stock=STOCK) as server:
        yield server
