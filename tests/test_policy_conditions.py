"""Condition operators, one case per documented rule (AWS IAM User Guide, "IAM JSON policy
elements: Condition operators", "Single-valued vs. multivalued context keys", "Policy
variables"). Each case puts the condition on the only identity policy's Allow: the request
is Allowed when the condition holds, ImplicitlyDenied by the identity layer when not."""

from __future__ import annotations

from typing import Any

import pytest

from helpers.policy import Policies, Policy, Request, evaluate

SESSION = "arn:aws:sts::111122223333:assumed-role/Dev/alice"
OBJECT = "arn:aws:s3:::team-bucket/reports/q1.csv"

# (rule, condition, request context, does the condition hold?)
CASES: list[tuple[str, dict[str, Any], dict[str, Any], bool]] = [
    # String operators
    (
        "StringEquals: exact match",
        {"StringEquals": {"s3:x-amz-acl": "private"}},
        {"s3:x-amz-acl": "private"},
        True,
    ),
    (
        "StringEquals is case-sensitive for values",
        {"StringEquals": {"s3:x-amz-acl": "Private"}},
        {"s3:x-amz-acl": "private"},
        False,
    ),
    (
        "several values for one key are OR'ed",
        {"StringEquals": {"s3:x-amz-acl": ["public-read", "private"]}},
        {"s3:x-amz-acl": "private"},
        True,
    ),
    (
        "condition key names are case-insensitive",
        {"StringEquals": {"AWS:requestedREGION": "eu-west-1"}},
        {},
        True,
    ),
    (
        "a key missing from the request makes StringEquals false",
        {"StringEquals": {"s3:x-amz-acl": "private"}},
        {},
        False,
    ),
    (
        "StringNotEquals: a different value holds",
        {"StringNotEquals": {"s3:x-amz-acl": "public-read"}},
        {"s3:x-amz-acl": "private"},
        True,
    ),
    (
        "StringNotEquals: the same value does not hold",
        {"StringNotEquals": {"s3:x-amz-acl": "private"}},
        {"s3:x-amz-acl": "private"},
        False,
    ),
    (
        "negated operator with several values: the value must match none of them",
        {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}},
        {},
        False,
    ),
    (
        "negated operator with a missing key is true",
        {"StringNotEquals": {"s3:x-amz-acl": "public-read"}},
        {},
        True,
    ),
    (
        "StringEqualsIgnoreCase ignores case",
        {"StringEqualsIgnoreCase": {"s3:x-amz-acl": "PRIVATE"}},
        {"s3:x-amz-acl": "private"},
        True,
    ),
    (
        "StringEqualsIgnoreCase still compares the letters",
        {"StringEqualsIgnoreCase": {"s3:x-amz-acl": "public"}},
        {"s3:x-amz-acl": "private"},
        False,
    ),
    (
        "StringNotEqualsIgnoreCase: only case differs, so it does not hold",
        {"StringNotEqualsIgnoreCase": {"s3:x-amz-acl": "PRIVATE"}},
        {"s3:x-amz-acl": "private"},
        False,
    ),
    (
        "StringNotEqualsIgnoreCase: another value holds",
        {"StringNotEqualsIgnoreCase": {"s3:x-amz-acl": "PUBLIC-READ"}},
        {"s3:x-amz-acl": "private"},
        True,
    ),
    (
        "StringLike: * matches any run of characters",
        {"StringLike": {"s3:prefix": "home/*"}},
        {"s3:prefix": "home/alice/notes"},
        True,
    ),
    (
        "StringLike: ? matches exactly one character",
        {"StringLike": {"s3:prefix": "v?"}},
        {"s3:prefix": "v2"},
        True,
    ),
    (
        "StringLike: ? does not match two characters",
        {"StringLike": {"s3:prefix": "v?"}},
        {"s3:prefix": "v10"},
        False,
    ),
    (
        "StringLike is case-sensitive",
        {"StringLike": {"s3:prefix": "Home/*"}},
        {"s3:prefix": "home/alice"},
        False,
    ),
    (
        "StringLike without a wildcard needs the whole value",
        {"StringLike": {"s3:prefix": "home"}},
        {"s3:prefix": "home/alice"},
        False,
    ),
    (
        "StringNotLike: a matching value does not hold",
        {"StringNotLike": {"s3:prefix": "home/*"}},
        {"s3:prefix": "home/alice"},
        False,
    ),
    (
        "StringNotLike: a value that does not match holds",
        {"StringNotLike": {"s3:prefix": "home/*"}},
        {"s3:prefix": "shared/x"},
        True,
    ),
    (
        "StringNotLike with a missing key is true (documented example of negated operators)",
        {"StringNotLike": {"s3:prefix": "home/*"}},
        {},
        True,
    ),
    ("StringLike with a missing key is false", {"StringLike": {"s3:prefix": "*"}}, {}, False),
    (
        "...IfExists: a missing key makes the condition true",
        {"StringEqualsIfExists": {"s3:x-amz-acl": "private"}},
        {},
        True,
    ),
    (
        "...IfExists: a present key is checked as usual",
        {"StringEqualsIfExists": {"s3:x-amz-acl": "private"}},
        {"s3:x-amz-acl": "public-read"},
        False,
    ),
    (
        "StringNotLikeIfExists: a present, matching key does not hold",
        {"StringNotLikeIfExists": {"s3:prefix": "home/*"}},
        {"s3:prefix": "home/a"},
        False,
    ),
    (
        "policy variable ${aws:PrincipalAccount} is filled from the request",
        {"StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}},
        {"aws:ResourceAccount": "111122223333"},
        True,
    ),
    (
        "a policy variable without a value is null and matches nothing",
        {"StringEquals": {"s3:prefix": "${aws:username}"}},
        {"s3:prefix": "alice"},
        False,
    ),
    (
        "a policy variable's default value is used when the key is missing",
        {"StringEquals": {"s3:prefix": "${aws:username, 'nobody'}"}},
        {"s3:prefix": "nobody"},
        True,
    ),
    (
        "a policy variable inside a StringLike pattern",
        {"StringLike": {"s3:prefix": "home/${aws:username}/*"}},
        {"s3:prefix": "home/bob/x", "aws:username": "bob"},
        True,
    ),
    (
        "${*} is a literal asterisk in StringEquals",
        {"StringEquals": {"s3:prefix": "a${*}b"}},
        {"s3:prefix": "a*b"},
        True,
    ),
    (
        "${*} is not a wildcard in StringLike",
        {"StringLike": {"s3:prefix": "a${*}b"}},
        {"s3:prefix": "axb"},
        False,
    ),
    (
        "a plain operator on a multivalued key matches when any value matches",
        {"StringEquals": {"aws:TagKeys": "team"}},
        {"aws:TagKeys": ["owner", "team"]},
        True,
    ),
    # Numeric operators
    (
        "NumericEquals compares numbers, not text",
        {"NumericEquals": {"s3:max-keys": "10"}},
        {"s3:max-keys": "10.0"},
        True,
    ),
    (
        "NumericEquals: different numbers",
        {"NumericEquals": {"s3:max-keys": "10"}},
        {"s3:max-keys": 11},
        False,
    ),
    (
        "NumericNotEquals: different numbers hold",
        {"NumericNotEquals": {"s3:max-keys": "10"}},
        {"s3:max-keys": 11},
        True,
    ),
    (
        "NumericLessThan: smaller holds",
        {"NumericLessThan": {"s3:max-keys": "10"}},
        {"s3:max-keys": 5},
        True,
    ),
    (
        "NumericLessThan: equal does not hold",
        {"NumericLessThan": {"s3:max-keys": "10"}},
        {"s3:max-keys": 10},
        False,
    ),
    (
        "NumericLessThanEquals: equal holds",
        {"NumericLessThanEquals": {"s3:max-keys": "10"}},
        {"s3:max-keys": 10},
        True,
    ),
    (
        "NumericGreaterThan: larger holds",
        {"NumericGreaterThan": {"s3:max-keys": "10"}},
        {"s3:max-keys": 11},
        True,
    ),
    (
        "NumericGreaterThanEquals: smaller does not hold",
        {"NumericGreaterThanEquals": {"s3:max-keys": "10"}},
        {"s3:max-keys": 9},
        False,
    ),
    (
        "a value that is not a number matches no numeric operator",
        {"NumericGreaterThan": {"s3:max-keys": "1"}},
        {"s3:max-keys": "many"},
        False,
    ),
    (
        "NumericLessThanIfExists with a missing key is true",
        {"NumericLessThanIfExists": {"s3:max-keys": "10"}},
        {},
        True,
    ),
    (
        "NumericEquals with a missing key is false",
        {"NumericEquals": {"s3:max-keys": "10"}},
        {},
        False,
    ),
    (
        "NumericNotEquals with a missing key is true (negated operator)",
        {"NumericNotEquals": {"s3:max-keys": "10"}},
        {},
        True,
    ),
    # Date operators
    (
        "DateLessThan: an earlier ISO 8601 time holds",
        {"DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}},
        {"aws:CurrentTime": "2025-06-01T12:00:00Z"},
        True,
    ),
    (
        "DateLessThan: a later time does not hold",
        {"DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}},
        {"aws:CurrentTime": "2026-06-01T12:00:00Z"},
        False,
    ),
    (
        "DateGreaterThan accepts epoch seconds in the policy",
        {"DateGreaterThan": {"aws:CurrentTime": "1700000000"}},
        {"aws:CurrentTime": "2024-01-01T00:00:00Z"},
        True,
    ),
    (
        "DateEquals compares instants, whatever the notation",
        {"DateEquals": {"aws:CurrentTime": "2025-01-01T00:00:00+00:00"}},
        {"aws:CurrentTime": "2025-01-01T00:00:00Z"},
        True,
    ),
    (
        "DateNotEquals: another instant holds",
        {"DateNotEquals": {"aws:CurrentTime": "2025-01-01T00:00:00Z"}},
        {"aws:CurrentTime": "2025-01-02T00:00:00Z"},
        True,
    ),
    (
        "DateLessThanEquals: the same instant holds",
        {"DateLessThanEquals": {"aws:CurrentTime": "2025-01-01T00:00:00Z"}},
        {"aws:CurrentTime": "2025-01-01T00:00:00Z"},
        True,
    ),
    (
        "DateGreaterThanEquals: an earlier instant does not hold",
        {"DateGreaterThanEquals": {"aws:CurrentTime": "2025-01-01T00:00:00Z"}},
        {"aws:CurrentTime": "2024-12-31T23:59:59Z"},
        False,
    ),
    (
        "DateEquals with epoch seconds on both sides",
        {"DateEquals": {"aws:EpochTime": "1700000000"}},
        {"aws:EpochTime": 1700000000},
        True,
    ),
    (
        "DateLessThan with a missing key is false",
        {"DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}},
        {},
        False,
    ),
    (
        "DateGreaterThanIfExists with a missing key is true",
        {"DateGreaterThanIfExists": {"aws:TokenIssueTime": "2025-01-01T00:00:00Z"}},
        {},
        True,
    ),
    # Bool
    (
        "Bool: true equals a true context value",
        {"Bool": {"aws:SecureTransport": "true"}},
        {"aws:SecureTransport": True},
        True,
    ),
    (
        "Bool: false does not equal true",
        {"Bool": {"aws:SecureTransport": "false"}},
        {"aws:SecureTransport": True},
        False,
    ),
    ("Bool with a missing key is false", {"Bool": {"aws:SecureTransport": "true"}}, {}, False),
    (
        "Bool values are case-insensitive",
        {"Bool": {"aws:SecureTransport": "TRUE"}},
        {"aws:SecureTransport": "true"},
        True,
    ),
    (
        "BoolIfExists with a missing key is true",
        {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        {},
        True,
    ),
    # IP address
    (
        "IpAddress: an address inside the CIDR holds",
        {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        {"aws:SourceIp": "203.0.113.7"},
        True,
    ),
    (
        "IpAddress: an address outside the CIDR does not hold",
        {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        {"aws:SourceIp": "198.51.100.7"},
        False,
    ),
    (
        "IpAddress: a bare address is a /32",
        {"IpAddress": {"aws:SourceIp": "203.0.113.7"}},
        {"aws:SourceIp": "203.0.113.7"},
        True,
    ),
    (
        "NotIpAddress: an address outside holds",
        {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        {"aws:SourceIp": "198.51.100.7"},
        True,
    ),
    (
        "NotIpAddress: an address inside does not hold",
        {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        {"aws:SourceIp": "203.0.113.9"},
        False,
    ),
    (
        "IpAddress handles IPv6",
        {"IpAddress": {"aws:SourceIp": "2001:db8::/32"}},
        {"aws:SourceIp": "2001:db8::1"},
        True,
    ),
    (
        "NotIpAddress with a missing key is true (negated operator)",
        {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        {},
        True,
    ),
    (
        "IpAddress with a missing key is false",
        {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        {},
        False,
    ),
    # ARN operators
    (
        "ArnEquals: the same ARN",
        {"ArnEquals": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/org"}},
        {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/org"},
        True,
    ),
    (
        "ArnLike: a wildcard in the account part",
        {"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:*:trail/org"}},
        {"aws:SourceArn": "arn:aws:cloudtrail:eu-west-1:111122223333:trail/org"},
        True,
    ),
    (
        "ArnLike checks each colon-separated part on its own: * stays inside its part",
        {"ArnLike": {"aws:SourceArn": "arn:aws:iam::*:role/Dev"}},
        {"aws:SourceArn": "arn:aws:iam::111122223333:evil:role/Dev"},
        False,
    ),
    (
        "ArnLike: the last part may contain colons",
        {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}},
        {"aws:SourceArn": "arn:aws:s3:::b/a:b"},
        True,
    ),
    (
        "ArnLike is case-sensitive",
        {"ArnLike": {"aws:SourceArn": "arn:aws:iam::*:role/dev"}},
        {"aws:SourceArn": "arn:aws:iam::111122223333:role/Dev"},
        False,
    ),
    (
        "ArnNotEquals: another ARN holds",
        {"ArnNotEquals": {"aws:SourceArn": "arn:aws:iam::111122223333:role/Other"}},
        {"aws:SourceArn": "arn:aws:iam::111122223333:role/Dev"},
        True,
    ),
    (
        "ArnNotLike: a matching ARN does not hold",
        {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Dev"}},
        {},
        False,
    ),
    (
        "ArnNotLike with a missing key is true (documented example)",
        {"ArnNotLike": {"aws:SourceArn": "arn:aws:iam::*:role/BreakGlass"}},
        {},
        True,
    ),
    (
        "aws:PrincipalArn of a role session is the role's ARN",
        {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/Dev"}},
        {},
        True,
    ),
    (
        "ArnLike: a value that is not an ARN does not match",
        {"ArnLike": {"aws:SourceArn": "arn:aws:iam::*:role/Dev"}},
        {"aws:SourceArn": "Dev"},
        False,
    ),
    # Null
    (
        "Null true: holds when the key is missing",
        {"Null": {"aws:TokenIssueTime": "true"}},
        {},
        True,
    ),
    (
        "Null true: does not hold when the key is present",
        {"Null": {"aws:TokenIssueTime": "true"}},
        {"aws:TokenIssueTime": "2025-01-01T00:00:00Z"},
        False,
    ),
    (
        "Null false: holds when the key is present",
        {"Null": {"s3:x-amz-acl": "false"}},
        {"s3:x-amz-acl": "private"},
        True,
    ),
    (
        "Null false: does not hold when the key is missing",
        {"Null": {"s3:x-amz-acl": "false"}},
        {},
        False,
    ),
    # Set operators
    (
        "ForAllValues: every request value is in the policy's set",
        {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "owner"]}},
        {"aws:TagKeys": ["team"]},
        True,
    ),
    (
        "ForAllValues: one request value outside the set fails",
        {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "owner"]}},
        {"aws:TagKeys": ["team", "cost"]},
        False,
    ),
    (
        "ForAllValues returns true when the key is missing",
        {"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}},
        {},
        True,
    ),
    (
        "ForAllValues returns true for an empty set",
        {"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}},
        {"aws:TagKeys": []},
        True,
    ),
    (
        "ForAllValues treats an empty string as an empty set",
        {"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}},
        {"aws:TagKeys": ""},
        True,
    ),
    (
        "ForAnyValue: one request value in the set is enough",
        {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}},
        {"aws:TagKeys": ["cost", "team"]},
        True,
    ),
    (
        "ForAnyValue: no request value in the set fails",
        {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}},
        {"aws:TagKeys": ["cost"]},
        False,
    ),
    (
        "ForAnyValue returns false when the key is missing",
        {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}},
        {},
        False,
    ),
    (
        "ForAllValues:StringNotLike: every value avoids the pattern (documented deny example)",
        {"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}},
        {"aws:TagKeys": ["key2:audit"]},
        True,
    ),
    (
        "ForAllValues:StringNotLike: a value with the pattern fails",
        {"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}},
        {"aws:TagKeys": ["key1:legal"]},
        False,
    ),
    (
        "ForAnyValue:StringNotEquals: one value outside the set is enough",
        {"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["team"]}},
        {"aws:TagKeys": ["team", "cost"]},
        True,
    ),
    (
        "ForAllValues:StringLike with a wildcard (documented example)",
        {"ForAllValues:StringLike": {"aws:TagKeys": "Created*"}},
        {"aws:TagKeys": ["CreatedBy", "CreatedAt"]},
        True,
    ),
    (
        "ForAnyValue:StringEqualsIfExists with a missing key is true",
        {"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": ["team"]}},
        {},
        True,
    ),
    # Several keys and operators
    (
        "several keys under one operator are AND'ed: both hold",
        {"StringEquals": {"s3:x-amz-acl": "private", "aws:RequestedRegion": "eu-west-1"}},
        {"s3:x-amz-acl": "private"},
        True,
    ),
    (
        "several keys under one operator are AND'ed: one fails",
        {"StringEquals": {"s3:x-amz-acl": "private", "aws:RequestedRegion": "us-east-1"}},
        {"s3:x-amz-acl": "private"},
        False,
    ),
    (
        "several operators are AND'ed: one fails",
        {"StringEquals": {"s3:x-amz-acl": "private"}, "Bool": {"aws:SecureTransport": "true"}},
        {"s3:x-amz-acl": "private", "aws:SecureTransport": False},
        False,
    ),
    (
        "several operators are AND'ed: all hold",
        {"StringEquals": {"s3:x-amz-acl": "private"}, "Bool": {"aws:SecureTransport": "true"}},
        {"s3:x-amz-acl": "private", "aws:SecureTransport": True},
        True,
    ),
    # Binary
    (
        "BinaryEquals compares the base64 values",
        {"BinaryEquals": {"kms:Blob": "QmluYXJ5"}},
        {"kms:Blob": "QmluYXJ5"},
        True,
    ),
    (
        "BinaryEquals: different bytes",
        {"BinaryEquals": {"kms:Blob": "QmluYXJ5"}},
        {"kms:Blob": "T3RoZXI="},
        False,
    ),
    # Keys the evaluator fills from the request
    (
        "aws:RequestedRegion comes from the request's region",
        {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
        {},
        True,
    ),
    (
        "aws:RequestedRegion given in the context wins over the request's region",
        {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
        {"aws:RequestedRegion": "ap-south-1"},
        False,
    ),
    (
        "aws:PrincipalAccount comes from the principal's ARN",
        {"StringEquals": {"aws:PrincipalAccount": "111122223333"}},
        {},
        True,
    ),
    (
        "aws:PrincipalType of a role session is AssumedRole",
        {"StringEquals": {"aws:PrincipalType": "AssumedRole"}},
        {},
        True,
    ),
    (
        # "AWS global condition context keys": present in every signed request
        "aws:PrincipalIsAWSService is false for an IAM principal",
        {"Bool": {"aws:PrincipalIsAWSService": "false"}},
        {},
        True,
    ),
    (
        "aws:PrincipalOrgID is missing outside an organization",
        {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
        {},
        False,
    ),
]


@pytest.mark.parametrize(
    ("rule", "condition", "context", "holds"), CASES, ids=[case[0] for case in CASES]
)
def test_condition(rule: str, condition: dict, context: dict, holds: bool) -> None:
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    identity = Policy("conditional", {"Statement": [{**statement, "Condition": condition}]})
    request = Request(SESSION, "s3:GetObject", OBJECT, "eu-west-1", context=context)
    decision = evaluate(request, Policies(identity=(identity,)))
    assert decision.decision == ("Allowed" if holds else "ImplicitlyDenied"), decision.text()
    assert [cause.kind for cause in decision.deciding] == ["identity"]


def test_the_table_has_both_outcomes_and_unique_rules() -> None:
    assert {case[3] for case in CASES} == {True, False}
    assert len({case[0] for case in CASES}) == len(CASES)
