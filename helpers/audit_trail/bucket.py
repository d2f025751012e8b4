"""The log bucket in the log-archive account: created, versioned, encrypted by default,
private, with CloudTrail's policy and the retention rule; each setting made so on its own."""

from __future__ import annotations

import json

from botocore.exceptions import ClientError

from helpers.audit_trail.policy import OUR_STATEMENTS, merged_policy, same_statements
from helpers.audit_trail.where import Where
from helpers.aws import error_code, or_none, paginate
from helpers.kit import Kit, KitError

LIFECYCLE_RULE = "org-trail-retention"
RECOVERY_DAYS = 30  # a deleted or overwritten log can be recovered for this long
BLOCK_ALL = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
POLICY = "CloudTrail may read the ACL and write AWSLogs/, this trail only"


def lifecycle_rule(days: int) -> dict:
    """Delete each log `days` after delivery; keep a replaced or deleted version 30 days."""
    return {
        "ID": LIFECYCLE_RULE,
        "Status": "Enabled",
        "Filter": {"Prefix": "AWSLogs/"},
        "Expiration": {"Days": days},
        "NoncurrentVersionExpiration": {"NoncurrentDays": RECOVERY_DAYS},
    }


def ensure_bucket(kit: Kit, where: Where) -> None:
    """The log bucket in the log-archive account: created, versioned, encrypted, private,
    with CloudTrail's policy and the retention rule."""
    resource = f"bucket {where.bucket} (account {where.archive_name})"
    if where.archive_id is None:
        kit.plan("create", resource, f"once account {where.archive_name} exists")
        _plan_settings(kit, where, resource)
        return
    s3 = kit.account(where.archive_id).client("s3")
    if where.bucket in {b["Name"] for b in paginate(s3, "list_buckets", "Buckets")}:
        kit.keep(resource, "exists")
    else:
        kit.plan("create", resource, f"in {where.region}")
        if not kit.apply:
            _plan_settings(kit, where, resource)
            return
        _create_bucket(s3, where)
    _ensure_versioning(kit, s3, where, resource)
    _ensure_encryption(kit, s3, where, resource)
    _ensure_private(kit, s3, where, resource)
    _ensure_policy(kit, s3, where, resource)
    _ensure_lifecycle(kit, s3, where, resource)


def _plan_settings(kit: Kit, where: Where, resource: str) -> None:
    """The settings of a bucket that exists only in the plan."""
    for setting, detail in [
        ("versioning", "Enabled"),
        ("default encryption", "SSE-S3 (AES256)"),
        ("public access block", "all four settings on"),
        ("bucket policy", POLICY),
        ("lifecycle", f"logs deleted {where.retention_days} days after delivery"),
    ]:
        kit.plan("set", f"{resource}: {setting}", detail)


def _create_bucket(s3, where: Where) -> None:
    params = {"Bucket": where.bucket}
    if where.region != "us-east-1":  # S3 refuses a LocationConstraint of us-east-1
        params["CreateBucketConfiguration"] = {"LocationConstraint": where.region}
    try:
        s3.create_bucket(**params)
    except ClientError as error:
        if error_code(error) != "BucketAlreadyExists":
            raise
        raise KitError(
            f"the bucket name {where.bucket} is taken by another AWS account (bucket names "
            "are global): set trail.bucket_name in the config to a name of your own",
            code="BucketAlreadyExists",
            resource=f"bucket {where.bucket}",
            next_step="set trail.bucket_name in the config to a name of your own",
        ) from None


def _ensure_versioning(kit: Kit, s3, where: Where, resource: str) -> None:
    status = s3.get_bucket_versioning(Bucket=where.bucket).get("Status")
    if status == "Enabled":
        kit.keep(f"{resource}: versioning", "Enabled")
        return
    kit.plan("set", f"{resource}: versioning", "Enabled")
    if kit.apply:
        s3.put_bucket_versioning(Bucket=where.bucket, VersioningConfiguration={"Status": "Enabled"})


def _ensure_encryption(kit: Kit, s3, where: Where, resource: str) -> None:
    answer = or_none(
        s3.get_bucket_encryption,
        "ServerSideEncryptionConfigurationNotFoundError",
        Bucket=where.bucket,
    )
    rules = (answer or {}).get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
    algorithms = [
        r["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]
        for r in rules
        if "ApplyServerSideEncryptionByDefault" in r
    ]
    if algorithms:  # SSE-S3 or a KMS key someone chose: both encrypt every log
        kit.keep(f"{resource}: default encryption", algorithms[0])
        return
    kit.plan("set", f"{resource}: default encryption", "SSE-S3 (AES256)")
    if kit.apply:
        s3.put_bucket_encryption(
            Bucket=where.bucket,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        )


def _ensure_private(kit: Kit, s3, where: Where, resource: str) -> None:
    answer = or_none(
        s3.get_public_access_block, "NoSuchPublicAccessBlockConfiguration", Bucket=where.bucket
    )
    if (answer or {}).get("PublicAccessBlockConfiguration") == BLOCK_ALL:
        kit.keep(f"{resource}: public access block", "all four settings on")
        return
    kit.plan("set", f"{resource}: public access block", "all four settings on")
    if kit.apply:
        s3.put_public_access_block(Bucket=where.bucket, PublicAccessBlockConfiguration=BLOCK_ALL)


def _ensure_policy(kit: Kit, s3, where: Where, resource: str) -> None:
    answer = or_none(s3.get_bucket_policy, "NoSuchBucketPolicy", Bucket=where.bucket)
    existing = json.loads(answer["Policy"]) if answer else None
    wanted = merged_policy(existing, where)
    if existing is not None and same_statements(existing, wanted):
        kit.keep(f"{resource}: bucket policy", "CloudTrail's statements in place")
        return
    kept = len(wanted["Statement"]) - len(OUR_STATEMENTS)
    detail = POLICY + (f"; {kept} other statement(s) kept" if kept else "")
    kit.plan("set", f"{resource}: bucket policy", detail)
    if kit.apply:
        s3.put_bucket_policy(Bucket=where.bucket, Policy=json.dumps(wanted))


def _ensure_lifecycle(kit: Kit, s3, where: Where, resource: str) -> None:
    answer = or_none(
        s3.get_bucket_lifecycle_configuration,
        "NoSuchLifecycleConfiguration",
        Bucket=where.bucket,
    )
    rules = (answer or {}).get("Rules", [])
    ours = lifecycle_rule(where.retention_days)
    current = next((r for r in rules if r.get("ID") == LIFECYCLE_RULE), None)
    detail = f"logs deleted {where.retention_days} days after delivery"
    if current is not None and {k: current.get(k) for k in ours} == ours:
        kit.keep(f"{resource}: lifecycle", detail)
        return
    kit.plan("set", f"{resource}: lifecycle", detail)
    if kit.apply:
        others = [r for r in rules if r.get("ID") != LIFECYCLE_RULE]
        s3.put_bucket_lifecycle_configuration(
            Bucket=where.bucket, LifecycleConfiguration={"Rules": [*others, ours]}
        )
