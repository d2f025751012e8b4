"""Organizations policy rules moto skips: SCP documents, attachment counts, duplicates."""

from __future__ import annotations

import json
from typing import Any

from moto.organizations.models import FakePolicy, FakeRoot, OrganizationsBackend

from .extensions import handler
from .organizations import constraint_violation, management_backend
from .request import Request
from .responses import AwsError

SCP = "SERVICE_CONTROL_POLICY"
MAX_SCP_CHARACTERS = 5120
MAX_SCPS_PER_TARGET = 5


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


def check_scp_document(content: str) -> None:
    """Raise the error AWS gives for an SCP document that is too long or malformed."""
    if len(content) > MAX_SCP_CHARACTERS:
        raise constraint_violation(
            "POLICY_CONTENT_LIMIT_EXCEEDED",
            "You attempted to create a policy that is larger than the maximum size "
            f"({MAX_SCP_CHARACTERS} characters).",
        )
    try:
        document = json.loads(content)
    except ValueError:
        raise _malformed("it is not valid JSON.") from None
    if not isinstance(document, dict) or "Statement" not in document:
        raise _malformed('it needs a "Statement".')
    statements = document["Statement"]
    for statement in statements if isinstance(statements, list) else [statements]:
        _check_statement(statement)


def _scps(target: Any) -> list[FakePolicy]:
    return [policy for policy in target.attached_policies if policy.type == SCP]


def _policy_and_target(request: Request) -> tuple[OrganizationsBackend, FakePolicy, Any]:
    """The policy and the root, OU or account a request names (target None if unknown)."""
    backend = management_backend(request)
    policy = backend.get_policy_by_id(request.params.get("PolicyId", ""))
    target_id = request.params.get("TargetId", "")
    target = next((t for t in [*backend.ou, *backend.accounts] if t.id == target_id), None)
    return backend, policy, target


@handler("organizations", "CreatePolicy")
def check_new_policy(request: Request) -> None:
    if request.params.get("Type") == SCP:
        check_scp_document(request.params.get("Content", ""))


@handler("organizations", "UpdatePolicy")
def check_changed_policy(request: Request) -> None:
    content = request.params.get("Content")
    if content is None:
        return
    policy = management_backend(request).get_policy_by_id(request.params.get("PolicyId", ""))
    if policy.type == SCP:
        check_scp_document(content)


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
    if policy.type != SCP:
        return
    root = next(ou for ou in backend.ou if isinstance(ou, FakeRoot))
    if not any(entry["Type"] == SCP for entry in root.policy_types):
        raise AwsError(
            "PolicyTypeNotEnabledException",
            "This operation can be performed only for enabled policy types.",
        )
    if len(_scps(target)) >= MAX_SCPS_PER_TARGET:
        raise constraint_violation(
            "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
            "You attempted to exceed the number of policies of a certain type that can be "
            f"attached to an entity at one time ({MAX_SCPS_PER_TARGET} SCPs).",
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
    if policy.type == SCP and len(_scps(target)) == 1:
        raise constraint_violation(
            "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
            "You attempted to detach a policy from an entity that would cause the entity to "
            "have fewer than the minimum number of policies of a certain type required.",
        )
