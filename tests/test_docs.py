"""The docs name no one's machine: commands run from a checkout, with its own .venv."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
#: an absolute path into someone's home, workspace or virtualenv
MACHINE_PATH = re.compile(r"(?<![\w.])/(?:home|Users|root|work|opt|srv|mnt)/[\w.-]+")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_no_machine_paths_in_the_docs(doc: Path) -> None:
    found = MACHINE_PATH.findall(doc.read_text())
    assert not found, f"{doc.name} names paths of one machine: {found}"
