"""Print the workshop's agenda as measured: per step, what there is to read, check and try,
how long its cells take, and the minutes that makes.

    .venv/bin/python bench/agenda.py [--create-account-seconds 2]

The runbook runs once against a fresh embedded sandbox (as the facilitator's rehearsal does,
with AWS-like account creation times), then plans the clean-up, for the cells' wall time;
the rest is counted in the notebooks. The minutes follow one stated model, the same for
every step:

- the Markdown is explained aloud at READ_WPM words a minute (slower than reading alone);
- each question takes QUESTION_MIN minutes (answer, reveal, a word on why), each prediction
  PREDICTION_MIN (predict, ask AWS, read the explanation), each widget to play with
  WIDGET_MIN, and the guide's questions to the team DISCUSSION_MIN per step;
- the cells' own time is added as measured.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path

import nbformat

import runbook
from helpers.sandbox import Sandbox
from runbook.steps import NOTEBOOKS, discover

READ_WPM, QUESTION_MIN, PREDICTION_MIN, WIDGET_MIN, DISCUSSION_MIN = 110, 2, 3, 5, 5
WIDGETS = re.compile(
    r"widgets\.(organization_tree|try_as|access_matrix|region_guardrail|cost_chart"
    r"|stop_trail|create_user)\("
)


def counts(path: Path) -> dict[str, int]:
    """Words of Markdown, questions, predictions and widgets to try in one notebook."""
    cells = nbformat.read(path, as_version=4).cells
    code = "\n".join(c.source for c in cells if c.cell_type == "code")
    words = sum(len(c.source.split()) for c in cells if c.cell_type == "markdown")
    return {
        "words": words,
        "questions": code.count("widgets.question("),
        "predictions": code.count("widgets.predict("),
        "widgets": len(WIDGETS.findall(code)),
    }


def minutes(found: dict[str, int], seconds: float) -> float:
    return (
        found["words"] / READ_WPM
        + found["questions"] * QUESTION_MIN
        + found["predictions"] * PREDICTION_MIN
        + found["widgets"] * WIDGET_MIN
        + DISCUSSION_MIN
        + seconds / 60
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--create-account-seconds", type=float, default=2.0)
    args = parser.parse_args()
    sandbox = Sandbox(create_account_seconds=args.create_account_seconds)
    with tempfile.TemporaryDirectory() as out, sandbox:
        runs = [runbook.run(endpoint_url=sandbox.url, out=out)]  # 00-09, then 10 planned
        runs.append(runbook.run(endpoint_url=sandbox.url, out=out, numbers=("10",), apply=False))
    seconds = {s["step"]: s["seconds"] for summary in runs for s in summary["steps"]}
    steps = [*discover(NOTEBOOKS), *discover(NOTEBOOKS, ("10",))]
    print(
        f"{'step':30} {'words':>6} {'quest':>6} {'pred':>5} {'widg':>5} {'cells s':>8} {'min':>5}"
    )
    total = 0.0
    for step in steps:
        found = counts(step.path)
        spent = minutes(found, seconds.get(step.stem, 0.0))
        total += spent
        print(
            f"{step.stem:30} {found['words']:6} {found['questions']:6} {found['predictions']:5} "
            f"{found['widgets']:5} {seconds.get(step.stem, 0.0):8.1f} {spent:5.0f}"
        )
    print(f"{'all steps':30} {'':>6} {'':>6} {'':>5} {'':>5} {'':>8} {total:5.0f}")
    print(
        f"model: {READ_WPM} words/min aloud, {QUESTION_MIN} min a question, {PREDICTION_MIN} "
        f"a prediction, {WIDGET_MIN} a widget, {DISCUSSION_MIN} of discussion a step"
    )


if __name__ == "__main__":
    main()
