"""Requests that match no group of the target description are counted in ``other``, and
the report says how many: a description of the reference store without its stock group
leaves the run's stock look-ups to ``other``."""

from __future__ import annotations

from pathlib import Path

from stampede.core.protocol import TARGET_FILE
from stampede.core.target_description import reference_text
from stampede.reports import load_run, write_report
from stampede.reports._notes import run_notes
from tests.synthetic import write_run


def test_requests_in_no_group_are_counted_in_other_and_the_report_says_how_many(
    tmp_path: Path,
) -> None:
    run = write_run(tmp_path / "run")
    text = reference_text().replace('  stock: ["* /api/v1/stock*", "* /api/v1/ws/stock*"]\n', "")
    text = text.replace("  inventory: [stock]\n", "")
    assert "stock:" not in text
    (run / TARGET_FILE).write_text(text)
    data = load_run(run)
    other = [e for e in data.endpoints if e.group == "other"]
    assert [e.name for e in other] == ["GET /api/v1/stock/[sku]"]
    stock = other[0].requests
    assert stock > 0
    note = (
        f"{stock:,} requests (1 request names: GET /api/v1/stock/[sku]) matched no endpoint "
        "group of the target description reference-store and are counted in other"
    )
    assert any(n.startswith(note) for n in run_notes(data))
    assert note in write_report(run).read_text(encoding="utf-8")
