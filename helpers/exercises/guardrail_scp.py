"""Exercise: a guardrail of your own, a service control policy that keeps IAM users out of
every workload account, attached where it reaches them all."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from helpers.aws import error_code, paginate
from helpers.exercises.framework import (
    Definition,
    Outcome,
    Values,
    correct,
    incorrect,
    not_attempted,
)
from helpers.exercises.state import (
    attached_scps,
    enable_scps,
    organization_with_accounts,
    role_session_arn,
)
from helpers.kit import Kit
from helpers.policy import explain_access
from helpers.targets import ACCESS_ROLE

NAME, OU = "no-iam-users", "Workloads"


def setup(kit: Kit) -> dict[str, Any]:
    """Steps 01-02, and the SCP policy type enabled on the root; no guardrail yet."""
    facts = organization_with_accounts(kit)
    enable_scps(kit)
    return facts


def check(kit: Kit, facts: dict[str, Any], values: Values) -> Outcome:
    orgs = kit.management.client("organizations")
    listed = paginate(orgs, "list_policies", "Policies", Filter="SERVICE_CONTROL_POLICY")
    names = {p["Name"] for p in listed}
    if NAME not in names:
        if values.all_blank() and names == {"FullAWSAccess"}:
            return not_attempted(f"there is no SCP {NAME} yet")
        return incorrect(f"no SCP named {NAME} (found: {', '.join(sorted(names))})")

    try:
        return _check_effect(kit, facts, values)
    except ClientError as error:  # the explainer reads IAM in dev: an SCP may refuse even that
        if error_code(error) != "AccessDenied":
            raise
        return incorrect(
            "dev may no longer create roles, nor even read IAM: the SCP denies more than "
            f"iam:CreateUser ({error.response['Error']['Message']})"
        )


def _check_effect(kit: Kit, facts: dict[str, Any], values: Values) -> Outcome:
    def verdict(account: str, action: str) -> str:
        who = role_session_arn(facts["accounts"][account], ACCESS_ROLE)
        return explain_access(kit, who, action, "*", kit.config.home_region).decision

    for account in ("dev", "prod"):
        if verdict(account, "iam:CreateUser") != "ExplicitlyDenied":
            return incorrect(
                f"{account} may still create IAM users: the SCP must Deny iam:CreateUser and "
                f"be attached to OU {OU}, which holds every workload account"
            )
    if verdict("dev", "iam:CreateRole") != "Allowed":
        return incorrect("dev may no longer create roles: deny iam:CreateUser only, not all IAM")
    if NAME not in attached_scps(kit, facts["ous"][OU]):
        return incorrect(f"{NAME} is not attached to OU {OU} itself (attach_policy)")
    if values["policy_id"] not in {p["Id"] for p in attached_scps(kit, facts["ous"][OU]).values()}:
        return incorrect(f"policy_id is {values.get('policy_id')!r}, not the id of {NAME}")
    return correct(f"{NAME} on OU {OU}: no IAM users in dev or prod, roles still allowed")


EXERCISE = Definition(
    name="06_guardrail_scp",
    title="A guardrail: no IAM users in the workload accounts",
    teaches=("06_guardrails",),
    minutes=15,
    answers=("policy_id",),
    setup=setup,
    check=check,
    hints=(
        "People come in through Identity Center, so nobody needs an IAM user in a workload "
        "account. An SCP states it once, for the whole OU.",
        "A policy with one statement: Effect Deny, Action iam:CreateUser, Resource *. "
        "create_policy(Name='no-iam-users', Type='SERVICE_CONTROL_POLICY', Content=..., "
        "Description=...).",
        "attach_policy(PolicyId=..., TargetId=ous['Workloads']): an OU's SCPs reach every "
        "account below it, dev and prod alike.",
    ),
)
