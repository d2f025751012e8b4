"""parse_policy and the Policy classes: what the IAM policy grammar accepts and refuses
(IAM User Guide, "IAM JSON policy element reference" and "Grammar of the IAM JSON policy
language"), and requested_region for global services."""

from __future__ import annotations

import json
from typing import Any

import pytest

from helpers.policy import Policy, PolicyError, ResourcePolicy, parse_policy, requested_region

ALLOW = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
TRUST = {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}

# (rule, document, resource_policy, words the error must contain)
REFUSED: list[tuple[str, Any, bool, str]] = [
    ("text that is not JSON", "not json", False, "not valid JSON"),
    ("a JSON array is not a policy", "[]", False, "JSON object"),
    ("unknown top-level element", {"Statement": [ALLOW], "Rules": []}, False, "Rules"),
    ("a policy needs a Statement", {"Version": "2012-10-17"}, False, "Statement"),
    ("an empty Statement list", {"Statement": []}, False, "non-empty"),
    ("an unknown Version", {"Version": "2024-01-01", "Statement": [ALLOW]}, False, "Version"),
    ("unknown statement element", {"Statement": [{**ALLOW, "Effects": "Allow"}]}, False, "Effects"),
    ("missing Effect", {"Statement": [{"Action": "*", "Resource": "*"}]}, False, "Effect"),
    (
        "Effect must be Allow or Deny",
        {"Statement": [{**ALLOW, "Effect": "allow"}]},
        False,
        "Effect",
    ),
    (
        "both Action and NotAction",
        {"Statement": [{**ALLOW, "NotAction": "iam:*"}]},
        False,
        "both Action and NotAction",
    ),
    (
        "neither Action nor NotAction",
        {"Statement": [{"Effect": "Allow", "Resource": "*"}]},
        False,
        "missing Action",
    ),
    (
        "both Resource and NotResource",
        {"Statement": [{**ALLOW, "NotResource": "*"}]},
        False,
        "both Resource and NotResource",
    ),
    (
        "an identity policy statement needs a Resource",
        {"Statement": [{"Effect": "Allow", "Action": "*"}]},
        False,
        "missing Resource",
    ),
    (
        "Principal is not allowed in an identity policy or SCP",
        {"Statement": [{**ALLOW, "Principal": "*"}]},
        False,
        "not allowed",
    ),
    (
        "NotPrincipal is not allowed in an identity policy or SCP",
        {"Statement": [{**ALLOW, "NotPrincipal": {"AWS": "111122223333"}}]},
        False,
        "not allowed",
    ),
    (
        "a resource-based policy statement needs a Principal",
        {"Statement": [ALLOW]},
        True,
        "missing Principal",
    ),
    (
        "an action must be service:Action",
        {"Statement": [{**ALLOW, "Action": "GetObject"}]},
        False,
        "service:Action",
    ),
    (
        "a resource must be * or an ARN",
        {"Statement": [{**ALLOW, "Resource": "my-bucket"}]},
        False,
        "ARN",
    ),
    (
        "Action must be a string or a list of strings",
        {"Statement": [{**ALLOW, "Action": 3}]},
        False,
        "Action must be",
    ),
    ("an empty Action list", {"Statement": [{**ALLOW, "Action": []}]}, False, "non-empty"),
    (
        "an unknown principal type",
        {"Statement": [{**TRUST, "Principal": {"Users": "x"}}]},
        True,
        "principal type",
    ),
    (
        "an AWS principal must be *, an account id or an ARN",
        {"Statement": [{**TRUST, "Principal": {"AWS": "alice"}}]},
        True,
        "alice",
    ),
    (
        "an unknown condition operator",
        {"Statement": [{**ALLOW, "Condition": {"StringEqual": {"aws:x": "y"}}}]},
        False,
        "StringEqual",
    ),
    (
        "an unknown set operator",
        {"Statement": [{**ALLOW, "Condition": {"ForSomeValues:StringEquals": {"aws:x": "y"}}}]},
        False,
        "ForSomeValues",
    ),
    (
        "Null takes no IfExists",
        {"Statement": [{**ALLOW, "Condition": {"NullIfExists": {"aws:x": "true"}}}]},
        False,
        "NullIfExists",
    ),
    (
        "condition values are strings, numbers or booleans",
        {"Statement": [{**ALLOW, "Condition": {"StringEquals": {"aws:x": {"y": 1}}}}]},
        False,
        "values",
    ),
    (
        "an operator maps keys to values",
        {"Statement": [{**ALLOW, "Condition": {"StringEquals": "aws:x"}}]},
        False,
        "map",
    ),
    ("Sid must be a string", {"Statement": [{**ALLOW, "Sid": 1}]}, False, "Sid"),
    (
        # "AWS JSON policy elements: NotPrincipal": using it with Allow is not supported
        "NotPrincipal with Allow is refused as unsupported",
        {"Statement": [{**ALLOW, "NotPrincipal": {"AWS": "111122223333"}}]},
        True,
        'NotPrincipal with "Effect": "Allow" is not supported',
    ),
]


@pytest.mark.parametrize(
    ("rule", "document", "resource_policy", "words"), REFUSED, ids=[r[0] for r in REFUSED]
)
def test_refused(rule: str, document: Any, resource_policy: bool, words: str) -> None:
    with pytest.raises(PolicyError, match=words):
        parse_policy(document, resource_policy=resource_policy)


# (rule, document, resource_policy)
ACCEPTED: list[tuple[str, Any, bool]] = [
    ("Statement as one object, Action as a string", {"Statement": ALLOW}, False),
    (
        "Statement as a list, Action as a list",
        {"Version": "2012-10-17", "Statement": [{**ALLOW, "Action": ["s3:Get*", "s3:List*"]}]},
        False,
    ),
    ("a trust policy needs no Resource", {"Statement": [TRUST]}, True),
    (
        "a service principal",
        {"Statement": [{**TRUST, "Principal": {"Service": ["cloudtrail.amazonaws.com"]}}]},
        True,
    ),
    ("Principal *", {"Statement": [{**TRUST, "Principal": "*"}]}, True),
    (
        "NotPrincipal with Deny",
        {"Statement": [{**ALLOW, "Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"}}]},
        True,
    ),
    (
        "every operator family, IfExists and the set operators",
        {
            "Statement": [
                {
                    **ALLOW,
                    "Condition": {
                        "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*"]},
                        "NumericLessThanEquals": {"s3:max-keys": 10},
                        "Bool": {"aws:SecureTransport": True},
                        "Null": {"aws:TokenIssueTime": "false"},
                        "DateGreaterThan": {"aws:CurrentTime": "2025-01-01T00:00:00Z"},
                        "NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8"]},
                        "ArnNotLikeIfExists": {
                            "aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass"
                        },
                        "BinaryEquals": {"kms:Blob": "QQ=="},
                    },
                }
            ]
        },
        False,
    ),
]


@pytest.mark.parametrize(
    ("rule", "document", "resource_policy"), ACCEPTED, ids=[a[0] for a in ACCEPTED]
)
def test_accepted(rule: str, document: Any, resource_policy: bool) -> None:
    assert parse_policy(json.dumps(document), resource_policy=resource_policy) == document


def test_policy_checks_its_document_when_created() -> None:
    with pytest.raises(PolicyError, match="statement 1: Effect"):
        Policy("bad", {"Statement": [ALLOW, {"Action": "*", "Resource": "*"}]})
    with pytest.raises(PolicyError, match="missing Principal"):
        ResourcePolicy("bucket", {"Statement": [ALLOW]}, "111122223333")
    assert Policy("text", json.dumps({"Statement": ALLOW})).statements[0].label == "#0"


# (action, client region, sts_global, aws:RequestedRegion)
REGIONS = [
    ("iam:CreateRole", "eu-west-1", True, "us-east-1"),
    ("organizations:CreateAccount", "eu-west-1", True, "us-east-1"),
    ("route53:ChangeResourceRecordSets", "ap-south-1", True, "us-east-1"),
    ("cloudfront:CreateDistribution", "eu-west-1", True, "us-east-1"),
    ("support:DescribeCases", "eu-west-1", True, "us-east-1"),
    ("budgets:ViewBudget", "eu-west-1", True, "us-east-1"),
    ("ce:GetCostAndUsage", "eu-west-1", True, "us-east-1"),
    ("sts:AssumeRole", "eu-west-1", True, "us-east-1"),
    ("sts:AssumeRole", "eu-west-1", False, "eu-west-1"),
    ("ec2:RunInstances", "eu-west-1", True, "eu-west-1"),
    ("s3:PutObject", "eu-central-1", True, "eu-central-1"),
    ("IAM:ListRoles", "eu-west-1", True, "us-east-1"),
]


@pytest.mark.parametrize(("action", "region", "sts_global", "expected"), REGIONS)
def test_requested_region(action: str, region: str, sts_global: bool, expected: str) -> None:
    assert requested_region(action, region, sts_global=sts_global) == expected
