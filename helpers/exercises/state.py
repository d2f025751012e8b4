"""Starting states built with the kit's own helpers, and the reads the checks share."""

from __future__ import annotations

import json
from typing import Any

from helpers import accounts, organization
from helpers.aws import paginate
from helpers.kit import Kit, KitError

SCP = "SERVICE_CONTROL_POLICY"


def seeded(kit: Kit) -> dict[str, Any]:
    """What the exercise's sandbox seeded: {"original_account_id": ..., "resources": {...}}
    (the original account's buckets, roles, security groups and review items by env), read
    from the sandbox itself, the one place that knows them."""
    client = kit.target.sandbox_client
    if client is None:
        raise KitError(
            "the exercises run against a sandbox",
            resource=f"target {kit.target.name}",
            next_step="start the exercise with helpers.exercises.start(name)",
        )
    return client.seeded()


def organization_with_accounts(kit: Kit, invite: bool = False) -> dict[str, Any]:
    """Steps 01-02 as the runbook does them: the organization, its OUs, the created accounts
    in their OUs, and (with `invite`) the original account invited and accepted.

    Returns {"ous": {path: id}, "accounts": {name: id}}.
    """
    organization.ensure_organization(kit)
    ous = accounts.ensure_ous(kit)
    ids = accounts.ensure_accounts(kit, poll_seconds=0.05)
    if invite:
        ids |= accounts.ensure_invitations(kit)
        accounts.ensure_access_roles(kit)
    placed = {a.name: ids[a.name] for a in kit.config.accounts if a.name in ids}
    accounts.ensure_placement(kit, placed, ous)
    return {"ous": ous, "accounts": placed}


def enable_scps(kit: Kit) -> str:
    """Enable the SCP policy type on the root (once); the root's id."""
    orgs = kit.management.client("organizations")
    root = orgs.list_roots()["Roots"][0]
    if not any(t["Type"] == SCP and t["Status"] == "ENABLED" for t in root["PolicyTypes"]):
        orgs.enable_policy_type(RootId=root["Id"], PolicyType=SCP)
    return root["Id"]


def attached_scps(kit: Kit, target_id: str) -> dict[str, dict]:
    """The SCPs attached to a root, OU or account: {name: {"Id":..., "Document": {...}}}."""
    orgs = kit.management.client("organizations")
    found = {}
    for summary in paginate(
        orgs, "list_policies_for_target", "Policies", TargetId=target_id, Filter=SCP
    ):
        content = orgs.describe_policy(PolicyId=summary["Id"])["Policy"]["Content"]
        found[summary["Name"]] = {"Id": summary["Id"], "Document": json.loads(content)}
    return found


def parent_of(kit: Kit, child_id: str) -> str:
    """The id of an account's or OU's parent."""
    orgs = kit.management.client("organizations")
    return orgs.list_parents(ChildId=child_id)["Parents"][0]["Id"]


def ou_path(kit: Kit, ou_id: str) -> str:
    """An OU's path as the config writes it ("Workloads/Dev"); "Root" for the root."""
    orgs = kit.management.client("organizations")
    names = []
    while ou_id.startswith("ou-"):
        names.append(
            orgs.describe_organizational_unit(OrganizationalUnitId=ou_id)["OrganizationalUnit"][
                "Name"
            ]
        )
        ou_id = parent_of(kit, ou_id)
    return "/".join(reversed(names)) or "Root"


def role_session_arn(account_id: str, role: str, session: str = "learner") -> str:
    """The ARN of a session of `role` in `account_id`, as explain_access takes it."""
    return f"arn:aws:sts::{account_id}:assumed-role/{role}/{session}"
