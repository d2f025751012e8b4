"""The volumes and buckets checks: EBS volumes and EBS encryption by default; each bucket's
default encryption and Block Public Access (its own, or the account's)."""

from __future__ import annotations

from collections.abc import Iterator

from helpers.audit_trail import BLOCK_ALL
from helpers.aws import or_none
from helpers.review.model import Finding, Settings
from helpers.review.scope import Scope


def check_volumes(scope: Scope, settings: Settings) -> Iterator[Finding]:
    off = [
        r
        for r in scope.regions
        if not scope.ec2(r).get_ebs_encryption_by_default()["EbsEncryptionByDefault"]
    ]
    if off:
        yield scope.finding(
            "volumes",
            "EBS encryption by default",
            f"off in {', '.join(off)}: a new volume is encrypted only if whoever creates it asks",
            " ".join(f"aws ec2 enable-ebs-encryption-by-default --region {r};" for r in off)
            + " new volumes then use the aws/ebs key (or the one set with "
            "modify-ebs-default-kms-key-id)",
        )
    for resource, volume in scope.volumes:
        if not volume["Encrypted"]:
            yield scope.finding(
                "volumes",
                resource.label,
                "not encrypted: its data, and every snapshot of it, lie in the clear",
                "a volume cannot be encrypted in place: snapshot it, copy the snapshot with "
                "--encrypted, create a volume from the copy and swap it in",
            )


def _account_block(scope: Scope) -> dict:
    """The account's S3 Block Public Access settings ({} when it has none)."""
    answer = or_none(
        scope.session.client("s3control").get_public_access_block,
        "NoSuchPublicAccessBlockConfiguration",
        AccountId=scope.account_id,
    )
    return (answer or {}).get("PublicAccessBlockConfiguration", {})


def check_buckets(scope: Scope, settings: Settings) -> Iterator[Finding]:
    if not scope.buckets:
        return
    account = _account_block(scope)
    for bucket in scope.buckets:
        name = bucket.arn.rsplit(":", 1)[-1]
        s3 = scope.session.client("s3", region_name=bucket.region)
        if not or_none(
            s3.get_bucket_encryption, "ServerSideEncryptionConfigurationNotFoundError", Bucket=name
        ):
            rule = '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}'
            yield scope.finding(
                "buckets",
                bucket.label,
                "no default encryption: each object is stored as its writer sends it",
                f"aws s3api put-bucket-encryption --bucket {name} "
                f"--server-side-encryption-configuration '{rule}' (or aws:kms with a key of "
                "yours)",
            )
        answer = or_none(
            s3.get_public_access_block, "NoSuchPublicAccessBlockConfiguration", Bucket=name
        )
        own = (answer or {}).get("PublicAccessBlockConfiguration", {})
        off = [key for key in BLOCK_ALL if not (own.get(key) or account.get(key))]
        if off:
            every = ",".join(f"{key}=true" for key in BLOCK_ALL)
            yield scope.finding(
                "buckets",
                bucket.label,
                f"public access not blocked: {', '.join(off)} off for the bucket and for the "
                "account",
                f"aws s3control put-public-access-block --account-id {scope.account_id} "
                f"--public-access-block-configuration {every} covers every bucket of the "
                f"account (or aws s3api put-public-access-block --bucket {name} for this one); "
                "a site that must be public belongs behind CloudFront",
            )
