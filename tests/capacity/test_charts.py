from __future__ import annotations

from matplotlib.figure import Figure

from stampede.capacity import WaterfallStep, plot_demand_supply, plot_waterfall


def test_demand_supply_draws_one_step_curve_each() -> None:
    ax = Figure().add_subplot()
    drawn = plot_demand_supply(
        ax, [1, 2, 3], {"static-peak": [3, 3, 3], "reactive-only": [1, 1, 3]}, step_s=30
    )
    assert set(drawn) == {"demand", "static-peak", "reactive-only"}
    assert len(ax.patches) == 3
    assert ax.get_xlim()[1] >= 1.5  # 3 steps of 30 s, in minutes
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == list(drawn)


def test_waterfall_bars_span_the_running_totals_from_zero() -> None:
    steps = [
        WaterfallStep("start", 100, 100, "start"),
        WaterfallStep("ARM", -20, 80, "change"),
        WaterfallStep("Spot", -30, 50, "change"),
        WaterfallStep("a price rise", 5, 55, "change"),
        WaterfallStep("end", 55, 55, "end"),
    ]
    ax = Figure().add_subplot()
    bars = plot_waterfall(ax, steps)
    spans = [(b.get_y(), b.get_y() + b.get_height()) for b in bars]
    # the start is the total, not total to twice the total; the end is where the levers left it
    assert spans == [(0, 100), (80, 100), (50, 80), (50, 55), (0, 55)]
    assert ax.get_ylim()[1] < 2 * 100
