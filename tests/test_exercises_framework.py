"""The exercise framework without a kernel: learner copies, markers, build, hints, outcomes."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from helpers.exercises import ____, start
from helpers.exercises.catalog import EXERCISES
from helpers.exercises.framework import Values, correct, incorrect, not_attempted
from helpers.exercises.notebooks import BEGIN, END, STUB, MarkerError, build, learner_copy


def write(path, *sources: str):
    nbformat.write(new_notebook(cells=[new_code_cell(s) for s in sources]), path)
    return path


@pytest.mark.parametrize("name", list(EXERCISES))
def test_a_learner_copy_holds_no_solution_and_a_stub_per_region(name) -> None:
    source = nbformat.read(EXERCISES[name].source, as_version=4)
    copy = learner_copy(EXERCISES[name].source)
    text = "\n".join(c.source for c in copy.cells if c.cell_type == "code")
    regions = sum(c.source.count(BEGIN) for c in source.cells)
    assert BEGIN not in text and END not in text
    assert text.count(STUB) == regions >= 1
    assert all(not c.get("outputs") for c in copy.cells if c.cell_type == "code")
    assert copy.metadata["kit"]["exercise"] == name


def test_markers_that_do_not_pair_are_refused_with_the_cell(tmp_path) -> None:
    with pytest.raises(MarkerError, match="cell 1: .*never closed"):
        learner_copy(write(tmp_path / "a.ipynb", "x = 1", f"{BEGIN}\ny = 2"))
    with pytest.raises(MarkerError, match="cell 0, line 1: ### END SOLUTION without"):
        learner_copy(write(tmp_path / "b.ipynb", f"{END}"))
    with pytest.raises(MarkerError, match="no ### BEGIN SOLUTION region"):
        learner_copy(write(tmp_path / "c.ipynb", "x = 1"))


def test_a_region_keeps_its_indentation_and_takes_an_answer(tmp_path) -> None:
    source = write(tmp_path / "s.ipynb", f"if True:\n    {BEGIN}\n    x = 1\n    {END}")
    assert learner_copy(source).cells[0].source == f"if True:\n    {STUB}"
    answered = learner_copy(source, {0: "x = 2\ny = 3"}).cells[0].source
    assert answered == "if True:\n    x = 2\n    y = 3"


def test_a_build_keeps_the_learners_work_unless_asked_fresh(tmp_path) -> None:
    sources, out = tmp_path / "source", tmp_path / "work"
    sources.mkdir()
    write(sources / "ex.ipynb", f"{BEGIN}\nx = 1\n{END}")
    assert build(sources, out) == [("ex", "written")]
    mine = nbformat.read(out / "ex.ipynb", as_version=4)
    mine.cells[0].source = "x = 41  # my attempt"
    nbformat.write(mine, out / "ex.ipynb")
    assert build(sources, out) == [("ex", "kept (your work)")]
    assert "my attempt" in (out / "ex.ipynb").read_text()
    assert build(sources, out, fresh=("ex",)) == [("ex", "written")]
    assert "my attempt" not in (out / "ex.ipynb").read_text()


def test_outcomes_say_which_of_the_three_they_are() -> None:
    assert str(not_attempted("x")) == "not attempted yet: x"
    assert str(incorrect("y")) == "incorrect: y"
    assert str(correct("z")) == "correct: z"
    assert "color" in incorrect("y")._repr_html_()
    values = Values(a=____, b=1)
    assert values.blank("a") and not values.blank("b") and values.blank("missing")
    assert not values.all_blank() and Values(a=____).all_blank()


def test_hints_grow_by_level_and_the_solution_comes_from_the_source(clean_sandbox) -> None:
    exercise = start("06_guardrail_scp", 0.2, sandbox_url=clean_sandbox.url)
    first, all_of_them = str(exercise.hint()), str(exercise.hint(9))
    assert "Hint 1:" in first and "Hint 2:" not in first and "hint(2) says more" in first
    assert "Hint 3:" in all_of_them and "solution() shows the answer" in all_of_them
    assert "create_policy(" in str(exercise.solution())
    assert "```python" in exercise.solution()._repr_markdown_()
    assert exercise.check({}).status == "not attempted"  # the starting state, no answers
    listed = "the exercises are: 00_isolation_holes, 01_organization_and_accounts"
    with pytest.raises(KeyError, match=listed):
        start("no-such-exercise", sandbox_url=clean_sandbox.url)
