"""The decision and its explanation: which layers decided, what each layer said."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .model import Request

LayerKind = Literal["rcp", "scp", "identity", "boundary", "session", "resource", "trust"]
Verdict = Literal["Allowed", "ImplicitlyDenied", "ExplicitlyDenied"]
Said = Literal["Allow", "Deny", "no Allow", "not applied"]
Grant = Literal["session", "everyone", "principal", "account"]
"""How a resource-based policy's Principal names the caller: its exact session (or the
service), everyone (``"*"``), its user or role, or only its account."""

_POLICY_NOUN = {
    "rcp": "the RCP",
    "scp": "the SCP",
    "identity": "the identity policy",
    "boundary": "the permissions boundary",
    "session": "the session policy",
    "resource": "the resource-based policy",
    "trust": "the role's trust policy",
}


_LAYER_NAME = {
    "rcp": "RCPs",
    "scp": "SCPs",
    "identity": "identity policies",
    "boundary": "permissions boundary",
    "session": "session policies",
    "resource": "resource-based policy",
    "trust": "trust policy",
}


@dataclass(frozen=True)
class Cause:
    """A layer that decided: the statement that allowed or denied, or, when `effect` is
    None, a layer where no statement allowed (an implicit deny)."""

    kind: LayerKind
    effect: Literal["Allow", "Deny"] | None
    policy: str | None = None
    sid: str | None = None
    statement: Mapping[str, Any] | None = None
    level: str | None = None
    """For an SCP or an RCP, the level it is attached to, in words (`ScpLevel.label`)."""
    grant: Grant | None = None
    """For a resource-based or trust policy: how its Principal names the caller."""
    target: str | None = None
    """For an SCP or an RCP, the id of the root, OU or account it is attached to."""

    def where(self) -> str:
        """The policy in words: "the SCP 'deny-regions' attached to OU Workloads"."""
        text = _POLICY_NOUN[self.kind]
        if self.policy:
            text += f" '{self.policy}'"
        if self.level:
            text += f" attached to {self.level}"
        return text

    def sentence(self, action: str) -> str:
        """What this cause did, in plain English."""
        if self.effect == "Deny":
            return f"denied by {self.where()}: explicit Deny, statement {self.sid}"
        if self.effect == "Allow":
            return f"allowed by {self.where()}, statement {self.sid}"
        if self.kind in ("scp", "rcp"):
            return f"no {self.kind.upper()} attached to {self.level} allows {action}"
        if self.kind in ("identity", "session"):
            return f"no {self.kind} policy allows {action}"
        if self.kind == "boundary":
            return f"{self.where()} does not allow {action}"
        if self.policy is None:
            noun = "trust policy of the role" if self.kind == "trust" else "resource-based policy"
            return f"no {noun} allows this principal to call {action}"
        return f"{self.where()} does not allow this principal to call {action}"


@dataclass(frozen=True)
class Step:
    """What one layer said: Allow, Deny, no Allow, or not applied (and why)."""

    kind: LayerKind
    said: Said
    detail: str
    level: str | None = None

    @property
    def label(self) -> str:
        """The layer in words: "SCPs at OU Workloads (ou-...)", "permissions boundary"."""
        if self.level:
            return f"{_LAYER_NAME[self.kind]} at {self.level}"
        return _LAYER_NAME[self.kind]


@dataclass(frozen=True)
class Decision:
    """The outcome of `evaluate`: the decision, the layers that decided it, every step."""

    decision: Verdict
    deciding: tuple[Cause, ...]
    steps: tuple[Step, ...]
    request: Request

    @property
    def allowed(self) -> bool:
        return self.decision == "Allowed"

    def reasons(self) -> list[str]:
        """One sentence per deciding layer (the steps' own words when no layer decided)."""
        sentences = [cause.sentence(self.request.action) for cause in self.deciding]
        return sentences or [step.detail for step in self.steps]

    def headline(self) -> str:
        r = self.request
        return (
            f"{self.decision}: {r.principal} calling {r.action} on {r.resource} (region {r.region})"
        )

    def text(self) -> str:
        """The explanation as plain text."""
        lines = [self.headline(), "Because:"]
        lines += [f"  - {reason}" for reason in self.reasons()]
        lines.append("Layer by layer:")
        lines += [f"  - {step.label} [{step.said}]: {step.detail}" for step in self.steps]
        return "\n".join(lines)

    __str__ = text

    def _repr_html_(self) -> str:
        deciding = {(cause.kind, cause.level) for cause in self.deciding}
        rows = "".join(
            "<tr{}><td>{}</td><td>{}</td><td>{}</td></tr>".format(
                ' style="font-weight:bold"' if (step.kind, step.level) in deciding else "",
                html.escape(step.label),
                html.escape(step.said),
                html.escape(step.detail),
            )
            for step in self.steps
        )
        statements = "".join(
            f"<li>{html.escape(reason)}"
            + (
                f"<pre>{html.escape(json.dumps(cause.statement, indent=1))}</pre>"
                if cause.statement
                else ""
            )
            + "</li>"
            for cause, reason in zip(self.deciding, self.reasons(), strict=True)
        )
        return (
            f"<div><p><b>{html.escape(self.headline())}</b></p><ul>{statements}</ul>"
            "<table><thead><tr><th>Layer</th><th>Said</th><th>Why</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>"
        )
