"""The proof's rows: what the desired state means the guardrails to do (`Intent`), and the
representative requests (`Probe`) it implies, each with the outcome the config means.

A guarded probe (the kit's own steps in the home region, a global service) must be allowed
in every member account: the proof refuses to attach policies that deny one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from helpers.policy import GLOBAL_SERVICES
from helpers.scp_documents import ACCESS_ROLE, STACKSETS_ROLE

PERSON_ROLE = "AWSReservedSSO_AdministratorAccess_0123456789abcdef"
STACKSETS_EXEC = STACKSETS_ROLE.replace("*", "0123456789abcdef")
DENIED_CANDIDATES = ("us-east-1", "us-west-2", "ap-southeast-2", "sa-east-1")
GLOBAL_CALLS = {  # a representative call for the global services the matrix shows
    "iam": "iam:ListRoles",
    "sts": "sts:AssumeRole",
    "organizations": "organizations:DescribeOrganization",
    "route53": "route53:ListHostedZones",
    "cloudfront": "cloudfront:ListDistributions",
    "support": "support:DescribeCases",
}


@dataclass(frozen=True)
class Intent:
    """What the desired state means the guardrails to do."""

    partition: str
    home_region: str
    allowed_regions: tuple[str, ...]
    region_allow_list: bool
    break_glass_role: str | None
    deny_iam_users: bool
    deny_leave_organization: bool
    trail_bucket: str | None
    baseline_roles: tuple[str, ...]
    denies_services: frozenset[str] = frozenset()

    @property
    def denied_region(self) -> str:
        """A region the allow-list denies (us-east-1 if it is not allowed: global services
        are served there, regional ones are not)."""
        return next(r for r in DENIED_CANDIDATES if r not in self.allowed_regions)

    @property
    def other_region(self) -> str | None:
        return next((r for r in self.allowed_regions if r != self.home_region), None)


Guard = str | None  # "kit" or "global": a denial there refuses the attach


@dataclass(frozen=True)
class Probe:
    """Representative requests (one or more actions on one resource): who, where, and the
    outcome the config means."""

    label: str
    actions: tuple[str, ...]
    region: str
    expected: bool  # allowed?
    role: str | None  # the role the caller acts through; None: the account's root user
    resource: Callable[[str], str] = lambda account: "*"
    guard: Guard = None
    shown: bool = True

    def principal(self, partition: str, account: str) -> str:
        if self.role is None:
            return f"arn:{partition}:iam::{account}:root"
        return f"arn:{partition}:sts::{account}:assumed-role/{self.role}/proof"


KIT_CALLS = {  # what the kit's steps do in member accounts, by what they act on
    "path role": (
        "iam:GetRole",
        "iam:CreateRole",
        "iam:PutRolePolicy",
        "iam:UpdateAssumeRolePolicy",
    ),
    "path use": ("sts:AssumeRole",),
    "path bucket": (
        "s3:CreateBucket",
        "s3:PutBucketPolicy",
        "s3:PutObject",
        "s3:ListBucket",
        "s3:GetObject",
    ),
    "path queue": (
        "sqs:CreateQueue",
        "sqs:SetQueueAttributes",
        "sqs:GetQueueUrl",
        "sqs:SendMessage",
    ),
    "trail bucket": (
        "s3:CreateBucket",
        "s3:PutBucketPolicy",
        "s3:PutBucketVersioning",
        "s3:PutEncryptionConfiguration",
        "s3:PutBucketPublicAccessBlock",
        "s3:PutLifecycleConfiguration",
    ),
    "trail": ("cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"),
    "baseline stack": ("cloudformation:CreateStack", "cloudformation:UpdateStack"),
    "baseline role": ("iam:CreateRole", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy"),
    "access role": (
        "iam:GetRole",
        "iam:CreateRole",
        "iam:UpdateAssumeRolePolicy",
        "iam:AttachRolePolicy",
    ),
    "retired user": (
        "iam:ListAccessKeys",
        "iam:DeleteAccessKey",
        "iam:GetLoginProfile",
        "iam:DeleteLoginProfile",
    ),
}


def probes(intent: Intent) -> list[Probe]:
    """The matrix's rows, from the desired state."""
    p, home, denied = intent.partition, intent.home_region, intent.denied_region
    trail_bucket = f"arn:{p}:s3:::{intent.trail_bucket or 'a-bucket'}"
    audit = intent.baseline_roles[0] if intent.baseline_roles else "a-role"

    def arn(kind: str, name: str) -> Callable[[str], str]:
        return lambda account: f"arn:{p}:iam::{account}:{kind}/{name}"

    def kit(label: str, calls: str, resource: Callable[[str], str], role=ACCESS_ROLE) -> Probe:
        return Probe(label, KIT_CALLS[calls], home, True, role, resource, guard="kit")

    def person(label: str, action: str, region: str, expected: bool, **more) -> Probe:
        return Probe(f"a person: {label}", (action,), region, expected, PERSON_ROLE, **more)

    rows = [
        kit("kit: a path's role (04)", "path role", arn("role", "kit-path/a-path")),
        kit("kit: use a path's role (04)", "path use", arn("role", "kit-path/a-path")),
        kit("kit: a path's bucket (04)", "path bucket", lambda a: f"arn:{p}:s3:::a-path-bucket"),
        kit("kit: a path's queue (04)", "path queue", lambda a: f"arn:{p}:sqs:{home}:{a}:a-queue"),
        kit("kit: the trail's bucket (05)", "trail bucket", lambda a: trail_bucket),
        kit(
            "kit: the trail, as a member sees it (05)",
            "trail",
            lambda a: f"arn:{p}:cloudtrail:{home}:{a}:trail/org-trail",
        ),
        kit(
            "StackSets: the baseline stack (04)",
            "baseline stack",
            lambda a: f"arn:{p}:cloudformation:{home}:{a}:stack/StackSet-baseline/*",
            STACKSETS_EXEC,
        ),
        kit(
            "StackSets: the baseline role (04)", "baseline role", arn("role", audit), STACKSETS_EXEC
        ),
        kit("kit: retire an old IAM user's keys (03)", "retired user", arn("user", "old-user")),
        kit(
            "an invited account's root user: its access role (02)",
            "access role",
            arn("role", ACCESS_ROLE),
            None,
        ),
        person("launch an instance, home region", "ec2:RunInstances", home, True),
    ]
    if intent.other_region:
        rows.append(
            person(
                f"launch an instance, {intent.other_region}",
                "ec2:RunInstances",
                intent.other_region,
                True,
            )
        )
    rows.append(
        person(
            f"launch an instance, {denied}",
            "ec2:RunInstances",
            denied,
            not intent.region_allow_list,
        )
    )
    if intent.break_glass_role:
        rows.append(
            Probe(
                f"the break-glass role: launch an instance, {denied}",
                ("ec2:RunInstances",),
                denied,
                True,
                intent.break_glass_role,
            )
        )
    for service in sorted(GLOBAL_SERVICES | {"sts"}):
        rows.append(
            person(
                f"{service} (global), called from {denied}",
                GLOBAL_CALLS.get(service, f"{service}:List"),
                denied,
                service not in intent.denies_services,
                guard="global",
                shown=service in GLOBAL_CALLS,
            )
        )
    rows += [
        person(
            "create an IAM user",
            "iam:CreateUser",
            home,
            not intent.deny_iam_users,
            resource=arn("user", "bob"),
        ),
        person(
            "create an access key",
            "iam:CreateAccessKey",
            home,
            not intent.deny_iam_users,
            resource=arn("user", "bob"),
        ),
        person(
            "leave the organization",
            "organizations:LeaveOrganization",
            home,
            not intent.deny_leave_organization,
        ),
    ]
    if intent.trail_bucket:
        rows.append(
            person(
                "change the trail bucket's policy",
                "s3:PutBucketPolicy",
                home,
                False,
                resource=lambda a: trail_bucket,
            )
        )
    if intent.baseline_roles:
        rows.append(
            person(
                f"change the baseline role {audit}",
                "iam:AttachRolePolicy",
                home,
                False,
                resource=arn("role", audit),
            )
        )
    return rows
