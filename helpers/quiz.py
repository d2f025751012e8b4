"""Checks of understanding: short questions, and predictions that a real call settles.

A notebook asks in one cell of literals, through the widgets (`widgets.question`,
`widgets.predict`), and the answer is a literal too: `answer=None` for a question,
`verdict=None, layer=None` for a prediction. Papermill runs the cell as it stands, so a
check nobody answered is recorded as skipped: nothing waits, nothing fails. In JupyterLab
the widget takes the answer (or the learner types it into the literal and runs the cell).

Every outcome is kept in `<step dir>/quiz.json`, one row per check, the latest answer
of the step's kit: the record a facilitator reads after the workshop.
"""

from __future__ import annotations

import json
import weakref
from dataclasses import asdict, dataclass
from typing import Any

from helpers.kit import Kit

RECORD = "quiz.json"
SKIPPED, RIGHT, WRONG = "skipped", "right", "wrong"
ALLOWED, DENIED = "Allowed", "Denied"
LAYERS = {  # the policy layers of helpers.policy's Decision, as a learner names them
    "scp": "a service control policy (the organization's guardrails)",
    "rcp": "a resource control policy (the organization's data perimeter)",
    "identity": "the caller's own IAM policies",
    "boundary": "a permissions boundary",
    "session": "a session policy",
    "resource": "the resource's own policy (a bucket or queue policy)",
    "trust": "the role's trust policy",
}
CHOICES = ("scp", "identity", "resource", "trust")
"""The layers a prediction offers: the ones this journey teaches."""


@dataclass(frozen=True)
class Outcome:
    """How a check went: skipped, right or wrong, and what to tell the learner."""

    status: str
    feedback: str


@dataclass(frozen=True)
class Question:
    """A question with one right answer among its options, and why it is right."""

    text: str
    options: tuple[str, ...]
    right: str
    why: str

    def __post_init__(self) -> None:
        if len(self.options) < 2 or len(set(self.options)) != len(self.options):
            raise ValueError(f"question {self.text!r}: give two or more different options")
        if self.right not in self.options:
            raise ValueError(f"question {self.text!r}: the right answer must be one of the options")

    def check(self, answer: str | None) -> Outcome:
        if answer is None:
            return Outcome(SKIPPED, "pick an answer, then Check.")
        if answer not in self.options:
            choices = "; ".join(self.options)
            raise ValueError(f"answer {answer!r} is not one of the options: {choices}")
        if answer == self.right:
            return Outcome(RIGHT, self.why)
        return Outcome(WRONG, f"the answer is “{self.right}”. {self.why}")


@dataclass(frozen=True)
class Answer:
    """What the real call said: Allowed or Denied, the layers that decided a denial (keys of
    LAYERS, from the explainer), and AWS's own words."""

    verdict: str
    layers: tuple[str, ...] = ()
    detail: str = ""

    @classmethod
    def of(cls, allowed: bool, decision: Any = None, detail: str = "") -> Answer:
        """From a real call's outcome and, for a denial, the explainer's `Decision`."""
        if allowed:
            return cls(ALLOWED, (), detail)
        kinds = [cause.kind for cause in decision.deciding] if decision is not None else []
        return cls(DENIED, tuple(dict.fromkeys(kinds)), detail)

    def said(self) -> str:
        """The answer in words: "Denied, by the role's trust policy"."""
        if self.verdict == ALLOWED or not self.layers:
            return self.verdict
        return f"{self.verdict}, by " + " and ".join(LAYERS.get(k, k) for k in self.layers)


@dataclass(frozen=True)
class Prediction:
    """What the learner expects a call to do: Allowed or Denied, and for a denial which
    layer says no (a key of LAYERS, or None for "not sure")."""

    text: str
    verdict: str | None = None
    layer: str | None = None

    def __post_init__(self) -> None:
        if self.verdict not in (None, ALLOWED, DENIED):
            raise ValueError(f"verdict {self.verdict!r}: write {ALLOWED!r}, {DENIED!r} or None")
        if self.layer is not None and self.layer not in LAYERS:
            raise ValueError(f"layer {self.layer!r}: write one of {', '.join(LAYERS)} or None")
        if self.layer is not None and self.verdict != DENIED:
            raise ValueError("a layer says no only to a denied call: set verdict='Denied'")

    def check(self, real: Answer | None) -> Outcome:
        if self.verdict is None or real is None:
            return Outcome(SKIPPED, "pick Allowed or Denied, then ask AWS.")
        if self.verdict != real.verdict:
            return Outcome(WRONG, f"you expected {self.verdict}; AWS said {real.said()}.")
        if self.layer is not None and self.layer not in real.layers:
            return Outcome(
                WRONG, f"{DENIED}, as you expected, but not by {LAYERS[self.layer]}: {real.said()}."
            )
        return Outcome(RIGHT, f"as you expected, {real.said()}.")


_CHECKS: weakref.WeakKeyDictionary[Kit, dict[str, dict]] = weakref.WeakKeyDictionary()


def _record(kit: Kit, kind: str, text: str, answer: Any, outcome: Outcome) -> Outcome:
    """Keep the check's latest outcome and write the step's quiz.json."""
    rows = _CHECKS.setdefault(kit, {})
    rows[text] = {"kind": kind, "text": text, "answer": answer, **asdict(outcome)}
    body = {"checks": list(rows.values())}
    (kit.step_dir / RECORD).write_text(json.dumps(body, indent=1, ensure_ascii=False))
    return outcome


def ask(kit: Kit, question: Question, answer: str | None) -> Outcome:
    """Check an answer (None: skipped) and record it."""
    return _record(kit, "question", question.text, answer, question.check(answer))


def settle(kit: Kit, prediction: Prediction, real: Answer | None) -> Outcome:
    """Compare a prediction with the real call's answer (None: not asked yet) and record it."""
    outcome = prediction.check(real)
    said = [prediction.verdict, prediction.layer] if prediction.verdict else None
    return _record(kit, "prediction", prediction.text, said, outcome)
