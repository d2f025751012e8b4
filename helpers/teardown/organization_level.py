"""The organization's side of the clean-up, newest step first: governance (07), guardrails
(06), the trail (05), the paths and the baseline stack set (04), Identity Center (03)."""

from __future__ import annotations

from collections.abc import Callable

from helpers import audit_trail, guardrails, identity_center, paths, stacksets
from helpers.accounts import account_ids, state
from helpers.aws import or_none, paginate
from helpers.kit import Kit
from helpers.organization import describe
from helpers.scp_documents import FULL_ACCESS
from helpers.teardown.demo import undo_demo_resources
from helpers.teardown.member_accounts import ACTIVE, Accounts

KIT_TAG = {"Key": "managed-by", "Value": "org-kit"}


# --- 07: further governance ---------------------------------------------------------------


def undo_governance(kit: Kit) -> None:
    """GuardDuty's delegated administrator, then the AWS Config stack set."""
    governance = kit.config.governance
    if governance is None:
        return
    ids = account_ids(kit)
    admin = ids.get(governance.guardduty.admin_account) if governance.guardduty else None
    for region in kit.config.allowed_regions if admin else []:
        guardduty = kit.management.client("guardduty", region_name=region)
        listed = paginate(guardduty, "list_organization_admin_accounts", "AdminAccounts")
        if not any(a["AdminAccountId"] == admin for a in listed):
            continue
        resource = f"GuardDuty delegated administrator ({region})"
        kit.plan("remove", resource, f"account {governance.guardduty.admin_account}")
        if kit.apply:
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
            kit.plan("detach", f"SCP {policy.name} from {target}")
            if kit.apply:
                if not others and full_access:  # a target keeps at least one SCP
                    orgs.attach_policy(PolicyId=full_access.id, TargetId=target)
                orgs.detach_policy(PolicyId=policy.id, TargetId=target)
        kit.plan("delete", f"SCP {policy.name}", policy.description)
        if kit.apply:
            orgs.delete_policy(PolicyId=policy.id)
    teams = [p.name for p in found.values() if not p.kit_owned and p.name != FULL_ACCESS]
    enabled = guardrails.scp_enabled(kit)
    if enabled and not teams:
        kit.plan("disable", "policy type SERVICE_CONTROL_POLICY on the root")
        if kit.apply:
            root = orgs.list_roots()["Roots"][0]["Id"]
            orgs.disable_policy_type(RootId=root, PolicyType=guardrails.SCP)
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
        kit.plan("delete", f"trail {where.name}", "every account's copy goes with it")
        if kit.apply:
            cloudtrail.delete_trail(Name=where.name)  # moto 5.2.5 ignores an ARN here
        trails = [t for t in trails if t["TrailARN"] != where.arn]
    kit.keep(f"bucket {where.bucket}", f"the logs stay in account {where.archive_name}")
    if not any(t.get("IsOrganizationTrail") for t in trails):
        _disable_service(kit, audit_trail.SERVICE)


def _disable_service(kit: Kit, principal: str) -> None:
    orgs = kit.management.client("organizations")
    listed = paginate(orgs, "list_aws_service_access_for_organization", "EnabledServicePrincipals")
    if any(s["ServicePrincipal"] == principal for s in listed):
        kit.plan("disable", f"trusted access for {principal}")
        if kit.apply:
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
    listed = paginate(cfn, "list_stack_sets", "Summaries", Status="ACTIVE")
    left = [s for s in listed if s["Status"] == "ACTIVE"]  # moto 5.2.5 ignores the filter
    access = cfn.describe_organizations_access()["Status"] == "ENABLED"
    if access and not left:
        kit.plan("deactivate", "trusted access for StackSets")
        if kit.apply:
            cfn.deactivate_organizations_access()


def remove_stack_set(kit: Kit, name: str) -> None:
    """Delete a kit's stack set (tagged managed-by=org-kit): its instances first, by OU."""
    cfn = kit.management.client("cloudformation")
    described = or_none(cfn.describe_stack_set, "StackSetNotFoundException", StackSetName=name)
    found = described["StackSet"] if described else None
    if found is None or found["Status"] != "ACTIVE":
        return
    if KIT_TAG not in found.get("Tags", []):
        kit.keep(f"stack set {name}", "not the kit's (no managed-by=org-kit tag): left alone")
        return
    ous, regions = found.get("OrganizationalUnitIds", []), found.get("Regions", [])
    if ous:
        kit.plan("remove", f"stack set {name} from {len(ous)} OU(s)", "stacks deleted")
        if kit.apply:
            stacksets.deploy(cfn, name, "delete_stack_instances", ous, regions, RetainStacks=False)
    kit.plan("delete", f"stack set {name}")
    if kit.apply:
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
        if grant.permission_set_arn not in ours:
            continue
        kit.plan("unassign", grant.label)
        if kit.apply:
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
    _delete_each(
        kit,
        "permission set",
        directory.permission_sets,
        lambda arn: sso.delete_permission_set(InstanceArn=instance.arn, PermissionSetArn=arn),
    )
    if section.identity_source == "external":
        return
    store, store_id = kit.management.client("identitystore"), instance.store_id
    _delete_each(
        kit,
        "group",
        directory.groups,
        lambda group: store.delete_group(IdentityStoreId=store_id, GroupId=group),
    )
    _delete_each(
        kit,
        "user",
        directory.users,
        lambda user: store.delete_user(IdentityStoreId=store_id, UserId=user),
    )


def _delete_each(
    kit: Kit, kind: str, ids: dict[str, str | None], delete: Callable[[str], object]
) -> None:
    """Plan the deletion of each of `ids` that exists; delete it when the kit applies."""
    for name, found in ids.items():
        if not found:
            continue
        kit.plan("delete", f"{kind} {name}")
        if kit.apply:
            delete(found)
