"""What the evaluator takes: the request, and the policies in force."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from .grammar import Statement, parse_policy, statements

PrincipalKind = Literal["root", "user", "role", "session", "federated", "service"]
PRINCIPAL_ARN = re.compile(
    r"^arn:(?P<partition>[^:]+):(?P<service>iam|sts)::(?P<account>\d{12}):(?P<rest>.+)$"
)
"""An IAM or STS principal ARN: user, role, root, assumed-role session, federated user."""


@dataclass(frozen=True)
class Request:
    """One API request.

    `principal` is the caller's ARN (``arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION``,
    ``arn:aws:iam::ACCOUNT:user/NAME``, ``...:role/NAME``, ``...:root``) or a service
    principal such as ``cloudtrail.amazonaws.com``. `account` defaults to the ARN's;
    `organization` is the id (``o-...``) of the organization the caller's account belongs
    to, None outside any. `resource_organization` and `resource_management_account` say the
    same of the account that owns the resource when it is another account (for the caller's
    own account, `organization` and `management_account` hold). `context` holds condition
    keys; the evaluator adds aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalOrgID,
    aws:PrincipalType, aws:PrincipalIsAWSService, aws:RequestedRegion, aws:ResourceAccount
    and aws:ResourceOrgID when they are not given; a given aws:ResourceAccount names the
    owner of a resource whose ARN has no account (S3).
    """

    principal: str
    action: str
    resource: str = "*"
    region: str = "us-east-1"
    account: str | None = None
    organization: str | None = None
    management_account: bool = False
    service_linked_role: bool = False
    context: Mapping[str, Any] = field(default_factory=dict)
    resource_organization: str | None = None
    resource_management_account: bool = False


@dataclass(frozen=True)
class Policy:
    """A named policy document (JSON text or a dict), checked when created."""

    name: str
    document: Mapping[str, Any] | str
    statements: tuple[Statement, ...] = field(init=False, repr=False, compare=False)
    resource_policy: ClassVar[bool] = False

    def __post_init__(self) -> None:
        document = parse_policy(self.document, resource_policy=self.resource_policy)
        object.__setattr__(self, "document", document)
        object.__setattr__(self, "statements", statements(document))


@dataclass(frozen=True)
class ResourcePolicy(Policy):
    """A resource-based policy (a bucket policy, a role's trust policy, ...) and the
    account that owns the resource."""

    account: str
    resource_policy: ClassVar[bool] = True


LevelKind = Literal["root", "ou", "account"]
_LEVEL_KINDS: dict[str, LevelKind] = {
    "ROOT": "root",
    "ORGANIZATIONAL_UNIT": "ou",
    "ACCOUNT": "account",
}


@dataclass(frozen=True)
class ResourceControlPolicy(Policy):
    """A resource control policy (RCP): its statements name their Principal (``"*"``), as
    a resource-based policy's do."""

    resource_policy: ClassVar[bool] = True


@dataclass(frozen=True)
class ScpLevel:
    """The SCPs (or the RCPs) attached at one level of the organization: the root, an OU or
    an account, by its id (and, for an OU or an account, its name)."""

    kind: LevelKind
    target_id: str
    policies: tuple[Policy, ...]
    name: str = ""

    @classmethod
    def of(cls, kind: str, target_id: str, name: str, policies: tuple[Policy, ...]) -> ScpLevel:
        """The level of a root, OU or account (`kind` as Organizations' target types name
        them: ROOT, ORGANIZATIONAL_UNIT, ACCOUNT)."""
        short = _LEVEL_KINDS[kind]
        return cls(short, target_id, policies, "" if short == "root" else name)

    @property
    def label(self) -> str:
        """The level in words: "the root r-abcd", "OU Workloads (ou-...)", "account dev (...)"."""
        if self.kind == "root":
            return f"the root {self.target_id}"
        noun = "OU" if self.kind == "ou" else "account"
        return f"{noun} {self.name} ({self.target_id})" if self.name else f"{noun} {self.target_id}"


@dataclass(frozen=True)
class Policies:
    """The policies in force for one request.

    `scps` are the levels from the root down to the caller's account; `session` the session
    policies passed when the role was assumed (their union limits the session); `resource`
    the resource-based policy of the resource, for sts:AssumeRole the role's trust policy;
    `rcps` the levels from the root down to the account that owns the resource (none when
    the RCP policy type is not enabled).
    """

    identity: tuple[Policy, ...] = ()
    scps: tuple[ScpLevel, ...] = ()
    boundary: Policy | None = None
    session: tuple[Policy, ...] = ()
    resource: ResourcePolicy | None = None
    rcps: tuple[ScpLevel, ...] = ()


@dataclass(frozen=True)
class Caller:
    """The request's principal, taken apart."""

    kind: PrincipalKind
    arn: str
    account: str | None
    identity_arn: str | None
    """The IAM identity behind the principal (a session's role): aws:PrincipalArn."""
    name: str
    """The user or role name (the role of a session), the service name for a service."""

    @classmethod
    def of(cls, request: Request) -> Caller:
        """The caller of `request`; ValueError for a principal it cannot read."""
        principal = request.principal
        match = PRINCIPAL_ARN.match(principal)
        if match is None:
            if principal.startswith("arn:") or "." not in principal:
                raise ValueError(f"cannot read principal {principal!r}")
            return cls("service", principal, request.account, None, principal)
        account = request.account or match["account"]
        iam = f"arn:{match['partition']}:iam::{match['account']}"
        kind, _, path = match["rest"].partition("/")
        name = path.rsplit("/", 1)[-1]
        if match["service"] == "sts" and kind == "assumed-role" and path.count("/") >= 1:
            role = path.split("/")[0]
            return cls("session", principal, account, f"{iam}:role/{role}", role)
        if match["service"] == "sts" and kind == "federated-user":
            return cls("federated", principal, account, principal, name)
        if match["service"] == "iam" and kind in ("user", "role") and name:
            return cls(kind, principal, account, principal, name)
        if match["service"] == "iam" and match["rest"] == "root":
            return cls("root", principal, account, principal, "root")
        raise ValueError(f"cannot read principal {principal!r}")

    @property
    def principal_type(self) -> str:
        """The aws:PrincipalType value."""
        return {
            "root": "Account",
            "user": "User",
            "role": "AssumedRole",
            "session": "AssumedRole",
            "federated": "FederatedUser",
            "service": "Service",
        }[self.kind]
