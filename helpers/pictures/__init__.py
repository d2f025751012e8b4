"""The kit's pictures as SVG, in pure Python: an organization tree, boxes and arrows, bars.

Each function returns a `Picture`: JupyterLab shows it (`_repr_svg_`) and `str(picture)` is
the SVG text to embed in a report. One style throughout: the system sans-serif font, soft
colours, rounded boxes sized from their text. Styles are inline attributes (no <style>, no
ids), so several pictures can share one HTML page.
"""

from helpers.pictures.bars import BAR, BAR_GAP, PLOT_HEIGHT, STACKED_BAR, bar_chart, nice_ticks
from helpers.pictures.canvas import (
    ARROW,
    FONT,
    GRID,
    INK,
    KINDS,
    LABEL_LINE,
    LABEL_SIZE,
    LINE,
    MUTED,
    NOTE_LINE,
    NOTE_SIZE,
    PAD_X,
    PAD_Y,
    PAPER,
    SERIES,
    Picture,
    Point,
    Rect,
    text_width,
)
from helpers.pictures.graphs import ARROW_BENDS, ARROW_HEAD, ROUTE_AROUND, Arrow, Box, graph
from helpers.pictures.trees import (
    STACK_FROM,
    STACK_GAP,
    STACK_INDENT,
    TREE_GAP_X,
    TREE_GAP_Y,
    Node,
    tree,
)

__all__ = [
    "ARROW",
    "ARROW_BENDS",
    "ARROW_HEAD",
    "Arrow",
    "BAR",
    "BAR_GAP",
    "Box",
    "FONT",
    "GRID",
    "INK",
    "KINDS",
    "LABEL_LINE",
    "LABEL_SIZE",
    "LINE",
    "MUTED",
    "NOTE_LINE",
    "NOTE_SIZE",
    "Node",
    "PAD_X",
    "PAD_Y",
    "PAPER",
    "PLOT_HEIGHT",
    "Picture",
    "Point",
    "ROUTE_AROUND",
    "Rect",
    "SERIES",
    "STACKED_BAR",
    "STACK_FROM",
    "STACK_GAP",
    "STACK_INDENT",
    "TREE_GAP_X",
    "TREE_GAP_Y",
    "bar_chart",
    "graph",
    "nice_ticks",
    "text_width",
    "tree",
]
