"""The organization tree: top-down, levels sharing a row height, long leaf lists stacked."""

from collections.abc import Iterator
from dataclasses import dataclass, field

from helpers.pictures.canvas import (
    KINDS,
    LINE,
    Canvas,
    Picture,
    Point,
    Rect,
    box_size,
    draw_box,
    legend,
    num,
)

TREE_GAP_X, TREE_GAP_Y = 24, 44
STACK_FROM = 4  # a node with this many leaf children lists them under it instead of beside
STACK_INDENT, STACK_GAP = 28, 10


@dataclass
class Node:
    """A box of the organization tree; notes are small lines under the label."""

    label: str
    kind: str = "account"
    notes: list[str] = field(default_factory=list)
    children: list["Node"] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind {self.kind!r} is not one of {', '.join(KINDS)}")

    def stacks(self) -> bool:
        """Whether the children are listed under this node rather than beside each other."""
        return len(self.children) >= STACK_FROM and not any(c.children for c in self.children)

    def walk(self) -> Iterator["Node"]:
        """This node and all below it."""
        yield self
        for child in self.children:
            yield from child.walk()


class _TreeLayout:
    """Positions for a top-down tree: levels share a row height, leaf lists stack."""

    def __init__(self, root: Node) -> None:
        self.rows: dict[int, float] = {}
        self._measure_rows(root, 0)
        self.tops = [
            sum(self.rows[d] + TREE_GAP_Y for d in range(depth)) for depth in range(len(self.rows))
        ]
        self.boxes: list[tuple[Node, float, float, float, float]] = []
        self.edges: list[tuple[str, list[Point]]] = []
        self._place(root, 0, 0)

    def _measure_rows(self, node: Node, depth: int) -> None:
        self.rows[depth] = max(self.rows.get(depth, 0), box_size(node.label, node.notes)[1])
        if not node.stacks():
            for child in node.children:
                self._measure_rows(child, depth + 1)

    def width(self, node: Node) -> float:
        own = box_size(node.label, node.notes)[0]
        if node.stacks():
            return max(own, STACK_INDENT + max(self.width(c) for c in node.children))
        return max(own, self._children_width(node))

    def _place(self, node: Node, left: float, depth: int) -> Rect:
        """Place node's subtree from left; returns its box (x, y, w, h)."""
        w, h = box_size(node.label, node.notes)[0], self.rows[depth]
        y = self.tops[depth]
        if node.stacks():
            box = (left, y, w, h)
            self._stack(node, box)
        elif node.children:
            span = self.width(node)
            x = left + (span - self._children_width(node)) / 2
            centres = []
            for child in node.children:
                cx, cy, cw, _ = self._place(child, x, depth + 1)
                centres.append((cx + cw / 2, cy))
                x += self.width(child) + TREE_GAP_X
            middle = (centres[0][0] + centres[-1][0]) / 2
            box_x = min(max(middle - w / 2, left), left + span - w)
            box = (box_x, y, w, h)
            self._fan_out(box, centres)
        else:
            box = (left, y, w, h)
        self.boxes.append((node, *box))
        return box

    def _children_width(self, node: Node) -> float:
        return sum(self.width(c) for c in node.children) + TREE_GAP_X * (len(node.children) - 1)

    def _fan_out(self, box: Rect, centres: list[Point]) -> None:
        x, y, w, h = box
        start, middle = (x + w / 2, y + h), y + h + TREE_GAP_Y / 2
        for cx, cy in centres:
            d = f"M{num(start[0])},{num(start[1])} V{num(middle)} H{num(cx)} V{num(cy)}"
            self.edges.append((d, [start, (cx, cy)]))

    def _stack(self, node: Node, box: Rect) -> None:
        x, y, _, h = box
        rail, top = x + STACK_INDENT / 2, y + h + STACK_GAP
        for child in node.children:
            cw, ch = box_size(child.label, child.notes)
            self.boxes.append((child, x + STACK_INDENT, top, cw, ch))
            d = f"M{num(rail)},{num(y + h)} V{num(top + ch / 2)} H{num(x + STACK_INDENT)}"
            self.edges.append((d, [(rail, y + h), (x + STACK_INDENT, top + ch / 2)]))
            top += ch + STACK_GAP


def tree(root: Node) -> Picture:
    """The organization as a top-down tree, with a legend of the kinds of box."""
    layout = _TreeLayout(root)
    canvas = Canvas()
    for d, points in layout.edges:
        canvas.path(d, points, LINE)
    for node, x, y, w, h in layout.boxes:
        _, fill, stroke = KINDS[node.kind]
        with canvas.group(f"node {node.kind}", " · ".join([node.label, *node.notes])):
            draw_box(canvas, x, y, (w, h), node.label, node.notes, (fill, stroke))
    bottom = max(y + h for _, _, y, _, h in layout.boxes)
    kinds = {node.kind for node in root.walk()}
    legend(canvas, 0, bottom + 22, [KINDS[kind] for kind in KINDS if kind in kinds])
    return canvas.picture()
