"""Exercise: bring the team's original account in by invitation (the handshake), give it the
access role an invited account lacks, and place it in its OU."""

from __future__ import annotations

import json
from typing import Any

from helpers import accounts
from helpers.aws import or_none, paginate
from helpers.exercises.framework import (
    Definition,
    Outcome,
    Values,
    correct,
    incorrect,
    not_attempted,
)
from helpers.exercises.state import organization_with_accounts, ou_path, parent_of, seeded
from helpers.kit import Kit
from helpers.policy import explain_access
from helpers.targets import ACCESS_ROLE

OU = "Workloads/Prod"


def setup(kit: Kit) -> dict[str, Any]:
    """Steps 01-02 done for the created accounts; the original account is still outside."""
    facts = organization_with_accounts(kit, invite=False)
    return facts | {"original": seeded(kit)["original_account_id"]}


def _handshakes(kit: Kit, original: str) -> list[dict]:
    orgs = kit.management.client("organizations")
    return [
        h
        for h in paginate(orgs, "list_handshakes_for_organization", "Handshakes")
        if ("ACCOUNT", original) in {(p["Type"], p["Id"]) for p in h["Parties"]}
    ]


def check(kit: Kit, facts: dict[str, Any], values: Values) -> Outcome:
    original = facts["original"]
    handshakes = _handshakes(kit, original)
    if not handshakes:
        if values.all_blank():
            return not_attempted(f"account {original} is not invited yet")
        return incorrect(
            f"the organization has sent no invitation to {original}: "
            "invite_account_to_organization from the management account"
        )
    members = accounts.members(kit)
    if original not in members:
        states = ", ".join(sorted({h["State"] for h in handshakes}))
        if "OPEN" in states:
            return incorrect(
                f"the invitation to {original} is still OPEN: the invited account "
                "accepts it itself, with its own credentials: "
                "kit.outside(ORIGINAL_ACCOUNT_ID).client('organizations').accept_handshake(...)"
            )
        return incorrect(f"the invitation is {states} and the account has not joined: invite again")
    accepted = [h["Id"] for h in handshakes if h["State"] == "ACCEPTED"]
    if values["handshake_id"] not in accepted:
        return incorrect(
            f"handshake_id is {values.get('handshake_id')!r}; the accepted handshake is "
            f"{', '.join(accepted) or 'none'}"
        )
    where = parent_of(kit, original)
    if ou_path(kit, where) != OU:
        return incorrect(
            f"account {original} is in {ou_path(kit, where)}, not in {OU}: it still "
            "runs production, so it goes with prod (move_account)"
        )
    return _check_access_role(kit, original)


class _OwnCredentials:
    """The explainer's reads, made in the original account with its own credentials (the
    access role may be what is broken)."""

    def __init__(self, kit: Kit, original: str) -> None:
        self.kit, self.original = kit, original
        self.management = kit.management

    def account(self, account_id: str):
        if account_id == self.original:
            return self.kit.outside(account_id)
        return self.kit.account(account_id)


def _check_access_role(kit: Kit, original: str) -> Outcome:
    own = kit.outside(original)
    iam = own.client("iam")
    if or_none(iam.get_role, "NoSuchEntity", RoleName=ACCESS_ROLE) is None:
        return incorrect(
            f"account {original} has no {ACCESS_ROLE}: an invited account never gets "
            "one; create it there with the account's own credentials"
        )
    management = kit.config.management_account.id
    arn = f"arn:aws:iam::{original}:role/{ACCESS_ROLE}"
    decision = explain_access(
        _OwnCredentials(kit, original), f"arn:aws:iam::{management}:root", "sts:AssumeRole", arn
    )
    if not decision.allowed:
        trust = json.dumps(iam.get_role(RoleName=ACCESS_ROLE)["Role"]["AssumeRolePolicyDocument"])
        return incorrect(
            f"the management account ({management}) cannot assume {ACCESS_ROLE}: "
            f"{'; '.join(decision.reasons())}. Its trust policy is {trust}"
        )
    attached = iam.list_attached_role_policies(RoleName=ACCESS_ROLE)["AttachedPolicies"]
    if accounts.ADMIN_POLICY not in {p["PolicyArn"] for p in attached}:
        return incorrect(
            f"{ACCESS_ROLE} in {original} has no AdministratorAccess attached "
            f"(attached: {', '.join(p['PolicyName'] for p in attached) or 'nothing'})"
        )
    return correct(
        f"account {original} joined by handshake, sits in {OU}, and the management "
        f"account can administer it through {ACCESS_ROLE}"
    )


EXERCISE = Definition(
    name="02_invitation",
    title="The migration path: invite the original account",
    teaches=("02_accounts_and_ous",),
    minutes=15,
    answers=("handshake_id",),
    setup=setup,
    check=check,
    hints=(
        "Two sides, two sets of credentials: the management account invites "
        "(kit.management), the original account accepts (kit.outside(ORIGINAL_ACCOUNT_ID)).",
        "invite_account_to_organization(Target={'Id': ..., 'Type': 'ACCOUNT'}) returns the "
        "Handshake; accept_handshake(HandshakeId=...) from the original account's side.",
        "Then, still with the original account's own session: iam.create_role(RoleName="
        "'OrganizationAccountAccessRole', AssumeRolePolicyDocument=<trust naming "
        "arn:aws:iam::<management id>:root>) and attach_role_policy with "
        "arn:aws:iam::aws:policy/AdministratorAccess; last, move_account into Workloads/Prod.",
    ),
)
