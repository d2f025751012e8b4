"""Permission sets: what someone may do in an account, and for how long.

Each is created or corrected (description, session duration, managed and inline policies)
and, once changed, provisioned again to the accounts that use it, so their roles follow.
"""

from __future__ import annotations

import json

from helpers.aws import paginate
from helpers.config import PermissionSetConfig
from helpers.identity_center.directory import Instance, applying, section
from helpers.identity_center.polling import wait
from helpers.kit import Kit

OUTDATED = "LATEST_PERMISSION_SET_NOT_PROVISIONED"


def ensure_permission_sets(kit: Kit, instance: Instance | None) -> dict[str, str | None]:
    """Create or update the config's permission sets and their policies ({name: ARN}).

    A changed permission set is provisioned again to the accounts that use it, and so is
    one that an earlier, interrupted run left outdated somewhere.
    """
    sso = kit.management.client("sso-admin")
    existing: dict[str, dict] = {}
    if instance:
        for arn in paginate(
            sso, "list_permission_sets", "PermissionSets", InstanceArn=instance.arn
        ):
            described = sso.describe_permission_set(InstanceArn=instance.arn, PermissionSetArn=arn)
            existing[described["PermissionSet"]["Name"]] = described["PermissionSet"]
    arns: dict[str, str | None] = {}
    for wanted in section(kit).permission_sets:
        resource = f"permission set {wanted.name}"
        found = existing.get(wanted.name)
        arns[wanted.name] = found["PermissionSetArn"] if found else None
        if found is None:
            kit.plan("create", resource, _summary(wanted))
            if kit.apply:
                arns[wanted.name] = _create(kit, applying(instance), wanted, resource)
            continue
        instance = applying(instance)  # a permission set was found in it
        changed = _update_settings(kit, instance, found, wanted, resource)
        changed |= _update_policies(kit, instance, found["PermissionSetArn"], wanted, resource)
        if not changed:
            kit.keep(resource, _summary(wanted))
        _provision(kit, instance, found["PermissionSetArn"], resource, changed)
    return arns


def _create(kit: Kit, instance: Instance, wanted: PermissionSetConfig, resource: str) -> str:
    """A new permission set with its policies; its ARN."""
    params = {"Description": wanted.description} if wanted.description else {}
    created = kit.management.client("sso-admin").create_permission_set(
        InstanceArn=instance.arn,
        Name=wanted.name,
        SessionDuration=wanted.session_duration,
        **params,
    )
    arn = created["PermissionSet"]["PermissionSetArn"]
    _update_policies(kit, instance, arn, wanted, resource)
    return arn


def _summary(wanted: PermissionSetConfig) -> str:
    policies = [arn.rpartition("/")[2] for arn in wanted.managed_policies]
    policies += ["inline policy"] if wanted.inline_policy else []
    return f"{', '.join(policies) or 'no policies'}; sessions of {wanted.session_duration}"


def _update_settings(
    kit: Kit, instance: Instance, found: dict, wanted: PermissionSetConfig, resource: str
) -> bool:
    differs = [
        name
        for name, now, want in (
            ("description", found.get("Description", ""), wanted.description),
            ("session duration", found.get("SessionDuration"), wanted.session_duration),
        )
        if now != want
    ]
    if not differs:
        return False
    kit.plan("update", resource, ", ".join(differs))
    if kit.apply:
        params = {"Description": wanted.description} if wanted.description else {}
        kit.management.client("sso-admin").update_permission_set(
            InstanceArn=instance.arn,
            PermissionSetArn=found["PermissionSetArn"],
            SessionDuration=wanted.session_duration,
            **params,
        )
    return True


def _update_policies(
    kit: Kit, instance: Instance, arn: str, wanted: PermissionSetConfig, resource: str
) -> bool:
    """Attach and detach managed policies, put or delete the inline policy; True if changed."""
    sso = kit.management.client("sso-admin")
    ids = {"InstanceArn": instance.arn, "PermissionSetArn": arn}
    listed = paginate(
        sso, "list_managed_policies_in_permission_set", "AttachedManagedPolicies", **ids
    )
    attached = {p["Arn"] for p in listed}
    missing = [p for p in wanted.managed_policies if p not in attached]
    extra = sorted(attached - set(wanted.managed_policies))
    for policy in missing:
        kit.plan("attach", resource, policy)
        if kit.apply:
            sso.attach_managed_policy_to_permission_set(**ids, ManagedPolicyArn=policy)
    for policy in extra:
        kit.plan("detach", resource, policy)
        if kit.apply:
            sso.detach_managed_policy_from_permission_set(**ids, ManagedPolicyArn=policy)
    inline = sso.get_inline_policy_for_permission_set(**ids).get("InlinePolicy") or None
    current = json.loads(inline) if inline else None
    if current == wanted.inline_policy:
        return bool(missing or extra)
    if wanted.inline_policy is None:
        kit.plan("delete", resource, "inline policy")
        if kit.apply:
            sso.delete_inline_policy_from_permission_set(**ids)
    else:
        kit.plan("put", resource, "inline policy")
        if kit.apply:
            document = json.dumps(wanted.inline_policy)
            sso.put_inline_policy_to_permission_set(**ids, InlinePolicy=document)
    return True


def _provision(kit: Kit, instance: Instance, arn: str, resource: str, changed: bool) -> None:
    """Provision the permission set again where its roles are older than it is."""
    sso = kit.management.client("sso-admin")
    ids = {"InstanceArn": instance.arn, "PermissionSetArn": arn}
    status = {} if changed and not kit.apply else {"ProvisioningStatus": OUTDATED}
    accounts = list(
        paginate(sso, "list_accounts_for_provisioned_permission_set", "AccountIds", **ids, **status)
    )
    if not accounts:
        return
    kit.plan("provision", resource, f"to {len(accounts)} account(s)")
    if not kit.apply:
        return
    request = sso.provision_permission_set(**ids, TargetType="ALL_PROVISIONED_ACCOUNTS")
    wait(
        lambda request_id: sso.describe_permission_set_provisioning_status(
            InstanceArn=instance.arn, ProvisionPermissionSetRequestId=request_id
        )["PermissionSetProvisioningStatus"],
        [(resource, request["PermissionSetProvisioningStatus"])],
    )
