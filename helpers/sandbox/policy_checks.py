"""Organizations policy rules moto skips: SCP and RCP documents, attachment counts,
duplicates, the policy type enabled before an attachment, RCPFullAWSAccess kept."""

from __future__ import annotations

import json
from typing import Any

from moto.organizations import utils
from moto.organizations.models import FakePolicy, FakeRoot, OrganizationsBackend

from helpers.scp_documents import rcp_problems

from .extensions import handler
from .organizations import constraint_violation, management_backend
from .request import Request
from .responses import AwsError

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
MAX_SCP_CHARACTERS = 5120  # RCPs too
MAX_SCPS_PER_TARGET = 5  # RCPs too
_NOUN = {SCP: "SCPs", RCP: "RCPs"}


def _malformed(detail: str) -> AwsError:
    return AwsError(
        "MalformedPolicyDocumentException",
        "The provided policy document doesn't meet the requirements of the specified "
        f"policy type: {detail}",
    )


def _check_statement(statement: Any) -> None:
    if not isinstance(statement, dict):
        raise _malformed("each statement must be an object.")
    if statement.get("Effect") not in ("Allow", "Deny"):
        raise _malformed('each statement needs "Effect": "Allow" or "Deny".')
    if ("Action" in statement) == ("NotAction" in statement):
        raise _malformed('each statement needs exactly one of "Action" and "NotAction".')
    if "Principal" in statement or "NotPrincipal" in statement:
        raise _malformed('"Principal" is not allowed in a service control policy.')


def _check_size(content: str) -> None:
    if len(content) > MAX_SCP_CHARACTERS:
        raise constraint_violation(
            "POLICY_CONTENT_LIMIT_EXCEEDED",
            "You attempted to create a policy that is larger than the maximum size "
            f"({MAX_SCP_CHARACTERS} characters).",
        )


def check_rcp_document(content: str) -> None:
    """Raise the error AWS gives for an RCP document that is too long or breaks the RCP
    syntax (Deny only, Principal "*", no NotAction, services named in Action)."""
    _check_size(content)
    found = rcp_problems(content)
    if found:
        raise _malformed(found[0])


def check_scp_document(content: str) -> None:
    """Raise the error AWS gives for an SCP document that is too long or malformed."""
    _check_size(content)
    try:
        document = json.loads(content)
    except ValueError:
        raise _malformed("it is not valid JSON.") from None
    if not isinstance(document, dict) or "Statement" not in document:
        raise _malformed('it needs a "Statement".')
    statements = document["Statement"]
    for statement in statements if isinstance(statements, list) else [statements]:
        _check_statement(statement)


_DOCUMENT_CHECKS = {SCP: check_scp_document, RCP: check_rcp_document}


def _of_type(target: Any, policy_type: str) -> list[FakePolicy]:
    return [policy for policy in target.attached_policies if policy.type == policy_type]


def _policy_and_target(request: Request) -> tuple[OrganizationsBackend, FakePolicy, Any]:
    """The policy and the root, OU or account a request names (target None if unknown)."""
    backend = management_backend(request)
    policy = backend.get_policy_by_id(request.params.get("PolicyId", ""))
    target_id = request.params.get("TargetId", "")
    target = next((t for t in [*backend.ou, *backend.accounts] if t.id == target_id), None)
    return backend, policy, target


@handler("organizations", "CreatePolicy")
def check_new_policy(request: Request) -> None:
    check = _DOCUMENT_CHECKS.get(str(request.params.get("Type")))
    if check:
        check(request.params.get("Content", ""))


@handler("organizations", "UpdatePolicy")
def check_changed_policy(request: Request) -> None:
    content = request.params.get("Content")
    if content is None:
        return
    policy = management_backend(request).get_policy_by_id(request.params.get("PolicyId", ""))
    check = _DOCUMENT_CHECKS.get(policy.type)
    if check:
        check(content)


@handler("organizations", "AttachPolicy")
def check_attachment(request: Request) -> None:
    backend, policy, target = _policy_and_target(request)
    if target is None:
        return  # moto reports the unknown target
    if policy in target.attached_policies:
        raise AwsError(
            "DuplicatePolicyAttachmentException",
            "The selected policy is already attached to the specified target.",
        )
    if policy.type not in _NOUN:
        return
    root = next(ou for ou in backend.ou if isinstance(ou, FakeRoot))
    if not any(entry["Type"] == policy.type for entry in root.policy_types):
        raise AwsError(
            "PolicyTypeNotEnabledException",
            "This operation can be performed only for enabled policy types.",
        )
    if len(_of_type(target, policy.type)) >= MAX_SCPS_PER_TARGET:
        raise constraint_violation(
            "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
            "You attempted to exceed the number of policies of a certain type that can be "
            f"attached to an entity at one time ({MAX_SCPS_PER_TARGET} {_NOUN[policy.type]}).",
        )


@handler("organizations", "DetachPolicy")
def check_detachment(request: Request) -> None:
    _, policy, target = _policy_and_target(request)
    if target is None:
        return  # moto reports the unknown target
    if policy not in target.attached_policies:
        raise AwsError(
            "PolicyNotAttachedException",
            "The policy isn't attached to the specified target in the specified root.",
        )
    if policy.id == utils.DEFAULT_RCP_POLICY_ID or (
        policy.type == SCP and len(_of_type(target, SCP)) == 1
    ):
        # RCPFullAWSAccess stays attached everywhere ("RCP evaluation"); so does one SCP.
        raise constraint_violation(
            "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
            "You attempted to detach a policy from an entity that would cause the entity to "
            "have fewer than the minimum number of policies of a certain type required.",
        )
