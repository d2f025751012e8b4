"""Step 05: the organization trail after the runbook (journey), and the helpers' plan,
repair and merge behaviour against the in-process sandbox."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial

import pytest

from helpers import audit_trail, organization
from helpers.kit import Kit, KitError
from helpers.policy import Policies, Request, ResourcePolicy, evaluate
from helpers.sandbox import MANAGEMENT_ACCOUNT_ID, SANDBOX_REGION
from helpers.targets import ACCESS_ROLE, Target
from tests.conftest import make_kit as shared_make_kit
from tests.conftest import session_for, with_accounts

SERVICE = "cloudtrail.amazonaws.com"
STEP = "05_audit_trail"


# --- after the runbook ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(journey) -> dict:
    """The journey's trail, bucket and accounts, read back from the sandbox."""
    management = session_for(journey["url"])
    orgs = management.client("organizations")
    org_id = orgs.describe_organization()["Organization"]["Id"]
    listed = orgs.list_accounts()["Accounts"]
    ids = {a["Name"]: a["Id"] for a in listed}
    trails = management.client("cloudtrail").describe_trails()["trailList"]
    target = Target.sandbox(journey["url"], SANDBOX_REGION)
    archive = target.assume(management, ids["log-archive"])
    dev = target.assume(management, ids["dev"])
    return {"org": org_id, "ids": ids, "trails": trails, "archive": archive, "dev": dev}


def test_exactly_one_organization_trail_logging_everywhere(built, journey):
    (trail,) = [t for t in built["trails"] if t["IsOrganizationTrail"]]
    assert trail["Name"] == "org-trail"
    assert trail["HomeRegion"] == "eu-central-1"
    assert trail["IsMultiRegionTrail"] and trail["IncludeGlobalServiceEvents"]
    assert trail["LogFileValidationEnabled"]
    status = session_for(journey["url"]).client("cloudtrail").get_trail_status(Name="org-trail")
    assert status["IsLogging"]
    bucket = f"org-trail-{built['org']}-{built['ids']['log-archive']}"
    assert trail["S3BucketName"] == bucket
    owned = built["archive"].client("s3").list_buckets()["Buckets"]
    assert bucket in [b["Name"] for b in owned]  # the log-archive account owns it


def test_the_bucket_is_versioned_encrypted_private_and_expires_logs(built):
    s3, bucket = built["archive"].client("s3"), built["trails"][0]["S3BucketName"]
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == audit_trail.BLOCK_ALL
    (rule,) = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rule["Status"] == "Enabled" and rule["Expiration"] == {"Days": 365}


def bucket_policy(built) -> dict:
    s3, bucket = built["archive"].client("s3"), built["trails"][0]["S3BucketName"]
    return json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])


def test_bucket_policy_statement_by_statement(built):
    """Against the policy AWS documents for an organization trail's bucket (CloudTrail User
    Guide, "Creating a trail for an organization with the AWS CLI" and "Amazon S3 bucket
    policy for CloudTrail"): ACL check on the bucket, writes under AWSLogs/<management id>/
    and AWSLogs/<organization id>/, each write with bucket-owner-full-control, each
    statement scoped to this trail with aws:SourceArn."""
    trail = built["trails"][0]
    bucket = f"arn:aws:s3:::{trail['S3BucketName']}"
    sid = {s["Sid"]: s for s in bucket_policy(built)["Statement"]}
    assert set(sid) == {
        "AWSCloudTrailAclCheck20150319",
        "AWSCloudTrailWrite20150319",
        "AWSCloudTrailOrganizationWrite20150319",
    }
    for statement in sid.values():
        assert statement["Effect"] == "Allow"
        assert statement["Principal"] == {"Service": SERVICE}
        assert statement["Condition"]["StringEquals"]["aws:SourceArn"] == trail["TrailARN"]
    acl = sid["AWSCloudTrailAclCheck20150319"]
    assert (acl["Action"], acl["Resource"]) == ("s3:GetBucketAcl", bucket)
    write = sid["AWSCloudTrailWrite20150319"]
    organization_write = sid["AWSCloudTrailOrganizationWrite20150319"]
    assert (write["Action"], write["Resource"]) == (
        "s3:PutObject",
        f"{bucket}/AWSLogs/{MANAGEMENT_ACCOUNT_ID}/*",
    )
    assert (organization_write["Action"], organization_write["Resource"]) == (
        "s3:PutObject",
        f"{bucket}/AWSLogs/{built['org']}/*",
    )
    for statement in (write, organization_write):
        acl_condition = statement["Condition"]["StringEquals"]["s3:x-amz-acl"]
        assert acl_condition == "bucket-owner-full-control"


def test_bucket_policy_lets_cloudtrail_in_and_nobody_else(built):
    trail = built["trails"][0]
    bucket = f"arn:aws:s3:::{trail['S3BucketName']}"
    policy = ResourcePolicy("bucket", bucket_policy(built), built["ids"]["log-archive"])
    dev = built["ids"]["dev"]
    acl = {"s3:x-amz-acl": "bucket-owner-full-control"}
    source = {"aws:SourceArn": trail["TrailARN"]}
    log = f"{bucket}/AWSLogs/{built['org']}/{dev}/CloudTrail/eu-west-1/x.json.gz"

    def decision(principal: str, action: str, resource: str, context: dict) -> str:
        request = Request(principal, action, resource, context=context)
        return evaluate(request, Policies(resource=policy)).decision

    assert decision(SERVICE, "s3:PutObject", log, {**acl, **source}) == "Allowed"
    assert decision(SERVICE, "s3:GetBucketAcl", bucket, source) == "Allowed"
    other_trail = {"aws:SourceArn": trail["TrailARN"].replace("org-trail", "other")}
    assert decision(SERVICE, "s3:PutObject", log, {**acl, **other_trail}) != "Allowed"
    assert decision(SERVICE, "s3:PutObject", log, source) != "Allowed"  # no ACL
    elsewhere = f"{bucket}/AWSLogs/o-someoneelse/{dev}/x.json.gz"
    assert decision(SERVICE, "s3:PutObject", elsewhere, {**acl, **source}) != "Allowed"
    dev_admin = f"arn:aws:sts::{dev}:assumed-role/{ACCESS_ROLE}/someone"
    assert decision(dev_admin, "s3:PutObject", log, {**acl, **source}) != "Allowed"
    assert decision(dev_admin, "s3:DeleteObject", log, {}) != "Allowed"


def test_a_member_account_sees_the_trail_and_cannot_stop_it(built, journey):
    cloudtrail = built["dev"].client("cloudtrail")
    arn = built["trails"][0]["TrailARN"]
    (seen,) = cloudtrail.describe_trails(trailNameList=[arn])["trailList"]
    assert seen["IsOrganizationTrail"] and seen["TrailARN"].split(":")[4] == MANAGEMENT_ACCOUNT_ID
    assert cloudtrail.get_trail_status(Name=arn)["IsLogging"]
    with pytest.raises(cloudtrail.exceptions.NotOrganizationMasterAccountException):
        cloudtrail.stop_logging(Name=arn)
    status = session_for(journey["url"]).client("cloudtrail").get_trail_status(Name=arn)
    assert status["IsLogging"]  # nothing changed in the journey's organization


def test_the_step_changes_nothing_the_second_time(journey):
    (first, _), (second, _) = journey["runs"]
    step = {s["step"]: s for s in second["steps"]}[STEP]
    assert step["status"] == "ok" and step["calls"]["write"] == 0 and step["changes"] == []
    created = {s["step"]: s for s in first["steps"]}[STEP]["changes"]
    assert {"create", "enable", "set", "start"} <= {c["action"] for c in created}


# --- the helpers ------------------------------------------------------------------------------


make_kit = partial(shared_make_kit, step=STEP)


def trail_with(**fields) -> Callable[[dict], None]:
    """A change to the example's trail section."""
    return lambda data: data["trail"].update(fields)


def writes(kit: Kit) -> int:
    return kit.recorder.totals()["write"]


def test_plan_before_the_accounts_exist_says_what_it_would_do(clean_sandbox, tmp_path):
    kit = make_kit(clean_sandbox, tmp_path, apply=False)
    where = audit_trail.ensure_audit_trail(kit)
    assert writes(kit) == 0
    assert where.archive_id is None and "<log-archive id>" in where.bucket
    planned = [(c.action, c.resource) for c in kit.changes]
    assert ("enable", f"trusted access for {SERVICE}") in planned
    assert ("create", f"bucket {where.bucket} (account log-archive)") in planned
    assert ("create", "trail org-trail (management account, eu-central-1)") in planned
    assert ("start", "logging of trail org-trail") in planned
    assert "log-archive" in str(audit_trail.destinations(kit, where))


def test_applying_before_the_log_archive_account_exists_is_refused(clean_sandbox, tmp_path):
    kit = make_kit(clean_sandbox, tmp_path)
    organization.ensure_organization(kit)
    with pytest.raises(KitError, match="trail.log_archive_account"):
        audit_trail.ensure_audit_trail(kit)
    assert writes(kit) == 1  # CreateOrganization only


def test_plan_then_apply_then_nothing(clean_sandbox, tmp_path):
    with_accounts(clean_sandbox, make_kit(clean_sandbox, tmp_path))
    plan = make_kit(clean_sandbox, tmp_path, apply=False)
    audit_trail.ensure_audit_trail(plan)
    assert writes(plan) == 0 and len(plan.changes) == 9
    run = make_kit(clean_sandbox, tmp_path)
    audit_trail.ensure_audit_trail(run)
    assert [(c.action, c.resource) for c in run.changes] == [
        (c.action, c.resource) for c in plan.changes
    ]
    assert writes(run) == 9
    again = make_kit(clean_sandbox, tmp_path)
    audit_trail.ensure_audit_trail(again)
    assert writes(again) == 0 and again.changes == []


def test_drift_is_repaired_and_only_the_drift(clean_sandbox, tmp_path):
    with_accounts(clean_sandbox, make_kit(clean_sandbox, tmp_path))
    kit = make_kit(clean_sandbox, tmp_path)
    where = audit_trail.ensure_audit_trail(kit)
    cloudtrail = kit.management.client("cloudtrail")
    cloudtrail.update_trail(Name=where.arn, EnableLogFileValidation=False)
    cloudtrail.stop_logging(Name=where.arn)
    repair = make_kit(clean_sandbox, tmp_path, True, trail_with(retention_days=90))
    audit_trail.ensure_audit_trail(repair)
    assert [(c.action, c.resource.split(": ")[-1]) for c in repair.changes] == [
        ("set", "lifecycle"),
        ("update", "trail org-trail (management account, eu-central-1)"),
        ("start", "logging of trail org-trail"),
    ]
    assert writes(repair) == 3
    (trail,) = cloudtrail.describe_trails(trailNameList=[where.arn])["trailList"]
    assert (
        trail["LogFileValidationEnabled"]
        and cloudtrail.get_trail_status(Name=where.arn)["IsLogging"]
    )


def test_a_pre_existing_bucket_policy_keeps_its_other_statements(clean_sandbox, tmp_path):
    with_accounts(clean_sandbox, make_kit(clean_sandbox, tmp_path))
    kit = make_kit(clean_sandbox, tmp_path, True, trail_with(bucket_name="team-trail-logs"))
    where = audit_trail.locate(kit)
    s3 = kit.account(where.archive_id).client("s3")
    s3.create_bucket(
        Bucket=where.bucket, CreateBucketConfiguration={"LocationConstraint": where.region}
    )
    tls_only = {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{where.bucket}", f"arn:aws:s3:::{where.bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    stale = {**audit_trail.bucket_policy_statements(where)[1], "Resource": "arn:aws:s3:::old/*"}
    old = {"Version": "2012-10-17", "Statement": [tls_only, stale]}
    s3.put_bucket_policy(Bucket=where.bucket, Policy=json.dumps(old))
    audit_trail.ensure_audit_trail(kit)
    statements = json.loads(s3.get_bucket_policy(Bucket=where.bucket)["Policy"])["Statement"]
    assert statements[0] == tls_only  # kept, first, as it was
    assert [s["Sid"] for s in statements[1:]] == list(
        audit_trail.OUR_STATEMENTS
    )  # stale one replaced
    policy_change = [c for c in kit.changes if c.resource.endswith("bucket policy")]
    assert "1 other statement(s) kept" in policy_change[0].detail


def test_a_bucket_name_taken_elsewhere_is_explained(clean_sandbox, tmp_path, aws):
    with_accounts(clean_sandbox, make_kit(clean_sandbox, tmp_path))
    aws("s3").create_bucket(
        Bucket="taken-name", CreateBucketConfiguration={"LocationConstraint": SANDBOX_REGION}
    )
    kit = make_kit(clean_sandbox, tmp_path, True, trail_with(bucket_name="taken-name"))
    with pytest.raises(KitError, match="trail.bucket_name"):
        audit_trail.ensure_audit_trail(kit)
