"""The data perimeter: the organization as the outer edge of its resources.

A path (step 04) opens one resource to one named consumer. A perimeter says once, for many
resources, that nobody outside the organization gets in, whatever a policy grants by
mistake: a Deny statement on `aws:PrincipalOrgID` in a resource's policy, or the same
statement as a resource control policy (RCP) that the organization attaches to its root or
OUs (step 06). AWS services acting as themselves (CloudTrail writing its logs) stay out of
it. The documents are rendered here and read by the kit's evaluator; nothing is attached.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape

from helpers import organization
from helpers.identity_center import account_ids
from helpers.kit import Kit
from helpers.policy import Policies, Policy, Request, ResourcePolicy, evaluate
from helpers.tables import Table

SID = "OnlyOurOrganization"
RCP_ACTIONS = ("s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:AssumeRole")
"""What an RCP can cover: the services that supported RCPs when they were launched."""
PLANNED_ORG = "o-exampleorgid"  # stands for the organization before step 01 has made it
OUTSIDER = "999988887777"  # an account of somebody else's organization
ANYONE = Policy("the caller's own policy: everything", {"Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"}]})  # fmt: skip


@dataclass(frozen=True)
class Document:
    """A policy document to read: JSON in the notebook and in the report."""

    body: dict

    def __str__(self) -> str:
        return json.dumps(self.body, indent=2)

    def _repr_html_(self) -> str:
        return f"<pre>{escape(str(self))}</pre>"


def statement(org_id: str, actions: list[str] | str, resources: list[str] | str = "*") -> dict:
    """Deny everyone outside organization `org_id`, except AWS services acting as themselves."""
    return {
        "Sid": SID,
        "Effect": "Deny",
        "Principal": "*",
        "Action": actions,
        "Resource": resources,
        "Condition": {
            "StringNotEqualsIfExists": {"aws:PrincipalOrgID": org_id},
            "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
        },
    }


def rcp(org_id: str) -> Document:
    """The perimeter as one resource control policy, for the root of the organization."""
    return Document({"Version": "2012-10-17", "Statement": [statement(org_id, list(RCP_ACTIONS))]})


def org_id(kit: Kit) -> str:
    """The organization's id, or a placeholder while there is none."""
    found = organization.describe(kit.management)
    return found["Id"] if found else PLANNED_ORG


def proof(org: str, owner: str, bucket: str) -> Table:
    """What the evaluator decides for a bucket whose policy grants s3:GetObject to everyone
    by mistake, once the perimeter statement is added: a role of the organization gets in,
    a role of another organization does not, and CloudTrail still writes its logs."""
    arns = [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]
    everyone = {"Sid": "AMistake", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}
    cloudtrail = {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}}
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {**everyone, "Resource": arns[1]},
            {
                **cloudtrail,
                "Sid": "CloudTrailWrites",
                "Action": "s3:PutObject",
                "Resource": arns[1],
            },
            statement(org, "s3:*", arns),
        ],
    }
    policy = ResourcePolicy(f"bucket policy of {bucket}", document, owner)
    requests = [  # who, principal, its organization, action, what the request carries
        ("a role of the organization", f"arn:aws:sts::{owner}:assumed-role/app/s", org,
         "s3:GetObject", {}),
        ("a role of another organization", f"arn:aws:sts::{OUTSIDER}:assumed-role/app/s",
         "o-someoneelse", "s3:GetObject", {}),
        ("CloudTrail, as itself", "cloudtrail.amazonaws.com", None, "s3:PutObject",
         {"aws:PrincipalIsAWSService": "true"}),
    ]  # fmt: skip
    rows = []
    for who, principal, their_org, action, context in requests:
        request = Request(
            principal,
            action,
            f"{arns[0]}/AWSLogs/sample.json",
            organization=their_org,
            context={**context, "aws:ResourceAccount": owner},
        )
        caller = () if principal.endswith(".amazonaws.com") else (ANYONE,)
        decision = evaluate(request, Policies(caller, resource=policy))
        rows.append([who, action, decision.decision, "; ".join(decision.reasons())])
    return Table(["caller", "action", "decision", "because"], rows)


def show(kit: Kit, bucket: str, owner_account: str) -> None:
    """The perimeter statement for the organization, and the evaluator's proof on a bucket
    of the config (no AWS call but reading the organization's id and the account's)."""
    org, owner = org_id(kit), account_ids(kit).get(owner_account) or "000000000000"
    kit.show("The perimeter statement, for a bucket policy", Document(statement(org, "s3:*")))
    kit.show(f"Bucket {bucket} with a mistaken grant to everyone", proof(org, owner, bucket))
