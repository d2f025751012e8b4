"""The policies in force for a signed request, read in-process from moto's backends: the
caller behind the access key (user, assumed-role session or root) with its identity
policies, boundary and session policy; the SCPs and RCPs on an account's path; and the
resource's owner and policy (a role's trust policy, a bucket's or a queue's policy).

What the sandbox cannot read (a policy moto holds in a shape the evaluator refuses) stands
as an allow-all that says so: it is not enforced. Another service's cross-account rules
are left to moto and the extensions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from moto.iam.models import IAMBackend, ManagedPolicy, Role, iam_backends
from moto.organizations.models import FakeRoot
from moto.s3.models import s3_backends
from moto.sqs.models import sqs_backends
from moto.sts.models import sts_backends

from helpers.policy import Policy, PolicyError, ResourceControlPolicy, ResourcePolicy, ScpLevel

from .iam_actions import PARTITION, queue_of
from .managed_policies import ensure_aws_managed_policy
from .organizations import backend_of, organizations_backends
from .request import Request

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
SERVICE_LINKED_PATH = "/aws-service-role/"
_ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
_ALLOW_ALL_JSON = json.dumps({"Version": "2012-10-17", "Statement": _ALLOW_ALL})


@dataclass(frozen=True)
class Caller:
    """Who signed a request, and the policies that travel with them."""

    arn: str
    account: str
    user_id: str
    identity: tuple[Policy, ...]
    boundary: Policy | None = None
    session: tuple[Policy, ...] = ()
    service_linked: bool = False


@dataclass(frozen=True)
class Membership:
    """An account in its organization: the SCPs (for its principals) and the RCPs (for its
    resources) of the policy types enabled, root first."""

    organization: str | None = None
    management: bool = False
    scps: tuple[ScpLevel, ...] = ()
    rcps: tuple[ScpLevel, ...] = ()


@lru_cache(maxsize=512)
def _policy(name: str, text: str, kind: type[Policy] = Policy) -> Policy:
    return kind(name, text)


@lru_cache(maxsize=512)
def _resource_policy(name: str, text: str, account: str) -> ResourcePolicy:
    return ResourcePolicy(name, text, account)


def _unread_identity() -> Policy:
    """Stands for identity policies the sandbox cannot read: it does not enforce them."""
    return _policy("identity policies the sandbox could not read (not enforced)", _ALLOW_ALL_JSON)


def _unmodelled(service: str, caller_account: str, owner: str) -> ResourcePolicy:
    """Stands for the rules by which a service lets other accounts use its resources (an
    organization trail is visible to members, ...), which the sandbox leaves to moto."""
    statement = {**_ALLOW_ALL, "Principal": {"AWS": caller_account}}
    document = json.dumps({"Version": "2012-10-17", "Statement": statement})
    return _resource_policy(f"{service}'s own cross-account rules (not modelled)", document, owner)


def _document(policy: ManagedPolicy) -> str:
    return next(v.document for v in policy.versions if v.is_default)  # type: ignore[misc]


def _managed(iam: IAMBackend, arn: str) -> Policy:
    """A managed policy by ARN; KeyError when unknown."""
    if arn.startswith("arn:aws:iam::aws:policy/"):
        ensure_aws_managed_policy(iam.account_id, arn)
    policy = iam.managed_policies[arn]
    return _policy(policy.name, _document(policy))


def _attached(owner: object) -> list[Policy]:
    """The managed and inline policies of a moto user, group or role."""
    managed = [_policy(p.name, _document(p)) for p in owner.managed_policies.values()]  # type: ignore[attr-defined]
    inline = [_policy(name, text) for name, text in owner.policies.items()]  # type: ignore[attr-defined]
    return managed + inline


def _role_caller(iam: IAMBackend, account: str, role_arn: str, access_key: str) -> Caller:
    """An assumed-role session, with its role's policies when they can be read."""
    role_name = role_arn.rsplit("/", 1)[-1]
    session = next(
        (
            s
            for s in sts_backends[account][PARTITION].assumed_roles
            if s.access_key_id == access_key
        ),
        None,
    )
    arn = f"arn:{PARTITION}:sts::{account}:assumed-role/{role_name}/"
    arn += session.session_name if session else "session"
    role = _role(role_arn)
    if role is None:
        return Caller(arn, account, access_key, (_unread_identity(),))
    session_policies = (
        (_policy("session policy", session.policy),) if session and session.policy else ()
    )
    try:
        identity = tuple(_attached(role))
        boundary = (
            _managed(iam, role.permissions_boundary_arn) if role.permissions_boundary_arn else None
        )
    except (KeyError, PolicyError):
        identity, boundary = (_unread_identity(),), None
    return Caller(
        arn,
        account,
        f"{role.id}:{arn.rsplit('/', 1)[-1]}",
        identity,
        boundary,
        session_policies,
        role.path.startswith(SERVICE_LINKED_PATH),
    )


def caller_of(request: Request) -> Caller:
    """The principal behind the request's access key: a role session, a user or the root."""
    account = request.account_id
    iam = iam_backends[account][PARTITION]
    key = iam.access_keys.get(request.access_key)
    if key is not None and key.role_arn:
        return _role_caller(iam, account, key.role_arn, request.access_key)
    if key is not None and key.user_name:
        user = iam.users.get(key.user_name)
        if user is not None:
            arn = f"arn:{PARTITION}:iam::{account}:user{user.path}{user.name}"
            try:
                policies = _attached(user)
                for group in iam.get_groups_for_user(user.name):
                    policies += _attached(group)
            except (KeyError, PolicyError):
                policies = [_unread_identity()]
            return Caller(arn, account, user.id, tuple(policies))
    return Caller(f"arn:{PARTITION}:iam::{account}:root", account, account, ())


def _role(arn: str) -> Role | None:
    """The role an ARN names, if it exists."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith("role/"):
        return None
    iam = iam_backends[parts[4]][PARTITION]
    return next((role for role in iam.roles.values() if role.arn == arn), None)


def membership(account: str) -> Membership:
    """The account's organization and the SCPs and RCPs on its path, read from moto's
    backend."""
    management, _ = organizations_backends.master_accounts.get(account, (account, PARTITION))
    backend = backend_of(management)
    org = backend.org
    if org is None or (management == account and org.master_account_id != account):
        return Membership()
    if account == org.master_account_id:
        return Membership(org.id, management=True)
    root = next(ou for ou in backend.ou if isinstance(ou, FakeRoot))
    enabled = {entry["Type"] for entry in root.policy_types}
    targets = {target.id: target for target in [*backend.ou, *backend.accounts]}
    path = []
    target = targets.get(account)
    while target is not None:
        path.insert(0, target)
        target = targets.get(target.parent_id) if target.type != "ROOT" else None

    def levels(policy_type: str, kind: type[Policy]) -> tuple[ScpLevel, ...]:
        if policy_type not in enabled:
            return ()
        return tuple(
            ScpLevel.of(t.type, t.id, t.name, _attached_of(t, policy_type, kind)) for t in path
        )

    return Membership(org.id, scps=levels(SCP, Policy), rcps=levels(RCP, ResourceControlPolicy))


def _attached_of(target: object, policy_type: str, kind: type[Policy]) -> tuple[Policy, ...]:
    """The policies of one type attached to a moto root, OU or account."""
    attached = target.attached_policies  # type: ignore[attr-defined]
    return tuple(_policy(p.name, p.content, kind) for p in attached if p.type == policy_type)


def resource_side(
    request: Request, action: str, resource: str
) -> tuple[str, ResourcePolicy | None]:
    """The account that owns the resource, and its resource-based (or trust) policy."""
    if action == "sts:AssumeRole":
        role = _role(resource)
        if role is None:
            return resource.split(":")[4] if resource.count(":") >= 5 else request.account_id, None
        name = f"trust policy of role {role.name}"
        return role.account_id, _resource_policy(
            name, role.assume_role_policy_document, role.account_id
        )
    if request.service == "s3" and request.bucket and request.operation != "CreateBucket":
        _, owner = s3_backends.bucket_accounts.get(request.bucket, (PARTITION, request.account_id))
        bucket = s3_backends[owner][PARTITION].buckets.get(request.bucket)
        if bucket is None or not bucket.policy:
            return owner, None
        return owner, _resource_policy(
            f"bucket policy of {request.bucket}", bucket.policy.decode(), owner
        )
    if request.service == "sqs" and (queue := queue_of(request)):
        owner, name = queue
        found = sqs_backends[owner][request.region].queues.get(name)
        if found is None or not found.policy:
            return owner, None
        return owner, _resource_policy(f"queue policy of {name}", found.policy, owner)
    parts = resource.split(":")
    if len(parts) > 5 and parts[4] and parts[4] != request.account_id:
        return parts[4], _unmodelled(request.service, request.account_id, parts[4])
    return request.account_id, None
