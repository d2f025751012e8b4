"""The notebooks stay lessons: each has its checks of understanding, a prediction before every
real call it teaches with, every check a literal that papermill runs unanswered, no widget
built inline, no output committed; and the journey records every check as skipped."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import pytest

from helpers import quiz
from runbook.steps import NOTEBOOKS

STEPS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
OURS = [p for p in STEPS if not p.stem.startswith("08_")]  # step 08 is the review's own
CHECKS = {"question": "answer", "predict": "verdict"}
# what a prediction must come before: the cells that make the real calls it is about
PREDICTED = {
    "02_accounts_and_ous": ["widgets.try_as("],
    "04_access_between_accounts": [
        "paths.show_proof(",
        "paths.show_outside(",
        "widgets.try_as(",
    ],
    "06_guardrails": ["guardrails.show_denial("],
}


def _cells(path: Path) -> list:
    return nbformat.read(path, as_version=4).cells


def _checks(path: Path) -> list[tuple[int, str, ast.Call]]:
    """(cell index, "question" | "predict", the call) for each widgets check in the notebook."""
    found = []
    for index, cell in enumerate(_cells(path)):
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in CHECKS
                and ast.unparse(node.func.value) == "widgets"
            ):
                found.append((index, node.func.attr, node))
    return found


def _keyword(call: ast.Call, name: str):
    return next((k.value for k in call.keywords if k.arg == name), None)


@pytest.mark.parametrize("path", OURS, ids=lambda p: p.stem)
def test_every_notebook_has_its_checks_of_understanding(path):
    questions = [c for _, kind, c in _checks(path) if kind == "question"]
    assert len(questions) >= 2, f"{path.name}: a few short questions, please"
    texts = []
    for call in questions:
        text, options = call.args[1], call.args[2]
        right, why = _keyword(call, "right"), _keyword(call, "why")
        values = [text, options, right, why]
        assert all(v is not None for v in values), f"{path.name}: {ast.unparse(call)[:80]}"
        parsed = quiz.Question(
            ast.literal_eval(text),
            tuple(ast.literal_eval(options)),
            ast.literal_eval(right),
            ast.literal_eval(why),
        )  # each question a literal that quiz.Question accepts
        texts.append(parsed.text)
    assert len(set(texts)) == len(texts), f"{path.name}: a question asked twice"


@pytest.mark.parametrize("path", OURS, ids=lambda p: p.stem)
def test_every_check_is_left_unanswered_for_papermill(path):
    for index, kind, call in _checks(path):
        literal = _keyword(call, CHECKS[kind])
        assert literal is not None, f"{path.name} cell {index}: write {CHECKS[kind]}=None"
        assert ast.literal_eval(literal) is None, f"{path.name} cell {index}: committed answered"
        if kind == "predict":
            assert ast.literal_eval(_keyword(call, "layer")) is None
        assert _cells(path)[index].metadata.get("jupyter", {}).get("source_hidden"), (
            f"{path.name} cell {index}: hide the cell's source, it holds the answer"
        )


@pytest.mark.parametrize("step", sorted(PREDICTED))
def test_a_prediction_comes_before_each_real_call_it_teaches_with(step):
    path = NOTEBOOKS / f"{step}.ipynb"
    cells = _cells(path)
    predictions = [index for index, kind, _ in _checks(path) if kind == "predict"]
    after = -1  # each real call has a prediction of its own, after the previous real call
    for marker in PREDICTED[step]:
        where = next(i for i, c in enumerate(cells) if c.cell_type == "code" and marker in c.source)
        assert any(after < i < where for i in predictions), f"{step}: predict before {marker}"
        after = where


@pytest.mark.parametrize("path", STEPS, ids=lambda p: p.stem)
def test_notebooks_build_no_widget_inline_and_hold_no_output(path):
    for cell in _cells(path):
        if cell.cell_type != "code":
            continue
        assert "ipywidgets" not in cell.source, f"{path.name}: widgets live in helpers/widgets.py"
        assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: outputs"


def test_the_journey_records_every_check_as_skipped(journey):
    (summary, _), _ = journey["runs"]
    run_dir = Path(journey["out"]) / summary["run_id"]
    for path in OURS:
        if not (run_dir / path.stem).is_dir():
            continue  # 10 runs only through teardown
        asked = {
            ast.literal_eval(call.args[1]) for _, kind, call in _checks(path) if kind in CHECKS
        }
        record = json.loads((run_dir / path.stem / quiz.RECORD).read_text())["checks"]
        assert {row["text"] for row in record} == asked, path.stem
        assert {row["status"] for row in record} == {quiz.SKIPPED}, path.stem
