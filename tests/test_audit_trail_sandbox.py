"""The sandbox's CloudTrail fidelity: the organization-trail rules AWS applies and moto skips.

Sources: the CloudTrail API Reference (CreateTrail, StopLogging, UpdateTrail, DeleteTrail:
their Errors sections) and the CloudTrail User Guide, "Creating a trail for an
organization" ("users in member accounts do not have sufficient permissions to delete the
organization trail, turn logging on or off, change what types of events are logged, or
otherwise alter the organization trail in any way") and "Amazon S3 bucket policy for
CloudTrail".
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from botocore.exceptions import ClientError

from helpers.sandbox import MANAGEMENT_ACCOUNT_ID, ORIGINAL_ACCOUNT_ID, SANDBOX_REGION
from helpers.targets import Target

SERVICE = "cloudtrail.amazonaws.com"
TRAIL = "org-trail"
TRAIL_ARN = f"arn:aws:cloudtrail:{SANDBOX_REGION}:{MANAGEMENT_ACCOUNT_ID}:trail/{TRAIL}"
BUCKET = "trail-logs-test"


def statements(org_id: str, trail_arn: str = TRAIL_ARN) -> dict[str, dict]:
    """The three statements of AWS's documented organization-trail bucket policy."""
    bucket = f"arn:aws:s3:::{BUCKET}"
    write = {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail_arn}
    return {
        "AWSCloudTrailAclCheck20150319": {
            "Effect": "Allow",
            "Principal": {"Service": SERVICE},
            "Action": "s3:GetBucketAcl",
            "Resource": bucket,
            "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
        },
        "AWSCloudTrailWrite20150319": {
            "Effect": "Allow",
            "Principal": {"Service": SERVICE},
            "Action": "s3:PutObject",
            "Resource": f"{bucket}/AWSLogs/{MANAGEMENT_ACCOUNT_ID}/*",
            "Condition": {"StringEquals": write},
        },
        "AWSCloudTrailOrganizationWrite20150319": {
            "Effect": "Allow",
            "Principal": {"Service": SERVICE},
            "Action": "s3:PutObject",
            "Resource": f"{bucket}/AWSLogs/{org_id}/*",
            "Condition": {"StringEquals": write},
        },
    }


def policy(parts: dict[str, dict]) -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Sid": s, **b} for s, b in parts.items()]}
    )


@dataclass
class Org:
    id: str
    archive: str  # the log-archive account's id
    member: str  # another member account's id
    target: Target

    def client(self, service: str, account_id: str = MANAGEMENT_ACCOUNT_ID):
        if account_id == MANAGEMENT_ACCOUNT_ID:
            return self.target.management().client(service)
        session = self.target.assume(self.target.management(), account_id)
        return session.client(service)


def new_org(sandbox, feature_set: str = "ALL", trusted: bool = True) -> Org:
    target = Target.sandbox(sandbox.url, SANDBOX_REGION)
    orgs = target.management().client("organizations")
    org_id = orgs.create_organization(FeatureSet=feature_set)["Organization"]["Id"]
    sandbox.configure(create_account_seconds=0)
    ids = []
    for name in ("log-archive", "dev"):
        request = orgs.create_account(AccountName=name, Email=f"{name}@example.com")
        request_id = request["CreateAccountStatus"]["Id"]
        status = orgs.describe_create_account_status(CreateAccountRequestId=request_id)
        ids.append(status["CreateAccountStatus"]["AccountId"])
    if trusted:
        orgs.enable_aws_service_access(ServicePrincipal=SERVICE)
    org = Org(org_id, ids[0], ids[1], target)
    s3 = org.client("s3", org.archive)
    s3.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": SANDBOX_REGION}
    )
    s3.put_bucket_policy(Bucket=BUCKET, Policy=policy(statements(org_id)))
    return org


def create_org_trail(org: Org, account_id: str = MANAGEMENT_ACCOUNT_ID) -> dict:
    return org.client("cloudtrail", account_id).create_trail(
        Name=TRAIL, S3BucketName=BUCKET, IsOrganizationTrail=True, IsMultiRegionTrail=True
    )


def error_code(raised: pytest.ExceptionInfo) -> str:
    return raised.value.response["Error"]["Code"]


@pytest.fixture
def org(clean_sandbox) -> Org:
    return new_org(clean_sandbox)


@pytest.fixture
def trail(org: Org) -> Org:
    create_org_trail(org)
    org.client("cloudtrail").start_logging(Name=TRAIL)
    return org


def test_an_organization_trail_needs_an_organization(clean_sandbox, aws):
    s3 = aws("s3")
    s3.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": SANDBOX_REGION}
    )
    s3.put_bucket_policy(Bucket=BUCKET, Policy=policy(statements("o-none")))
    with pytest.raises(ClientError) as raised:
        aws("cloudtrail").create_trail(Name=TRAIL, S3BucketName=BUCKET, IsOrganizationTrail=True)
    assert error_code(raised) == "OrganizationsNotInUseException"
    # The same trail for the account alone is fine.
    aws("cloudtrail").create_trail(Name=TRAIL, S3BucketName=BUCKET)


def test_an_organization_trail_needs_all_features(clean_sandbox):
    org = new_org(clean_sandbox, feature_set="CONSOLIDATED_BILLING")
    with pytest.raises(ClientError) as raised:
        create_org_trail(org)
    assert error_code(raised) == "OrganizationNotInAllFeaturesModeException"


def test_an_organization_trail_needs_trusted_access(clean_sandbox):
    org = new_org(clean_sandbox, trusted=False)
    with pytest.raises(ClientError) as raised:
        create_org_trail(org)
    assert error_code(raised) == "CloudTrailAccessNotEnabledException"
    org.client("organizations").enable_aws_service_access(ServicePrincipal=SERVICE)
    assert create_org_trail(org)["IsOrganizationTrail"] is True


def test_only_the_management_account_creates_an_organization_trail(org):
    with pytest.raises(ClientError) as raised:
        create_org_trail(org, org.member)
    assert error_code(raised) == "NotOrganizationMasterAccountException"


@pytest.mark.parametrize(
    "missing",
    [
        "AWSCloudTrailAclCheck20150319",
        "AWSCloudTrailWrite20150319",
        "AWSCloudTrailOrganizationWrite20150319",
    ],
)
def test_each_documented_statement_is_needed(org, missing):
    parts = statements(org.id)
    del parts[missing]
    s3 = org.client("s3", org.archive)
    s3.put_bucket_policy(Bucket=BUCKET, Policy=policy(parts))
    with pytest.raises(ClientError) as raised:
        create_org_trail(org)
    assert error_code(raised) == "InsufficientS3BucketPolicyException"
    assert BUCKET in raised.value.response["Error"]["Message"]


def test_a_policy_for_another_trail_or_none_at_all_is_insufficient(org):
    s3 = org.client("s3", org.archive)
    other = TRAIL_ARN.replace(TRAIL, "someone-elses-trail")
    s3.put_bucket_policy(Bucket=BUCKET, Policy=policy(statements(org.id, other)))
    with pytest.raises(ClientError) as raised:
        create_org_trail(org)
    assert error_code(raised) == "InsufficientS3BucketPolicyException"
    s3.delete_bucket_policy(Bucket=BUCKET)
    with pytest.raises(ClientError) as raised:
        create_org_trail(org)
    assert error_code(raised) == "InsufficientS3BucketPolicyException"


def test_a_deny_in_the_bucket_policy_wins(org):
    parts = statements(org.id)
    parts["NoPutObject"] = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{BUCKET}/*",
    }
    org.client("s3", org.archive).put_bucket_policy(Bucket=BUCKET, Policy=policy(parts))
    with pytest.raises(ClientError) as raised:
        create_org_trail(org)
    assert error_code(raised) == "InsufficientS3BucketPolicyException"


def test_pointing_a_trail_at_a_bucket_checks_its_policy(trail):
    s3 = trail.client("s3", trail.archive)
    s3.create_bucket(
        Bucket="no-policy-here", CreateBucketConfiguration={"LocationConstraint": SANDBOX_REGION}
    )
    with pytest.raises(ClientError) as raised:
        trail.client("cloudtrail").update_trail(Name=TRAIL, S3BucketName="no-policy-here")
    assert error_code(raised) == "InsufficientS3BucketPolicyException"


def test_a_trail_name_is_taken_once_per_region(trail):
    with pytest.raises(ClientError) as raised:
        create_org_trail(trail)
    assert error_code(raised) == "TrailAlreadyExistsException"


def test_member_accounts_see_the_organization_trail(trail):
    cloudtrail = trail.client("cloudtrail", trail.member)
    listed = cloudtrail.describe_trails()["trailList"]
    assert [(t["TrailARN"], t["IsOrganizationTrail"]) for t in listed] == [(TRAIL_ARN, True)]
    assert cloudtrail.describe_trails(trailNameList=[TRAIL_ARN])["trailList"][0]["Name"] == TRAIL
    assert cloudtrail.describe_trails(includeShadowTrails=False)["trailList"] == []
    assert [t["TrailARN"] for t in cloudtrail.list_trails()["Trails"]] == [TRAIL_ARN]
    assert cloudtrail.get_trail(Name=TRAIL_ARN)["Trail"]["S3BucketName"] == BUCKET
    assert cloudtrail.get_trail_status(Name=TRAIL_ARN)["IsLogging"] is True
    # An account outside the organization sees nothing.
    outside = trail.target.outside_account(ORIGINAL_ACCOUNT_ID, None).client("cloudtrail")
    assert outside.describe_trails()["trailList"] == []


# CloudTrail API Reference, Errors of StopLogging, UpdateTrail and DeleteTrail:
# "NotOrganizationMasterAccountException: This exception is thrown when the AWS account
# making the request to create or update an organization trail or event data store is not
# the management account for an organization in AWS Organizations."
# https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StopLogging.html
# https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_UpdateTrail.html
# https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DeleteTrail.html
MEMBER_ATTEMPTS = {
    "StopLogging": lambda ct: ct.stop_logging(Name=TRAIL_ARN),
    "UpdateTrail": lambda ct: ct.update_trail(Name=TRAIL_ARN, EnableLogFileValidation=False),
    "DeleteTrail": lambda ct: ct.delete_trail(Name=TRAIL_ARN),
    "StartLogging": lambda ct: ct.start_logging(Name=TRAIL_ARN),
}


@pytest.mark.parametrize("operation", MEMBER_ATTEMPTS)
def test_a_member_account_cannot_stop_change_or_delete_it(trail, operation):
    with pytest.raises(ClientError) as raised:
        MEMBER_ATTEMPTS[operation](trail.client("cloudtrail", trail.member))
    assert error_code(raised) == "NotOrganizationMasterAccountException"
    management = trail.client("cloudtrail")
    (still,) = management.describe_trails(trailNameList=[TRAIL])["trailList"]
    assert still["LogFileValidationEnabled"] is False  # as created: unchanged
    assert management.get_trail_status(Name=TRAIL)["IsLogging"] is True


def test_the_management_account_can_stop_it(trail):
    management = trail.client("cloudtrail")
    management.stop_logging(Name=TRAIL_ARN)
    assert management.get_trail_status(Name=TRAIL)["IsLogging"] is False
