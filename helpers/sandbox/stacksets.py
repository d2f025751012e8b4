"""CloudFormation StackSets with service-managed permissions, as AWS runs them for an
organization (moto 5.2.5 keeps the stack set and deploys to an OU's accounts once, no more).

- Trusted access: ActivateOrganizationsAccess, DeactivateOrganizationsAccess and
  DescribeOrganizationsAccess, from the management account; activating it enables the
  service principal member.org.stacksets.cloudformation.amazonaws.com in Organizations.
- CreateStackSet (SERVICE_MANAGED) needs trusted access and the management account, a
  name not in use, CAPABILITY_NAMED_IAM for named IAM resources; AutoDeployment is kept.
- CreateStackInstances to OUs reaches every account in those OUs and the OUs below them,
  never the management account; DescribeStackSet lists the targeted OUs and regions.
- DeleteStackInstances to OUs deletes those instances (RetainStacks keeps their stacks).
- UpdateStackSet: a new template, parameters or AutoDeployment reach every instance.
- Auto-deployment: before every request, each stack set with AutoDeployment on is deployed
  to the accounts now in its OUs and removed from accounts that left them (unless
  RetainStacksOnAccountRemoval), as AWS does when an account is created, moved or removed.
- The ManagedPolicyArns of an AWS::IAM::Role in a stack instance are attached (moto
  creates the role without them).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

import yaml
from moto.cloudformation.models import (
    CloudFormationBackend,
    Stack,
    StackInstance,
    StackSet,
    cloudformation_backends,
)
from moto.cloudformation.parsing import clean_json
from moto.iam.models import iam_backends
from moto.organizations.models import OrganizationsBackend
from werkzeug.wrappers import Response

from .extensions import handler, on_reset
from .managed_policies import ensure_aws_managed_policy
from .organizations import backend_of, management_backend
from .request import Request
from .responses import AwsError

SERVICE = "member.org.stacksets.cloudformation.amazonaws.com"
SERVICE_MANAGED = "SERVICE_MANAGED"
NAMESPACE = "http://cloudformation.amazonaws.com/doc/2010-05-15/"


@dataclass
class Tracked:
    """A service-managed stack set: where it lives and which (OU, region) pairs it targets."""

    management_id: str
    region: str
    stack_set_id: str
    targets: set[tuple[str, str]] = field(default_factory=set)

    def stack_set(self) -> StackSet:
        return _backend(self.management_id, self.region).stacksets[self.stack_set_id]


_tracked: dict[str, Tracked] = {}


@on_reset
def _forget() -> None:
    _tracked.clear()


def _backend(account_id: str, region: str) -> CloudFormationBackend:
    return cloudformation_backends[account_id][region]


def _reply(operation: str, result: dict[str, str] | None = None) -> Response:
    """A query-protocol answer of CloudFormation."""
    fields = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in (result or {}).items())
    body = (
        f'<{operation}Response xmlns="{NAMESPACE}"><{operation}Result>{fields}'
        f"</{operation}Result><ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId>"
        f"</ResponseMetadata></{operation}Response>"
    )
    return Response(body, content_type="text/xml")


def _members(params: dict[str, Any], prefix: str) -> list[str]:
    """A query-protocol list (`Prefix.member.1`, `Prefix.member.2`, ...)."""
    found, n = [], 1
    while f"{prefix}.member.{n}" in params:
        found.append(params[f"{prefix}.member.{n}"])
        n += 1
    return found


def _structs(params: dict[str, Any], prefix: str) -> list[dict[str, str]]:
    """A query-protocol list of structures (`Prefix.member.1.Key`, ...)."""
    found, n = [], 1
    while any(k.startswith(f"{prefix}.member.{n}.") for k in params):
        head = f"{prefix}.member.{n}."
        found.append({k[len(head) :]: v for k, v in params.items() if k.startswith(head)})
        n += 1
    return found


def _flag(value: Any) -> bool:
    return str(value).lower() == "true"


def _validation(message: str) -> AwsError:
    return AwsError("ValidationError", message)


def _organization(request: Request) -> OrganizationsBackend:
    """The caller's organization, which only its management account may act for."""
    return management_backend(request)


def _active(backend: OrganizationsBackend) -> bool:
    return any(s["ServicePrincipal"] == SERVICE for s in backend.services)


# --- trusted access -----------------------------------------------------------------------


@handler("cloudformation", "ActivateOrganizationsAccess")
def activate(request: Request) -> Response:
    _organization(request).enable_aws_service_access(ServicePrincipal=SERVICE)
    return _reply("ActivateOrganizationsAccess")


@handler("cloudformation", "DeactivateOrganizationsAccess")
def deactivate(request: Request) -> Response:
    backend = _organization(request)
    if any(
        t.management_id == backend.account_id and t.stack_set().status != "DELETED"
        for t in _tracked.values()
    ):
        raise _validation(
            "Organizations access cannot be deactivated while service-managed stack sets exist"
        )
    backend.services = [s for s in backend.services if s["ServicePrincipal"] != SERVICE]
    return _reply("DeactivateOrganizationsAccess")


@handler("cloudformation", "DescribeOrganizationsAccess")
def describe_access(request: Request) -> Response:
    status = "ENABLED" if _active(_organization(request)) else "DISABLED"
    return _reply("DescribeOrganizationsAccess", {"Status": status})


# --- stack sets ---------------------------------------------------------------------------


def _named_iam(template: str) -> bool:
    """Whether a template names IAM resources (which needs CAPABILITY_NAMED_IAM)."""
    body = _parse(template)
    names = {
        "AWS::IAM::Role": "RoleName",
        "AWS::IAM::User": "UserName",
        "AWS::IAM::Group": "GroupName",
        "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
        "AWS::IAM::InstanceProfile": "InstanceProfileName",
    }
    return any(
        names.get(r.get("Type")) in (r.get("Properties") or {})
        for r in (body.get("Resources") or {}).values()
    )


def _parse(template: str) -> dict[str, Any]:
    try:
        body = Stack.parse_template(template)
    except (yaml.YAMLError, ValueError) as error:
        raise _validation(f"Template format error: {error}") from None
    if not isinstance(body, dict):
        raise _validation("Template format error: the template is not a mapping")
    return body


def _settings(stack_set: StackSet, params: dict[str, Any]) -> None:
    """Keep what moto drops: AutoDeployment, capabilities."""
    if "AutoDeployment.Enabled" in params:
        stack_set.auto_deployment = {
            "Enabled": _flag(params["AutoDeployment.Enabled"]),
            "RetainStacksOnAccountRemoval": _flag(
                params.get("AutoDeployment.RetainStacksOnAccountRemoval")
            ),
        }
    capabilities = _members(params, "Capabilities")
    if capabilities or not hasattr(stack_set, "capabilities"):
        stack_set.capabilities = capabilities


def _check_capabilities(template: str, capabilities: list[str]) -> None:
    if _named_iam(template) and "CAPABILITY_NAMED_IAM" not in capabilities:
        raise AwsError(
            "InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_NAMED_IAM]"
        )


@handler("cloudformation", "CreateStackSet")
def create_stack_set(request: Request) -> Response | None:
    params = request.params
    if params.get("PermissionModel") != SERVICE_MANAGED:
        return None
    organization = backend_of(request.account_id)
    if organization.org is None:
        raise _validation(
            "StackSets with SERVICE_MANAGED permission model can only be "
            "created by the management account of an organization"
        )
    if not _active(organization):
        raise _validation(
            "You must enable organizations access to operate a service managed stack set"
        )
    name, template = params.get("StackSetName", ""), params.get("TemplateBody", "")
    backend = _backend(request.account_id, request.region)
    if any(s.name == name and s.status != "DELETED" for s in backend.stacksets.values()):
        raise AwsError("NameAlreadyExistsException", f"StackSet {name} already exists")
    _check_capabilities(template, _members(params, "Capabilities"))
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in _structs(params, "Parameters")}
    stack_set = backend.create_stack_set(
        name=name,
        template=template,
        parameters=parameters,
        tags={t["Key"]: t["Value"] for t in _structs(params, "Tags")},
        permission_model=SERVICE_MANAGED,
        admin_role=None,
        exec_role=None,
        description=params.get("Description"),
    )
    stack_set.auto_deployment = {"Enabled": False, "RetainStacksOnAccountRemoval": False}
    _settings(stack_set, params)
    stack_set.organizational_unit_ids, stack_set.regions = [], []
    _tracked[stack_set.id] = Tracked(request.account_id, request.region, stack_set.id)
    return _reply("CreateStackSet", {"StackSetId": stack_set.id})


def _find(request: Request) -> Tracked | None:
    """The service-managed stack set the request names, if it is one."""
    name = request.params.get("StackSetName", "")
    for tracked in _tracked.values():
        stack_set = tracked.stack_set()
        if (
            tracked.management_id == request.account_id
            and tracked.region == request.region
            and name in (stack_set.name, stack_set.id)
            and stack_set.status != "DELETED"
        ):
            return tracked
    return None


def _ou_targets(request: Request, tracked: Tracked) -> tuple[list[str], list[str]]:
    ous = _members(request.params, "DeploymentTargets.OrganizationalUnitIds")
    regions = _members(request.params, "Regions")
    if not ous or _members(request.params, "Accounts"):
        raise _validation(
            "StackSets with SERVICE_MANAGED permission model can only have "
            "OrganizationalUnit as target"
        )
    if not regions:
        raise _validation("Regions is required")
    known = {ou.id for ou in backend_of(tracked.management_id).ou}
    for ou in ous:
        if ou not in known:
            raise _validation(f"OrganizationalUnit {ou} is not found in the organization")
    return ous, regions


@handler("cloudformation", "CreateStackInstances")
def create_instances(request: Request) -> Response | None:
    tracked = _find(request)
    if tracked is None:
        return None
    ous, regions = _ou_targets(request, tracked)
    tracked.targets |= {(ou, region) for ou in ous for region in regions}
    created, _ = deploy(tracked, removals=False)
    return _reply("CreateStackInstances", {"OperationId": _operation(tracked, "CREATE", created)})


@handler("cloudformation", "DeleteStackInstances")
def delete_instances(request: Request) -> Response | None:
    tracked = _find(request)
    if tracked is None:
        return None
    ous, regions = _ou_targets(request, tracked)
    tracked.targets -= {(ou, region) for ou in ous for region in regions}
    retain = _flag(request.params.get("RetainStacks"))
    _, deleted = deploy(tracked, additions=False, retain=retain)
    return _reply("DeleteStackInstances", {"OperationId": _operation(tracked, "DELETE", deleted)})


@handler("cloudformation", "UpdateStackSet")
def update_stack_set(request: Request) -> Response | None:
    tracked = _find(request)
    if tracked is None:
        return None
    params, stack_set = request.params, tracked.stack_set()
    template = params.get("TemplateBody") or stack_set.template
    _settings(stack_set, params)
    _check_capabilities(template, stack_set.capabilities)
    given = _structs(params, "Parameters")
    parameters = {
        p["ParameterKey"]: (
            stack_set.parameters.get(p["ParameterKey"])
            if _flag(p.get("UsePreviousValue"))
            else p.get("ParameterValue")
        )
        for p in given
    } or stack_set.parameters
    if "Description" in params:
        stack_set.description = params["Description"]
    changed = template != stack_set.template or parameters != stack_set.parameters
    stack_set.template = stack_set.instances.template = template
    stack_set.parameters = stack_set.instances.parameters = parameters
    updated = []
    if changed:  # AWS updates every instance; the sandbox builds each stack anew
        for instance in list(stack_set.instances.stack_instances):
            _remove(stack_set, instance, retain=False)
            _add(stack_set, instance.account_id, instance.region_name)
            updated.append((instance.account_id, instance.region_name))
    return _reply("UpdateStackSet", {"OperationId": _operation(tracked, "UPDATE", updated)})


# --- deployment ---------------------------------------------------------------------------


def _operation(tracked: Tracked, action: str, done: list[tuple[str, str]]) -> str:
    """Record a finished operation, as DescribeStackSetOperation reports it."""
    operation_id = str(uuid.uuid4())
    stack_set = tracked.stack_set()
    stack_set._create_operation(operation_id, action, "SUCCEEDED")
    stack_set.operations[-1]["Instances"] = [{account: region} for account, region in done]
    return operation_id


def _accounts_below(backend: OrganizationsBackend, ou_id: str) -> set[str]:
    """Every account in an OU (or the root) and in the OUs below it."""
    parents = {ou_id}
    grown = True
    while grown:
        below = {ou.id for ou in backend.ou if ou.parent_id in parents}
        grown = not below <= parents
        parents |= below
    return {a.id for a in backend.accounts if a.parent_id in parents}


def wanted(tracked: Tracked) -> dict[tuple[str, str], str]:
    """(account, region) -> the targeted OU through which the stack set reaches it."""
    backend = backend_of(tracked.management_id)
    found: dict[tuple[str, str], str] = {}
    for ou, region in sorted(tracked.targets):
        for account in _accounts_below(backend, ou) - {tracked.management_id}:
            found.setdefault((account, region), ou)
    return found


def _add(stack_set: StackSet, account: str, region: str, ou: str | None = None) -> None:
    instance = StackInstance(
        account_id=account,
        region_name=region,
        stackset_id=stack_set.id,
        stack_name=stack_set.instances.stack_name,
        name=stack_set.name,
        template=stack_set.template,
        parameters=stack_set.parameters,  # type: ignore[arg-type]
        permission_model=SERVICE_MANAGED,
    )
    instance.organizational_unit_id = ou
    stack_set.instances.stack_instances.append(instance)
    _attach_managed_policies(instance)


def _remove(stack_set: StackSet, instance: StackInstance, retain: bool) -> None:
    if not retain:
        for role, arn in _managed_policies(instance):  # CloudFormation detaches them first
            iam_backends[instance.account_id]["global"].detach_role_policy(arn, role)
        instance.delete()
    stack_set.instances.stack_instances.remove(instance)


def _managed_policies(instance: StackInstance) -> list[tuple[str, str]]:
    """(role name, policy ARN) for each ManagedPolicyArns entry of the instance's roles."""
    stack = instance.stack
    found = []
    for logical_id, resource in stack.template_dict.get("Resources", {}).items():
        if resource.get("Type") == "AWS::IAM::Role":
            properties = resource.get("Properties", {})
            arns = clean_json(properties.get("ManagedPolicyArns", []), stack.resource_map)
            found += [(stack.resource_map[logical_id].name, arn) for arn in arns]
    return found


def _attach_managed_policies(instance: StackInstance) -> None:
    """Attach each role's ManagedPolicyArns, which moto's AWS::IAM::Role skips."""
    for role, arn in _managed_policies(instance):
        ensure_aws_managed_policy(instance.account_id, arn)
        iam_backends[instance.account_id]["global"].attach_role_policy(arn, role)


def deploy(
    tracked: Tracked, additions: bool = True, removals: bool = True, retain: bool = False
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Bring the stack set's instances in line with its targets; (added, removed)."""
    stack_set = tracked.stack_set()
    targets = wanted(tracked)
    current = {(i.account_id, i.region_name): i for i in stack_set.instances.stack_instances}
    added = [key for key in targets if key not in current] if additions else []
    removed = [key for key in current if key not in targets] if removals else []
    for account, region in added:
        _add(stack_set, account, region, targets[(account, region)])
    for key in removed:
        _remove(stack_set, current[key], retain)
    stack_set.organizational_unit_ids = sorted({ou for ou, _ in tracked.targets})
    stack_set.regions = sorted({region for _, region in tracked.targets})
    return added, removed


@handler("*", "*")
def deploy_automatically(request: Request) -> None:
    """Before any request: reach accounts that joined a targeted OU, leave those that left."""
    for tracked in _tracked.values():
        stack_set = tracked.stack_set()
        auto = getattr(stack_set, "auto_deployment", {})
        if stack_set.status != "DELETED" and auto.get("Enabled"):
            deploy(tracked, retain=auto.get("RetainStacksOnAccountRemoval", False))
