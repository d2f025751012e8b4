"""The layers of AWS's policy evaluation logic, one case per documented rule.

Sources (AWS IAM User Guide and Organizations User Guide): "Policy evaluation logic",
"How AWS enforcement code logic evaluates requests to allow or deny access",
"Cross-account policy evaluation logic", "Permissions boundaries for IAM entities",
"Session policies", "AWS JSON policy elements: NotPrincipal", "Service control policies",
"How IAM roles differ from resource-based policies", the SCP example "Deny access to AWS
based on the requested AWS Region", and the STS API Reference's GetCallerIdentity. A
section whose rule one page states names that page. Each case names the decision and the
kinds of the layers that decided it, in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from helpers.policy import (
    Policies,
    Policy,
    Request,
    ResourcePolicy,
    ScpLevel,
    evaluate,
)

ACCOUNT, OTHER, MANAGEMENT = "111122223333", "444455556666", "123456789012"
ORG = "o-a1b2c3d4e5"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/Dev/alice"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/Dev"
USER = f"arn:aws:iam::{ACCOUNT}:user/bob"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
OTHER_SESSION = f"arn:aws:sts::{OTHER}:assumed-role/Auditor/carol"
BUCKET = "arn:aws:s3:::team-bucket"
OBJECT = f"{BUCKET}/reports/q1.csv"
TARGET_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Deploy"
HOME = f"{BUCKET}/home/${{aws:username}}/*"
TRAIL = f"arn:aws:cloudtrail:us-east-1:{MANAGEMENT}:trail/org-trail"


def st(effect: str, action: str | list[str] = "*", resource: Any = "*", **extra: Any) -> dict:
    """A statement; `extra` adds Sid, Condition, Principal, NotAction, ..."""
    statement = {"Effect": effect, "Action": action, "Resource": resource, **extra}
    return {k: v for k, v in statement.items() if v is not None}


def pol(name: str, *statements: dict) -> Policy:
    return Policy(name, {"Version": "2012-10-17", "Statement": list(statements)})


def res(name: str, *statements: dict, account: str = ACCOUNT) -> ResourcePolicy:
    return ResourcePolicy(name, {"Version": "2012-10-17", "Statement": list(statements)}, account)


def trust(principal: Any, account: str = ACCOUNT, **extra: Any) -> ResourcePolicy:
    allow = st("Allow", "sts:AssumeRole", None, Principal=principal, **extra)
    return res("trust", allow, account=account)


FULL = pol("FullAWSAccess", st("Allow"))
ADMIN = pol("admin", st("Allow"))
S3_ONLY = pol("s3-only", st("Allow", "s3:*"))
ASSUME = pol("may-assume", st("Allow", "sts:AssumeRole", "arn:aws:iam::*:role/*"))
REGIONS = pol(
    "region-allow-list",
    {
        "Sid": "DenyOutsideRegions",
        "Effect": "Deny",
        "NotAction": ["iam:*", "organizations:*", "sts:*", "route53:*", "support:*"],
        "Resource": "*",
        "Condition": {
            "StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]},
            "ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::*:role/BreakGlass"},
        },
    },
)
EC2_ONLY = pol("ec2-only", st("Allow", "ec2:*"))
DENY_S3 = pol("deny-s3", st("Deny", "s3:*", Sid="NoS3"))


PERIMETER_BUCKET = res(
    "bucket",
    st("Allow", ["s3:GetObject", "s3:PutObject"], f"{BUCKET}/*",
       Principal={"AWS": OTHER, "Service": "cloudtrail.amazonaws.com"}),
    st("Deny", "s3:*", [BUCKET, f"{BUCKET}/*"], Sid="OrganizationOnly", Principal="*",
       Condition={"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG},
                  "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}),
)  # fmt: skip


def levels(root=(FULL,), ou=(FULL,), account=(FULL,)) -> tuple[ScpLevel, ...]:
    return (
        ScpLevel("root", "r-abcd", root),
        ScpLevel("ou", "ou-abcd-12345678", ou, "Workloads"),
        ScpLevel("account", ACCOUNT, account),
    )


def req(principal: str = SESSION, action: str = "s3:GetObject", resource: str = OBJECT,
        region: str = "eu-west-1", **extra: Any) -> Request:  # fmt: skip
    return Request(principal, action, resource, region, **extra)


def in_org(**extra: Any) -> Request:
    return req(organization=ORG, **extra)


@dataclass(frozen=True)
class Case:
    rule: str
    request: Request
    policies: Policies
    decision: str
    deciding: tuple[str, ...]
    level: str | None = None
    """The SCP (or RCP) level that decided, when one did."""


SCP = ("scp", "scp", "scp")
# fmt: off
CASES = [
    # --- SCPs ---
    Case("SCPs: Allow at every level and an identity Allow: allowed",
         in_org(), Policies((ADMIN,), levels()), "Allowed", (*SCP, "identity")),
    Case("SCPs: an explicit Deny at an OU wins over every Allow",
         in_org(), Policies((ADMIN,), levels(ou=(FULL, DENY_S3))), "ExplicitlyDenied", ("scp",),
         "OU Workloads (ou-abcd-12345678)"),
    Case("SCPs: a level with no Allow (FullAWSAccess detached) denies implicitly",
         in_org(), Policies((ADMIN,), levels(ou=(REGIONS,))), "ImplicitlyDenied", ("scp",),
         "OU Workloads (ou-abcd-12345678)"),
    Case("SCPs: an allow-list at the root limits every account below it",
         in_org(action="ec2:RunInstances", resource="*"),
         Policies((ADMIN,), levels(root=(S3_ONLY,))), "ImplicitlyDenied", ("scp",),
         "the root r-abcd"),
    Case("SCPs: the account level must allow too",
         in_org(), Policies((ADMIN,), levels(account=(EC2_ONLY,))), "ImplicitlyDenied", ("scp",),
         f"account {ACCOUNT}"),
    Case("SCPs grant nothing: an SCP Allow without an identity Allow is an implicit deny",
         in_org(), Policies((), levels()), "ImplicitlyDenied", ("identity",)),
    Case("SCPs do not apply to the management account",
         in_org(management_account=True), Policies((ADMIN,), levels(root=(DENY_S3,))),
         "Allowed", ("identity",)),
    Case("SCPs do not apply to service-linked roles",
         in_org(service_linked_role=True), Policies((ADMIN,), levels(ou=(DENY_S3,))),
         "Allowed", ("identity",)),
    Case("SCPs do not limit principals outside the organization",
         req(), Policies((ADMIN,), levels(root=(DENY_S3,))), "Allowed", ("identity",)),
    Case("SCPs apply to the root user of a member account",
         in_org(principal=ROOT), Policies((), levels(ou=(FULL, DENY_S3))), "ExplicitlyDenied",
         ("scp",)),
    Case("a member account's root user needs no identity policy, only the SCPs' Allow",
         in_org(principal=ROOT), Policies((), levels()), "Allowed", SCP),
    Case("no SCP levels given in an organization: the SCP policy type is not enabled",
         in_org(), Policies((ADMIN,)), "Allowed", ("identity",)),
    Case("region SCP: a regional action outside the allowed regions is denied",
         in_org(action="ec2:RunInstances", resource="*", region="eu-west-3"),
         Policies((ADMIN,), levels(ou=(FULL, REGIONS))), "ExplicitlyDenied", ("scp",),
         "OU Workloads (ou-abcd-12345678)"),
    Case("region SCP: an allowed region passes",
         in_org(action="ec2:RunInstances", resource="*", region="eu-central-1"),
         Policies((ADMIN,), levels(ou=(FULL, REGIONS))), "Allowed", (*SCP, "identity")),
    Case("region SCP: global services exempted with NotAction pass from any region",
         in_org(action="iam:CreateRole", resource="*", region="eu-west-3"),
         Policies((ADMIN,), levels(ou=(FULL, REGIONS))), "Allowed", (*SCP, "identity")),
    Case("region SCP: IAM is requested in us-east-1, which the list does not allow, "
         "so only the NotAction exemption saves it",
         in_org(action="iam:CreateRole", resource="*", region="eu-west-1"),
         Policies((ADMIN,), levels(ou=(FULL, pol("no-notaction", {
             "Sid": "DenyOutside", "Effect": "Deny", "Action": "*", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}})))),
         "ExplicitlyDenied", ("scp",)),
    Case("region SCP: the break-glass role is exempted with ArnNotLike aws:PrincipalARN",
         in_org(principal=f"arn:aws:sts::{ACCOUNT}:assumed-role/BreakGlass/ops",
                action="ec2:RunInstances", resource="*", region="eu-west-3"),
         Policies((ADMIN,), levels(ou=(FULL, REGIONS))), "Allowed", (*SCP, "identity")),
    Case("SCPs limit the caller even when a resource policy in another account allows it",
         in_org(), Policies((ADMIN,), levels(ou=(FULL, DENY_S3)),
                            resource=res("bucket", st("Allow", "s3:GetObject", OBJECT,
                                                      Principal={"AWS": ROLE}), account=OTHER)),
         "ExplicitlyDenied", ("scp",)),
    Case("SCP Allow statements may carry conditions: unmet, the level does not allow",
         in_org(region="us-west-2"),
         Policies((ADMIN,), levels(root=(pol("allow-eu", st("Allow", Condition={
             "StringLike": {"aws:RequestedRegion": "eu-*"}})),))),
         "ImplicitlyDenied", ("scp",), "the root r-abcd"),
    Case("explicit Denies in several layers are all reported",
         in_org(), Policies((pol("deny-all", st("Deny", Sid="Nope")), ADMIN),
                            levels(ou=(FULL, DENY_S3))),
         "ExplicitlyDenied", ("scp", "identity")),
    # --- identity policies ---
    Case("no identity policy: implicit deny",
         req(), Policies(()), "ImplicitlyDenied", ("identity",)),
    Case("an identity Allow for the action and resource allows",
         req(), Policies((pol("read", st("Allow", "s3:GetObject", OBJECT)),)), "Allowed",
         ("identity",)),
    Case("an explicit Deny in an identity policy overrides an Allow",
         req(), Policies((ADMIN, DENY_S3)), "ExplicitlyDenied", ("identity",)),
    Case("actions match case-insensitively, with *",
         req(), Policies((pol("read", st("Allow", "S3:get*")),)), "Allowed", ("identity",)),
    Case("actions: ? matches one character",
         req(), Policies((pol("read", st("Allow", "s3:Get?bject")),)), "Allowed",
         ("identity",)),
    Case("actions: a different action does not match",
         req(), Policies((pol("write", st("Allow", "s3:PutObject")),)), "ImplicitlyDenied",
         ("identity",)),
    Case("NotAction in an Allow: every action except those listed (here iam:*)",
         req(action="iam:CreateUser", resource="*"),
         Policies((pol("no-iam", {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),)),
         "ImplicitlyDenied", ("identity",)),
    Case("NotAction in an Allow covers the actions not listed",
         req(), Policies((pol("no-iam", {"Effect": "Allow", "NotAction": "iam:*",
                                         "Resource": "*"}),)), "Allowed", ("identity",)),
    Case("resources match case-sensitively",
         req(), Policies((pol("read", st("Allow", "s3:GetObject", f"{BUCKET}/REPORTS/*")),)),
         "ImplicitlyDenied", ("identity",)),
    Case("a resource * may span slashes",
         req(), Policies((pol("read", st("Allow", "s3:GetObject", f"{BUCKET}/*")),)),
         "Allowed", ("identity",)),
    Case("NotResource in an Allow: every resource except those listed",
         req(), Policies((pol("not-team", {"Effect": "Allow", "Action": "s3:*",
                                           "NotResource": f"{BUCKET}/*"}),)),
         "ImplicitlyDenied", ("identity",)),
    Case("NotResource in a Deny: denies everything outside the listed resources",
         req(resource="arn:aws:s3:::elsewhere/x"),
         Policies((ADMIN, pol("only-team", {"Sid": "OnlyTeam", "Effect": "Deny", "Action": "s3:*",
                                            "NotResource": [BUCKET, f"{BUCKET}/*"]}))),
         "ExplicitlyDenied", ("identity",)),
    Case("policy variable in Resource: ${aws:PrincipalAccount}",
         req(action="iam:GetRole", resource=f"arn:aws:iam::{ACCOUNT}:role/Dev"),
         Policies((pol("own", st("Allow", "iam:GetRole",
                                 "arn:aws:iam::${aws:PrincipalAccount}:role/*")),)),
         "Allowed", ("identity",)),
    Case("policy variable in Resource without a value: the statement matches nothing",
         req(resource=f"{BUCKET}/home/alice/x"),
         Policies((pol("home", st("Allow", "s3:GetObject", HOME)),)),
         "ImplicitlyDenied", ("identity",)),
    Case("policy variable in Resource with its key in the request",
         req(principal=USER, resource=f"{BUCKET}/home/bob/x", context={"aws:username": "bob"}),
         Policies((pol("home", st("Allow", "s3:GetObject", HOME)),)),
         "Allowed", ("identity",)),
    Case("identity policies are a union: the second policy's Allow is enough",
         req(), Policies((EC2_ONLY, pol("s3", st("Allow", "s3:*")))),
         "Allowed", ("identity",)),
    Case("a Deny whose condition is not met does not apply",
         req(context={"aws:SecureTransport": True}),
         Policies((ADMIN, pol("tls", st("Deny", Condition={"Bool": {"aws:SecureTransport":
                                                                   "false"}})))),
         "Allowed", ("identity",)),
    Case("a Deny whose condition is met denies",
         req(context={"aws:SecureTransport": False}),
         Policies((ADMIN, pol("tls", st("Deny", Condition={"Bool": {"aws:SecureTransport":
                                                                   "false"}})))),
         "ExplicitlyDenied", ("identity",)),
    # --- permissions boundaries ---
    Case("boundary: identity and boundary both allow",
         req(), Policies((ADMIN,), boundary=S3_ONLY), "Allowed", ("identity", "boundary")),
    Case("boundary: identity allows, the boundary does not: implicit deny",
         req(action="ec2:RunInstances", resource="*"), Policies((ADMIN,), boundary=S3_ONLY),
         "ImplicitlyDenied", ("boundary",)),
    Case("boundary grants nothing by itself",
         req(), Policies((), boundary=S3_ONLY), "ImplicitlyDenied", ("identity",)),
    Case("an explicit Deny in the boundary denies",
         req(), Policies((ADMIN,), boundary=pol("bounded", st("Allow"), st("Deny", "s3:*"))),
         "ExplicitlyDenied", ("boundary",)),
    Case("boundary: a same-account resource policy naming the IAM user is not limited by it",
         req(principal=USER), Policies((), boundary=EC2_ONLY,
                                       resource=res("bucket", st("Allow", "s3:GetObject", OBJECT,
                                                                 Principal={"AWS": USER}))),
         "Allowed", ("resource",)),
    Case("boundary: a resource policy naming the role ARN is still limited by the boundary",
         req(), Policies((), boundary=EC2_ONLY,
                         resource=res("bucket", st("Allow", "s3:GetObject", OBJECT,
                                                   Principal={"AWS": ROLE}))),
         "ImplicitlyDenied", ("identity", "boundary")),
    Case("boundary: naming the role ARN works when the boundary allows",
         req(), Policies((), boundary=S3_ONLY,
                         resource=res("bucket", st("Allow", "s3:GetObject", OBJECT,
                                                   Principal={"AWS": ROLE}))),
         "Allowed", ("resource", "boundary")),
    Case("boundary: a resource policy naming the role session ARN is not limited by it",
         req(), Policies((), boundary=EC2_ONLY,
                         resource=res("bucket", st("Allow", "s3:GetObject", OBJECT,
                                                   Principal={"AWS": SESSION}))),
         "Allowed", ("resource",)),
    Case("boundary: across accounts it limits the identity side",
         req(), Policies((ADMIN,), boundary=EC2_ONLY,
                         resource=res("bucket", st("Allow", "s3:GetObject", OBJECT,
                                                   Principal={"AWS": ROLE}), account=OTHER)),
         "ImplicitlyDenied", ("boundary",)),
    # --- session policies ---
    Case("session policy: identity and session policy both allow",
         req(), Policies((ADMIN,), session=(S3_ONLY,)), "Allowed", ("identity", "session")),
    Case("session policy: it does not allow, so the session may not",
         req(action="ec2:RunInstances", resource="*"), Policies((ADMIN,), session=(S3_ONLY,)),
         "ImplicitlyDenied", ("session",)),
    Case("session policy: an explicit Deny in it denies",
         req(), Policies((ADMIN,), session=(DENY_S3,)), "ExplicitlyDenied", ("session",)),
    Case("session policies (inline and managed) together: either may allow",
         req(), Policies((ADMIN,), session=(EC2_ONLY, S3_ONLY)),
         "Allowed", ("identity", "session")),
    Case("session policy cannot grant more than the identity policies",
         req(), Policies((EC2_ONLY,), session=(S3_ONLY,)),
         "ImplicitlyDenied", ("identity",)),
    Case("session policy: a resource policy naming the role ARN is limited by it",
         req(), Policies((), session=(EC2_ONLY,),
                         resource=res("bucket", st("Allow", "s3:GetObject", OBJECT,
                                                   Principal={"AWS": ROLE}))),
         "ImplicitlyDenied", ("identity", "session")),
    Case("session policy: a resource policy naming the session ARN is not limited by it",
         req(), Policies((), session=(EC2_ONLY,),
                         resource=res("bucket", st("Allow", "s3:GetObject", OBJECT,
                                                   Principal={"AWS": SESSION}))),
         "Allowed", ("resource",)),
    # --- resource-based policies, same account ---
    Case("same account: a resource policy naming the role is enough without identity policy",
         req(), Policies((), resource=res("bucket", st("Allow", "s3:GetObject", OBJECT,
                                                       Principal={"AWS": ROLE}))),
         "Allowed", ("resource",)),
    Case("same account: a resource policy naming the IAM user is enough",
         req(principal=USER), Policies((), resource=res("bucket", st(
             "Allow", "s3:GetObject", OBJECT, Principal={"AWS": USER}))),
         "Allowed", ("resource",)),
    Case("same account: naming only the account delegates to identity policies",
         req(), Policies((), resource=res("bucket", st("Allow", "s3:GetObject", OBJECT,
                                                       Principal={"AWS": ACCOUNT}))),
         "ImplicitlyDenied", ("identity",)),
    Case("same account: account principal plus an identity Allow",
         req(), Policies((ADMIN,), resource=res("bucket", st("Allow", "s3:GetObject", OBJECT,
                                                             Principal={"AWS": ROOT}))),
         "Allowed", ("identity",)),
    Case("same account: an identity Allow is enough without the resource policy",
         req(), Policies((ADMIN,), resource=res("bucket", st("Allow", "s3:GetObject", OBJECT,
                                                             Principal={"AWS": USER}))),
         "Allowed", ("identity",)),
    Case("resource policy Deny for everyone (*) wins over the identity Allow",
         req(), Policies((ADMIN,), resource=res("bucket", st("Deny", "s3:*", [BUCKET,
                                                f"{BUCKET}/*"], Sid="Lock", Principal="*"))),
         "ExplicitlyDenied", ("resource",)),
    Case("bucket policy denying requests without TLS: aws:SecureTransport false",
         req(context={"aws:SecureTransport": False}),
         Policies((ADMIN,), resource=res("bucket", st("Deny", "s3:*", f"{BUCKET}/*",
             Principal="*", Condition={"Bool": {"aws:SecureTransport": "false"}}))),
         "ExplicitlyDenied", ("resource",)),
    Case("bucket policy denying requests without TLS: a TLS request passes",
         req(context={"aws:SecureTransport": True}),
         Policies((ADMIN,), resource=res("bucket", st("Deny", "s3:*", f"{BUCKET}/*",
             Principal="*", Condition={"Bool": {"aws:SecureTransport": "false"}}))),
         "Allowed", ("identity",)),
    Case("a resource statement naming someone else does not apply to the caller",
         req(), Policies((), resource=res("bucket", st("Allow", "s3:GetObject", OBJECT,
                                                       Principal={"AWS": USER}))),
         "ImplicitlyDenied", ("identity", "resource")),
    Case("same account: Principal * allows an IAM user without identity policy",
         req(principal=USER), Policies((), resource=res("bucket", st(
             "Allow", "s3:GetObject", OBJECT, Principal="*"))),
         "Allowed", ("resource",)),
    Case("NotPrincipal with Deny: everyone not listed is denied",
         req(), Policies((ADMIN,), resource=res("bucket", st(
             "Deny", "s3:*", f"{BUCKET}/*", Sid="OnlyAdmins",
             NotPrincipal={"AWS": [f"arn:aws:iam::{ACCOUNT}:role/Admin", ROOT]}))),
         "ExplicitlyDenied", ("resource",)),
    Case("NotPrincipal with Deny: a user listed with its account is not denied",
         req(principal=USER), Policies((ADMIN,), resource=res("bucket", st(
             "Deny", "s3:*", f"{BUCKET}/*", NotPrincipal={"AWS": [USER, ROOT]}))),
         "Allowed", ("identity",)),
    Case("NotPrincipal with Deny: a user listed without its account's ARN is still denied",
         req(principal=USER), Policies((ADMIN,), resource=res("bucket", st(
             "Deny", "s3:*", f"{BUCKET}/*", NotPrincipal={"AWS": USER}))),
         "ExplicitlyDenied", ("resource",)),
    Case("NotPrincipal with Deny: a session is spared only with its session, role and account",
         req(), Policies((ADMIN,), resource=res("bucket", st(
             "Deny", "s3:*", f"{BUCKET}/*", NotPrincipal={"AWS": [SESSION, ROLE, ACCOUNT]}))),
         "Allowed", ("identity",)),
    Case("a resource statement for another resource does not apply",
         req(), Policies((), resource=res("bucket", st("Allow", "s3:GetObject",
                                                       f"{BUCKET}/public/*", Principal="*"))),
         "ImplicitlyDenied", ("identity", "resource")),
    Case("a role ARN in Principal matches the role's sessions, whatever the role's path",
         req(), Policies((), resource=res("bucket", st(
             "Allow", "s3:GetObject", OBJECT,
             Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:role/team/Dev"}))),
         "Allowed", ("resource",)),
    Case("a role ARN of the same name in another account does not match",
         req(), Policies((), resource=res("bucket", st(
             "Allow", "s3:GetObject", OBJECT,
             Principal={"AWS": f"arn:aws:iam::{OTHER}:role/Dev"}))),
         "ImplicitlyDenied", ("identity", "resource")),
    # --- Principal "*" within one account ("How AWS enforcement code logic evaluates
    # requests to allow or deny access", IAM role: boundaries and session policies do not
    # limit what a wildcard Principal, narrowed by aws:PrincipalArn or not, grants, unless
    # an explicit deny applies) ---
    Case("same account: Principal * is not limited by the role's permissions boundary",
         req(), Policies((), boundary=EC2_ONLY, resource=res("bucket", st(
             "Allow", "s3:GetObject", OBJECT, Principal="*"))),
         "Allowed", ("resource",)),
    Case("same account: Principal * narrowed by aws:PrincipalArn is not limited by the "
         "boundary nor the session policy",
         req(), Policies((), boundary=EC2_ONLY, session=(EC2_ONLY,), resource=res("bucket", st(
             "Allow", "s3:GetObject", OBJECT, Principal={"AWS": "*"},
             Condition={"ArnEquals": {"aws:PrincipalArn": ROLE}}))),
         "Allowed", ("resource",)),
    Case("same account: Principal * does not lift an explicit Deny in the identity policy",
         req(), Policies((DENY_S3,), boundary=EC2_ONLY, resource=res("bucket", st(
             "Allow", "s3:GetObject", OBJECT, Principal="*"))),
         "ExplicitlyDenied", ("identity",)),
    Case("across accounts Principal * is no exception: the boundary limits the identity side",
         req(principal=OTHER_SESSION), Policies((ADMIN,), boundary=EC2_ONLY, resource=res(
             "bucket", st("Allow", "s3:GetObject", OBJECT, Principal="*"))),
         "ImplicitlyDenied", ("boundary",)),
    # --- NotPrincipal and permissions boundaries ("Permissions boundaries for IAM
    # entities" and "AWS JSON policy elements: NotPrincipal": a Deny with NotPrincipal
    # always denies a principal that has a permissions boundary, whatever it lists) ---
    Case("NotPrincipal with Deny: a user listed with its account but bounded is denied",
         req(principal=USER), Policies((ADMIN,), boundary=S3_ONLY, resource=res("bucket", st(
             "Deny", "s3:*", f"{BUCKET}/*", NotPrincipal={"AWS": [USER, ROOT]}))),
         "ExplicitlyDenied", ("resource",)),
    Case("NotPrincipal with Deny: a session listed in full but bounded is denied",
         req(), Policies((ADMIN,), boundary=S3_ONLY, resource=res("bucket", st(
             "Deny", "s3:*", f"{BUCKET}/*", NotPrincipal={"AWS": [SESSION, ROLE, ACCOUNT]}))),
         "ExplicitlyDenied", ("resource",)),
    # --- sts:GetCallerIdentity (STS API Reference, GetCallerIdentity: no permissions are
    # required, and an explicit deny of it does not stop it) ---
    Case("sts:GetCallerIdentity is allowed under an identity policy denying everything",
         req(action="sts:GetCallerIdentity", resource="*"),
         Policies((pol("deny-all", st("Deny", Sid="Nothing")),)), "Allowed", ()),
    Case("sts:GetCallerIdentity needs no permission: an SCP's Deny does not stop it either",
         in_org(action="sts:GetCallerIdentity", resource="*"),
         Policies((), levels(ou=(FULL, pol("no-sts", st("Deny", "sts:*"))))), "Allowed", ()),
    # --- cross-account ---
    Case("cross-account: the resource policy and the identity policy both allow",
         req(principal=OTHER_SESSION), Policies((ADMIN,), resource=res("bucket", st(
             "Allow", "s3:GetObject", OBJECT, Principal={"AWS": OTHER}))),
         "Allowed", ("identity", "resource")),
    Case("cross-account: a resource Allow without the caller's identity Allow is not enough",
         req(principal=OTHER_SESSION), Policies((), resource=res("bucket", st(
             "Allow", "s3:GetObject", OBJECT,
             Principal={"AWS": f"arn:aws:iam::{OTHER}:role/Auditor"}))),
         "ImplicitlyDenied", ("identity",)),
    Case("cross-account: an identity Allow without a resource policy is not enough",
         req(action="sqs:SendMessage", resource=f"arn:aws:sqs:eu-west-1:{OTHER}:queue"),
         Policies((ADMIN,)), "ImplicitlyDenied", ("resource",)),
    Case("cross-account: a resource policy naming another principal does not allow",
         req(principal=OTHER_SESSION), Policies((ADMIN,), resource=res("bucket", st(
             "Allow", "s3:GetObject", OBJECT, Principal={"AWS": ROLE}))),
         "ImplicitlyDenied", ("resource",)),
    Case("cross-account: naming the role session ARN still needs the identity Allow",
         req(principal=OTHER_SESSION), Policies((), resource=res("bucket", st(
             "Allow", "s3:GetObject", OBJECT, Principal={"AWS": OTHER_SESSION}))),
         "ImplicitlyDenied", ("identity",)),
    Case("cross-account: aws:PrincipalOrgID lets any account of the organization in",
         req(principal=OTHER_SESSION, organization=ORG), Policies((ADMIN,), resource=res(
             "bucket", st("Allow", "s3:GetObject", OBJECT, Principal="*",
                          Condition={"StringEquals": {"aws:PrincipalOrgID": ORG}}))),
         "Allowed", ("identity", "resource")),
    Case("cross-account: aws:PrincipalOrgID keeps accounts outside the organization out",
         req(principal=OTHER_SESSION), Policies((ADMIN,), resource=res(
             "bucket", st("Allow", "s3:GetObject", OBJECT, Principal="*",
                          Condition={"StringEquals": {"aws:PrincipalOrgID": ORG}}))),
         "ImplicitlyDenied", ("resource",)),
    Case("data perimeter: a bucket policy denying callers outside the organization denies",
         req(principal=OTHER_SESSION), Policies((ADMIN,), resource=PERIMETER_BUCKET),
         "ExplicitlyDenied", ("resource",)),
    Case("data perimeter: the same bucket policy lets a caller of the organization in",
         req(principal=OTHER_SESSION, organization=ORG), Policies((ADMIN,),
                                                                  resource=PERIMETER_BUCKET),
         "Allowed", ("identity", "resource")),
    Case("data perimeter: an AWS service passes it through aws:PrincipalIsAWSService",
         req(principal="cloudtrail.amazonaws.com", action="s3:PutObject"),
         Policies(resource=PERIMETER_BUCKET), "Allowed", ("resource",)),
    Case("cross-account: the resource owner comes from the resource policy's account",
         req(), Policies((), resource=res("bucket", st("Allow", "s3:GetObject", OBJECT,
                                                       Principal={"AWS": ROLE}), account=OTHER)),
         "ImplicitlyDenied", ("identity",)),
    Case("cross-account: an explicit Deny in the resource policy wins",
         req(principal=OTHER_SESSION), Policies((ADMIN,), resource=res("bucket", st(
             "Deny", "s3:*", f"{BUCKET}/*", Principal={"AWS": OTHER}))),
         "ExplicitlyDenied", ("resource",)),
    # --- trust policies (sts:AssumeRole) ---
    Case("trust, same account: the trust policy naming the user is enough",
         req(principal=USER, action="sts:AssumeRole", resource=TARGET_ROLE),
         Policies((), resource=trust({"AWS": USER})), "Allowed", ("trust",)),
    Case("trust, same account: naming the account needs the identity Allow too",
         req(action="sts:AssumeRole", resource=TARGET_ROLE),
         Policies((ASSUME,), resource=trust({"AWS": ROOT})), "Allowed", ("identity", "trust")),
    Case("trust, same account: naming the account without an identity Allow",
         req(action="sts:AssumeRole", resource=TARGET_ROLE),
         Policies((), resource=trust({"AWS": ACCOUNT})), "ImplicitlyDenied", ("identity",)),
    Case("trust, same account: the identity Allow is not enough without the trust policy's",
         req(action="sts:AssumeRole", resource=TARGET_ROLE),
         Policies((ASSUME,), resource=trust({"AWS": USER})), "ImplicitlyDenied", ("trust",)),
    Case("trust: no trust policy given, nobody may assume the role",
         req(action="sts:AssumeRole", resource=TARGET_ROLE), Policies((ASSUME,)),
         "ImplicitlyDenied", ("trust",)),
    Case("trust, cross-account: trust names the account and identity allows sts:AssumeRole",
         req(principal=OTHER_SESSION, action="sts:AssumeRole", resource=TARGET_ROLE),
         Policies((ASSUME,), resource=trust({"AWS": f"arn:aws:iam::{OTHER}:root"})),
         "Allowed", ("identity", "trust")),
    Case("trust, cross-account: without the caller's identity Allow",
         req(principal=OTHER_SESSION, action="sts:AssumeRole", resource=TARGET_ROLE),
         Policies((), resource=trust({"AWS": f"arn:aws:iam::{OTHER}:role/Auditor"})),
         "ImplicitlyDenied", ("identity",)),
    Case("trust, cross-account: the trust policy names another account",
         req(principal=OTHER_SESSION, action="sts:AssumeRole", resource=TARGET_ROLE),
         Policies((ASSUME,), resource=trust({"AWS": MANAGEMENT})), "ImplicitlyDenied",
         ("trust",)),
    Case("trust: an explicit Deny in the trust policy",
         req(principal=USER, action="sts:AssumeRole", resource=TARGET_ROLE),
         Policies((ASSUME,), resource=res("trust", st("Allow", "sts:AssumeRole", None,
             Principal={"AWS": ACCOUNT}), st("Deny", "sts:AssumeRole", None, Sid="NoBob",
                                             Principal={"AWS": USER}))),
         "ExplicitlyDenied", ("trust",)),
    Case("trust with aws:PrincipalOrgID: a caller of the organization may assume",
         req(principal=OTHER_SESSION, action="sts:AssumeRole", resource=TARGET_ROLE,
             organization=ORG),
         Policies((ASSUME,), resource=trust("*", Condition={"StringEquals": {
             "aws:PrincipalOrgID": ORG}})), "Allowed", ("identity", "trust")),
    Case("OrganizationAccountAccessRole: the management account's root user may assume it",
         req(principal=f"arn:aws:iam::{MANAGEMENT}:root", action="sts:AssumeRole",
             resource=f"arn:aws:iam::{ACCOUNT}:role/OrganizationAccountAccessRole",
             organization=ORG, management_account=True),
         Policies((), levels(root=(DENY_S3,)), resource=trust({"AWS": MANAGEMENT})),
         "Allowed", ("trust",)),
    Case("trust: a service principal named in the trust policy may assume the role",
         req(principal="ec2.amazonaws.com", action="sts:AssumeRole", resource=TARGET_ROLE),
         Policies((), resource=trust({"Service": "ec2.amazonaws.com"})), "Allowed", ("trust",)),
    Case("trust: a service principal not named may not",
         req(principal="lambda.amazonaws.com", action="sts:AssumeRole", resource=TARGET_ROLE),
         Policies((), resource=trust({"Service": "ec2.amazonaws.com"})), "ImplicitlyDenied",
         ("trust",)),
    Case("trust, member account: SCPs apply to the caller's sts:AssumeRole",
         in_org(action="sts:AssumeRole", resource=TARGET_ROLE),
         Policies((ASSUME,), levels(ou=(FULL, pol("no-assume", st("Deny", "sts:AssumeRole")))),
                  resource=trust({"AWS": ROLE})),
         "ExplicitlyDenied", ("scp",)),
    # --- service principals and the organization trail's bucket policy ---
    Case("organization trail: CloudTrail may write with bucket-owner-full-control",
         req(principal="cloudtrail.amazonaws.com", action="s3:PutObject",
             resource=f"{BUCKET}/AWSLogs/{ORG}/x.json.gz",
             context={"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL}),
         Policies(resource=res("trail-bucket", st(
             "Allow", "s3:PutObject", [f"{BUCKET}/AWSLogs/{MANAGEMENT}/*",
                                       f"{BUCKET}/AWSLogs/{ORG}/*"],
             Principal={"Service": "cloudtrail.amazonaws.com"},
             Condition={"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                         "aws:SourceArn": TRAIL}}))),
         "Allowed", ("resource",)),
    Case("organization trail: without the ACL the bucket policy does not allow",
         req(principal="cloudtrail.amazonaws.com", action="s3:PutObject",
             resource=f"{BUCKET}/AWSLogs/{ORG}/x.json.gz", context={"aws:SourceArn": TRAIL}),
         Policies(resource=res("trail-bucket", st(
             "Allow", "s3:PutObject", f"{BUCKET}/AWSLogs/{ORG}/*",
             Principal={"Service": "cloudtrail.amazonaws.com"},
             Condition={"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}))),
         "ImplicitlyDenied", ("resource",)),
    Case("organization trail: another trail's aws:SourceArn is not allowed",
         req(principal="cloudtrail.amazonaws.com", action="s3:GetBucketAcl", resource=BUCKET,
             context={"aws:SourceArn": f"arn:aws:cloudtrail:us-east-1:{OTHER}:trail/x"}),
         Policies(resource=res("trail-bucket", st(
             "Allow", "s3:GetBucketAcl", BUCKET, Principal={"Service": "cloudtrail.amazonaws.com"},
             Condition={"StringEquals": {"aws:SourceArn": TRAIL}}))),
         "ImplicitlyDenied", ("resource",)),
    Case("organization trail: CloudTrail may read the bucket ACL",
         req(principal="cloudtrail.amazonaws.com", action="s3:GetBucketAcl", resource=BUCKET,
             context={"aws:SourceArn": TRAIL}),
         Policies(resource=res("trail-bucket", st(
             "Allow", "s3:GetBucketAcl", BUCKET, Principal={"Service": "cloudtrail.amazonaws.com"},
             Condition={"StringEquals": {"aws:SourceArn": TRAIL}}))),
         "Allowed", ("resource",)),
    Case("a service principal without a resource policy is not allowed",
         req(principal="cloudtrail.amazonaws.com", action="s3:PutObject"), Policies(),
         "ImplicitlyDenied", ("resource",)),
    Case("a service principal is not matched by an AWS principal wildcard",
         req(principal="cloudtrail.amazonaws.com", action="s3:PutObject"),
         Policies(resource=res("bucket", st("Allow", "s3:PutObject", OBJECT,
                                            Principal={"AWS": "*"}))),
         "ImplicitlyDenied", ("resource",)),
    Case("SCPs do not apply to service principals",
         req(principal="config.amazonaws.com", action="s3:PutObject", organization=ORG),
         Policies(scps=levels(root=(DENY_S3,)), resource=res("bucket", st(
             "Allow", "s3:PutObject", OBJECT, Principal={"Service": "config.amazonaws.com"}))),
         "Allowed", ("resource",)),
]
# fmt: on


def assert_decided(case: Case) -> None:
    """The evaluator's decision, deciding layers and (if the case names one) level."""
    decision = evaluate(case.request, case.policies)
    kinds = tuple(cause.kind for cause in decision.deciding)
    assert (decision.decision, kinds) == (case.decision, case.deciding), decision.text()
    if case.level:
        assert [c.level for c in decision.deciding if c.level][0] == case.level


@pytest.mark.parametrize("case", CASES, ids=[case.rule for case in CASES])
def test_layers(case: Case) -> None:
    assert_decided(case)


def test_the_table_has_every_outcome_and_unique_rules() -> None:
    assert {case.decision for case in CASES} == {"Allowed", "ImplicitlyDenied",
                                                 "ExplicitlyDenied"}  # fmt: skip
    assert len({case.rule for case in CASES}) == len(CASES)
