"""The kit's service control policies (and the data perimeter's resource control policy)
as documents: rendered from the desired state and checked the way AWS Organizations checks
them, without any AWS call.

An SCP never grants anything: it sets the most that principals in member accounts may do.
The kit writes deny lists only, so `FullAWSAccess` (attached everywhere by default) stays.
An RCP sets the most that anyone, inside the organization or not, may do to the resources
of member accounts; AWS accepts only Deny statements in the RCPs one writes, next to
`RCPFullAWSAccess`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from helpers.aws_names import ACCESS_ROLE
from helpers.policy import PolicyError, ResourceControlPolicy, parse_policy

MAX_CHARACTERS = 5120  # AWS: an SCP or RCP document, whitespace included
MAX_PER_TARGET = 5  # AWS: SCPs (or RCPs) attached directly to one root, OU or account
FULL_ACCESS = "FullAWSAccess"
RCP_FULL_ACCESS = "RCPFullAWSAccess"
DATA_PERIMETER = "org-data-perimeter"
PERIMETER_ACTIONS = (
    # The data perimeter's services, as AWS's own identity-perimeter example lists them. For
    # STS only the calls made with AWS credentials: AssumeRoleWithSAML/WebIdentity carry no
    # aws:PrincipalOrgID, so denying them would lock out every federated sign-in.
    "s3:*",
    "sqs:*",
    "kms:*",
    "secretsmanager:*",
    "sts:AssumeRole",
    "sts:DecodeAuthorizationMessage",
    "sts:GetAccessKeyInfo",
    "sts:GetFederationToken",
    "sts:GetServiceBearerToken",
    "sts:GetSessionToken",
    "sts:SetContext",
)
REGIONS = "org-allowed-regions"
GUARDRAILS = "org-guardrails"
BUILT_IN = (REGIONS, GUARDRAILS)
STACKSETS_ROLE = "stacksets-exec-*"  # the role service-managed StackSets act through

REGION_EXEMPT = (
    # AWS's example "Deny access to AWS based on the requested AWS Region": the services
    # served from us-east-1 (or with no region), whatever region the caller picked, and a few
    # regional ones global services use there (acm, config, directconnect, kms), exempted in
    # every region: a trade-off against data residency that step 06 teaches. Like AWS's own
    # list, it may be incomplete: a service missing here is denied outright.
    "a4b:*",
    "account:*",
    "acm:*",
    "aws-marketplace-management:*",
    "aws-marketplace:*",
    "aws-portal:*",
    "billing:*",
    "budgets:*",
    "ce:*",
    "chime:*",
    "cloudfront:*",
    "config:*",
    "cur:*",
    "directconnect:*",
    "ec2:DescribeRegions",
    "ec2:DescribeTransitGateways",
    "ec2:DescribeVpnGateways",
    "fms:*",
    "globalaccelerator:*",
    "health:*",
    "iam:*",
    "importexport:*",
    "kms:*",
    "mobileanalytics:*",
    "networkmanager:*",
    "organizations:*",
    "pricing:*",
    "route53-recovery-cluster:*",
    "route53-recovery-control-config:*",
    "route53-recovery-readiness:*",
    "route53:*",
    "route53domains:*",
    "s3:GetAccountPublic*",
    "s3:ListAllMyBuckets",
    "s3:ListMultiRegionAccessPoints",
    "s3:PutAccountPublic*",
    "shield:*",
    "sts:*",
    "support:*",
    "trustedadvisor:*",
    "waf-regional:*",
    "waf:*",
    "wafv2:*",
    "wellarchitected:*",
)
USER_ACTIONS = ("iam:CreateUser", "iam:CreateAccessKey")
TRAIL_BUCKET_ACTIONS = (
    "s3:DeleteBucket",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutBucketOwnershipControls",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketVersioning",
    "s3:PutEncryptionConfiguration",
    "s3:PutLifecycleConfiguration",
    "s3:PutObject",
    "s3:PutObjectAcl",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
)
ROLE_ACTIONS = (
    "iam:AttachRolePolicy",
    "iam:DeleteRole",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
)


def label(path: str) -> str:
    """A root or OU path in words: "the root", "OU Workloads/Dev"."""
    return "the root" if path == "Root" else f"OU {path}"


def role_arn(partition: str, role: str, account: str = "*") -> str:
    return f"arn:{partition}:iam::{account}:role/{role}"


def _document(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _unless(partition: str, roles: Sequence[str]) -> dict:
    """A condition that spares the principals acting through these roles (any account)."""
    arns = [role_arn(partition, role) for role in roles]
    return {"ArnNotLike": {"aws:PrincipalARN": arns}}


def region_policy(
    regions: Sequence[str], partition: str = "aws", break_glass_role: str | None = None
) -> dict:
    """Deny every action outside `regions`, except the global services; the break-glass
    role, if any, may act anywhere."""
    condition: dict[str, Any] = {"StringNotEquals": {"aws:RequestedRegion": list(regions)}}
    if break_glass_role:
        condition |= _unless(partition, [break_glass_role])
    return _document(
        {
            "Sid": "DenyOutsideAllowedRegions",
            "Effect": "Deny",
            "NotAction": list(REGION_EXEMPT),
            "Resource": "*",
            "Condition": condition,
        }
    )


def guardrail_policy(
    *,
    partition: str = "aws",
    deny_iam_users: bool = True,
    deny_leave_organization: bool = True,
    trail_bucket: str | None = None,
    baseline_roles: Sequence[str] = (),
) -> dict | None:
    """The other guardrails in one policy (a target holds at most five SCPs): no IAM users
    or access keys, no leaving the organization, the trail's bucket and the baseline roles
    changed only through the kit's own roles. None when none of them is asked for."""
    statements = []
    if deny_iam_users:
        statements.append(
            {"Sid": "DenyIamUsers", "Effect": "Deny", "Action": list(USER_ACTIONS), "Resource": "*"}
        )
    if deny_leave_organization:
        statements.append(
            {
                "Sid": "DenyLeavingTheOrganization",
                "Effect": "Deny",
                "Action": "organizations:LeaveOrganization",
                "Resource": "*",
            }
        )
    if trail_bucket:
        bucket = f"arn:{partition}:s3:::{trail_bucket}"
        statements.append(
            {
                "Sid": "ProtectTheTrailBucket",
                "Effect": "Deny",
                "Action": list(TRAIL_BUCKET_ACTIONS),
                "Resource": [bucket, f"{bucket}/*"],
                "Condition": _unless(partition, [ACCESS_ROLE]),
            }
        )
    if baseline_roles:
        statements.append(
            {
                "Sid": "ProtectTheBaselineRoles",
                "Effect": "Deny",
                "Action": list(ROLE_ACTIONS),
                "Resource": [role_arn(partition, role) for role in baseline_roles],
                "Condition": _unless(partition, [ACCESS_ROLE, STACKSETS_ROLE]),
            }
        )
    return _document(*statements) if statements else None


def data_perimeter_rcp(
    organization_id: str,
    *,
    trusted_accounts: Sequence[str] = (),
    actions: Sequence[str] = PERIMETER_ACTIONS,
) -> dict:
    """An RCP that keeps principals outside the organization (and outside
    `trusted_accounts`, a partner's for example) away from the resources of every member
    account below where it is attached, whatever the resources' own policies say. AWS
    services acting on their own behalf still pass (aws:PrincipalIsAWSService); anonymous
    requests do not, since they carry no organization."""
    if not re.fullmatch(r"o-[a-z0-9]{10,32}", organization_id):
        raise ValueError(
            f"organization id {organization_id!r} is not of the form o-xxxxxxxxxx "
            "(describe_organization()['Organization']['Id'])"
        )
    strangers = [a for a in trusted_accounts if not re.fullmatch(r"\d{12}", a)]
    if strangers:
        raise ValueError(f"trusted account(s) {', '.join(strangers)}: 12-digit account ids only")
    outside: dict[str, Any] = {"aws:PrincipalOrgID": organization_id}
    if trusted_accounts:
        outside["aws:PrincipalAccount"] = list(trusted_accounts)
    return _document(
        {
            "Sid": "EnforceOrganizationIdentities",
            "Effect": "Deny",
            "Principal": "*",
            "Action": list(actions),
            "Resource": "*",
            "Condition": {
                "StringNotEqualsIfExists": outside,
                "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
            },
        }
    )


def content(document: Mapping[str, Any]) -> str:
    """The text the kit sends: compact JSON (AWS counts every character, spaces included)."""
    return json.dumps(document, separators=(",", ":"))


def problems(text: str) -> list[str]:
    """Why AWS would refuse `text` as an SCP document (empty when it would not)."""
    try:
        document = parse_policy(text)
    except PolicyError as error:
        return [str(error)]
    return _too_long(document, "SCP")


def rcp_problems(text: str | Mapping[str, Any]) -> list[str]:
    """Why AWS would refuse `text` as an RCP of one's own (empty when it would not): the
    policy grammar, then the RCP syntax's own rules."""
    try:
        policy = ResourceControlPolicy("rcp", text)
    except PolicyError as error:
        return [str(error)]
    found = (
        [] if policy.document.get("Version") == "2012-10-17" else ['needs "Version": "2012-10-17"']
    )
    for statement in policy.statements:
        where = f"statement {statement.label}"
        if statement.effect != "Deny":
            found.append(f"{where}: an RCP of one's own may only Deny ({RCP_FULL_ACCESS} allows)")
        if statement.not_principal or statement.principals != (("*", "*"),):
            found.append(f'{where}: Principal must be "*"; narrow it with a Condition')
        if statement.not_action:
            found.append(f"{where}: RCPs do not support NotAction; list the actions denied")
        elif "*" in statement.actions:
            found.append(f'{where}: Action "*" is refused; name the services (s3:*, sqs:*, ...)')
    return found + _too_long(policy.document, "RCP")


def _too_long(document: Mapping[str, Any], kind: str) -> list[str]:
    size = len(content(document))
    if size <= MAX_CHARACTERS:
        return []
    return [
        f"is {size:,} characters long (compact JSON); AWS allows at most "
        f"{MAX_CHARACTERS:,} per {kind}: split it, or shorten its lists with wildcards"
    ]


def crowded(attached: Mapping[str, Sequence[str]]) -> list[str]:
    """The targets that would hold more SCPs than AWS allows, each with its policies."""
    return [
        f"{target} would hold {len(names)} SCPs ({', '.join(names)}); AWS allows at most "
        f"{MAX_PER_TARGET} per root, OU or account, {FULL_ACCESS} included: merge some"
        for target, names in attached.items()
        if len(names) > MAX_PER_TARGET
    ]
