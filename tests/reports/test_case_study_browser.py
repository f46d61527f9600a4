"""The case study's page opened in headless Chromium: no console errors, nothing fetched from
the network, every metric of case-study.json a row on the rendered page."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from stampede.reports._case_study_render import write_case_study
from tests.reports.browser import chromium_path, open_page
from tests.reports.test_case_study import CONDITIONS, _sides


@pytest.mark.browser
def test_case_study_page_in_a_real_browser(tmp_path: Path) -> None:
    executable = chromium_path()
    if executable is None:
        if os.environ.get("STAMPEDE_REQUIRE_SERVICES") == "1":
            pytest.fail("chromium is required (apt-get install -y chromium)")
        pytest.skip("chromium is not installed: apt-get update && apt-get install -y chromium")
    legacy, modern = _sides(tmp_path)
    doc_path, _, html_path = write_case_study(tmp_path / "out", legacy, modern, CONDITIONS)
    metrics = [m["metric"] for m in json.loads(doc_path.read_text())["metrics"]]
    with open_page(html_path.as_uri(), tmp_path / "profile", executable) as page:
        rendered = page.evaluate(
            "Array.from(document.querySelectorAll('#dashboard tbody tr'))"
            ".map(r => r.cells[0].firstChild.textContent.trim())"
        )
        widths = page.evaluate(
            "[document.querySelector('#dashboard').getBoundingClientRect().width,"
            " document.documentElement.scrollWidth, window.innerWidth]"
        )
        title = page.evaluate("document.title")
        shot = tmp_path / "case-study.png"
        page.screenshot(shot)
        load = page.load
    assert load.errors == []
    assert all(url.startswith(("file:", "data:")) for url in load.requests), load.requests
    assert rendered == metrics
    table, page_width, viewport = widths
    assert 0 < table <= page_width <= viewport, widths
    assert "case study" in title.lower(), title
    assert shot.stat().st_size > 20_000
