"""Exercise: bring the team's original account in by invitation (the handshake), give it the
access role an invited account lacks, and place it in its OU."""

from __future__ import annotations

import json
from typing import Any

from helpers import accounts
from helpers.exercises.framework import (
    Definition,
    Outcome,
    Values,
    correct,
    incorrect,
    not_attempted,
)
from helpers.exercises.state import organization_with_accounts, ou_path, parent_of
from helpers.kit import Kit
from helpers.policy import explain_access
from helpers.sandbox import ORIGINAL_ACCOUNT_ID
from helpers.targets import ACCESS_ROLE

OU = "Workloads/Prod"


def setup(kit: Kit) -> dict[str, Any]:
    """Steps 01-02 done for the created accounts; the original account is still outside."""
    return organization_with_accounts(kit, invite=False)


def _handshakes(kit: Kit) -> list[dict]:
    orgs = kit.management.client("organizations")
    pages = orgs.get_paginator("list_handshakes_for_organization").paginate()
    return [
        h
        for page in pages
        for h in page["Handshakes"]
        if ("ACCOUNT", ORIGINAL_ACCOUNT_ID) in {(p["Type"], p["Id"]) for p in h["Parties"]}
    ]


def check(kit: Kit, facts: dict[str, Any], values: Values) -> Outcome:
    handshakes = _handshakes(kit)
    if not handshakes:
        if values.all_blank():
            return not_attempted(f"account {ORIGINAL_ACCOUNT_ID} is not invited yet")
        return incorrect(
            f"the organization has sent no invitation to {ORIGINAL_ACCOUNT_ID}: "
            "invite_account_to_organization from the management account"
        )
    members = accounts.members(kit)
    if ORIGINAL_ACCOUNT_ID not in members:
        states = ", ".join(sorted({h["State"] for h in handshakes}))
        if "OPEN" in states:
            return incorrect(
                f"the invitation to {ORIGINAL_ACCOUNT_ID} is still OPEN: the invited account "
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
    where = parent_of(kit, ORIGINAL_ACCOUNT_ID)
    if ou_path(kit, where) != OU:
        return incorrect(
            f"account {ORIGINAL_ACCOUNT_ID} is in {ou_path(kit, where)}, not in {OU}: it still "
            "runs production, so it goes with prod (move_account)"
        )
    return _check_access_role(kit)


class _OwnCredentials:
    """The explainer's reads, made in the original account with its own credentials (the
    access role may be what is broken)."""

    def __init__(self, kit: Kit) -> None:
        self.kit = kit
        self.management = kit.management

    def account(self, account_id: str):
        if account_id == ORIGINAL_ACCOUNT_ID:
            return self.kit.outside(account_id)
        return self.kit.account(account_id)


def _check_access_role(kit: Kit) -> Outcome:
    own = kit.outside(ORIGINAL_ACCOUNT_ID)
    iam = own.client("iam")
    try:
        iam.get_role(RoleName=ACCESS_ROLE)
    except iam.exceptions.NoSuchEntityException:
        return incorrect(
            f"account {ORIGINAL_ACCOUNT_ID} has no {ACCESS_ROLE}: an invited account never gets "
            "one; create it there with the account's own credentials"
        )
    management = kit.config.management_account.id
    arn = f"arn:aws:iam::{ORIGINAL_ACCOUNT_ID}:role/{ACCESS_ROLE}"
    decision = explain_access(
        _OwnCredentials(kit), f"arn:aws:iam::{management}:root", "sts:AssumeRole", arn
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
            f"{ACCESS_ROLE} in {ORIGINAL_ACCOUNT_ID} has no AdministratorAccess attached "
            f"(attached: {', '.join(p['PolicyName'] for p in attached) or 'nothing'})"
        )
    return correct(
        f"account {ORIGINAL_ACCOUNT_ID} joined by handshake, sits in {OU}, and the management "
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
