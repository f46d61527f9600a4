"""Page-load rows: known answers from hand-made distributions, and the report's table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from stampede.reports import Distribution, load_run, write_report
from stampede.reports._pages import PageRow, page_load_note, page_rows

# 100 views: 90 at 1 s, 5 at 2 s, 5 at 6 s
HAND = Distribution(values_s=(1.0, 2.0, 6.0), counts=(90, 5, 5))
FEW = Distribution(values_s=(0.5,), counts=(3,))


def test_page_rows_by_hand() -> None:
    rows = page_rows({"cart": FEW, "product": HAND, "all": HAND, "home": Distribution()})
    assert rows == [
        PageRow("all", 100, 1.0, 2.0, 6.0, 6.0),
        PageRow("product", 100, 1.0, 2.0, 6.0, 6.0),
        PageRow("cart", 3, 0.5, 0.5, 0.5, 0.5),
    ]  # all first, then by views; a page type nobody viewed is left out
    assert page_load_note({"all": HAND}) == (
        "1.00 s / 2.00 s",
        "p50 / p95 of 100 page views (document and API calls, corrected)",
    )
    assert page_load_note({})[0] == "—"


def test_the_report_shows_each_page_type(copy_run: Callable[..., Path]) -> None:
    run = copy_run("pages")
    product = load_run(run).page_loads["product"]
    html = write_report(run).read_text(encoding="utf-8")
    table = html.split('id="page-load"', 1)[1].split("</table>", 1)[0]
    assert "<td>every page</td>" in table and "<td>product</td>" in table
    assert f'<td class="num">{product.total:,}</td>' in table
