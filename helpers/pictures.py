"""The kit's pictures as SVG, in pure Python: an organization tree, boxes and arrows, bars.

Each function returns a `Picture`: JupyterLab shows it (`_repr_svg_`) and `str(picture)` is
the SVG text to embed in a report. One style throughout: the system sans-serif font, soft
colours, rounded boxes sized from their text. Styles are inline attributes (no <style>, no
ids), so several pictures can share one HTML page.
"""

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
INK, MUTED, LINE, GRID, PAPER = "#1f2937", "#5b6472", "#94a3b8", "#e5e7eb", "#ffffff"
ARROW = "#4b6cb7"
LABEL_SIZE, NOTE_SIZE = 13, 11
PAD_X, PAD_Y, LABEL_LINE, NOTE_LINE = 12, 9, 17, 14
SERIES = ["#5b8def", "#f2a65a", "#59b37c", "#c77dba", "#e06c75", "#4fb3bf", "#a3a948", "#8d7cd8"]
KINDS = {  # kind: (legend text, fill, stroke)
    "root": ("Root", "#f1f5f9", "#64748b"),
    "management": ("Management account", "#fff3dc", "#d69a2d"),
    "ou": ("Organizational unit", "#e6efff", "#5b8def"),
    "account": ("Member account", "#e5f6ec", "#3f9a66"),
}
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

Point = tuple[float, float]
Rect = tuple[float, float, float, float]  # x, y, width, height


@dataclass(frozen=True)
class Picture:
    """An SVG picture: shown by JupyterLab, embedded in reports as str(picture)."""

    svg: str

    def _repr_svg_(self) -> str:
        return self.svg

    def __str__(self) -> str:
        return self.svg


def _esc(text: str) -> str:
    """Text made safe for XML content and attribute values."""
    return escape(_XML_INVALID.sub("", str(text)), {'"': "&quot;"})


def _num(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Estimated rendered width of text in a sans-serif font (generous, never tight)."""
    em = 0.0
    for char in str(text):
        if char in "iljI.,:;'|!` ":
            em += 0.3
        elif char in "frt()[]{}/-":
            em += 0.4
        elif char in "mwMW@%":
            em += 0.9
        elif char.isupper() or char in "&#":
            em += 0.7
        else:
            em += 0.58
    return em * size * (1.08 if bold else 1.0)


class _Canvas:
    """Collects SVG elements and the area they cover; picture() frames them."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._area = [math.inf, math.inf, -math.inf, -math.inf]

    def cover(self, *points: Point) -> None:
        for x, y in points:
            self._area = [
                min(self._area[0], x),
                min(self._area[1], y),
                max(self._area[2], x),
                max(self._area[3], y),
            ]

    @contextmanager
    def group(self, cls: str, title: str = "") -> Iterator[None]:
        tooltip = f"<title>{_esc(title)}</title>" if title else ""
        self._parts.append(f'<g class="{cls}">{tooltip}')
        yield
        self._parts.append("</g>")

    def rect(self, x: float, y: float, w: float, h: float, fill: str, **attributes: str) -> None:
        extra = "".join(f' {k.rstrip("_").replace("_", "-")}="{v}"' for k, v in attributes.items())
        self._parts.append(
            f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{_num(h)}" '
            f'fill="{fill}"{extra}/>'
        )
        self.cover((x, y), (x + w, y + h))

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float = LABEL_SIZE,
        fill: str = INK,
        anchor: str = "start",
        bold: bool = False,
        italic: bool = False,
    ) -> None:
        """Text whose baseline is at y."""
        style = (' font-weight="600"' if bold else "") + (' font-style="italic"' if italic else "")
        self._parts.append(
            f'<text x="{_num(x)}" y="{_num(y)}" font-size="{size}" fill="{fill}" '
            f'text-anchor="{anchor}"{style}>{_esc(text)}</text>'
        )
        width = text_width(text, size, bold)
        left = x - {"start": 0, "middle": width / 2, "end": width}[anchor]
        self.cover((left, y - size), (left + width, y + size * 0.3))

    def path(self, d: str, points: list[Point], stroke: str, fill: str = "none") -> None:
        self._parts.append(
            f'<path d="{d}" fill="{fill}" stroke="{stroke}" stroke-width="1.6" '
            'stroke-linejoin="round" stroke-linecap="round"/>'
        )
        self.cover(*points)

    def picture(self, margin: float = 16) -> Picture:
        x0, y0, x1, y1 = self._area
        x0, y0, w, h = x0 - margin, y0 - margin, x1 - x0 + 2 * margin, y1 - y0 + 2 * margin
        box = f"{_num(x0)} {_num(y0)} {_num(w)} {_num(h)}"
        return Picture(
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{math.ceil(w)}" '
            f'height="{math.ceil(h)}" viewBox="{box}" font-family="{FONT}" role="img">'
            f'<rect x="{_num(x0)}" y="{_num(y0)}" width="{_num(w)}" height="{_num(h)}" '
            f'rx="10" fill="{PAPER}"/>' + "".join(self._parts) + "</svg>"
        )


def _box_size(label: str, notes: list[str]) -> tuple[float, float]:
    widths = [text_width(label, LABEL_SIZE, bold=True), *(text_width(n, NOTE_SIZE) for n in notes)]
    return max(widths) + 2 * PAD_X, 2 * PAD_Y + LABEL_LINE + NOTE_LINE * len(notes)


def _draw_box(
    canvas: _Canvas,
    x: float,
    y: float,
    size: tuple[float, float],
    label: str,
    notes: list[str],
    colours: tuple[str, str],
) -> None:
    """A rounded box: the label in bold, the notes in small lines under it (centred)."""
    (w, h), (fill, stroke) = size, colours
    canvas.rect(x, y, w, h, fill, stroke=stroke, stroke_width="1.4", rx="9")
    top = y + (h - LABEL_LINE - NOTE_LINE * len(notes)) / 2
    canvas.text(x + w / 2, top + 13, label, anchor="middle", bold=True)
    for index, note in enumerate(notes):
        y_note = top + LABEL_LINE + NOTE_LINE * index + 11
        canvas.text(x + w / 2, y_note, note, NOTE_SIZE, MUTED, "middle")


def _legend(canvas: _Canvas, x: float, y: float, entries: list[tuple[str, str, str]]) -> None:
    """A row of swatches (text, fill, stroke) starting at (x, y)."""
    with canvas.group("legend"):
        for text, fill, stroke in entries:
            canvas.rect(x, y, 14, 14, fill, stroke=stroke, stroke_width="1.2", rx="4")
            canvas.text(x + 20, y + 11.5, text, NOTE_SIZE + 1, MUTED)
            x += 20 + text_width(text, NOTE_SIZE + 1) + 22


# --- the organization tree ----------------------------------------------------------------

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
        self.rows[depth] = max(self.rows.get(depth, 0), _box_size(node.label, node.notes)[1])
        if not node.stacks():
            for child in node.children:
                self._measure_rows(child, depth + 1)

    def width(self, node: Node) -> float:
        own = _box_size(node.label, node.notes)[0]
        if node.stacks():
            return max(own, STACK_INDENT + max(self.width(c) for c in node.children))
        return max(own, self._children_width(node))

    def _place(self, node: Node, left: float, depth: int) -> Rect:
        """Place node's subtree from left; returns its box (x, y, w, h)."""
        w, h = _box_size(node.label, node.notes)[0], self.rows[depth]
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
            d = f"M{_num(start[0])},{_num(start[1])} V{_num(middle)} H{_num(cx)} V{_num(cy)}"
            self.edges.append((d, [start, (cx, cy)]))

    def _stack(self, node: Node, box: Rect) -> None:
        x, y, _, h = box
        rail, top = x + STACK_INDENT / 2, y + h + STACK_GAP
        for child in node.children:
            cw, ch = _box_size(child.label, child.notes)
            self.boxes.append((child, x + STACK_INDENT, top, cw, ch))
            d = f"M{_num(rail)},{_num(y + h)} V{_num(top + ch / 2)} H{_num(x + STACK_INDENT)}"
            self.edges.append((d, [(rail, y + h), (x + STACK_INDENT, top + ch / 2)]))
            top += ch + STACK_GAP


def tree(root: Node) -> Picture:
    """The organization as a top-down tree, with a legend of the kinds of box."""
    layout = _TreeLayout(root)
    canvas = _Canvas()
    for d, points in layout.edges:
        canvas.path(d, points, LINE)
    for node, x, y, w, h in layout.boxes:
        _, fill, stroke = KINDS[node.kind]
        with canvas.group(f"node {node.kind}", " · ".join([node.label, *node.notes])):
            _draw_box(canvas, x, y, (w, h), node.label, node.notes, (fill, stroke))
    bottom = max(y + h for _, _, y, _, h in layout.boxes)
    kinds = {node.kind for node in root.walk()}
    _legend(canvas, 0, bottom + 22, [KINDS[kind] for kind in KINDS if kind in kinds])
    return canvas.picture()


# --- boxes and arrows ---------------------------------------------------------------------

ARROW_BENDS = [0, 34, -34, 68, -68, 102, -102, 136, -136, 170, -170]
ARROW_HEAD = 10
ROUTE_AROUND = 40  # boxes up to which arrows are bent around boxes and labels


@dataclass
class Box:
    """An account (or application) in a communication picture."""

    id: str
    label: str
    notes: list[str] = field(default_factory=list)


@dataclass
class Arrow:
    """A declared communication path from source to target (box ids)."""

    source: str
    target: str
    label: str = ""


def _bezier(p0: Point, p1: Point, p2: Point, t: float) -> Point:
    a, b, c = (1 - t) ** 2, 2 * (1 - t) * t, t**2
    return a * p0[0] + b * p1[0] + c * p2[0], a * p0[1] + b * p1[1] + c * p2[1]


def _inside(point: Point, rect: Rect, grow: float = 0) -> bool:
    x, y, w, h = rect
    return x - grow <= point[0] <= x + w + grow and y - grow <= point[1] <= y + h + grow


def _leave(curve: tuple[Point, Point, Point], rect: Rect, inside: float, outside: float) -> float:
    """The parameter t where the curve crosses rect's border, between inside and outside."""
    for _ in range(32):
        middle = (inside + outside) / 2
        if _inside(_bezier(*curve, middle), rect, 2):
            inside = middle
        else:
            outside = middle
    return outside


class _Route:
    """A quadratic curve between two boxes, bent sideways by `bend` pixels at its middle."""

    def __init__(self, start: Rect, end: Rect, bend: float) -> None:
        p0 = (start[0] + start[2] / 2, start[1] + start[3] / 2)
        p2 = (end[0] + end[2] / 2, end[1] + end[3] / 2)
        dx, dy = p2[0] - p0[0], p2[1] - p0[1]
        length = math.hypot(dx, dy)
        mid = ((p0[0] + p2[0]) / 2, (p0[1] + p2[1]) / 2)
        p1 = (mid[0] - dy / length * 2 * bend, mid[1] + dx / length * 2 * bend)
        curve = (p0, p1, p2)
        t0, t1 = _leave(curve, start, 0, 0.5), _leave(curve, end, 1, 0.5)
        # the part between t0 and t1 is itself a quadratic curve (blossoming)
        control = tuple(
            (1 - t0) * (1 - t1) * a + ((1 - t0) * t1 + t0 * (1 - t1)) * b + t0 * t1 * c
            for a, b, c in zip(p0, p1, p2, strict=True)
        )
        self.points: tuple[Point, Point, Point] = (
            _bezier(*curve, t0),
            (control[0], control[1]),
            _bezier(*curve, t1),
        )

    def crossings(self, others: list[Rect]) -> int:
        """How many of the other boxes the curve runs through."""
        samples = [_bezier(*self.points, i / 24) for i in range(25)]
        return sum(any(_inside(p, rect, 12) for p in samples) for rect in others)

    def middle(self) -> Point:
        return _bezier(*self.points, 0.5)

    def draw(self, canvas: _Canvas) -> None:
        (x0, y0), (cx, cy), (x1, y1) = self.points
        canvas.path(
            f"M{_num(x0)},{_num(y0)} Q{_num(cx)},{_num(cy)} {_num(x1)},{_num(y1)}",
            list(self.points),
            ARROW,
        )
        length = math.hypot(x1 - cx, y1 - cy) or 1
        ux, uy = (x1 - cx) / length, (y1 - cy) / length
        base = (x1 - ux * ARROW_HEAD, y1 - uy * ARROW_HEAD)
        left = (base[0] - uy * ARROW_HEAD / 2, base[1] + ux * ARROW_HEAD / 2)
        right = (base[0] + uy * ARROW_HEAD / 2, base[1] - ux * ARROW_HEAD / 2)
        head = [(x1, y1), left, right]
        canvas.path(
            "M" + " L".join(f"{_num(x)},{_num(y)}" for x, y in head) + " Z", head, ARROW, fill=ARROW
        )


def _grid(boxes: list[Box], arrows: list[Arrow]) -> dict[str, Rect]:
    """Boxes in rows and columns, with room between them for the arrows' labels."""
    columns = len(boxes) if len(boxes) <= 3 else math.ceil(math.sqrt(len(boxes)))
    sizes = [_box_size(box.label, box.notes) for box in boxes]
    w, h = max(s[0] for s in sizes), max(s[1] for s in sizes)
    label = max((text_width(a.label, NOTE_SIZE) for a in arrows), default=0)
    gap_x, gap_y = min(max(110, label + 48), 260), 96
    return {
        box.id: ((i % columns) * (w + gap_x), (i // columns) * (h + gap_y), w, h)
        for i, box in enumerate(boxes)
    }


def _route(arrows: list[Arrow], rects: dict[str, Rect]) -> list[_Route]:
    """One curve per arrow: straight where free, bent around boxes and labels, apart when
    parallel. Beyond ROUTE_AROUND boxes, straight unless parallel (finding a way around
    every box for every arrow grows with the square of the picture)."""
    around = len(rects) <= ROUTE_AROUND
    taken: dict[tuple[str, str], set[float]] = {}
    labels: list[Rect] = []
    routes = []
    for arrow in arrows:
        pair = (min(arrow.source, arrow.target), max(arrow.source, arrow.target))
        sign = 1 if (arrow.source, arrow.target) == pair else -1
        used = taken.setdefault(pair, set())
        others = [r for key, r in rects.items() if key not in pair] if around else []
        candidates = [b for b in ARROW_BENDS if b not in used] or [max(map(abs, used)) + 34]
        candidates = candidates if around else candidates[:1]

        options = [
            (bend, _Route(rects[arrow.source], rects[arrow.target], bend * sign))
            for bend in candidates
        ]
        bend, route = min(options, key=lambda o: _cost(o[1], arrow.label, others, labels))
        used.add(bend)
        routes.append(route)
        if arrow.label and around:
            labels.append(_tag_rect(routes[-1].middle(), arrow.label))
    return routes


def _cost(route: _Route, label: str, boxes: list[Rect], labels: list[Rect]) -> int:
    """How bad a route is: boxes it runs through count most, then labels it hides."""
    tag = _tag_rect(route.middle(), label)
    clashes = sum(_overlap(tag, other) for other in labels) if label else 0
    return 10 * route.crossings(boxes) + route.crossings(labels) + clashes


def _overlap(a: Rect, b: Rect) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def graph(boxes: list[Box], arrows: list[Arrow]) -> Picture:
    """Accounts as boxes in a grid, communication paths as labelled arrows between them."""
    ids = [box.id for box in boxes]
    if len(set(ids)) != len(ids):
        raise ValueError("box ids must be unique")
    for arrow in arrows:
        unknown = {arrow.source, arrow.target} - set(ids)
        if unknown:
            raise ValueError(f"arrow {arrow.source} -> {arrow.target}: no box {unknown.pop()!r}")
        if arrow.source == arrow.target:
            raise ValueError(f"arrow {arrow.source} -> {arrow.target} goes nowhere")
    rects = _grid(boxes, arrows) if boxes else {}
    canvas = _Canvas()
    _, fill, stroke = KINDS["account"]
    for box in boxes:
        x, y, w, h = rects[box.id]
        with canvas.group("box", " · ".join([box.label, *box.notes])):
            _draw_box(canvas, x, y, (w, h), box.label, box.notes, (fill, stroke))
    labels = {box.id: box.label for box in boxes}
    routes = _route(arrows, rects)
    for arrow, route in zip(arrows, routes, strict=True):
        title = f"{labels[arrow.source]} → {labels[arrow.target]}"
        with canvas.group("arrow", f"{title}: {arrow.label}" if arrow.label else title):
            route.draw(canvas)
    for arrow, route in zip(arrows, routes, strict=True):
        if arrow.label:
            _tag(canvas, route.middle(), arrow.label)
    if not boxes:
        canvas.text(0, 0, "(nothing to show)", fill=MUTED)
    return canvas.picture()


def _tag_rect(centre: Point, text: str) -> Rect:
    w, h = text_width(text, NOTE_SIZE) + 12, NOTE_SIZE + 8
    return centre[0] - w / 2, centre[1] - h / 2, w, h


def _tag(canvas: _Canvas, centre: Point, text: str) -> None:
    """A label on a white pill, drawn above the arrows so it stays readable."""
    x, y, w, h = _tag_rect(centre, text)
    with canvas.group("arrow-label"):
        canvas.rect(x, y, w, h, PAPER, stroke=ARROW, stroke_width="0.8", rx=str(h / 2))
        canvas.text(centre[0], centre[1] + NOTE_SIZE * 0.35, text, NOTE_SIZE, ARROW, "middle")


# --- bar chart ----------------------------------------------------------------------------

PLOT_HEIGHT, BAR, STACKED_BAR, BAR_GAP = 240, 16, 34, 2


def nice_ticks(maximum: float, count: int = 5) -> list[float]:
    """Round axis ticks from 0 to at least maximum, about count steps."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    return [i * step for i in range(math.ceil(maximum / step - 1e-9) + 1)]


def _tick_text(value: float, step: float) -> str:
    decimals = len(f"{step:.6f}".rstrip("0").split(".")[1])
    return f"{value:,.{decimals}f}"


def bar_chart(
    categories: list[str],
    series: dict[str, list[float]],
    title: str,
    unit: str = "USD",
    *,
    stacked: bool = False,
    caption: str = "",
) -> Picture:
    """Bars per category, one per series (grouped) or piled up (stacked); values >= 0."""
    for name, values in series.items():
        if len(values) != len(categories):
            raise ValueError(
                f"series {name!r} has {len(values)} values for {len(categories)} categories"
            )
        if any(not math.isfinite(v) or v < 0 for v in values):
            raise ValueError(f"series {name!r} has a negative or missing value")
    columns = list(zip(*series.values(), strict=True)) or [()] * len(categories)
    peak = max((sum(c) if stacked else max(c, default=0) for c in columns), default=0)
    ticks = nice_ticks(peak)
    scale = PLOT_HEIGHT / ticks[-1]
    step = ticks[1] - ticks[0]
    labels = [_tick_text(t, step) for t in ticks]
    axis = max(text_width(t, NOTE_SIZE) for t in labels) + 10
    width = STACKED_BAR if stacked else BAR
    bars = STACKED_BAR if stacked else len(series) * (BAR + BAR_GAP)
    slots = [max(bars + 24, text_width(c, NOTE_SIZE + 1) + 14) for c in categories]
    right = axis + sum(slots)
    colours = [SERIES[i % len(SERIES)] for i in range(len(series))]

    canvas = _Canvas()
    canvas.text(0, -44, title, 15, bold=True)
    canvas.text(axis - 6, -14, unit, NOTE_SIZE, MUTED, "end")
    for tick, text in zip(ticks, labels, strict=True):
        y = PLOT_HEIGHT - tick * scale
        canvas.rect(axis, y, right - axis, 0.8 if tick else 1.2, GRID if tick else LINE)
        canvas.text(axis - 6, y + 4, text, NOTE_SIZE, MUTED, "end")
    x = axis
    for category, slot, column in zip(categories, slots, columns, strict=True):
        left, base = x + (slot - bars) / 2, float(PLOT_HEIGHT)
        for index, (name, value) in enumerate(zip(series, column, strict=True)):
            height = value * scale
            if stacked:
                bx, by = left, base - height
                base -= height
            else:
                bx, by = left + index * (BAR + BAR_GAP), PLOT_HEIGHT - height
            with canvas.group("bar-group", f"{name} · {category}: {value:,.2f} {unit}"):
                canvas.rect(
                    bx,
                    by,
                    width,
                    height,
                    colours[index],
                    rx="2",
                    class_="bar",
                    data_value=f"{value}",
                )
        canvas.text(x + slot / 2, PLOT_HEIGHT + 18, category, NOTE_SIZE + 1, INK, "middle")
        x += slot
    entries = [(name, colour, colour) for name, colour in zip(series, colours, strict=True)]
    _legend(canvas, axis, PLOT_HEIGHT + 34, entries)
    if caption:
        canvas.text(axis, PLOT_HEIGHT + 70, caption, NOTE_SIZE, MUTED, italic=True)
    return canvas.picture(margin=20)
