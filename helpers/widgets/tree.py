"""The organization tree, drawn again after each cell or widget that changed something."""

from __future__ import annotations

import ipywidgets as w

from helpers import organization
from helpers.kit import Kit
from helpers.widgets.base import button, html, through, watch


def organization_tree(kit: Kit) -> w.VBox:
    """The organization as it is now, drawn again after each cell or widget that changed
    something, and on Refresh (for changes made from another notebook)."""
    picture, out = w.HTML(), w.Output()
    refresh = button("Refresh", "refresh")

    def draw() -> None:
        if organization.describe(kit.management) is None:
            picture.value = html("No organization yet: step 01 creates it.")
        else:
            picture.value = html(organization.picture(kit.management))

    refresh.on_click(through(out, draw))
    watch(kit).redraws.append(draw)
    draw()
    return w.VBox([refresh, out, picture])
