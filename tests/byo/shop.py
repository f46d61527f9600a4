"""Bazaar's own project and store, as the bring-your-own-store tests use them.

:func:`copy_shop` fills a working directory with Bazaar's locustfiles,
description and profiles, as a newcomer's own project would hold them;
:data:`STOCK` is the hot item's stock of the ``store`` fixture (conftest.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: the files of Bazaar's own project
SHOP_FILES = (
    "bazaar_locustfile.py",
    "plain_locustfile.py",
    "http_locustfile.py",
    "bazaar.target.yaml",
    "bazaar-closed.yaml",
    "bazaar-open.yaml",
    "bazaar.topology.yaml",
)
STOCK = 60


def copy_shop(path: Path) -> Path:
    """``path``, holding a copy of each of :data:`SHOP_FILES`."""
    path.mkdir(parents=True, exist_ok=True)
    for name in SHOP_FILES:
        shutil.copy(HERE / name, path / name)
    return path
