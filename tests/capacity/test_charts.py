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


def test_waterfall_draws_one_bar_per_step() -> None:
    steps = [
        WaterfallStep("start", 100, 100, "start"),
        WaterfallStep("ARM", -20, 80, "change"),
        WaterfallStep("end", 80, 80, "end"),
    ]
    ax = Figure().add_subplot()
    bars = plot_waterfall(ax, steps)
    assert len(bars) == 3
    assert (bars[1].get_y(), bars[1].get_height()) == (80, 20)
    assert bars[2].get_height() == 80
