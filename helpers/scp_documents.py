"""The kit's service control policies as documents: rendered from the desired state and
checked the way AWS Organizations checks them, without any AWS call.

An SCP never grants anything: it sets the most that principals in member accounts may do.
The kit writes deny lists only, so `FullAWSAccess` (attached everywhere by default) stays.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from helpers.policy import PolicyError, parse_policy
from helpers.targets import ACCESS_ROLE

MAX_CHARACTERS = 5120  # AWS: an SCP document, whitespace included
MAX_PER_TARGET = 5  # AWS: SCPs attached directly to one root, OU or account
FULL_ACCESS = "FullAWSAccess"
REGIONS = "org-allowed-regions"
GUARDRAILS = "org-guardrails"
BUILT_IN = (REGIONS, GUARDRAILS)
STACKSETS_ROLE = "stacksets-exec-*"  # the role service-managed StackSets act through

REGION_EXEMPT = (
    # AWS's example "Deny access to AWS based on the requested AWS Region": the services
    # served from us-east-1 (or with no region), whatever region the caller picked. Like
    # AWS's own list, it may be incomplete: a service missing here is denied outright.
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


def content(document: Mapping[str, Any]) -> str:
    """The text the kit sends: compact JSON (AWS counts every character, spaces included)."""
    return json.dumps(document, separators=(",", ":"))


def problems(text: str) -> list[str]:
    """Why AWS would refuse `text` as an SCP document (empty when it would not)."""
    found = []
    try:
        document = parse_policy(text)
    except PolicyError as error:
        return [str(error)]
    size = len(content(document))
    if size > MAX_CHARACTERS:
        found.append(
            f"is {size:,} characters long (compact JSON); AWS allows at most "
            f"{MAX_CHARACTERS:,} per SCP: split it, or shorten its lists with wildcards"
        )
    return found


def crowded(attached: Mapping[str, Sequence[str]]) -> list[str]:
    """The targets that would hold more SCPs than AWS allows, each with its policies."""
    return [
        f"{target} would hold {len(names)} SCPs ({', '.join(names)}); AWS allows at most "
        f"{MAX_PER_TARGET} per root, OU or account, {FULL_ACCESS} included: merge some"
        for target, names in attached.items()
        if len(names) > MAX_PER_TARGET
    ]
