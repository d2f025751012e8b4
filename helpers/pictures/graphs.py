"""Boxes and arrows: accounts and the declared paths between them, arrows routed around boxes."""

import math
from dataclasses import dataclass, field

from helpers.pictures.canvas import (
    ARROW,
    KINDS,
    MUTED,
    NOTE_SIZE,
    PAPER,
    Canvas,
    Picture,
    Point,
    Rect,
    box_size,
    draw_box,
    num,
    text_width,
)

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

    def draw(self, canvas: Canvas) -> None:
        (x0, y0), (cx, cy), (x1, y1) = self.points
        canvas.path(
            f"M{num(x0)},{num(y0)} Q{num(cx)},{num(cy)} {num(x1)},{num(y1)}",
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
            "M" + " L".join(f"{num(x)},{num(y)}" for x, y in head) + " Z", head, ARROW, fill=ARROW
        )


def _grid(boxes: list[Box], arrows: list[Arrow]) -> dict[str, Rect]:
    """Boxes in rows and columns, with room between them for the arrows' labels."""
    columns = len(boxes) if len(boxes) <= 3 else math.ceil(math.sqrt(len(boxes)))
    sizes = [box_size(box.label, box.notes) for box in boxes]
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
    canvas = Canvas()
    _, fill, stroke = KINDS["account"]
    for box in boxes:
        x, y, w, h = rects[box.id]
        with canvas.group("box", " · ".join([box.label, *box.notes])):
            draw_box(canvas, x, y, (w, h), box.label, box.notes, (fill, stroke))
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


def _tag(canvas: Canvas, centre: Point, text: str) -> None:
    """A label on a white pill, drawn above the arrows so it stays readable."""
    x, y, w, h = _tag_rect(centre, text)
    with canvas.group("arrow-label"):
        canvas.rect(x, y, w, h, PAPER, stroke=ARROW, stroke_width="0.8", rx=str(h / 2))
        canvas.text(centre[0], centre[1] + NOTE_SIZE * 0.35, text, NOTE_SIZE, ARROW, "middle")
