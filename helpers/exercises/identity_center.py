"""Exercise: a permission set and a group's assignment in one account (IAM Identity Center)."""

from __future__ import annotations

from typing import Any

from helpers import identity_center as ic
from helpers.aws import paginate
from helpers.exercises.framework import (
    Definition,
    Outcome,
    Values,
    correct,
    incorrect,
    not_attempted,
)
from helpers.exercises.state import organization_with_accounts
from helpers.kit import Kit

NAME, DURATION = "ProdReadOnly", "PT8H"
POLICY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
GROUP, ACCOUNT = "developers", "prod"


def setup(kit: Kit) -> dict[str, Any]:
    """The organization and its accounts; in Identity Center the users, groups and members of
    the example config, and no permission set yet."""
    facts = organization_with_accounts(kit)
    instance = ic.find_instance(kit)
    users = ic.ensure_users(kit, instance)
    groups = ic.ensure_groups(kit, instance)
    ic.ensure_memberships(kit, instance, users, groups)
    return {**facts, "instance": instance, "users": users, "groups": groups}


def check(kit: Kit, facts: dict[str, Any], values: Values) -> Outcome:
    instance: ic.Instance = facts["instance"]
    sso = kit.management.client("sso-admin")
    sets = {}
    for arn in paginate(sso, "list_permission_sets", "PermissionSets", InstanceArn=instance.arn):
        described = sso.describe_permission_set(InstanceArn=instance.arn, PermissionSetArn=arn)
        sets[described["PermissionSet"]["Name"]] = described["PermissionSet"]
    if NAME not in sets:
        if values.all_blank() and not sets:
            return not_attempted(f"there is no permission set {NAME} yet")
        return incorrect(
            f"no permission set named {NAME} (found: {', '.join(sorted(sets)) or 'none'})"
        )
    permission_set = sets[NAME]
    arn = permission_set["PermissionSetArn"]
    if permission_set.get("SessionDuration") != DURATION:
        return incorrect(
            f"{NAME} lasts {permission_set.get('SessionDuration', 'PT1H (the default)')}, "
            f"not {DURATION}: set SessionDuration"
        )
    attached = {
        p["Arn"]
        for p in sso.list_managed_policies_in_permission_set(
            InstanceArn=instance.arn, PermissionSetArn=arn
        )["AttachedManagedPolicies"]
    }
    if attached != {POLICY}:
        return incorrect(
            f"{NAME} has the managed policies {sorted(attached) or 'none'}; it needs exactly "
            f"{POLICY}: look, but do not touch"
        )
    directory = ic.Directory(instance, facts["users"], facts["groups"], {NAME: arn})
    directory.accounts = facts["accounts"]
    grants = [g for g in ic.current_grants(kit, directory) if g.permission_set_arn == arn]
    wanted = [
        g for g in grants if (g.principal_type, g.principal, g.account) == ("GROUP", GROUP, ACCOUNT)
    ]
    others = [g.label for g in grants if g not in wanted]
    if others:
        return incorrect(
            f"{NAME} is assigned beyond what was asked: {'; '.join(others)}. Only group "
            f"{GROUP} in {ACCOUNT}; assign groups, not people (delete_account_assignment)"
        )
    if not wanted:
        return incorrect(
            f"group {GROUP} has no assignment of {NAME} in account {ACCOUNT} "
            f"({facts['accounts'][ACCOUNT]}): create_account_assignment, then wait for SUCCEEDED"
        )
    if values["permission_set_arn"] != arn:
        return incorrect(
            f"permission_set_arn is {values.get('permission_set_arn')!r}, but {NAME} is {arn}"
        )
    return correct(f"group {GROUP} may look, not touch, in {ACCOUNT} through {NAME} ({DURATION})")


EXERCISE = Definition(
    name="03_identity_center",
    title="Read-only access to prod for the developers",
    teaches=("03_identity_center",),
    minutes=20,
    answers=("permission_set_arn",),
    setup=setup,
    check=check,
    hints=(
        "All calls go to sso-admin in the management account, with the instance's ARN "
        "(instance.arn); the group's id is in groups['developers'], prod's id in "
        "accounts['prod'].",
        "create_permission_set(InstanceArn=..., Name='ProdReadOnly', SessionDuration='PT8H'), "
        "then attach_managed_policy_to_permission_set(..., ManagedPolicyArn=...).",
        "create_account_assignment(InstanceArn=..., TargetId=<prod id>, "
        "TargetType='AWS_ACCOUNT', PermissionSetArn=..., PrincipalType='GROUP', "
        "PrincipalId=<group id>) returns a RequestId: poll "
        "describe_account_assignment_creation_status until Status is SUCCEEDED.",
    ),
)
