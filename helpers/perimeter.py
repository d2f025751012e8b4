"""The data perimeter, taught: the organization as the outer edge of its resources.

A path (step 04) opens one resource to one named consumer. A perimeter says once, for many
resources, that nobody outside the organization gets in, whatever a policy grants by
mistake: a Deny on `aws:PrincipalOrgID` that spares AWS services acting as themselves. The
document is `helpers.scp_documents.data_perimeter_rcp`; here it is shown, as one statement
of a bucket policy (step 04) or as a resource control policy at the root (step 06), and
read by the kit's evaluator. Nothing is attached: the RCP is the team's to adopt, the
staged way, through `guardrails.custom`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape

from helpers import organization
from helpers.accounts import account_ids
from helpers.kit import Kit
from helpers.policy import (
    Policies,
    Policy,
    Request,
    ResourceControlPolicy,
    ResourcePolicy,
    ScpLevel,
    evaluate,
)
from helpers.scp_documents import RCP_FULL_ACCESS, data_perimeter_rcp
from helpers.tables import Table

PLANNED_ORG = "o-exampleorgid"  # stands for the organization before step 01 has made it
PLANNED_ACCOUNT, PLANNED_ROOT = "000000000000", "r-example"
OUTSIDER = "999988887777"  # an account of somebody else's organization
ANYONE = Policy("the caller's own policy: everything", {"Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"}]})  # fmt: skip
RCP_FULL = ResourceControlPolicy(RCP_FULL_ACCESS, {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]})  # fmt: skip
WAYS = ("bucket policy", "rcp")


@dataclass(frozen=True)
class Document:
    """A policy document to read: JSON in the notebook and in the report."""

    body: dict

    def __str__(self) -> str:
        return json.dumps(self.body, indent=2)

    def _repr_html_(self) -> str:
        return f"<pre>{escape(str(self))}</pre>"


def org_ids(kit: Kit) -> tuple[str, str]:
    """The organization's id and its root's, or placeholders while there is none."""
    found = organization.describe(kit.management)
    if found is None:
        return PLANNED_ORG, PLANNED_ROOT
    return found["Id"], organization.root_id(kit.management)


def rcp(org: str) -> Document:
    """The perimeter as one resource control policy, for the root of the organization."""
    return Document(data_perimeter_rcp(org))


def bucket_statement(org: str, bucket: str) -> dict:
    """The same Deny as one statement of a bucket's own policy."""
    (statement,) = data_perimeter_rcp(org)["Statement"]
    arns = [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]
    return {**statement, "Action": "s3:*", "Resource": arns}


def proof(org: str, owner: str, bucket: str, way: str, root: str = PLANNED_ROOT) -> Table:
    """What the evaluator decides for a bucket whose policy grants s3:GetObject to everyone
    by mistake, with the perimeter in force (`way`: as a statement of the bucket policy, or
    as an RCP at the root): a role of the organization gets in, a role of another
    organization does not, and CloudTrail still writes its logs."""
    if way not in WAYS:
        raise ValueError(f"way {way!r}: choose one of {', '.join(WAYS)}")
    objects = f"arn:aws:s3:::{bucket}/*"
    statements = [
        {"Sid": "AMistake", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": objects},
        {"Sid": "CloudTrailWrites", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": objects},
    ]  # fmt: skip
    levels: tuple[ScpLevel, ...] = ()
    if way == "rcp":
        perimeter = ResourceControlPolicy("org-data-perimeter", data_perimeter_rcp(org))
        levels = (ScpLevel("root", root, (RCP_FULL, perimeter)),)
    else:
        statements.append(bucket_statement(org, bucket))
    document = {"Version": "2012-10-17", "Statement": statements}
    policy = ResourcePolicy(f"bucket policy of {bucket}", document, owner)
    requests = [  # who, principal, its organization, action
        ("a role of the organization", f"arn:aws:sts::{owner}:assumed-role/app/s", org,
         "s3:GetObject"),
        ("a role of another organization", f"arn:aws:sts::{OUTSIDER}:assumed-role/app/s",
         "o-someoneelse", "s3:GetObject"),
        ("CloudTrail, as itself", "cloudtrail.amazonaws.com", None, "s3:PutObject"),
    ]  # fmt: skip
    rows = []
    for who, principal, their_org, action in requests:
        request = Request(
            principal,
            action,
            f"arn:aws:s3:::{bucket}/AWSLogs/sample.json",
            organization=their_org,
            resource_organization=org,
            context={"aws:ResourceAccount": owner},
        )
        caller = () if principal.endswith(".amazonaws.com") else (ANYONE,)
        decision = evaluate(request, Policies(caller, resource=policy, rcps=levels))
        rows.append([who, action, decision.decision, "; ".join(decision.reasons())])
    return Table(["caller", "action", "decision", "because"], rows)


def show(kit: Kit, bucket: str, owner_account: str, way: str) -> None:
    """The perimeter for this organization (`way`: "bucket policy" or "rcp") and the
    evaluator's proof on a bucket of the config; read calls only (the organization's id,
    the account's)."""
    org, root = org_ids(kit)
    owner = account_ids(kit).get(owner_account) or PLANNED_ACCOUNT
    if way == "rcp":
        kit.show("The data perimeter as an RCP, for the root", rcp(org))
    else:
        kit.show(
            "The data perimeter, as a bucket policy statement",
            Document(bucket_statement(org, bucket)),
        )
    kit.show(f"Bucket {bucket}, granted to everyone by mistake, under the perimeter ({way})",
             proof(org, owner, bucket, way, root))  # fmt: skip
