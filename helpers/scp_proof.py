"""The proof before attaching SCPs: representative requests through the policy evaluator, for
every member account the guardrails reach and for the management account, with no AWS call.

Each request has the outcome the desired state means (a call in a denied region is denied,
a global service is not, the kit's own steps work in the home region, ...). The proof
refuses when the policies would deny the kit's own steps in the home region, or deny a
global service that the config does not mean to deny: everyone in the member accounts
would be locked out of it, and only the management account could repair it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from helpers.policy import (
    GLOBAL_SERVICES,
    Decision,
    Policies,
    Policy,
    Request,
    ResourcePolicy,
    ScpLevel,
    evaluate,
)
from helpers.scp_documents import ACCESS_ROLE, STACKSETS_ROLE
from helpers.tables import Table

ADMIN = Policy(
    "AdministratorAccess", {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}
)
PERSON_ROLE = "AWSReservedSSO_AdministratorAccess_0123456789abcdef"
STACKSETS_EXEC = STACKSETS_ROLE.replace("*", "0123456789abcdef")
PLANNED_ID = "000000000000"  # stands for an account that does not exist yet
PLANNED_ORG = "o-planned"
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
class Reach:
    """A member account and the SCPs that will be in force on its path, root first."""

    name: str
    account_id: str | None
    ou: str
    levels: tuple[ScpLevel, ...]


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


MANAGEMENT = "management account"


def _trust(action: str, account: str) -> ResourcePolicy | None:
    """For sts:AssumeRole, a trust policy that lets the caller's account in: the proof asks
    what the SCPs decide, not whether some role trusts the caller."""
    if not action.startswith("sts:AssumeRole"):
        return None
    statement = {"Effect": "Allow", "Principal": {"AWS": account}, "Action": action}
    return ResourcePolicy("a trust policy naming the caller", {"Statement": statement}, account)


@dataclass
class Proof:
    """The evaluator's decision for every probe in every account, and what it refuses."""

    intent: Intent
    reaches: list[Reach]
    rows: list[Probe]
    cells: dict[tuple[int, str], Decision] = field(default_factory=dict)

    def problems(self) -> list[str]:
        """Why attaching would be unsafe: one line per guarded probe denied in an account."""
        found = []
        for index, probe in enumerate(self.rows):
            if probe.guard is None or not probe.expected:
                continue
            for reach in self.reaches:
                decision = self.cells[(index, reach.name)]
                if decision.allowed:
                    continue
                what = (
                    "the kit's own steps must work in the home region"
                    if probe.guard == "kit"
                    else "it would lock everyone in the account out of a global service the "
                    "config does not mean to deny (list it in denies_services if it does)"
                )
                found.append(
                    f"{probe.label} ({decision.request.action}) is {decision.decision} in account "
                    f"{reach.name}, but {what}: {'; '.join(decision.reasons())}"
                )
        return found

    @property
    def safe(self) -> bool:
        return not self.problems()

    def mismatches(self) -> list[str]:
        """Requests whose outcome differs from what the config means (a custom SCP may)."""
        return [
            f"{probe.label} in account {name}"
            for index, probe in enumerate(self.rows)
            for name in [*(r.name for r in self.reaches), MANAGEMENT]
            if self.cells[(index, name)].allowed != (probe.expected or name == MANAGEMENT)
        ]

    def table(self) -> Table:
        """The matrix: one row per shown probe, one column per member account, and the
        management account, where SCPs never apply."""
        columns = ["request", "action", "region", "expected"]
        columns += [f"{r.name} ({r.ou})" for r in self.reaches]
        columns.append(f"{MANAGEMENT} (SCPs never apply)")
        rows = []
        for index, probe in enumerate(self.rows):
            if probe.shown:
                cells = [self.cells[(index, r.name)] for r in self.reaches]
                cells = [_cell(decision, probe.expected) for decision in cells]
                management = _cell(self.cells[(index, MANAGEMENT)], True)
                rows.append(
                    [
                        probe.label,
                        ", ".join(probe.actions),
                        probe.region,
                        _word(probe.expected),
                        *cells,
                        management,
                    ]
                )
        return Table(columns, rows)


def _word(allowed: bool) -> str:
    return "allowed" if allowed else "denied"


def _cell(decision: Decision, expected: bool) -> str:
    text = _word(decision.allowed)
    scp = next((c for c in decision.deciding if c.kind == "scp" and c.effect == "Deny"), None)
    if scp is not None:
        text += f" by {scp.policy}"
    return text if decision.allowed == expected else f"{text} (NOT AS EXPECTED)"


_VERSION = re.compile(r'"Version": "[0-9-]+"')
# A digit where an account id's digit could line up with it: after a colon (an ARN's account
# field), a wildcard, the start of a value, or where JSON puts a number.
_ACCOUNT_DIGIT = re.compile(r'(?:^|[\s:*?"\[,{])[0-9]')


def account_blind(policy: Policy) -> bool:
    """Whether a policy decides alike for every account. Account ids differ only in their
    digits, always between colons in an ARN or alone as a value, and a wildcard matches any
    digit: a policy without variables and without a digit that could line up with an
    account's (the 3 of s3, the 1 of eu-west-1 cannot) cannot tell two accounts apart."""
    text = _VERSION.sub("", json.dumps(policy.document))
    return "${" not in text and _ACCOUNT_DIGIT.search(text) is None


def _alike(reaches: Sequence[Reach]) -> list[list[Reach]]:
    """The reaches in groups whose SCPs are the same, level by level, and account-blind:
    the evaluator decides alike for every account of a group."""
    groups: dict[object, list[Reach]] = {}
    for index, reach in enumerate(reaches):
        policies = [p for level in reach.levels for p in level.policies]
        key: object = index  # an account of its own
        if all(account_blind(p) for p in policies):
            key = tuple(
                tuple(json.dumps(p.document, sort_keys=True) for p in level.policies)
                for level in reach.levels
            )
        groups.setdefault(key, []).append(reach)
    return list(groups.values())


def _decide(
    intent: Intent, probe: Probe, account: str, levels, organization: str, management: bool
) -> Decision:
    """The probe's decision in one account: the first of its actions refused, else the first."""
    decisions = [
        evaluate(
            Request(
                probe.principal(intent.partition, account),
                action,
                probe.resource(account),
                probe.region,
                organization=organization,
                management_account=management,
                context={"aws:ResourceAccount": account},
            ),
            Policies(identity=(ADMIN,), scps=levels, resource=_trust(action, account)),
        )
        for action in probe.actions
    ]
    refused = [d for d in decisions if not d.allowed]
    return (refused or decisions)[0]


def prove(
    intent: Intent, reaches: Sequence[Reach], organization: str | None, management_id: str
) -> Proof:
    """Evaluate every probe in every reached account and in the management account, offline.

    Accounts whose SCPs are alike and account-blind are decided once, by the first of them:
    the others' cells are its decisions, unless a guarded probe is refused there, when each
    account is decided on its own (so that every problem names its own account)."""
    proof = Proof(intent, list(reaches), probes(intent))
    org = organization or PLANNED_ORG
    groups = _alike(reaches)
    for index, probe in enumerate(proof.rows):
        for group in groups:
            first = group[0]
            decision = _decide(
                intent, probe, first.account_id or PLANNED_ID, first.levels, org, False
            )
            guarded = probe.guard is not None and probe.expected and not decision.allowed
            for reach in group:
                if guarded and reach is not first:
                    account = reach.account_id or PLANNED_ID
                    decision = _decide(intent, probe, account, reach.levels, org, False)
                proof.cells[(index, reach.name)] = decision
        proof.cells[(index, MANAGEMENT)] = _decide(intent, probe, management_id, (), org, True)
    return proof
