"""The cost per account and month, as a chart or a table."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from helpers import costs
from helpers.kit import Kit
from helpers.widgets.base import button, html, through


def cost_chart(kit: Kit) -> w.VBox:
    """The cost per account and month (helpers.costs.cost_per_account), as a chart or a
    table; Refresh asks Cost Explorer again."""
    pane, out = w.HTML(), w.Output()
    view = w.ToggleButtons(options=["chart", "table"])
    refresh = button("Refresh", "refresh")
    found: list[costs.Costs] = []

    def draw(_: Any = None) -> None:
        figures = found[0]
        shown = costs.chart(figures) if view.value == "chart" else costs.table(figures)
        pane.value = (html(figures.note) if figures.note else "") + (
            html(shown) if figures.amounts else ""
        )

    def load() -> None:
        found[:] = [costs.cost_per_account(kit)]
        draw()

    view.observe(through(out, draw), names="value")
    refresh.on_click(through(out, load))
    load()
    return w.VBox([w.HBox([view, refresh]), out, pane])
