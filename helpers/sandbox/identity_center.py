"""IAM Identity Center as AWS runs it: asynchronous assignments and provisioning, checked.

moto 5.2.5 answers CreateAccountAssignment with SUCCEEDED for any principal and any
account, ignores ProvisionPermissionSet's target, has no provisioning-status calls, and
cannot update a user or a group. Here:
- an assignment starts IN_PROGRESS; its status then says SUCCEEDED, or FAILED when the
  principal is not in the instance's identity store or the account is not in the
  caller's organization (and then no assignment exists);
- a permission set is provisioned to the accounts a successful assignment or
  ProvisionPermissionSet names (AWS_ACCOUNT, or ALL_PROVISIONED_ACCOUNTS), with the
  version it had then: after a change it is LATEST_PERMISSION_SET_NOT_PROVISIONED there
  until provisioned again;
- DescribePermissionSetProvisioningStatus, ListPermissionSetProvisioningStatus and the
  assignment-creation status calls answer from these requests;
- AttachManagedPolicyToPermissionSet knows the policies under a path
  (arn:aws:iam::aws:policy/job-function/ViewOnlyAccess), which moto refuses;
- identitystore UpdateUser and UpdateGroup change the attributes the kit manages.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.identitystore.models import Name, identitystore_backends
from moto.moto_api._internal import mock_random as random
from moto.ssoadmin.models import (
    MAX_MANAGED_POLICIES_PER_PERMISSION_SET,
    Instance,
    ManagedPolicy,
    PermissionSet,
    SSOAdminBackend,
    ssoadmin_backends,
)
from werkzeug.wrappers import Response

from helpers.config import aws_managed_policy_names

from .extensions import handler, on_reset
from .organizations import backend_of
from .request import Request
from .responses import AwsError, json_reply

LATEST = "LATEST_PERMISSION_SET_PROVISIONED"
OUTDATED = "LATEST_PERMISSION_SET_NOT_PROVISIONED"


@dataclass
class Operation:
    """An asynchronous request: IN_PROGRESS when made, its outcome on the next look."""

    body: dict[str, Any]
    failure: str | None = None
    looked: bool = False
    created: float = field(default_factory=time.time)

    def status(self) -> dict[str, Any]:
        if not self.looked:
            return {**self.body, "Status": "IN_PROGRESS", "CreatedDate": self.created}
        outcome = {"Status": "FAILED", "FailureReason": self.failure} if self.failure else {}
        return {**self.body, "Status": "SUCCEEDED", "CreatedDate": self.created, **outcome}

    def summary(self) -> dict[str, Any]:
        status = self.status()
        return {k: status[k] for k in ("Status", "RequestId", "CreatedDate")}


@dataclass
class State:
    """Requests by id, per instance, and what is provisioned where (with which version)."""

    assignments: dict[str, dict[str, Operation]] = field(default_factory=dict)
    provisionings: dict[str, dict[str, Operation]] = field(default_factory=dict)
    provisioned: dict[tuple[str, str], dict[str, tuple]] = field(default_factory=dict)


state = State()


@on_reset
def _clear() -> None:
    global state
    state = State()


def _moto(call, *args: Any, **kwargs: Any) -> Any:
    """Call moto's backend; its JSON errors become the extension's AwsError."""
    try:
        return call(*args, **kwargs)
    except JsonRESTError as error:
        raise AwsError(error.error_type, error.message) from None


def _backend(request: Request) -> SSOAdminBackend:
    return ssoadmin_backends[request.account_id][request.region]


def _instance(request: Request) -> Instance:
    arn = request.params.get("InstanceArn", "")
    for instance in _backend(request).instances:
        if instance.instance_arn == arn:
            return instance
    raise AwsError("ResourceNotFoundException", f"Could not find Instance with arn {arn}")


def _permission_set(request: Request) -> PermissionSet:
    backend = _backend(request)
    return _moto(
        backend._find_permission_set,
        request.params["InstanceArn"],
        request.params["PermissionSetArn"],
    )


def version(permission_set: PermissionSet) -> tuple:
    """What a role made from the permission set holds: a change needs provisioning again."""
    return (
        permission_set.description,
        permission_set.session_duration,
        permission_set.relay_state,
        permission_set.inline_policy,
        tuple(sorted(p.arn for p in permission_set.managed_policies)),
        tuple(sorted(f"{p.path}{p.name}" for p in permission_set.customer_managed_policies)),
    )


def organization_accounts(account_id: str) -> set[str]:
    """The accounts an instance in `account_id` may assign: its organization's, else its own."""
    backend = backend_of(account_id)
    if backend.org is None:
        return {account_id}
    return {backend.org.master_account_id, *(a.id for a in backend.accounts)}


def _principal_exists(instance: Instance, request: Request) -> bool:
    stores = identitystore_backends[request.account_id][request.region].identity_stores
    store = stores.get(instance.identity_store_id)
    if store is None:
        return False
    found = store.users if request.params.get("PrincipalType") == "USER" else store.groups
    return request.params.get("PrincipalId", "") in found


def _provision(key: tuple[str, str], account_id: str, permission_set: PermissionSet) -> None:
    state.provisioned.setdefault(key, {})[account_id] = version(permission_set)


@handler("sso-admin", "CreateAccountAssignment")
def create_account_assignment(request: Request) -> Response:
    p = request.params
    instance = _instance(request)
    permission_set = _permission_set(request)
    fields = ("TargetId", "TargetType", "PermissionSetArn", "PrincipalType", "PrincipalId")
    body = {name: p.get(name) for name in fields}
    operation = Operation({**body, "RequestId": str(random.uuid4())})
    if not _principal_exists(instance, request):
        operation.failure = (
            f"Received a 404 status error: the {p.get('PrincipalType')} assignee "
            f"{p.get('PrincipalId')} was not found in directory {instance.identity_store_id}"
        )
    elif p.get("TargetId") not in organization_accounts(request.account_id):
        operation.failure = (
            f"Received a 404 status error: the account {p.get('TargetId')} is not a member of "
            "the organization of this instance"
        )
    else:
        _backend(request).create_account_assignment(
            instance.instance_arn, *(body[name] for name in fields)
        )
        key = (instance.instance_arn, permission_set.permission_set_arn)
        if body["TargetId"] not in state.provisioned.get(key, {}):
            _provision(key, body["TargetId"], permission_set)
    requests = state.assignments.setdefault(instance.instance_arn, {})
    requests[operation.body["RequestId"]] = operation
    return json_reply({"AccountAssignmentCreationStatus": operation.status()})


def _operation(requests: dict[str, dict[str, Operation]], request: Request, key: str) -> Operation:
    """The request `key` names, seen now: its outcome is known from here on."""
    instance = _instance(request)
    operation = requests.get(instance.instance_arn, {}).get(request.params.get(key, ""))
    if operation is None:
        raise AwsError("ResourceNotFoundException", "The request id could not be found.")
    operation.looked = True
    return operation


@handler("sso-admin", "DescribeAccountAssignmentCreationStatus")
def describe_assignment_creation(request: Request) -> Response:
    operation = _operation(state.assignments, request, "AccountAssignmentCreationRequestId")
    return json_reply({"AccountAssignmentCreationStatus": operation.status()})


@handler("sso-admin", "ProvisionPermissionSet")
def provision_permission_set(request: Request) -> Response:
    p = request.params
    instance = _instance(request)
    permission_set = _permission_set(request)
    key = (instance.instance_arn, permission_set.permission_set_arn)
    target_type, target = p.get("TargetType"), p.get("TargetId")
    body = {"RequestId": str(random.uuid4()), "PermissionSetArn": permission_set.permission_set_arn}
    if target_type == "AWS_ACCOUNT":
        if not target:
            raise AwsError("ValidationException", "TargetId is required for TargetType AWS_ACCOUNT")
        body["AccountId"] = target
        targets = [target]
    elif target_type == "ALL_PROVISIONED_ACCOUNTS":
        targets = list(state.provisioned.get(key, {}))
    else:
        raise AwsError(
            "ValidationException",
            "TargetType must be one of AWS_ACCOUNT, ALL_PROVISIONED_ACCOUNTS",
        )
    operation = Operation(body)
    outside = [a for a in targets if a not in organization_accounts(request.account_id)]
    if outside:
        operation.failure = (
            f"Received a 404 status error: the account {outside[0]} is not a member of the "
            "organization of this instance"
        )
    else:
        for account_id in targets:
            _provision(key, account_id, permission_set)
    state.provisionings.setdefault(instance.instance_arn, {})[body["RequestId"]] = operation
    return json_reply({"PermissionSetProvisioningStatus": operation.status()})


@handler("sso-admin", "DescribePermissionSetProvisioningStatus")
def describe_provisioning(request: Request) -> Response:
    operation = _operation(state.provisionings, request, "ProvisionPermissionSetRequestId")
    return json_reply({"PermissionSetProvisioningStatus": operation.status()})


def _page(request: Request, items: list[Any], key: str) -> Response:
    """One page of `items`: NextToken is the offset of the next item."""
    start = int(request.params.get("NextToken") or 0)
    size = int(request.params.get("MaxResults") or 100)
    body: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        body["NextToken"] = str(start + size)
    return json_reply(body)


def _status_filter(request: Request, operations: list[Operation]) -> list[dict[str, Any]]:
    wanted = (request.params.get("Filter") or {}).get("Status")
    summaries = [operation.summary() for operation in operations]
    return [s for s in summaries if wanted in (None, s["Status"])]


@handler("sso-admin", "ListAccountAssignmentCreationStatus")
def list_assignment_creations(request: Request) -> Response:
    operations = list(state.assignments.get(_instance(request).instance_arn, {}).values())
    return _page(request, _status_filter(request, operations), "AccountAssignmentsCreationStatus")


@handler("sso-admin", "ListPermissionSetProvisioningStatus")
def list_provisionings(request: Request) -> Response:
    operations = list(state.provisionings.get(_instance(request).instance_arn, {}).values())
    return _page(request, _status_filter(request, operations), "PermissionSetsProvisioningStatus")


def _matches(request: Request, provisioned: tuple, permission_set: PermissionSet) -> bool:
    wanted = request.params.get("ProvisioningStatus")
    current = LATEST if provisioned == version(permission_set) else OUTDATED
    return wanted in (None, current)


@handler("sso-admin", "ListAccountsForProvisionedPermissionSet")
def list_accounts_for_permission_set(request: Request) -> Response:
    instance = _instance(request)
    permission_set = _permission_set(request)
    accounts = state.provisioned.get((instance.instance_arn, permission_set.permission_set_arn), {})
    ids = [a for a, v in accounts.items() if _matches(request, v, permission_set)]
    return _page(request, ids, "AccountIds")


@handler("sso-admin", "ListPermissionSetsProvisionedToAccount")
def list_permission_sets_for_account(request: Request) -> Response:
    instance = _instance(request)
    account_id = request.params.get("AccountId", "")
    arns = []
    for permission_set in _backend(request).permission_sets:
        key = (instance.instance_arn, permission_set.permission_set_arn)
        provisioned = state.provisioned.get(key, {}).get(account_id)
        if provisioned is not None and _matches(request, provisioned, permission_set):
            arns.append(permission_set.permission_set_arn)
    return _page(request, arns, "PermissionSets")


@handler("sso-admin", "AttachManagedPolicyToPermissionSet")
def attach_managed_policy(request: Request) -> Response:
    arn = request.params.get("ManagedPolicyArn", "")
    name = arn.rpartition("/")[2]
    path = aws_managed_policy_names().get(name)
    if path is None or arn != f"arn:aws:iam::aws:policy{path}{name}":
        raise AwsError("ResourceNotFoundException", f"Policy does not exist with ARN: {arn}")
    permission_set = _permission_set(request)
    if any(policy.arn == arn for policy in permission_set.managed_policies):
        raise AwsError("ConflictException", f"Permission set already has {arn} attached")
    if permission_set.total_managed_policies_attached >= MAX_MANAGED_POLICIES_PER_PERMISSION_SET:
        raise AwsError(
            "ServiceQuotaExceededException",
            f"Cannot attach more than {MAX_MANAGED_POLICIES_PER_PERMISSION_SET} managed policies",
        )
    permission_set.managed_policies.append(ManagedPolicy(arn, name))
    permission_set.total_managed_policies_attached += 1
    return json_reply({})


# --- identitystore: updates ---------------------------------------------------------------

USER_PATHS = {"displayName": "DisplayName", "emails": "Emails", "title": "Title"}
NAME_PATHS = {"name.givenName": "GivenName", "name.familyName": "FamilyName"}
GROUP_PATHS = {"displayName": "DisplayName", "description": "Description"}


def _store(request: Request) -> Any:
    backend = identitystore_backends[request.account_id][request.region]
    store = backend.identity_stores.get(request.params.get("IdentityStoreId", ""))
    if store is None:
        raise AwsError("ResourceNotFoundException", "IDENTITY_STORE not found.")
    return store


def _operations(request: Request, allowed: set[str]) -> list[tuple[str, Any]]:
    operations = request.params.get("Operations") or []
    if not operations:
        raise AwsError("ValidationException", "Operations must not be empty")
    pairs = [(o.get("AttributePath", ""), o.get("AttributeValue")) for o in operations]
    for path, _ in pairs:
        if path not in allowed:
            raise AwsError("ValidationException", f"Invalid attribute path {path}")
    return pairs


@handler("identitystore", "UpdateUser")
def update_user(request: Request) -> Response:
    store = _store(request)
    user = store.users.get(request.params.get("UserId", ""))
    if user is None:
        raise AwsError("ResourceNotFoundException", "USER not found.", ResourceType="USER")
    changes: dict[str, Any] = {}
    name = user.Name._asdict() if user.Name else {}
    for path, value in _operations(request, {*USER_PATHS, *NAME_PATHS}):
        if path in NAME_PATHS:
            name[NAME_PATHS[path]] = value
        else:
            changes[USER_PATHS[path]] = value
    store.users[user.UserId] = user._replace(**changes, Name=Name.from_dict(name))
    return json_reply({})


@handler("identitystore", "UpdateGroup")
def update_group(request: Request) -> Response:
    store = _store(request)
    group = store.groups.get(request.params.get("GroupId", ""))
    if group is None:
        raise AwsError("ResourceNotFoundException", "GROUP not found.", ResourceType="GROUP")
    pairs = _operations(request, set(GROUP_PATHS))
    store.groups[group.GroupId] = group._replace(**{GROUP_PATHS[p]: v for p, v in pairs})
    return json_reply({})
