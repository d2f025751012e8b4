"""explain_access: gather the policies in force for one request from a live organization
(the sandbox or AWS, with read calls only) and explain the evaluator's decision.

The only module of `helpers.policy` that talks to AWS (boto3).

>>> decision = explain_access(kit, "arn:aws:sts::111122223333:assumed-role/dev-app/s1",
...                           "s3:CreateBucket", "arn:aws:s3:::my-bucket", "us-west-2")
>>> print(decision.text())      # or display(decision) in a notebook for a table
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import boto3

from helpers.aws import or_none, paginate
from helpers.aws_names import NO_SUCH_QUEUE

from .evaluate import evaluate
from .explain import Decision
from .model import (
    Caller,
    Policies,
    Policy,
    Request,
    ResourceControlPolicy,
    ResourcePolicy,
    ScpLevel,
)

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
SERVICE_LINKED_PATH = "/aws-service-role/"


class Sessions(Protocol):
    """Where to read: a management session and a session in any account (a `Kit` is one)."""

    @property
    def management(self) -> boto3.Session: ...

    def account(self, account_id: str) -> boto3.Session: ...


@dataclass(frozen=True)
class Membership:
    """An account's place in the organization, as the evaluator needs it: the SCPs on the
    path to it (for its principals) and the RCPs (for its resources), root first."""

    organization: str | None
    management: bool
    scps: tuple[ScpLevel, ...]
    rcps: tuple[ScpLevel, ...] = ()


def explain_access(
    sessions: Sessions,
    principal: str,
    action: str,
    resource: str = "*",
    region: str = "us-east-1",
    *,
    resource_account: str | None = None,
    context: Mapping[str, Any] | None = None,
) -> Decision:
    """Why `principal` may or may not call `action` on `resource` in `region`, right now.

    `principal` is a role, user, assumed-role session or root ARN. `resource_account` names
    the owner of an S3 bucket outside the principal's account (an S3 ARN has no account).
    The SCPs on the principal's path and the RCPs on the resource owner's are included;
    session policies cannot be read back from AWS and are not.
    """
    request, policies = gather(
        sessions,
        principal,
        action,
        resource,
        region,
        resource_account=resource_account,
        context=context,
    )
    return evaluate(request, policies)


def gather(
    sessions: Sessions,
    principal: str,
    action: str,
    resource: str = "*",
    region: str = "us-east-1",
    *,
    resource_account: str | None = None,
    context: Mapping[str, Any] | None = None,
) -> tuple[Request, Policies]:
    """The request and the policies in force for it, read from the organization."""
    caller = Caller.of(Request(principal, action, resource))
    if caller.account is None:
        raise ValueError(f"explain_access needs an IAM principal ARN, not {principal!r}")
    member = membership(sessions.management, caller.account)
    home = sessions.account(caller.account)
    identity, boundary, service_linked = identity_policies(home, caller)
    owner = _owner(resource, resource_account) or caller.account
    owner_session = home if owner == caller.account else sessions.account(owner)
    keeper = member if owner == caller.account else membership(sessions.management, owner)
    request = Request(
        principal,
        action,
        resource,
        region,
        organization=member.organization,
        management_account=member.management,
        service_linked_role=service_linked,
        context={"aws:SecureTransport": True, "aws:ResourceAccount": owner, **(context or {})},
        resource_organization=keeper.organization,
        resource_management_account=keeper.management,
    )
    policies = Policies(
        identity=identity,
        scps=member.scps,
        boundary=boundary,
        resource=resource_policy(owner_session, action, resource, owner),
        rcps=keeper.rcps,
    )
    return request, policies


def membership(management: boto3.Session, account_id: str) -> Membership:
    """The account's organization, whether it is the management account, and the SCPs and
    RCPs from the root down to it (none of a type that is not enabled)."""
    orgs = management.client("organizations")
    described = or_none(orgs.describe_organization, "AWSOrganizationsNotInUseException")
    if described is None:
        return Membership(None, False, ())
    org = described["Organization"]
    management = account_id == org["MasterAccountId"]
    found = or_none(orgs.describe_account, "AccountNotFoundException", AccountId=account_id)
    if found is None:
        return Membership(None, False, ())
    account = found["Account"]
    root = orgs.list_roots()["Roots"][0]
    enabled = {t["Type"] for t in root.get("PolicyTypes", []) if t["Status"] == "ENABLED"}
    if management:  # neither applies there, but RCPs on its resources are worth a word
        enabled -= {SCP}
    if not enabled & {SCP, RCP}:
        return Membership(org["Id"], management, ())
    path = [("ACCOUNT", account_id, account["Name"])]
    for parent in _ancestors(orgs, account_id):
        name = "Root" if parent["Type"] == "ROOT" else _ou_name(orgs, parent["Id"])
        path.append((parent["Type"], parent["Id"], name))
    path.reverse()

    def levels(policy_type: str) -> tuple[ScpLevel, ...]:
        if policy_type not in enabled:
            return ()
        return tuple(ScpLevel.of(*at, _org_policies(orgs, at[1], policy_type)) for at in path)

    return Membership(org["Id"], management, levels(SCP), levels(RCP))


def _ancestors(orgs: Any, child_id: str) -> Iterator[dict]:
    """The parents of an account or OU, nearest first, up to the root."""
    while True:
        parent = orgs.list_parents(ChildId=child_id)["Parents"][0]
        yield parent
        if parent["Type"] == "ROOT":
            return
        child_id = parent["Id"]


def _ou_name(orgs: Any, ou_id: str) -> str:
    return orgs.describe_organizational_unit(OrganizationalUnitId=ou_id)["OrganizationalUnit"][
        "Name"
    ]


def _org_policies(orgs: Any, target_id: str, policy_type: str) -> tuple[Policy, ...]:
    """The SCPs (or RCPs) attached directly to a root, OU or account."""
    kind = ResourceControlPolicy if policy_type == RCP else Policy
    summaries = paginate(
        orgs, "list_policies_for_target", "Policies", TargetId=target_id, Filter=policy_type
    )
    return tuple(
        kind(s["Name"], orgs.describe_policy(PolicyId=s["Id"])["Policy"]["Content"])
        for s in summaries
    )


def identity_policies(
    session: boto3.Session, caller: Caller
) -> tuple[tuple[Policy, ...], Policy | None, bool]:
    """The caller's identity policies, permissions boundary, and whether it is a
    service-linked role; nothing for the root user."""
    iam = session.client("iam")
    if caller.kind in ("role", "session"):
        role = iam.get_role(RoleName=caller.name)["Role"]
        policies = _attached(iam, "role", caller.name)
        boundary = role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
        service_linked = role.get("Path", "/").startswith(SERVICE_LINKED_PATH)
    elif caller.kind == "user":
        user = iam.get_user(UserName=caller.name)["User"]
        policies = _attached(iam, "user", caller.name)
        for group in paginate(iam, "list_groups_for_user", "Groups", UserName=caller.name):
            policies += _attached(iam, "group", group["GroupName"])
        boundary = user.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
        service_linked = False
    else:
        return (), None, False
    return tuple(policies), _managed(iam, boundary) if boundary else None, service_linked


def _attached(iam: Any, kind: str, name: str) -> list[Policy]:
    """The managed and inline policies of a role, user or group."""
    noun = kind.capitalize()
    key = {f"{noun}Name": name}
    attached = paginate(iam, f"list_attached_{kind}_policies", "AttachedPolicies", **key)
    policies = [_managed(iam, p["PolicyArn"]) for p in attached]
    for policy_name in paginate(iam, f"list_{kind}_policies", "PolicyNames", **key):
        document = getattr(iam, f"get_{kind}_policy")(**key, PolicyName=policy_name)
        policies.append(Policy(policy_name, document["PolicyDocument"]))
    return policies


def _managed(iam: Any, arn: str) -> Policy:
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
    return Policy(policy["PolicyName"], version["PolicyVersion"]["Document"])


def _owner(resource: str, resource_account: str | None) -> str | None:
    """The account a resource ARN names (or `resource_account`, for S3)."""
    parts = resource.split(":", 5)
    return resource_account or (parts[4] if len(parts) == 6 and parts[4] else None)


def resource_policy(
    session: boto3.Session, action: str, resource: str, owner: str
) -> ResourcePolicy | None:
    """The resource's policy: a role's trust policy (for sts:AssumeRole*), an S3 bucket
    policy or an SQS queue policy; None when it has none or is another kind."""
    parts = resource.split(":", 5)
    if len(parts) != 6:
        return None
    service, region, path = parts[2], parts[3], parts[5]
    if action.lower().startswith("sts:assumerole") and service == "iam":
        iam = session.client("iam")
        name = path.rsplit("/", 1)[-1]
        found = or_none(iam.get_role, "NoSuchEntity", RoleName=name)
        if found is None:
            return None
        document = found["Role"]["AssumeRolePolicyDocument"]
        return ResourcePolicy(f"trust policy of role {name}", document, owner)
    if service == "s3":
        bucket = path.split("/", 1)[0]
        get = session.client("s3").get_bucket_policy
        policy = or_none(get, "NoSuchBucketPolicy", "NoSuchBucket", Bucket=bucket)
        if policy is None:
            return None  # no policy, or a bucket yet to be created
        return ResourcePolicy(f"bucket policy of {bucket}", policy["Policy"], owner)
    if service == "sqs":
        sqs = session.client("sqs", region_name=region)
        queue = or_none(
            sqs.get_queue_url, *NO_SUCH_QUEUE, QueueName=path, QueueOwnerAWSAccountId=owner
        )
        if queue is None:
            return None
        url = queue["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
        text = attributes.get("Attributes", {}).get("Policy")
        return ResourcePolicy(f"queue policy of {path}", text, owner) if text else None
    return None
