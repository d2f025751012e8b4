"""Exercise: predict the decision. Six requests, each with the policies in force (SCPs,
RCPs, identity policies, a permissions boundary, a resource-based policy); the learner
predicts Allowed, ImplicitlyDenied or ExplicitlyDenied and the layer that decides, then
`check()` asks the kit's policy evaluator, which explains each decision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from helpers.exercises.framework import (
    Definition,
    Outcome,
    Values,
    correct,
    incorrect,
    not_attempted,
)
from helpers.kit import Kit
from helpers.policy import (
    Decision,
    Policies,
    Policy,
    Request,
    ResourceControlPolicy,
    ResourcePolicy,
    ScpLevel,
    evaluate,
)
from helpers.scp_documents import content, data_perimeter_rcp, region_policy

ORG = "o-acme123456"
DEV, PROD, PARTNER = "210987654321", "345678901234", "999988887777"
REGION = "eu-central-1"
VERDICTS = ("Allowed", "ImplicitlyDenied", "ExplicitlyDenied")
LAYERS = {
    "rcp": "the RCPs",
    "scp": "the SCPs",
    "identity": "the identity policies",
    "boundary": "the permissions boundary",
    "session": "the session policies",
    "resource": "the resource-based policy",
    "trust": "the trust policy",
}


def _allow(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def _policy(name: str, *statements: dict) -> Policy:
    return Policy(name, {"Version": "2012-10-17", "Statement": list(statements)})


def _bucket(name: str, account: str, *statements: dict) -> ResourcePolicy:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return ResourcePolicy(f"bucket policy of {name}", document, account)


FULL = _policy("FullAWSAccess", _allow("*"))
RCP_FULL = ResourceControlPolicy(
    "RCPFullAWSAccess", {"Version": "2012-10-17", "Statement": [_allow("*", Principal="*")]}
)
REGIONS = Policy("org-allowed-regions", region_policy([REGION, "eu-west-1"]))
PERIMETER = ResourceControlPolicy("org-data-perimeter", data_perimeter_rcp(ORG))
ADMIN = _policy("AdministratorAccess", _allow("*"))


def _path(account: str, name: str, ou: tuple[Policy, ...], full: Policy) -> tuple[ScpLevel, ...]:
    return (
        ScpLevel("root", "r-acme", (full,)),
        ScpLevel("ou", "ou-acme-workload", ou, "Workloads"),
        ScpLevel("account", account, (full,), name),
    )


SCPS = _path(DEV, "dev", (FULL, REGIONS), FULL)
PROD_RCPS = (
    ScpLevel("root", "r-acme", (RCP_FULL, PERIMETER)),
    ScpLevel("ou", "ou-acme-workload", (RCP_FULL,), "Workloads"),
    ScpLevel("account", PROD, (RCP_FULL,), "prod"),
)
EXPORTS = "arn:aws:s3:::acme-prod-exports"
EXPORTS_READERS = _bucket(
    "acme-prod-exports",
    PROD,
    _allow(
        "s3:GetObject",
        f"{EXPORTS}/anonymised/*",
        Sid="ReadersOfTheExports",
        Principal={"AWS": [f"arn:aws:iam::{DEV}:role/report-builder", PARTNER]},
    ),
)


@dataclass(frozen=True)
class Case:
    """One request to predict, told as a story, and the policies in force for it."""

    story: str
    request: Request
    policies: Policies

    def decision(self) -> Decision:
        return evaluate(self.request, self.policies)

    def __str__(self) -> str:
        r, p = self.request, self.policies
        lines = [
            self.story,
            f"  who:      {r.principal}"
            + (" (in the organization)" if r.organization else " (outside the organization)"),
            f"  calls:    {r.action} on {r.resource} in {r.region}",
            f"  SCPs:     {_levels(p.scps) or 'none in force for this caller'}",
            f"  RCPs:     {_levels(p.rcps) or 'none in force for this resource'}",
        ]
        lines += [f"  identity policy {x.name}: {content(x.document)}" for x in p.identity]
        if p.boundary:
            lines.append(
                f"  permissions boundary {p.boundary.name}: {content(p.boundary.document)}"
            )
        if p.resource:
            lines.append(f"  {p.resource.name}: {content(p.resource.document)}")
        else:
            lines.append("  resource-based policy: none")
        return "\n".join(lines)

    __repr__ = __str__


def organization_policies() -> str:
    """The SCPs and RCPs the cases name, each document once."""
    return "\n".join(
        f"{x.name}: {content(x.document)}" for x in (FULL, REGIONS, RCP_FULL, PERIMETER)
    )


def _levels(levels: tuple[ScpLevel, ...]) -> str:
    return " | ".join(f"{lvl.label}: {', '.join(x.name for x in lvl.policies)}" for lvl in levels)


def _session(account: str, role: str, name: str) -> str:
    return f"arn:aws:sts::{account}:assumed-role/{role}/{name}"


CASES = (
    Case(
        "1 · Alice, a developer in dev, creates a bucket in us-west-2.",
        Request(_session(DEV, "AWSReservedSSO_Developer_0a1b2c", "alice"), "s3:CreateBucket",
                "arn:aws:s3:::alice-scratch", "us-west-2", organization=ORG),
        Policies((ADMIN,), SCPS),
    ),
    Case(
        "2 · The CI role in dev reads an anonymised export in prod's bucket.",
        Request(_session(DEV, "ci-deployer", "build-42"), "s3:GetObject",
                f"{EXPORTS}/anonymised/2026-11.csv", REGION, organization=ORG),
        Policies((_policy("ci-deployer", _allow("ecr:*"),
                          _allow("s3:PutObject", "arn:aws:s3:::acme-dev-artifacts/*")),),
                 SCPS, resource=_bucket("acme-prod-exports", PROD, _allow(
                     "s3:GetObject", f"{EXPORTS}/anonymised/*", Sid="CiReads",
                     Principal={"AWS": f"arn:aws:iam::{DEV}:role/ci-deployer"}))),
    ),
    Case(
        "3 · The app-builder role in dev, admin but bounded, creates an IAM role.",
        Request(_session(DEV, "app-builder", "ci"), "iam:CreateRole",
                f"arn:aws:iam::{DEV}:role/new-service", REGION, organization=ORG),
        Policies((ADMIN,), SCPS,
                 boundary=_policy("builders-boundary", _allow(["s3:*", "lambda:*"]))),
    ),
    Case(
        "4 · An auditor at a partner company (outside the organization) reads prod's export;"
        " prod's bucket policy names the partner's account.",
        Request(_session(PARTNER, "auditor", "carol"), "s3:GetObject",
                f"{EXPORTS}/anonymised/2026-11.csv", REGION, resource_organization=ORG),
        Policies((_policy("auditor", _allow("s3:GetObject")),), resource=EXPORTS_READERS,
                 rcps=PROD_RCPS),
    ),
    Case(
        "5 · The report-builder role in dev reads the same export.",
        Request(_session(DEV, "report-builder", "nightly"), "s3:GetObject",
                f"{EXPORTS}/anonymised/2026-11.csv", REGION, organization=ORG,
                resource_organization=ORG),
        Policies((_policy("report-builder", _allow("s3:GetObject", f"{EXPORTS}/*")),), SCPS,
                 resource=EXPORTS_READERS, rcps=PROD_RCPS),
    ),
    Case(
        "6 · The report-builder role in dev sends a message to a queue in prod that has no"
        " queue policy.",
        Request(_session(DEV, "report-builder", "nightly"), "sqs:SendMessage",
                f"arn:aws:sqs:{REGION}:{PROD}:report-ready", REGION, organization=ORG,
                resource_organization=ORG),
        Policies((_policy("report-builder", _allow("sqs:SendMessage")),), SCPS),
    ),
)  # fmt: skip
ANSWERS = tuple(f"case_{n}" for n in range(1, len(CASES) + 1))


def expected(case: Case) -> tuple[str, str | None]:
    """The (decision, deciding layer) the evaluator gives; no layer for an Allowed."""
    decision = case.decision()
    return decision.decision, None if decision.allowed else decision.deciding[0].kind


def setup(kit: Kit) -> dict[str, Any]:
    """Nothing to build: the cases are on paper, and the evaluator answers them."""
    return {}


def check(kit: Kit, facts: dict[str, Any], values: Values) -> Outcome:
    if values.all_blank():
        return not_attempted(
            "predict each case first: case_n = (decision, layer), such as "
            '("ImplicitlyDenied", "trust"), and the layer None for an allowed request'
        )
    for name, case in zip(ANSWERS, CASES, strict=True):
        if values.blank(name):
            return incorrect(f"{name} has no prediction yet")
        guess = values[name]
        if not (isinstance(guess, tuple | list) and len(guess) == 2 and guess[0] in VERDICTS):
            return incorrect(
                f"{name} is {guess!r}: write (decision, layer), the decision one of "
                f"{', '.join(VERDICTS)}"
            )
        verdict, layer = guess
        if layer is not None and layer not in LAYERS:
            return incorrect(f"{name}: the layer is one of {', '.join(LAYERS)}, or None")
        decision = case.decision()
        actual, deciding = expected(case)
        why = decision.reasons()[-1 if decision.allowed else 0]
        if verdict != actual:
            return incorrect(f"{name}: you predicted {verdict}, the evaluator says {actual}: {why}")
        if layer != deciding:
            said = "no single layer (write None)" if deciding is None else LAYERS[deciding]
            return incorrect(
                f"{name}: {actual} is right, but the layer that decides is {said}, not "
                f"{LAYERS.get(layer, layer)}: {why}"
            )
    return correct(f"all {len(CASES)} decisions and their deciding layers predicted")


def explain(number: int) -> Decision:
    """The evaluator's decision on case `number`, layer by layer (display it)."""
    return CASES[number - 1].decision()


EXERCISE = Definition(
    name="predict_the_decision",
    title="Predict the decision",
    teaches=("04_access_between_accounts", "06_guardrails", "the evaluator: helpers.policy"),
    minutes=20,
    answers=ANSWERS,
    setup=setup,
    check=check,
    hints=(
        "Start with explicit Denies: one in any layer (SCP, RCP, identity policy, boundary, "
        "resource policy) decides at once. Then the layers that must allow: every SCP level on "
        "the caller's path, every RCP level on the resource's, the identity policy and its "
        "boundary, and, across accounts, the resource policy too.",
        "SCPs limit principals of member accounts; RCPs limit what anyone may do to the "
        "resources of member accounts, principals outside the organization included. The "
        "region SCP exempts global services such as IAM, not S3. A boundary caps the "
        "identity policy; across accounts both sides must allow.",
        "Two are ExplicitlyDenied (an SCP, an RCP), three ImplicitlyDenied (the identity "
        "policy, the boundary, the missing queue policy), one Allowed. Write each as "
        "('ImplicitlyDenied', 'boundary'), and ('Allowed', None).",
    ),
)
