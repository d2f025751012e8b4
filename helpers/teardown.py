"""Step 10: clean up. Undo the kit's work in the reverse order of the journey, with the same
"make it so" care: read, and change only what is still there.

Governance, guardrails, the trail, the paths and the baseline stack set, Identity Center's
assignments, permission sets, groups and users; then the accounts: the invited original
account leaves the organization (it holds the team's workloads: never closed), the
accounts the kit created are closed, as many as AWS's CloseAccount quota allows. Closed
accounts stay in the organization, SUSPENDED, for 90 days; so do the organization and its
OUs, which cannot be deleted while they hold an account.

Which accounts are the kit's is AWS's record, not the config's word (`match_accounts`):
while the two disagree, nothing changes. The management account and the accounts the
config does not name are never touched.

The trail's log bucket is kept: it is the audit record of everything the kit did. It lives
in the log-archive account, so that account is kept too unless trail.close_log_archive
says to close it: AWS deletes a closed account, and the logs in it, after 90 days.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from botocore.exceptions import ClientError, ProfileNotFound

from helpers import audit_trail, guardrails, identity_center, paths, stacksets
from helpers.accounts import access_role_trust, members, state
from helpers.config import Account
from helpers.kit import Kit, KitError
from helpers.organization import describe
from helpers.scp_documents import FULL_ACCESS
from helpers.tables import Table
from helpers.targets import ACCESS_ROLE, KitSession

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


def undo_trail(kit: Kit, where: audit_trail.Where | None) -> None:
    """Delete the organization trail, then CloudTrail's trusted access if no organization
    trail is left. The log bucket and its logs are kept."""
    if where is None:
        return
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


def undo_paths(kit: Kit, found: Accounts, where: audit_trail.Where | None) -> None:
    """Remove every grant the kit made for a path (its statements, its roles) and the
    baseline stack set; then StackSets' trusted access if no stack set is left."""
    section = paths.section(kit)
    closed = [n for n, i in found.created.items() if state(found.listed[i]) != ACTIVE]
    if closed:  # the paths went before the first account was closed
        kit.keep("communication paths", f"removed earlier: {', '.join(closed)} closed since")
    else:
        paths.prune(kit, [])
        undo_demo_resources(kit, found, where)
    if section.baseline is not None:
        remove_stack_set(kit, section.baseline.stack_set)
    cfn = kit.management.client("cloudformation")
    listed = _pages(cfn, "list_stack_sets", "Summaries", Status="ACTIVE")
    left = [s for s in listed if s["Status"] == "ACTIVE"]  # moto 5.2.5 ignores the filter
    access = cfn.describe_organizations_access()["Status"] == "ENABLED"
    if access and not left and kit.change("deactivate", "trusted access for StackSets"):
        cfn.deactivate_organizations_access()


def undo_demo_resources(kit: Kit, found: Accounts, where: audit_trail.Where | None) -> None:
    """In the sandbox, the example's buckets and queues that step 04 made (against AWS the
    applications own them, and the kit leaves them alone). Only in accounts the kit created,
    and never the trail's bucket: a path may lead to the team's own data or to the logs."""
    if kit.target.name != "sandbox":
        return
    for grant in (g for g in paths.grants(kit) if g.ready and g.kind != "role"):
        if grant.provider_id not in found.created.values() or (
            where and grant.path.provider.bucket == where.bucket
        ):
            continue
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

JOINED_CREATED, JOINED_INVITED = "CREATED", "INVITED"
REFUSED_KEYS = {"InvalidClientTokenId", "ExpiredToken", "SignatureDoesNotMatch"}
"""What STS answers credentials that no longer work (a deleted key, an expired session)."""


@dataclass
class Accounts:
    """The organization's accounts, matched with the config's from AWS's own record."""

    listed: dict[str, dict]  # the organization's accounts by id
    created: dict[str, str] = field(default_factory=dict)  # config name -> id: the kit made it
    invited: dict[str, str] = field(default_factory=dict)  # config name -> id: it was invited
    problems: list[str] = field(default_factory=list)


def match_accounts(kit: Kit) -> Accounts:
    """Which organization account each config entry is, decided by what AWS records, never by
    the config alone: an account the kit created joined CREATED through a CreateAccount
    request of this organization under the config's name (ListCreateAccountStatus); an
    invited one joined INVITED; the management account is neither. Each disagreement is
    a problem that names the field to fix."""
    found = Accounts(members(kit))
    orgs = kit.management.client("organizations")
    statuses = _pages(
        orgs, "list_create_account_status", "CreateAccountStatuses", States=["SUCCEEDED"]
    )
    made_as = {s["AccountId"]: s["AccountName"] for s in statuses}
    by_email = {a["Email"].lower(): a for a in found.listed.values()}
    management = kit.config.management_account.id
    for index, account in enumerate(kit.config.accounts):
        at = f"accounts[{index}]"
        entry = f"{at} ({account.name})"
        joined = by_email.get(account.email.lower())
        label = joined and f"account {joined['Name']} ({joined['Id']})"
        if account.invite:
            member = found.listed.get(account.id)
            if joined and joined["Id"] != account.id:
                found.problems.append(
                    f"{entry} names id {account.id}, but its email {account.email} belongs to "
                    f"{label}: correct {at}.id or {at}.email"
                )
            elif member and member.get("JoinedMethod") != JOINED_INVITED:
                found.problems.append(
                    f"{entry} is listed as invited, but the organization created account "
                    f"{member['Name']} ({account.id}): remove invite and id from {at} if "
                    "the kit created it, or correct the id"
                )
            elif member:
                found.invited[account.name] = account.id
        elif joined is None:
            continue
        elif joined["Id"] == management:
            found.problems.append(
                f"{entry} has the management account's email {account.email}: the kit never "
                f"closes or removes the management account; correct {at}.email"
            )
        elif joined.get("JoinedMethod") != JOINED_CREATED:
            found.problems.append(
                f"{entry} is an account the kit creates, but {account.email} belongs to {label}, "
                "which joined by invitation: the kit never closes an invited account. If it is "
                f'the team\'s own, set invite: true and id: "{joined["Id"]}" in {at}; '
                f"otherwise correct {at}.email"
            )
        elif made_as.get(joined["Id"]) != account.name:
            made = made_as.get(joined["Id"])
            record = f"was created as {made!r}" if made else "has no creation record"
            found.problems.append(
                f"{entry}: {label} {record} in this organization (ListCreateAccountStatus), so "
                f"the kit cannot tell it made this account for {at}: correct {at}.name "
                "or .email, or remove the entry and close the account yourself"
            )
        else:
            found.created[account.name] = joined["Id"]
    return found


def refuse_mismatches(kit: Kit, found: Accounts) -> None:
    """Stop before any change while the config and the organization disagree; say that the
    accounts the config does not name are left alone, and the management account too."""
    if found.problems:
        raise KitError(
            "the clean-up changes nothing while the config and the organization disagree: "
            + "; ".join(found.problems)
        )
    ours = {*found.created.values(), *found.invited.values()}
    for account_id, account in sorted(found.listed.items()):
        label = f"account {account['Name']} ({account_id})"
        if account_id == kit.config.management_account.id:
            kit.keep(label, "the management account: never closed, never removed")
        elif account_id not in ours:
            kit.keep(label, "not the config's: left alone")


def undo_invitations(kit: Kit, found: Accounts) -> None:
    """The invited accounts leave the organization, without the access role the kit gave them."""
    orgs = kit.management.client("organizations")
    trust = access_role_trust(kit.config.management_account.id)
    for account in kit.config.invited_accounts():
        if account.name not in found.invited:
            kit.keep(f"account {account.name} ({account.id})", "outside the organization")
            continue
        own, why_not = _own_credentials(kit, account)
        if own is None:  # leaving now would lock the team out: the kit retired its old keys
            kit.ask(
                f"give the team its own way into account {account.name} ({account.id}) before "
                f"it leaves: {why_not}, then run again"
            )
            continue
        resource = f"role {ACCESS_ROLE} in account {account.name}"
        _delete_access_role(kit, own.client("iam"), trust, resource)
        if kit.change("remove", f"account {account.name} ({account.id})", "from the organization"):
            orgs.remove_account_from_organization(AccountId=account.id)


def _own_credentials(kit: Kit, account: Account) -> tuple[KitSession | None, str]:
    """The invited account's own credentials if they work there, else None and why not."""
    profile = f"profile {account.profile!r}"
    try:
        own = kit.outside(account.id, account.profile)
        if own is None:
            return None, "credentials of its own (a profile in the config)"
        reached = own.client("sts").get_caller_identity()["Account"]
    except ProfileNotFound:
        return None, f"{profile} is not configured: set it up with the account's credentials"
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code not in REFUSED_KEYS:
            raise
        return None, (
            f"the credentials of {profile} no longer work ({code}; step 03 retires the old "
            "IAM users' keys): give that profile working credentials"
        )
    if reached != account.id:
        return None, f"{profile} reaches account {reached}, not {account.id}: correct it"
    return own, ""


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


def close_accounts(
    kit: Kit, found: Accounts, where: audit_trail.Where | None, poll_seconds: float = 0.5
) -> list[str]:
    """Close the accounts the kit created, until AWS's quota stops it; wait until each is
    SUSPENDED. The log-archive account (`where` the trail's logs are) is kept unless
    trail.close_log_archive says otherwise: its logs go with it. Returns the names of
    those still open."""
    orgs = kit.management.client("organizations")
    closing, remaining = {}, []
    for name, account_id in found.created.items():
        now = state(found.listed[account_id])
        label = f"account {name} ({account_id})"
        detail = "SUSPENDED for 90 days, then gone"
        if where and name == where.archive_name:
            logs = f"the trail's logs in bucket {where.bucket}"
            if not kit.config.trail.close_log_archive and now == ACTIVE:
                kit.keep(
                    label,
                    f"kept: it holds {logs}, which AWS deletes with the account 90 days after "
                    "closing it; copy them elsewhere, then set trail.close_log_archive: true "
                    "and run the clean-up again to close it",
                )
                continue
            detail += f", and with it {logs}"
        if now == CLOSED:
            kit.keep(label, "closed (SUSPENDED)")
        elif now == CLOSING:
            kit.keep(label, "closing: waiting for SUSPENDED")
            closing[account_id] = name
        elif remaining:
            remaining.append(name)
        elif kit.change("close", label, detail):
            try:
                orgs.close_account(AccountId=account_id)
            except ClientError as error:
                if error.response.get("Reason") != "CLOSE_ACCOUNT_QUOTA_EXCEEDED":
                    raise
                remaining.append(name)
                continue
            closing[account_id] = name
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
    found = match_accounts(kit)
    refuse_mismatches(kit, found)
    where = audit_trail.locate(kit.planning()) if kit.config.trail else None
    undo_governance(kit)
    undo_guardrails(kit)
    undo_trail(kit, where)
    undo_paths(kit, found, where)
    undo_identity_center(kit)
    undo_invitations(kit, found)
    remaining = close_accounts(kit, found, where)
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


def kept_table(kit: Kit) -> Table:
    """What the clean-up leaves in place, and why."""
    return Table(["kept", "why"], [[c.resource, c.detail] for c in kit.unchanged])
