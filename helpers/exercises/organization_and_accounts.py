"""Exercise: create the organization, an OU, and an account the asynchronous way."""

from __future__ import annotations

from typing import Any

from helpers import accounts, organization
from helpers.exercises.framework import (
    Definition,
    Outcome,
    Values,
    correct,
    incorrect,
    not_attempted,
)
from helpers.exercises.state import ou_path, parent_of
from helpers.kit import Kit

OU = "Sandboxes"
NAME, EMAIL = "sandbox-alice", "sandbox-alice@example.com"


def setup(kit: Kit) -> dict[str, Any]:
    """Nothing yet: the management account is new and empty, as in step 01."""
    return {}


def check(kit: Kit, facts: dict[str, Any], values: Values) -> Outcome:
    org = organization.describe(kit.management)
    if org is None:
        if values.all_blank():
            return not_attempted("the organization, the OU and the account are still to make")
        return incorrect(
            "there is no organization yet: call create_organization(FeatureSet='ALL') "
            "as the management account"
        )
    if org["FeatureSet"] != "ALL":
        return incorrect(
            f"organization {org['Id']} has FeatureSet {org['FeatureSet']}: service control "
            "policies need all features (FeatureSet='ALL'); enable_all_features() fixes it"
        )
    orgs = kit.management.client("organizations")
    root = organization.root_id(kit.management)
    ous = {ou["Name"]: ou["Id"] for ou in organization.child_ous(kit.management, root)}
    if OU not in ous:
        found = ", ".join(sorted(ous)) or "none"
        return incorrect(f"no OU named {OU!r} directly under the root (OUs there: {found})")
    ou_id = ous[OU]
    by_email = {a["Email"].lower(): a for a in accounts.members(kit).values()}
    account = by_email.get(EMAIL)
    if account is None:
        waiting = orgs.list_create_account_status(States=["IN_PROGRESS"])["CreateAccountStatuses"]
        if any(s["AccountName"] == NAME for s in waiting):
            return incorrect(
                f"the creation of {NAME} is still IN_PROGRESS: CreateAccount only starts it; "
                "poll describe_create_account_status until it says SUCCEEDED"
            )
        return incorrect(f"no account with the email {EMAIL} in the organization yet")
    if account["Name"] != NAME:
        return incorrect(
            f"the account with email {EMAIL} is named {account['Name']!r}, not {NAME!r}"
        )
    where = parent_of(kit, account["Id"])
    if where != ou_id:
        return incorrect(
            f"account {NAME} ({account['Id']}) is in {ou_path(kit, where)}, not in OU {OU}: "
            "a new account starts under the root; move_account puts it in its OU"
        )
    if values.blank("ou_id") or values["ou_id"] != ou_id:
        return incorrect(f"ou_id is {values.get('ou_id')!r}, but OU {OU} has the id {ou_id}")
    answer = values.get("account_id")
    if isinstance(answer, str) and answer.startswith("car-"):
        return incorrect(
            f"account_id is {answer!r}, the CreateAccount request id: the account's id is the "
            "AccountId that describe_create_account_status gives once the state is SUCCEEDED"
        )
    if answer != account["Id"]:
        return incorrect(f"account_id is {answer!r}, but account {NAME} has the id {account['Id']}")
    return correct(
        f"organization {org['Id']} with all features, OU {OU} ({ou_id}), and account {NAME} "
        f"({account['Id']}) in it"
    )


EXERCISE = Definition(
    name="01_organization_and_accounts",
    title="The organization, an OU and an account",
    teaches=("01_organization", "02_accounts_and_ous"),
    minutes=15,
    answers=("ou_id", "account_id"),
    setup=setup,
    check=check,
    hints=(
        "Everything here is an AWS Organizations call in the management account: "
        "orgs = kit.management.client('organizations').",
        "create_organization(FeatureSet='ALL'), then list_roots() for the root's id, then "
        "create_organizational_unit(ParentId=<root id>, Name='Sandboxes').",
        "create_account(AccountName=..., Email=...) returns a CreateAccountStatus whose Id "
        "starts with car-; call describe_create_account_status(CreateAccountRequestId=...) "
        "every second until State is SUCCEEDED, then move_account(AccountId=..., "
        "SourceParentId=<root id>, DestinationParentId=<OU id>).",
    ),
)
