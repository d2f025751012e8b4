"""A small table that shows itself in a notebook and travels into the run's report."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

# A mark alone is a box where no emoji font is installed: a word goes next to it.
MARKS = {"✅": "yes", "❌": "no", "⚠️": "warning", "⚠": "warning"}


@dataclass
class Table:
    columns: list[str]
    rows: list[list] = field(default_factory=list)

    @classmethod
    def of(cls, records: list[dict], columns: list[str] | None = None) -> Table:
        """A table of dicts, in the order of `columns` (default: the first dict's keys)."""
        columns = columns or (list(records[0]) if records else [])
        return cls(columns, [[r.get(c, "") for c in columns] for r in records])

    def to_dict(self) -> dict:
        return {"columns": self.columns, "rows": [[str(v) for v in row] for row in self.rows]}

    def _repr_html_(self) -> str:
        return html_table(self.to_dict())

    def __str__(self) -> str:
        widths = [
            max(len(str(v)) for v in [c, *(row[i] for row in self.rows)])
            for i, c in enumerate(self.columns)
        ]
        lines = [self.columns, *self.rows]
        return "\n".join(
            "  ".join(str(v).ljust(w) for v, w in zip(line, widths, strict=True)).rstrip()
            for line in lines
        )


def with_word(value: object) -> str:
    """A cell's text; a lone ✅, ❌ or ⚠️ gets its word: "✅ yes", "❌ no", "⚠️ warning"."""
    text = str(value)
    word = MARKS.get(text.strip())
    return f"{text.strip()} {word}" if word else text


def html_table(body: dict) -> str:
    """The HTML of a table given as {'columns': [...], 'rows': [[...]]}, every cell escaped."""
    head = "".join(f"<th>{escape(str(c))}</th>" for c in body["columns"])
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(with_word(v))}</td>" for v in row) + "</tr>"
        for row in body["rows"]
    )
    return f'<table class="kit-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
