"""The bucket policy CloudTrail needs on an organization trail's bucket, as AWS documents it,
merged into whatever other statements the policy already holds."""

from __future__ import annotations

import json

from helpers.audit_trail.where import SERVICE, Where
from helpers.tables import Table

ACL_CHECK = "AWSCloudTrailAclCheck20150319"
WRITE = "AWSCloudTrailWrite20150319"
ORGANIZATION_WRITE = "AWSCloudTrailOrganizationWrite20150319"
OUR_STATEMENTS = (ACL_CHECK, WRITE, ORGANIZATION_WRITE)


def bucket_policy_statements(where: Where) -> list[dict]:
    """The statements CloudTrail needs on an organization trail's bucket, as AWS documents
    them: read the ACL, write under the management account's and the organization's
    AWSLogs/ prefixes with bucket-owner-full-control, each only for this trail."""
    bucket = f"arn:{where.partition}:s3:::{where.bucket}"
    source = {"aws:SourceArn": where.arn}
    write = {"s3:x-amz-acl": "bucket-owner-full-control", **source}
    service = {"Service": SERVICE}
    return [
        {
            "Sid": ACL_CHECK,
            "Effect": "Allow",
            "Principal": service,
            "Action": "s3:GetBucketAcl",
            "Resource": bucket,
            "Condition": {"StringEquals": source},
        },
        {
            "Sid": WRITE,
            "Effect": "Allow",
            "Principal": service,
            "Action": "s3:PutObject",
            "Resource": f"{bucket}/AWSLogs/{where.management_id}/*",
            "Condition": {"StringEquals": write},
        },
        {
            "Sid": ORGANIZATION_WRITE,
            "Effect": "Allow",
            "Principal": service,
            "Action": "s3:PutObject",
            "Resource": f"{bucket}/AWSLogs/{where.org}/*",
            "Condition": {"StringEquals": write},
        },
    ]


def policy_table(where: Where) -> Table:
    """CloudTrail's statements in the bucket policy, one row each."""
    rows = [
        [s["Sid"], s["Action"], s["Resource"], json.dumps(s["Condition"]["StringEquals"])]
        for s in bucket_policy_statements(where)
    ]
    return Table(["statement", "action", "resource", "only when"], rows)


def merged_policy(existing: dict | None, where: Where) -> dict:
    """The bucket policy with CloudTrail's statements in place; other statements are kept."""
    kept = [s for s in (existing or {}).get("Statement", []) if s.get("Sid") not in OUR_STATEMENTS]
    return {
        "Version": (existing or {}).get("Version", "2012-10-17"),
        "Statement": [*kept, *bucket_policy_statements(where)],
    }


def same_statements(existing: dict, wanted: dict) -> bool:
    """Whether two policies hold the same CloudTrail statements (others aside)."""

    def by_sid(policy: dict) -> dict:
        statements = policy.get("Statement", [])
        statements = statements if isinstance(statements, list) else [statements]
        return {s.get("Sid"): s for s in statements if s.get("Sid") in OUR_STATEMENTS}

    return by_sid(existing) == by_sid(wanted)
