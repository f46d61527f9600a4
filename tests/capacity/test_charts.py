from __future__ import annotations

from matplotlib.figure import Figure

from stampede.capacity import WaterfallStep, plot_demand_supply, plot_waterfall
from stampede.capacity._charts import supply_title


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
    # the legend says what each strategy does, not its key
    assert [t.get_text() for t in legend.get_texts()] == [
        "demand (requests per second)",
        "static peak: the peak's replicas all along",
        "reactive only: the autoscaler follows demand",
    ]
    # the report's style: no top or right spine, distinct colours per strategy
    assert not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()
    assert drawn["static-peak"].get_edgecolor() != drawn["reactive-only"].get_edgecolor()


def test_supply_title_is_in_words() -> None:
    assert supply_title("catalog/ecs") == (
        "catalog: capacity over the sale against demand, ECS target tracking, by scaling strategy"
    )
    assert supply_title("checkout/hpa").startswith("checkout: ")
    assert "Kubernetes HPA" in supply_title("checkout/hpa")


def test_demand_supply_draws_the_title_and_unknown_strategies_by_key() -> None:
    ax = Figure().add_subplot()
    plot_demand_supply(ax, [1, 2], {"custom": [2, 2]}, title="catalog: supply")
    assert ax.get_title(loc="left") == "catalog: supply"
    legend = ax.get_legend()
    assert legend is not None
    assert legend.get_texts()[1].get_text() == "custom"


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
