"""Self-study exercises: a sandbox of the exercise's own, a known starting state, and
`check()`, `hint(level)` and `solution()` for the learner (after Kaggle's learntools).

An exercise notebook starts with

    from helpers.exercises import ____, start
    exercise = start("01_organization_and_accounts")
    kit, check, hint, solution = exercise.kit, exercise.check, exercise.hint, exercise.solution

`start` runs an embedded sandbox inside the notebook's own kernel (moto keeps its state per
process, so no other sandbox, not even a workshop's shared one, sees it), resets it, and
builds the exercise's starting state with the kit's own helpers. Running the cell again
starts the exercise over.
"""

from __future__ import annotations

import html
import inspect
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from helpers.config import load_config
from helpers.kit import REPO, Kit
from helpers.targets import SandboxClient, Target, start_sandbox

Status = Literal["not attempted", "incorrect", "correct"]
SOURCES = REPO / "exercises" / "source"
CONFIG = REPO / "runbook" / "org.example.yaml"


class Placeholder:
    """The blank a learner replaces: `account_id = ____`."""

    def __repr__(self) -> str:
        return "____"


____ = Placeholder()


@dataclass(frozen=True)
class Outcome:
    """What `check()` found: not attempted yet, incorrect (with what and where), or correct."""

    status: Status
    message: str

    def __str__(self) -> str:
        lead = {"not attempted": "not attempted yet"}.get(self.status, self.status)
        return f"{lead}: {self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = {"correct": "#1a7f37", "incorrect": "#cf222e"}.get(self.status, "#9a6700")
        return f'<p style="color:{colour}"><b>{html.escape(str(self))}</b></p>'


def not_attempted(message: str) -> Outcome:
    return Outcome("not attempted", message)


def incorrect(message: str) -> Outcome:
    return Outcome("incorrect", message)


def correct(message: str) -> Outcome:
    return Outcome("correct", message)


class Values(dict):
    """The learner's answers by name; a missing name or a `____` counts as blank."""

    def blank(self, name: str) -> bool:
        return isinstance(self.get(name, ____), Placeholder)

    def all_blank(self) -> bool:
        return all(isinstance(v, Placeholder) for v in self.values())


@dataclass(frozen=True)
class Definition:
    """One exercise: its starting state, its check, and its hints.

    `setup(kit)` builds the starting state and returns the facts the check needs (ids);
    `check(kit, facts, values)` reads the sandbox (read calls only) and the learner's
    `answers` and returns an Outcome.
    """

    name: str
    title: str
    teaches: tuple[str, ...]
    minutes: int
    answers: tuple[str, ...]
    setup: Callable[[Kit], dict[str, Any]]
    check: Callable[[Kit, dict[str, Any], Values], Outcome]
    hints: tuple[str, ...]

    @property
    def source(self) -> Path:
        return SOURCES / f"{self.name}.ipynb"


@dataclass
class Exercise:
    """A started exercise: its sandbox, a kit connected to it, and the learner's tools."""

    definition: Definition
    sandbox: SandboxClient
    kit: Kit
    checker: Kit
    facts: dict[str, Any] = field(default_factory=dict)

    def check(self, namespace: Mapping[str, Any] | None = None) -> Outcome:
        """Check the sandbox and the answers (read from the calling notebook by default)."""
        if namespace is None:
            frame = inspect.currentframe()
            namespace = frame.f_back.f_globals if frame and frame.f_back else {}
        values = Values({name: namespace.get(name, ____) for name in self.definition.answers})
        return self.definition.check(self.checker, self.facts, values)

    def hint(self, level: int = 1) -> Hint:
        """Hints up to `level` (1 is the gentlest); the last one nearly gives the answer."""
        hints = self.definition.hints
        shown = hints[: max(1, min(level, len(hints)))]
        last = len(shown) == len(hints)
        return Hint(shown, "" if last else f"hint({len(shown) + 1}) says more.")

    def solution(self) -> Solution:
        """The solution, read from the exercise's source notebook."""
        from helpers.exercises.notebooks import solution_regions

        return Solution(solution_regions(self.definition.source))


@dataclass(frozen=True)
class Hint:
    lines: tuple[str, ...]
    more: str

    def __str__(self) -> str:
        text = "\n".join(f"Hint {i}: {line}" for i, line in enumerate(self.lines, 1))
        return f"{text}\n{self.more or 'That was the last hint; solution() shows the answer.'}"

    __repr__ = __str__


@dataclass(frozen=True)
class Solution:
    regions: list[str]

    def __str__(self) -> str:
        return "\n\n# ---\n\n".join(self.regions)

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        return "\n\n".join(f"```python\n{region}\n```" for region in self.regions)


_own_sandbox: SandboxClient | None = None


def _sandbox(sandbox_url: str, create_account_seconds: float, region: str) -> SandboxClient:
    """The sandbox at `sandbox_url`, or this process's own (started once), each reset for
    every (re)start."""
    global _own_sandbox
    sandbox = SandboxClient(sandbox_url) if sandbox_url else _own_sandbox
    if sandbox is None:
        os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # a faster reset
        _own_sandbox = start_sandbox(create_account_seconds=create_account_seconds)
        # Plain boto3 clients in this kernel land in this sandbox too, never in AWS.
        os.environ.update(_own_sandbox.env(region))
        return _own_sandbox
    sandbox.settings(create_account_seconds=create_account_seconds)
    sandbox.reset()
    return sandbox


def start(name: str, create_account_seconds: float = 2.0, sandbox_url: str = "") -> Exercise:
    """Start (or start over) exercise `name` from its known state.

    Without `sandbox_url`, the exercise runs its own sandbox in this process; a given one
    (the tests') is reset first.
    """
    from helpers.exercises.catalog import EXERCISES

    if name not in EXERCISES:
        raise KeyError(f"no exercise {name!r}; the exercises are: {', '.join(EXERCISES)}")
    definition = EXERCISES[name]
    config = load_config(CONFIG)
    sandbox = _sandbox(sandbox_url, create_account_seconds, config.home_region)
    run_dir = Path(tempfile.mkdtemp(prefix=f"exercise-{name}-"))
    target = Target.sandbox(sandbox.url, config.home_region)

    def new_kit(role: str) -> Kit:
        return Kit(f"exercise_{name}_{role}", config, target, True, run_dir)

    facts = definition.setup(new_kit("setup"))
    return Exercise(definition, sandbox, new_kit("learner"), new_kit("check"), facts)
