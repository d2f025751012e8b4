"""Bug hunt: a region-deny SCP that forgets a global service (Cost Explorer). Diagnose the
denial with explain_access, then fix the policy without losing the guardrail."""

from __future__ import annotations

import json
from typing import Any

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
from helpers.policy import GLOBAL_SERVICES, explain_access
from helpers.targets import ACCESS_ROLE

POLICY, OU = "allowed-regions", "Workloads"
ALLOWED = ["eu-central-1", "eu-west-1"]
# The bug: Cost Explorer (ce) is missing from the exempted global services.
EXEMPT = sorted(f"{s}:*" for s in (GLOBAL_SERVICES - {"ce"}) | {"sts"})


def broken_policy() -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyOutsideAllowedRegions",
                "Effect": "Deny",
                "NotAction": EXEMPT,
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": ALLOWED}},
            }
        ],
    }


def setup(kit: Kit) -> dict[str, Any]:
    """Steps 01-02, then the guardrail on OU Workloads, with Cost Explorer forgotten."""
    facts = organization_with_accounts(kit)
    enable_scps(kit)
    orgs = kit.management.client("organizations")
    policy = orgs.create_policy(
        Name=POLICY,
        Description="Only the approved regions, global services exempted",
        Type="SERVICE_CONTROL_POLICY",
        Content=json.dumps(broken_policy()),
    )["Policy"]["PolicySummary"]
    orgs.attach_policy(PolicyId=policy["Id"], TargetId=facts["ous"][OU])
    return {**facts, "policy_id": policy["Id"]}


def check(kit: Kit, facts: dict[str, Any], values: Values) -> Outcome:
    orgs = kit.management.client("organizations")
    content = json.loads(orgs.describe_policy(PolicyId=facts["policy_id"])["Policy"]["Content"])
    ou_id = facts["ous"][OU]
    if content == broken_policy() and values.all_blank():
        return not_attempted(
            "the guardrail still denies Cost Explorer to every account in Workloads"
        )
    if values["guilty_policy"] != POLICY:
        return incorrect(
            f"guilty_policy is {values.get('guilty_policy')!r}: explain_access names the SCP "
            "whose explicit Deny decided (Cause.policy)"
        )
    if values["guilty_ou"] not in (OU, ou_id):
        return incorrect(
            f"guilty_ou is {values.get('guilty_ou')!r}: the SCP that denied is attached to an "
            "OU; explain_access names it (its name or its ou- id will do)"
        )
    dev = facts["accounts"]["dev"]
    who = role_session_arn(dev, ACCESS_ROLE)

    def decision(action: str, region: str):
        return explain_access(kit, who, action, "*", region)

    costs = decision("ce:GetCostAndUsage", "eu-central-1")
    if not costs.allowed:
        return incorrect(f"dev is still denied ce:GetCostAndUsage: {'; '.join(costs.reasons())}")
    for region in ("us-west-2", "us-east-1"):
        if decision("ec2:RunInstances", region).allowed:
            return incorrect(
                f"dev may now run instances in {region}: the guardrail is gone or too wide. "
                "Keep the Deny and the allowed regions; exempt the forgotten global service "
                "(add it to NotAction), and do not allow us-east-1 for everything"
            )
    if not decision("sqs:ListQueues", "eu-west-1").allowed:
        return incorrect("dev is now denied sqs:ListQueues in eu-west-1, an allowed region")
    if POLICY not in attached_scps(kit, ou_id):
        return incorrect(f"the SCP {POLICY} is no longer attached to OU {OU}: fix it in place")
    return correct(
        f"{POLICY} on OU {OU} now exempts Cost Explorer, a global service served from us-east-1, "
        "and still keeps every other service in the allowed regions"
    )


EXERCISE = Definition(
    name="bug_region_guardrail",
    title="Bug hunt: the guardrail that blocks Cost Explorer",
    teaches=("06_guardrails", "the explainer: helpers.policy.explain_access"),
    minutes=20,
    answers=("guilty_policy", "guilty_ou"),
    setup=setup,
    check=check,
    hints=(
        "An SCP denial looks exactly like an IAM denial. Ask the explainer: "
        "explain_access(kit, <dev session ARN>, 'ce:GetCostAndUsage', '*', 'eu-central-1').",
        "The decision's .deciding causes name the policy and the level it is attached to; "
        "print(decision) shows every layer. Which region does AWS put in aws:RequestedRegion "
        "for Cost Explorer, whatever region the client uses?",
        "Cost Explorer is global, served from us-east-1. Read the SCP (describe_policy), add "
        "'ce:*' to "
        "its NotAction list, and write it back with update_policy(PolicyId=..., Content=...).",
    ),
)
