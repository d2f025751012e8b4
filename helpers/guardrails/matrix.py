"""The proof before attaching SCPs: every probe through the policy evaluator, for every
member account the guardrails reach and for the management account, with no AWS call.

The proof refuses when the policies would deny the kit's own steps in the home region, or deny a
global service that the config does not mean to deny: everyone in the member accounts
would be locked out of it, and only the management account could repair it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from helpers.policy import (
    Decision,
    Policies,
    Policy,
    Request,
    ResourcePolicy,
    ScpLevel,
    evaluate,
)
from helpers.tables import Table

from .expected import Intent, Probe, probes

ADMIN = Policy(
    "AdministratorAccess", {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}
)
MANAGEMENT = "management account"
PLANNED_ID = "000000000000"  # stands for an account that does not exist yet
PLANNED_ORG = "o-planned"


@dataclass(frozen=True)
class Reach:
    """A member account and the SCPs that will be in force on its path, root first."""

    name: str
    account_id: str | None
    ou: str
    levels: tuple[ScpLevel, ...]


def _trust(action: str, account: str) -> ResourcePolicy | None:
    """For sts:AssumeRole, a trust policy that lets the caller's account in: the proof asks
    what the SCPs decide, not whether some role trusts the caller."""
    if not action.startswith("sts:AssumeRole"):
        return None
    statement = {"Effect": "Allow", "Principal": {"AWS": account}, "Action": action}
    return ResourcePolicy("a trust policy naming the caller", {"Statement": statement}, account)


@dataclass
class Proof:
    """The evaluator's decision for every probe in every account, and what it refuses."""

    intent: Intent
    reaches: list[Reach]
    rows: list[Probe]
    cells: dict[tuple[int, str], Decision] = field(default_factory=dict)

    def problems(self) -> list[str]:
        """Why attaching would be unsafe: one line per guarded probe denied in an account."""
        found = []
        for index, probe in enumerate(self.rows):
            if probe.guard is None or not probe.expected:
                continue
            for reach in self.reaches:
                decision = self.cells[(index, reach.name)]
                if decision.allowed:
                    continue
                what = (
                    "the kit's own steps must work in the home region"
                    if probe.guard == "kit"
                    else "it would lock everyone in the account out of a global service the "
                    "config does not mean to deny (list it in denies_services if it does)"
                )
                found.append(
                    f"{probe.label} ({decision.request.action}) is {decision.decision} in account "
                    f"{reach.name}, but {what}: {'; '.join(decision.reasons())}"
                )
        return found

    @property
    def safe(self) -> bool:
        return not self.problems()

    def mismatches(self) -> list[str]:
        """Requests whose outcome differs from what the config means (a custom SCP may)."""
        return [
            f"{probe.label} in account {name}"
            for index, probe in enumerate(self.rows)
            for name in [*(r.name for r in self.reaches), MANAGEMENT]
            if self.cells[(index, name)].allowed != (probe.expected or name == MANAGEMENT)
        ]

    def table(self) -> Table:
        """The matrix: one row per shown probe, one column per member account, and the
        management account, where SCPs never apply."""
        columns = ["request", "action", "region", "expected"]
        columns += [f"{r.name} ({r.ou})" for r in self.reaches]
        columns.append(f"{MANAGEMENT} (SCPs never apply)")
        rows = []
        for index, probe in enumerate(self.rows):
            if probe.shown:
                cells = [self.cells[(index, r.name)] for r in self.reaches]
                cells = [_cell(decision, probe.expected) for decision in cells]
                management = _cell(self.cells[(index, MANAGEMENT)], True)
                rows.append(
                    [
                        probe.label,
                        ", ".join(probe.actions),
                        probe.region,
                        _word(probe.expected),
                        *cells,
                        management,
                    ]
                )
        return Table(columns, rows)


def _word(allowed: bool) -> str:
    return "allowed" if allowed else "denied"


def _cell(decision: Decision, expected: bool) -> str:
    text = _word(decision.allowed)
    scp = next((c for c in decision.deciding if c.kind == "scp" and c.effect == "Deny"), None)
    if scp is not None:
        text += f" by {scp.policy}"
    return text if decision.allowed == expected else f"{text} (NOT AS EXPECTED)"


_VERSION = re.compile(r'"Version": "[0-9-]+"')
# A digit where an account id's digit could line up with it: after a colon (an ARN's account
# field), a wildcard, the start of a value, or where JSON puts a number.
_ACCOUNT_DIGIT = re.compile(r'(?:^|[\s:*?"\[,{])[0-9]')


def account_blind(policy: Policy) -> bool:
    """Whether a policy decides alike for every account. Account ids differ only in their
    digits, always between colons in an ARN or alone as a value, and a wildcard matches any
    digit: a policy without variables and without a digit that could line up with an
    account's (the 3 of s3, the 1 of eu-west-1 cannot) cannot tell two accounts apart."""
    text = _VERSION.sub("", json.dumps(policy.document))
    return "${" not in text and _ACCOUNT_DIGIT.search(text) is None


def _alike(reaches: Sequence[Reach]) -> list[list[Reach]]:
    """The reaches in groups whose SCPs are the same, level by level, and account-blind:
    the evaluator decides alike for every account of a group."""
    groups: dict[object, list[Reach]] = {}
    for index, reach in enumerate(reaches):
        policies = [p for level in reach.levels for p in level.policies]
        key: object = index  # an account of its own
        if all(account_blind(p) for p in policies):
            key = tuple(
                tuple(json.dumps(p.document, sort_keys=True) for p in level.policies)
                for level in reach.levels
            )
        groups.setdefault(key, []).append(reach)
    return list(groups.values())


def _decide(
    intent: Intent, probe: Probe, account: str, levels, organization: str, management: bool
) -> Decision:
    """The probe's decision in one account: the first of its actions refused, else the first."""
    decisions = [
        evaluate(
            Request(
                probe.principal(intent.partition, account),
                action,
                probe.resource(account),
                probe.region,
                organization=organization,
                management_account=management,
                context={"aws:ResourceAccount": account},
            ),
            Policies(identity=(ADMIN,), scps=levels, resource=_trust(action, account)),
        )
        for action in probe.actions
    ]
    refused = [d for d in decisions if not d.allowed]
    return (refused or decisions)[0]


def prove(
    intent: Intent, reaches: Sequence[Reach], organization: str | None, management_id: str
) -> Proof:
    """Evaluate every probe in every reached account and in the management account, offline.

    Accounts whose SCPs are alike and account-blind are decided once, by the first of them:
    the others' cells are its decisions, unless a guarded probe is refused there, when each
    account is decided on its own (so that every problem names its own account)."""
    proof = Proof(intent, list(reaches), probes(intent))
    org = organization or PLANNED_ORG
    groups = _alike(reaches)
    for index, probe in enumerate(proof.rows):
        for group in groups:
            first = group[0]
            decision = _decide(
                intent, probe, first.account_id or PLANNED_ID, first.levels, org, False
            )
            guarded = probe.guard is not None and probe.expected and not decision.allowed
            for reach in group:
                if guarded and reach is not first:
                    account = reach.account_id or PLANNED_ID
                    decision = _decide(intent, probe, account, reach.levels, org, False)
                proof.cells[(index, reach.name)] = decision
        proof.cells[(index, MANAGEMENT)] = _decide(intent, probe, management_id, (), org, True)
    return proof
