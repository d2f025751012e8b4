"""CloudFormation StackSets with service-managed permissions: one template, deployed by AWS to
every account of the OUs it targets, and to each account that joins those OUs later.

This is how the kit scales to hundreds of accounts: it never loops over accounts for what
every account gets. It makes the stack set so (template, parameters, auto-deployment, OU
targets, regions) from the management account, and AWS does the rest. Steps 04 (baseline
roles) and 07 (governance) use it.
"""

from __future__ import annotations

import time
from pathlib import Path

from botocore.exceptions import ClientError

from helpers.aws import error_code, or_none, paginate
from helpers.kit import Kit, KitError
from helpers.organization import child_ous, describe, root_id
from helpers.tables import Table

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SERVICE = "member.org.stacksets.cloudformation.amazonaws.com"
CAPABILITIES = ["CAPABILITY_NAMED_IAM"]  # the kit's templates name their roles
AUTO_DEPLOYMENT = {"Enabled": True, "RetainStacksOnAccountRemoval": False}
PREFERENCES = {"FailureToleranceCount": 0, "MaxConcurrentPercentage": 100}
RUNNING = ("RUNNING", "QUEUED", "STOPPING")
WAIT_SECONDS = 15 * 60


def template(name: str) -> str:
    """A template shipped in templates/."""
    return (TEMPLATES / name).read_text(encoding="utf-8")


def ou_ids(kit: Kit) -> dict[str, str | None]:
    """OU path ("Workloads/Dev", "Root") -> id, read only; None where the OU does not exist."""
    if describe(kit.management) is None:
        return {path: None for path in ["Root", *kit.config.ou_paths()]}
    ids: dict[str, str | None] = {"Root": root_id(kit.management)}
    for path in kit.config.ou_paths():
        parent_path, _, name = path.rpartition("/")
        parent = ids[parent_path or "Root"]
        found = {ou["Name"]: ou["Id"] for ou in child_ous(kit.management, parent)} if parent else {}
        ids[path] = found.get(name)
    return ids


def ensure_trusted_access(kit: Kit) -> None:
    """Let StackSets deploy in the organization (cloudformation:ActivateOrganizationsAccess)."""
    resource = "trusted access for CloudFormation StackSets"
    if describe(kit.management) is None:
        kit.plan("activate", resource, "once the organization exists")
        return
    cfn = kit.management.client("cloudformation")
    if cfn.describe_organizations_access()["Status"] == "ENABLED":
        kit.keep(resource, "enabled")
        return
    kit.plan("activate", resource, f"enables {SERVICE} in Organizations")
    if kit.apply:
        cfn.activate_organizations_access()


def _describe(cfn, name: str) -> dict | None:
    answer = or_none(cfn.describe_stack_set, "StackSetNotFoundException", StackSetName=name)
    return answer["StackSet"] if answer else None


def _wait(cfn, name: str, operation_id: str) -> None:
    """Poll a stack set operation until it ends; KitError with AWS's reasons if it failed."""
    delay, deadline = 0.5, time.monotonic() + WAIT_SECONDS
    while True:
        operation = cfn.describe_stack_set_operation(StackSetName=name, OperationId=operation_id)
        status = operation["StackSetOperation"]["Status"]
        if status not in RUNNING:
            break
        if time.monotonic() > deadline:
            raise KitError(
                f"stack set {name}: operation {operation_id} still {status}; run again",
                resource=f"stack set {name}",
                next_step="run the step again once the operation has ended",
            )
        time.sleep(delay)
        delay = min(delay * 1.5, 15.0)
    if status != "SUCCEEDED":
        results = paginate(
            cfn,
            "list_stack_set_operation_results",
            "Summaries",
            StackSetName=name,
            OperationId=operation_id,
        )
        reasons = [
            f"{r['Account']}/{r['Region']}: {r.get('StatusReason', r['Status'])}"
            for r in results
            if r["Status"] != "SUCCEEDED"
        ]
        raise KitError(
            f"stack set {name}: operation {status}: " + "; ".join(reasons or ["?"]),
            resource=f"stack set {name}",
            next_step="fix what the reasons name (in the template or the accounts), then run "
            "the step again",
        )


def _run(cfn, name: str, call: str, **params) -> None:
    """Start a stack set operation (waiting while another one runs) and wait for its end."""
    delay, deadline = 2.0, time.monotonic() + WAIT_SECONDS
    while True:
        try:
            answer = getattr(cfn, call)(
                StackSetName=name, OperationPreferences=PREFERENCES, **params
            )
            break
        except ClientError as error:
            busy = error_code(error) == "OperationInProgressException"
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 1.5, 30.0)
    _wait(cfn, name, answer["OperationId"])


def _settings_differ(found: dict, body: str, parameters: dict[str, str]) -> list[str]:
    current = {p["ParameterKey"]: p["ParameterValue"] for p in found.get("Parameters", [])}
    differ = []
    if found.get("TemplateBody") != body:
        differ.append("template")
    changed = sorted(k for k in {*current, *parameters} if current.get(k) != parameters.get(k))
    if changed:
        differ.append("parameters " + ", ".join(changed))
    if found.get("AutoDeployment") != AUTO_DEPLOYMENT:
        differ.append("auto-deployment on")
    return differ


def ensure_stack_set(
    kit: Kit,
    name: str,
    template_body: str,
    ou_paths: list[str],
    regions: list[str],
    parameters: dict[str, str],
) -> None:
    """Make a service-managed stack set so: this template and these parameters, deployed to
    these OUs (and the OUs below them) in these regions, with auto-deployment on.

    Trusted access is activated first. OU targets and regions the config no longer names
    are removed: the stack set is the kit's own. Operations are awaited.
    """
    ensure_trusted_access(kit)
    resource = f"stack set {name}"
    targets = f"OUs {', '.join(ou_paths)} in {', '.join(regions)}"
    if describe(kit.management) is None:
        kit.plan("create", resource, f"service-managed, auto-deployment on, to {targets}")
        _plan_targets(kit, name, ou_paths, regions)
        return
    cfn = kit.management.client("cloudformation")
    found = _describe(cfn, name)
    params = [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(parameters.items())]
    if found is None:
        kit.plan("create", resource, f"service-managed, auto-deployment on, to {targets}")
        if not kit.apply:
            _plan_targets(kit, name, ou_paths, regions)
            return
        cfn.create_stack_set(
            StackSetName=name,
            TemplateBody=template_body,
            Parameters=params,
            Capabilities=CAPABILITIES,
            PermissionModel="SERVICE_MANAGED",
            AutoDeployment=AUTO_DEPLOYMENT,
            Tags=[{"Key": "managed-by", "Value": "org-kit"}],
        )
        found = {"OrganizationalUnitIds": [], "Regions": []}
    elif found.get("PermissionModel") != "SERVICE_MANAGED":
        raise KitError(
            f"{resource} exists with self-managed permissions; the kit needs a service-managed "
            "one (to deploy to OUs): delete it or give the kit's stack set another name",
            resource=resource,
            next_step="delete the stack set, or give the kit's stack set another name in the "
            "config",
        )
    elif differ := _settings_differ(found, template_body, parameters):
        kit.plan("update", resource, ", ".join(differ) + " (every instance follows)")
        if kit.apply:
            _run(
                cfn,
                name,
                "update_stack_set",
                TemplateBody=template_body,
                Parameters=params,
                Capabilities=CAPABILITIES,
                AutoDeployment=AUTO_DEPLOYMENT,
            )
    else:
        kit.keep(resource, "template, parameters and auto-deployment as wanted")
    _ensure_targets(kit, cfn, name, found, ou_paths, regions)


def _plan_targets(kit: Kit, name: str, ou_paths: list[str], regions: list[str]) -> None:
    for path in ou_paths:
        kit.plan("deploy", f"stack set {name} to OU {path}", f"in {', '.join(regions)}")


def _ensure_targets(
    kit: Kit, cfn, name: str, found: dict, ou_paths: list[str], regions: list[str]
) -> None:
    ids = ou_ids(kit)
    paths = {ou_id: path for path, ou_id in ids.items() if ou_id}
    current_ous, current_regions = (
        set(found.get("OrganizationalUnitIds", [])),
        set(found.get("Regions", [])),
    )
    wanted = {ids[path] for path in ou_paths if ids.get(path)}
    for path in ou_paths:
        if not ids.get(path):
            kit.plan("deploy", f"stack set {name} to OU {path}", "once the OU exists")
    kept = sorted(wanted & current_ous)
    for ou in sorted(wanted - current_ous):
        resource = f"stack set {name} to OU {paths[ou]}"
        kit.plan("deploy", resource, f"in {', '.join(regions)}; AWS reaches each account")
        if kit.apply:
            deploy(cfn, name, "create_stack_instances", [ou], regions)
    new_regions = sorted(set(regions) - current_regions)
    if kept and new_regions:
        kit.plan("deploy", f"stack set {name} to {', '.join(new_regions)}", "in every targeted OU")
        if kit.apply:
            deploy(cfn, name, "create_stack_instances", kept, new_regions)
    for ou in sorted(current_ous - wanted):
        label = paths.get(ou, ou)
        kit.plan("remove", f"stack set {name} from OU {label}", "its stacks are deleted")
        if kit.apply:
            deploy(
                cfn,
                name,
                "delete_stack_instances",
                [ou],
                sorted(current_regions),
                RetainStacks=False,
            )
    old_regions = sorted(current_regions - set(regions))
    if kept and old_regions:
        kit.plan(
            "remove", f"stack set {name} from {', '.join(old_regions)}", "its stacks are deleted"
        )
        if kit.apply:
            deploy(cfn, name, "delete_stack_instances", kept, old_regions, RetainStacks=False)
    for ou in kept:
        kit.keep(f"stack set {name} in OU {paths[ou]}", ", ".join(sorted(current_regions)))


def deploy(cfn, name: str, call: str, ous: list[str], regions: list[str], **extra) -> None:
    _run(
        cfn, name, call, DeploymentTargets={"OrganizationalUnitIds": ous}, Regions=regions, **extra
    )


def instances(kit: Kit, name: str, account_names: dict[str, str]) -> Table:
    """Where AWS deployed the stack set: one row per account and region."""
    cfn = kit.management.client("cloudformation")
    if describe(kit.management) is None or _describe(cfn, name) is None:
        return Table(["account", "id", "region", "status"], [])
    rows = [
        [account_names.get(i["Account"], ""), i["Account"], i["Region"], i["Status"]]
        for i in paginate(cfn, "list_stack_instances", "Summaries", StackSetName=name)
    ]
    return Table(["account", "id", "region", "status"], sorted(rows))


def show_deployed(kit: Kit, name: str | None, account_ids: dict[str, str | None]) -> None:
    """Show where AWS deployed the stack set, account by account (not while planning)."""
    if kit.apply and name:
        names = {account_id: n for n, account_id in account_ids.items() if account_id}
        kit.show(f"Where AWS deployed stack set {name}", instances(kit, name, names))


# --- the baseline roles (step 04) ---------------------------------------------------------


def ensure_baseline(kit: Kit, account_ids: dict[str, str | None]) -> str | None:
    """The baseline stack set of the config's cross_account.baseline: the audit role in every
    account of its OUs, trusting the account its kit_roles entry names. Returns the stack
    set's name (None when the config has no baseline)."""
    section = kit.config.cross_account
    if section is None or section.baseline is None:
        return None
    baseline = section.baseline
    role = next(r for r in section.kit_roles if r.role == baseline.audit_role)
    trusted = (
        kit.config.management_account.id
        if role.assumed_from == "management"
        else account_ids.get(role.assumed_from)
    )
    regions = [kit.config.home_region]  # IAM roles are global: one region is enough
    if trusted is None:
        ensure_trusted_access(kit)
        kit.plan("create", f"stack set {baseline.stack_set}", f"once {role.assumed_from} exists")
        _plan_targets(kit, baseline.stack_set, baseline.ous, regions)
        return baseline.stack_set
    ensure_stack_set(
        kit,
        baseline.stack_set,
        template(baseline.template),
        baseline.ous,
        regions,
        {"AuditAccountId": trusted, "AuditRoleName": baseline.audit_role},
    )
    return baseline.stack_set
