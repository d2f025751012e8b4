"""What is there (read calls only): every SCP of the organization with its targets and the
kit's tag, and the plan that sets it beside the config's policies."""

from __future__ import annotations

import json

from helpers.accounts import account_ids
from helpers.aws import paginate
from helpers.kit import Kit
from helpers.organization import describe
from helpers.stacksets import ou_ids

from .plan import SCP, TAG, Found, Plan
from .policy_type import scp_enabled
from .render import desired, intent, trail_bucket


def existing_scps(kit: Kit) -> dict[str, Found]:
    """Every SCP of the organization by name, with its targets and the kit's tag."""
    orgs = kit.management.client("organizations")
    found = {}
    for summary in paginate(orgs, "list_policies", "Policies", Filter=SCP):
        policy_id = summary["Id"]
        content = orgs.describe_policy(PolicyId=policy_id)["Policy"]["Content"]
        tags = [] if summary["AwsManaged"] else _tags(orgs, policy_id)
        targets = paginate(orgs, "list_targets_for_policy", "Targets", PolicyId=policy_id)
        found[summary["Name"]] = Found(
            policy_id,
            summary["Name"],
            summary.get("Description", ""),
            json.loads(content),
            TAG in tags,
            {t["TargetId"] for t in targets},
        )
    return found


def _tags(orgs, policy_id: str) -> list[dict]:
    return list(paginate(orgs, "list_tags_for_resource", "Tags", ResourceId=policy_id))


def prepare(kit: Kit) -> Plan | None:
    """Read the organization and render the config's policies (read calls only); None when
    the config has no guardrails section."""
    guardrails = kit.config.guardrails
    if guardrails is None:
        return None
    wanted = intent(kit, guardrails, trail_bucket(kit) if guardrails.protect_trail else None)
    org = describe(kit.management)
    ids = account_ids(kit)
    return Plan(
        section=guardrails,
        scps=desired(guardrails, wanted),
        intent=wanted,
        org_id=org["Id"] if org else None,
        enabled=bool(org) and scp_enabled(kit),
        ous=ou_ids(kit),
        accounts={a.name: ids.get(a.name) for a in kit.config.accounts},
        found=existing_scps(kit) if org else {},
        management_id=kit.config.management_account.id,
    )
