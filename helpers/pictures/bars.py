"""The bar chart: categories by series, side by side or stacked, with round ticks."""

import math

from helpers.pictures.canvas import (
    GRID,
    INK,
    LINE,
    MUTED,
    NOTE_SIZE,
    SERIES,
    Canvas,
    Picture,
    legend,
    text_width,
)

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

    canvas = Canvas()
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
    legend(canvas, axis, PLOT_HEIGHT + 34, entries)
    if caption:
        canvas.text(axis, PLOT_HEIGHT + 70, caption, NOTE_SIZE, MUTED, italic=True)
    return canvas.picture(margin=20)
