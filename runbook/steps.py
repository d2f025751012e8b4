"""The runbook's steps: the numbered notebooks, which of them a run executes, and where.

Read as plain JSON: nothing here imports papermill or nbformat, so the command line starts fast.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
DEFAULT_CONFIG = REPO / "runbook" / "org.example.yaml"
RUNS = Path("runs")
TARGETS = ("sandbox", "aws")
STEP_TIMEOUT = {"sandbox": 300, "aws": 1800}  # seconds; a sandbox step takes seconds
RUN_STEPS = tuple(f"{n:02d}" for n in range(10))  # 00-09; 10 (clean-up) only through teardown
TEARDOWN_STEPS = ("10",)  # python -m runbook teardown
_STEM = re.compile(r"^(\d\d)_(\w+)$")


class RunbookError(Exception):
    """A run that cannot start as asked; the message says why and what to do instead."""


@dataclass(frozen=True)
class Step:
    """One step notebook: `02_accounts_and_ous.ipynb` is number `02`, name `accounts_and_ous`."""

    path: Path
    title: str
    targets: tuple[str, ...] | None  # None: every target

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def number(self) -> str:
        return self.stem[:2]

    @property
    def name(self) -> str:
        return self.stem[3:]

    def runs_on(self, target: str) -> bool:
        """Whether the notebook's `kit.targets` metadata lets it run against `target`."""
        return self.targets is None or target in self.targets

    def matches(self, ref: str) -> bool:
        """Whether `ref` names this step: its number (`02`), name or stem."""
        return ref in (self.number, self.name, self.stem)


def load_step(path: Path) -> Step:
    """Read a step notebook's title (its first `# ` heading) and `kit.targets` metadata."""
    nb = json.loads(path.read_text())
    title = next(
        (
            line[2:].strip()
            for cell in nb["cells"]
            if cell["cell_type"] == "markdown"
            for line in "".join(cell["source"]).splitlines()
            if line.startswith("# ")
        ),
        path.stem,
    )
    targets = nb.get("metadata", {}).get("kit", {}).get("targets")
    return Step(path, title, tuple(targets) if targets is not None else None)


def discover(notebooks_dir: Path = NOTEBOOKS, numbers: tuple[str, ...] = RUN_STEPS) -> list[Step]:
    """The step notebooks present in `notebooks_dir` with one of `numbers`, in order."""
    paths = sorted(notebooks_dir.glob("[0-9][0-9]_*.ipynb"))
    return [load_step(p) for p in paths if (m := _STEM.match(p.stem)) and m.group(1) in numbers]


def select(
    steps: list[Step],
    from_step: str | None = None,
    only: str | None = None,
    clean_up: tuple[Step, ...] | list[Step] = (),
) -> list[Step]:
    """The steps a run executes: all, those from `from_step` on, or `only` one. Naming one of
    the `clean_up` steps is refused with the command that runs it."""
    if from_step and only:
        raise RunbookError("give either --from or --only, not both")
    ref = only or from_step
    if ref is None:
        return steps
    index = next((i for i, s in enumerate(steps) if s.matches(ref)), None)
    if index is None and any(s.matches(ref) for s in clean_up):
        raise RunbookError(
            f"step {ref!r} is the clean-up: run it with `python -m runbook teardown` (a plan of "
            "what it would undo; add --apply to undo it), never as part of a run"
        )
    if index is None:
        choices = ", ".join(s.stem for s in steps) or "none found"
        raise RunbookError(
            f"unknown step {ref!r}: name a step by number (02), name (accounts_and_ous) "
            f"or both (02_accounts_and_ous); the steps are: {choices}"
        )
    return [steps[index]] if only else steps[index:]
