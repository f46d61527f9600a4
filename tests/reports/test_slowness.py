"""Orders lost to slowness: a hand-computed case, and the run report's key number."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from stampede.core.outcomes import (
    ABANDONED_SLOW_CART,
    ABANDONED_SLOW_CHECKOUT,
    ABANDONED_SLOW_PAGE,
)
from stampede.profiles import Patience
from stampede.reports import load_run
from stampede.reports._case_study import cart_abandonment
from stampede.reports._report import key_numbers
from stampede.reports._slowness import lost_to_slowness

TOTALS = {
    "viewed_product": 200,
    "added_to_cart": 40,
    "checkout_attempted": 30,
    "order_paid": 10,
    ABANDONED_SLOW_PAGE: 40,
    ABANDONED_SLOW_CART: 10,
    ABANDONED_SLOW_CHECKOUT: 2,
}


def test_carts_lost_plus_visits_at_the_conversion() -> None:
    lost = lost_to_slowness(TOTALS)
    assert (lost.carts, lost.visits, lost.conversion) == (12, 40, 0.05)
    assert lost.orders == pytest.approx(12 + 40 * 0.05)  # 14 orders
    assert lost.note().startswith("12 carts abandoned") and "5.00 %" in lost.note()
    assert "an estimate" in lost.note()
    assert lost_to_slowness({}).orders == 0 and lost_to_slowness({}).conversion is None


def test_the_report_shows_them_when_shoppers_have_patience(smoke_run: Path) -> None:
    data = load_run(smoke_run)
    assert data.patience is None  # the smoke profile's default: off
    off = {k.label: k for k in key_numbers(data, ())}["Orders lost to slowness"]
    assert off.value == "—" and "patience: off" in off.note
    patient = replace(data, patience=Patience(), outcome_totals=TOTALS)
    on = {k.label: k for k in key_numbers(patient, ())}["Orders lost to slowness"]
    assert on.value == "≈ 14" and on.tone == "bad"


def test_cart_abandonment_counts_the_checkouts_given_up(smoke_run: Path) -> None:
    data = replace(load_run(smoke_run), outcome_totals=TOTALS)
    # 40 carts: 10 never reached a checkout, 2 whose failed checkout was given up
    assert cart_abandonment(data) == pytest.approx(100 * 12 / 40)
