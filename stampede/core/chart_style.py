"""The matplotlib settings every chart of Stampede is drawn with (the report's and the plan's)."""

from __future__ import annotations

from typing import Any

#: fonts and colours of the report's figures; ``matplotlib.rc_context`` takes it as it is
#: (its keys typed Any: matplotlib's stubs want a Literal of every rc name)
CHART_RC: dict[Any, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.edgecolor": "#9ca3af",
    "axes.labelcolor": "#374151",
    "xtick.color": "#4b5563",
    "ytick.color": "#4b5563",
}
