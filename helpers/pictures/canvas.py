"""What every picture shares: the style, the SVG canvas, a box sized from its text, a legend."""

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


def esc(text: str) -> str:
    """Text made safe for XML content and attribute values."""
    return escape(_XML_INVALID.sub("", str(text)), {'"': "&quot;"})


def num(value: float) -> str:
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


class Canvas:
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
        tooltip = f"<title>{esc(title)}</title>" if title else ""
        self._parts.append(f'<g class="{cls}">{tooltip}')
        yield
        self._parts.append("</g>")

    def rect(self, x: float, y: float, w: float, h: float, fill: str, **attributes: str) -> None:
        extra = "".join(f' {k.rstrip("_").replace("_", "-")}="{v}"' for k, v in attributes.items())
        self._parts.append(
            f'<rect x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}" '
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
            f'<text x="{num(x)}" y="{num(y)}" font-size="{size}" fill="{fill}" '
            f'text-anchor="{anchor}"{style}>{esc(text)}</text>'
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
        box = f"{num(x0)} {num(y0)} {num(w)} {num(h)}"
        return Picture(
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{math.ceil(w)}" '
            f'height="{math.ceil(h)}" viewBox="{box}" font-family="{FONT}" role="img">'
            f'<rect x="{num(x0)}" y="{num(y0)}" width="{num(w)}" height="{num(h)}" '
            f'rx="10" fill="{PAPER}"/>' + "".join(self._parts) + "</svg>"
        )


def box_size(label: str, notes: list[str]) -> tuple[float, float]:
    widths = [text_width(label, LABEL_SIZE, bold=True), *(text_width(n, NOTE_SIZE) for n in notes)]
    return max(widths) + 2 * PAD_X, 2 * PAD_Y + LABEL_LINE + NOTE_LINE * len(notes)


def draw_box(
    canvas: Canvas,
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


def legend(canvas: Canvas, x: float, y: float, entries: list[tuple[str, str, str]]) -> None:
    """A row of swatches (text, fill, stroke) starting at (x, y)."""
    with canvas.group("legend"):
        for text, fill, stroke in entries:
            canvas.rect(x, y, 14, 14, fill, stroke=stroke, stroke_width="1.2", rx="4")
            canvas.text(x + 20, y + 11.5, text, NOTE_SIZE + 1, MUTED)
            x += 20 + text_width(text, NOTE_SIZE + 1) + 22
