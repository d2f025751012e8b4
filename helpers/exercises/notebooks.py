"""One source per exercise: solution regions (nbgrader's markers) and the learner's copy.

In a source notebook (exercises/source/), code between `### BEGIN SOLUTION` and
`### END SOLUTION` is the answer. The learner's copy replaces each region with
`# YOUR CODE HERE`, clears outputs, and is otherwise the same notebook, so the task and the
answer cannot drift apart. `solution()` reads the regions back from the source.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = "# YOUR CODE HERE"


class MarkerError(ValueError):
    """A source notebook's solution markers do not pair up."""


def _split(
    source: str, where: str, answers: list[str | None] | None = None
) -> tuple[list[str], list[str]]:
    """The cell's lines outside the regions (a stub, or the next of `answers`, in place of
    each), and each region."""
    kept: list[str] = []
    regions: list[str] = []
    inside: list[str] | None = None
    for number, line in enumerate(source.splitlines(), 1):
        marker = line.strip()
        if marker == BEGIN:
            if inside is not None:
                raise MarkerError(f"{where}, line {number}: {BEGIN} inside another region")
            inside = []
            answer = answers.pop(0) if answers else None
            indent = line[: len(line) - len(line.lstrip())]
            kept += [indent + part for part in (answer or STUB).splitlines()]
        elif marker == END:
            if inside is None:
                raise MarkerError(f"{where}, line {number}: {END} without {BEGIN}")
            regions.append("\n".join(inside))
            inside = None
        elif inside is not None:
            inside.append(line)
        else:
            kept.append(line)
    if inside is not None:
        raise MarkerError(f"{where}: {BEGIN} is never closed by {END}")
    return kept, regions


def solution_regions(source: Path) -> list[str]:
    """The code of every solution region of a source notebook, in order."""
    notebook = nbformat.read(source, as_version=4)
    regions: list[str] = []
    for index, cell in enumerate(notebook.cells):
        regions += _split(cell.source, f"{source.name}, cell {index}")[1]
    return regions


def learner_copy(source: Path, answers: dict[int, str] | None = None) -> nbformat.NotebookNode:
    """The learner's copy of a source notebook: regions stubbed, outputs cleared.

    `answers` fills regions (by their index in the notebook) with a learner's code instead.
    """
    notebook = nbformat.read(source, as_version=4)
    found = 0
    for index, cell in enumerate(notebook.cells):
        count = cell.source.count(BEGIN)
        filled = [(answers or {}).get(found + i) for i in range(count)]
        kept, regions = _split(cell.source, f"{source.name}, cell {index}", filled)
        found += len(regions)
        if regions:
            cell.source = "\n".join(kept)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    if not found:
        raise MarkerError(f"{source.name}: no {BEGIN} region, so nothing is left to do")
    notebook.metadata["kit"] = {"exercise": source.stem, "source": f"source/{source.name}"}
    return notebook


def build(sources: Path, out: Path, fresh: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Write the learner's copy of every source into `out`; [(name, what happened)].

    A copy that exists is the learner's work and is kept, unless its name is in `fresh`.
    """
    out.mkdir(parents=True, exist_ok=True)
    done = []
    for source in sorted(sources.glob("*.ipynb")):
        target = out / source.name
        if target.exists() and source.stem not in fresh:
            done.append((source.stem, "kept (your work)"))
            continue
        nbformat.write(learner_copy(source), target)
        done.append((source.stem, "written"))
    return done
