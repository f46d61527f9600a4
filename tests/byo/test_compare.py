"""``stampede compare`` of two Bazaar runs: its outcome rows by Bazaar's own names.

The runs are synthetic (tests/synthetic.py) with Bazaar's description as
their target.yaml and outcomes Bazaar's users count, so the table's business
rows come from the description (funnel ``[paid]``, outcomes ``sold_out`` and
``limit_exceeded``), never from the reference store's names.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from stampede.core.outcomes import OutcomeCounter
from stampede.core.rundir import write_json
from stampede.reports import load_run
from stampede.reports._compare import comparison_markdown, comparison_rows
from tests.byo.shop import HERE
from tests.synthetic import ORIGIN, write_run


def _bazaar_run(path: Path, outcomes: dict[str, int]) -> Path:
    write_run(path)
    shutil.copy(HERE / "bazaar.target.yaml", path / "target.yaml")
    (path / "store-summary.json").unlink()  # Bazaar has no summary of its own
    counter = OutcomeCounter(1.0)
    for name, count in outcomes.items():
        counter.add(name, ORIGIN + 3.0, count)
    write_json(path / "outcomes.json", counter.to_dict())
    return path


def test_the_outcome_rows_are_the_descriptions(tmp_path: Path) -> None:
    before = load_run(_bazaar_run(tmp_path / "before", {"paid": 40, "sold_out": 5}))
    after = load_run(_bazaar_run(tmp_path / "after", {"paid": 20, "limit_exceeded": 7}))
    rows = {row.metric: row for row in comparison_rows([before, after])}
    paid = rows["orders paid (paid)"]
    assert paid.values == (40.0, 20.0) and paid.mark == "worse"
    assert rows["sold out answers (sold_out)"].values == (5.0, 0.0)
    assert rows["limit exceeded answers (limit_exceeded)"].values == (0.0, 7.0)
    # Bazaar's funnel has one step: no conversion; and it has no flash SKU
    markdown = comparison_markdown([before, after], list(rows.values()))
    for reference_name in ("conversion", "product views", "checkout", "flash SKU", "order_paid"):
        assert reference_name not in markdown, reference_name
    assert "| orders paid (paid) | 40 | 20 |" in markdown


def test_the_reference_stores_funnel_rows(tmp_path: Path) -> None:
    run = load_run(write_run(tmp_path / "run"))
    rows = {row.metric: row for row in comparison_rows([run, run])}
    totals = run.outcome_totals
    assert rows["orders paid (order_paid)"].values[0] == totals["order_paid"]
    conversion = rows["conversion (order_paid / viewed_product)"].values[0]
    assert conversion == totals["order_paid"] / totals["viewed_product"]
    success = rows["last step's success (order_paid / checkout_attempted)"].values[0]
    assert success == totals["order_paid"] / totals["checkout_attempted"]
    assert rows["payment unavailable answers (payment_unavailable)"].better == "lower"
