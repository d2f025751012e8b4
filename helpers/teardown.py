"""Step 10: clean up. Undo the kit's work in the reverse order of the journey, with the same
"make it so" care: read, and change only what is still there.

Governance, guardrails, the trail, the paths and the baseline stack set, Identity Center's
assignments, permission sets, groups and users; then the accounts: the invited original
account leaves the organization (it holds the team's workloads: never closed), the
accounts the kit created are closed, as many as AWS's CloseAccount quota allows. Closed
accounts stay in the organization, SUSPENDED, for 90 days; so do the organization and its
OUs, which cannot be deleted while they hold an account.

The trail's log bucket is kept: it is the audit record of everything the kit did, and it
lives in the log-archive account, which is closed with the others.
"""

from __future__ import annotations

import time

from botocore.exceptions import ClientError

from helpers import audit_trail, guardrails, identity_center, paths, stacksets
from helpers.accounts import access_role_trust, members, state
from helpers.kit import Kit, KitError
from helpers.organization import describe
from helpers.scp_documents import FULL_ACCESS
from helpers.tables import Table
from helpers.targets import ACCESS_ROLE

ACTIVE, CLOSING, CLOSED = "ACTIVE", "PENDING_CLOSURE", "SUSPENDED"
KIT_TAG = {"Key": "managed-by", "Value": "org-kit"}
CLOSE_WAIT_SECONDS = 15 * 60


def _pages(client, operation: str, key: str, **params) -> list:
    return [
        item for page in client.get_paginator(operation).paginate(**params) for item in page[key]
    ]


# --- 07: further governance ---------------------------------------------------------------


def undo_governance(kit: Kit) -> None:
    """GuardDuty's delegated administrator, then the AWS Config stack set."""
    governance = kit.config.governance
    if governance is None:
        return
    ids = identity_center.account_ids(kit)
    admin = ids.get(governance.guardduty.admin_account) if governance.guardduty else None
    for region in kit.config.allowed_regions if admin else []:
        guardduty = kit.management.client("guardduty", region_name=region)
        listed = _pages(guardduty, "list_organization_admin_accounts", "AdminAccounts")
        resource = f"GuardDuty delegated administrator ({region})"
        if any(a["AdminAccountId"] == admin for a in listed) and kit.change(
            "remove", resource, f"account {governance.guardduty.admin_account}"
        ):
            guardduty.disable_organization_admin_account(AdminAccountId=admin)
    if governance.config is not None:
        remove_stack_set(kit, governance.config.stack_set)


# --- 06: guardrails -----------------------------------------------------------------------


def undo_guardrails(kit: Kit) -> None:
    """Detach and delete the kit's SCPs (tagged managed-by=org-kit); disable the SCP type
    when nothing but FullAWSAccess is left."""
    if describe(kit.management) is None:
        return
    found = guardrails.existing_scps(kit)
    orgs = kit.management.client("organizations")
    full_access = found.get(FULL_ACCESS)
    for policy in (p for p in found.values() if p.kit_owned):
        for target in sorted(policy.targets):
            others = [p for p in found.values() if target in p.targets and p is not policy]
            if kit.change("detach", f"SCP {policy.name} from {target}"):
                if not others and full_access:  # a target keeps at least one SCP
                    orgs.attach_policy(PolicyId=full_access.id, TargetId=target)
                orgs.detach_policy(PolicyId=policy.id, TargetId=target)
        if kit.change("delete", f"SCP {policy.name}", policy.description):
            orgs.delete_policy(PolicyId=policy.id)
    teams = [p.name for p in found.values() if not p.kit_owned and p.name != FULL_ACCESS]
    root = orgs.list_roots()["Roots"][0]
    enabled = any(
        t["Type"] == guardrails.SCP and t["Status"] == "ENABLED" for t in root["PolicyTypes"]
    )
    if enabled and not teams:
        if kit.change("disable", "policy type SERVICE_CONTROL_POLICY on the root"):
            orgs.disable_policy_type(RootId=root["Id"], PolicyType=guardrails.SCP)
    elif enabled:
        kit.keep("policy type SERVICE_CONTROL_POLICY", f"kept for your SCPs {', '.join(teams)}")


# --- 05: the trail ------------------------------------------------------------------------


def undo_trail(kit: Kit) -> None:
    """Delete the organization trail, then CloudTrail's trusted access if no organization
    trail is left. The log bucket and its logs are kept."""
    if kit.config.trail is None or describe(kit.management) is None:
        return
    where = audit_trail.locate(kit.planning())
    trails = audit_trail.own_trails(kit)
    cloudtrail = kit.management.client("cloudtrail")
    if any(t["TrailARN"] == where.arn for t in trails):
        if kit.change("delete", f"trail {where.name}", "every account's copy goes with it"):
            cloudtrail.delete_trail(Name=where.name)  # moto 5.2.5 ignores an ARN here
        trails = [t for t in trails if t["TrailARN"] != where.arn]
    kit.keep(f"bucket {where.bucket}", f"the logs stay in account {where.archive_name}")
    if not any(t.get("IsOrganizationTrail") for t in trails):
        _disable_service(kit, audit_trail.SERVICE)


def _disable_service(kit: Kit, principal: str) -> None:
    orgs = kit.management.client("organizations")
    listed = _pages(orgs, "list_aws_service_access_for_organization", "EnabledServicePrincipals")
    enabled = any(s["ServicePrincipal"] == principal for s in listed)
    if enabled and kit.change("disable", f"trusted access for {principal}"):
        orgs.disable_aws_service_access(ServicePrincipal=principal)


# --- 04: paths and stack sets -------------------------------------------------------------


def undo_paths(kit: Kit, accounts: dict[str, dict]) -> None:
    """Remove every grant the kit made for a path (its statements, its roles) and the
    baseline stack set; then StackSets' trusted access if no stack set is left."""
    section = paths.section(kit)
    closed = [a["Name"] for a in accounts.values() if state(a) != ACTIVE]
    if closed:  # the paths went before the first account was closed
        kit.keep("communication paths", f"removed earlier: {', '.join(closed)} closed since")
    else:
        paths.prune(kit, [])
        undo_demo_resources(kit)
    if section.baseline is not None:
        remove_stack_set(kit, section.baseline.stack_set)
    cfn = kit.management.client("cloudformation")
    listed = _pages(cfn, "list_stack_sets", "Summaries", Status="ACTIVE")
    left = [s for s in listed if s["Status"] == "ACTIVE"]  # moto 5.2.5 ignores the filter
    access = cfn.describe_organizations_access()["Status"] == "ENABLED"
    if access and not left and kit.change("deactivate", "trusted access for StackSets"):
        cfn.deactivate_organizations_access()


def undo_demo_resources(kit: Kit) -> None:
    """In the sandbox, the example's buckets and queues that step 04 made (against AWS the
    applications own them, and the kit leaves them alone)."""
    if kit.target.name != "sandbox":
        return
    for grant in (g for g in paths.grants(kit) if g.ready and g.kind != "role"):
        session = kit.account(grant.provider_id)
        label = f"{grant.resource.split(' (')[0]} (account {grant.path.provider.account}, demo)"
        if grant.kind == "queue":
            sqs = session.client("sqs", region_name=grant.region)
            try:
                url = sqs.get_queue_url(QueueName=grant.path.provider.queue)["QueueUrl"]
            except sqs.exceptions.QueueDoesNotExist:
                continue
            if kit.change("delete", label):
                sqs.delete_queue(QueueUrl=url)
            continue
        s3, bucket = session.client("s3"), grant.path.provider.bucket
        if bucket in {b["Name"] for b in s3.list_buckets()["Buckets"]} and kit.change(
            "delete", label, "with its objects"
        ):
            pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
            for key in (o["Key"] for page in pages for o in page.get("Contents", [])):
                s3.delete_object(Bucket=bucket, Key=key)
            s3.delete_bucket(Bucket=bucket)


def remove_stack_set(kit: Kit, name: str) -> None:
    """Delete a kit's stack set (tagged managed-by=org-kit): its instances first, by OU."""
    cfn = kit.management.client("cloudformation")
    try:
        found = cfn.describe_stack_set(StackSetName=name)["StackSet"]
    except cfn.exceptions.StackSetNotFoundException:
        return
    if found["Status"] != "ACTIVE":
        return
    if KIT_TAG not in found.get("Tags", []):
        kit.keep(f"stack set {name}", "not the kit's (no managed-by=org-kit tag): left alone")
        return
    ous, regions = found.get("OrganizationalUnitIds", []), found.get("Regions", [])
    if ous and kit.change("remove", f"stack set {name} from {len(ous)} OU(s)", "stacks deleted"):
        stacksets.deploy(cfn, name, "delete_stack_instances", ous, regions, RetainStacks=False)
    if kit.change("delete", f"stack set {name}"):
        cfn.delete_stack_set(StackSetName=name)


# --- 03: Identity Center ------------------------------------------------------------------


def undo_identity_center(kit: Kit) -> None:
    """Delete every assignment of the kit's permission sets, the permission sets, and the
    config's groups and users (not an external identity provider's)."""
    section = kit.config.identity_center
    if section is None or describe(kit.management) is None:
        return
    directory = identity_center.ensure_identity_center(kit.planning())
    instance = directory.instance
    if instance is None:
        return
    sso = kit.management.client("sso-admin")
    ours = {arn for arn in directory.permission_sets.values() if arn}
    removals = []
    for grant in identity_center.current_grants(kit, directory):
        if grant.permission_set_arn in ours and kit.change("unassign", grant.label):
            status = sso.delete_account_assignment(
                InstanceArn=instance.arn,
                TargetId=grant.account_id,
                TargetType="AWS_ACCOUNT",
                PermissionSetArn=grant.permission_set_arn,
                PrincipalType=grant.principal_type,
                PrincipalId=grant.principal_id,
            )
            removals.append(
                (f"removal of {grant.label}", status["AccountAssignmentDeletionStatus"])
            )
    identity_center.wait(
        lambda request_id: sso.describe_account_assignment_deletion_status(
            InstanceArn=instance.arn, AccountAssignmentDeletionRequestId=request_id
        )["AccountAssignmentDeletionStatus"],
        removals,
    )
    for name, arn in directory.permission_sets.items():
        if arn and kit.change("delete", f"permission set {name}"):
            sso.delete_permission_set(InstanceArn=instance.arn, PermissionSetArn=arn)
    if section.identity_source == "external":
        return
    store = kit.management.client("identitystore")
    for name, group_id in directory.groups.items():
        if group_id and kit.change("delete", f"group {name}"):
            store.delete_group(IdentityStoreId=instance.store_id, GroupId=group_id)
    for name, user_id in directory.users.items():
        if user_id and kit.change("delete", f"user {name}"):
            store.delete_user(IdentityStoreId=instance.store_id, UserId=user_id)


# --- 02: the accounts ---------------------------------------------------------------------


def undo_invitations(kit: Kit, accounts: dict[str, dict]) -> None:
    """The invited accounts leave the organization, without the access role the kit gave them."""
    orgs = kit.management.client("organizations")
    trust = access_role_trust(kit.config.management_account.id)
    for account in kit.config.invited_accounts():
        if account.id not in accounts:
            kit.keep(f"account {account.name} ({account.id})", "outside the organization")
            continue
        own = kit.outside(account.id, account.profile)
        if own is None:  # leaving now would lock the team out: the kit retired its old keys
            kit.ask(
                f"give the team its own way into account {account.name} ({account.id}) before "
                "it leaves: credentials of its own (a profile in the config), then run again"
            )
            continue
        resource = f"role {ACCESS_ROLE} in account {account.name}"
        _delete_access_role(kit, own.client("iam"), trust, resource)
        if kit.change("remove", f"account {account.name} ({account.id})", "from the organization"):
            orgs.remove_account_from_organization(AccountId=account.id)


def _delete_access_role(kit: Kit, iam, trust: dict, resource: str) -> None:
    try:
        role = iam.get_role(RoleName=ACCESS_ROLE)["Role"]
    except iam.exceptions.NoSuchEntityException:
        return
    if role["AssumeRolePolicyDocument"] != trust:
        kit.keep(resource, "not the kit's (it trusts someone else): left alone")
        return
    if not kit.change("delete", resource, "it lets the management account in"):
        return
    for arn in (
        p["PolicyArn"]
        for p in _pages(
            iam, "list_attached_role_policies", "AttachedPolicies", RoleName=ACCESS_ROLE
        )
    ):
        iam.detach_role_policy(RoleName=ACCESS_ROLE, PolicyArn=arn)
    for name in _pages(iam, "list_role_policies", "PolicyNames", RoleName=ACCESS_ROLE):
        iam.delete_role_policy(RoleName=ACCESS_ROLE, PolicyName=name)
    iam.delete_role(RoleName=ACCESS_ROLE)


def close_accounts(kit: Kit, accounts: dict[str, dict], poll_seconds: float = 0.5) -> list[str]:
    """Close the accounts the kit created, until AWS's quota stops it; wait until each is
    SUSPENDED. Returns the names of those still open."""
    orgs = kit.management.client("organizations")
    by_email = {a["Email"].lower(): i for i, a in accounts.items()}
    closing, remaining = {}, []
    for account in kit.config.created_accounts():
        account_id = by_email.get(account.email.lower())
        found = accounts.get(account_id)
        label = f"account {account.name} ({account_id})"
        if found is None:
            continue
        if state(found) == CLOSED:
            kit.keep(label, "closed (SUSPENDED)")
        elif state(found) == CLOSING:
            kit.keep(label, "closing: waiting for SUSPENDED")
            closing[account_id] = account.name
        elif remaining:
            remaining.append(account.name)
        elif kit.change("close", label, "SUSPENDED for 90 days, then gone"):
            try:
                orgs.close_account(AccountId=account_id)
            except ClientError as error:
                if error.response.get("Reason") != "CLOSE_ACCOUNT_QUOTA_EXCEEDED":
                    raise
                remaining.append(account.name)
                continue
            closing[account_id] = account.name
    _wait_closed(orgs, closing, poll_seconds)
    if remaining:
        kit.ask(
            f"close account(s) {', '.join(remaining)} later: AWS's CloseAccount quota (a "
            "rolling 30 days) is used up; run the teardown again once it frees up"
        )
    return remaining


def _wait_closed(orgs, closing: dict[str, str], poll_seconds: float) -> None:
    delay, deadline = poll_seconds, time.monotonic() + CLOSE_WAIT_SECONDS
    while closing:
        for account_id in list(closing):
            if state(orgs.describe_account(AccountId=account_id)["Account"]) == CLOSED:
                del closing[account_id]
        if not closing:
            return
        if time.monotonic() > deadline:
            raise KitError(
                f"account(s) {', '.join(closing.values())} still {CLOSING} after "
                f"{CLOSE_WAIT_SECONDS // 60} minutes: run the teardown again later"
            )
        time.sleep(delay)
        delay = min(delay * 1.5, 15.0)


# --- the whole step -----------------------------------------------------------------------


def teardown(kit: Kit) -> list[str]:
    """Undo the kit's work, newest first; returns the accounts still open (quota)."""
    if describe(kit.management) is None:
        kit.keep("organization", "none: nothing to clean up")
        return []
    accounts = members(kit)
    undo_governance(kit)
    undo_guardrails(kit)
    undo_trail(kit)
    undo_paths(kit, accounts)
    undo_identity_center(kit)
    undo_invitations(kit, accounts)
    remaining = close_accounts(kit, accounts)
    kit.keep(
        "organization and its OUs",
        "kept: closed accounts stay in it, SUSPENDED, for 90 days; delete it after that",
    )
    return remaining


def accounts_table(kit: Kit) -> Table:
    """Every account the organization lists, with its state."""
    if describe(kit.management) is None:
        return Table(["account", "id", "state", "joined"], [])
    rows = [
        [a["Name"], i, state(a), a.get("JoinedMethod", "")] for i, a in sorted(members(kit).items())
    ]
    return Table(["account", "id", "state", "joined"], rows)
