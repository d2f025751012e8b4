"""The organization trail in the management account: CloudTrail's trusted access, one
multi-region trail with log file validation into the bucket, and its logging; then the step."""

from __future__ import annotations

from botocore.exceptions import ClientError

from helpers.audit_trail.bucket import ensure_bucket
from helpers.audit_trail.where import SERVICE, Where, locate
from helpers.aws import error_code, paginate
from helpers.kit import Kit, KitError

TRAIL_SETTINGS = {  # what CreateTrail/UpdateTrail take -> what DescribeTrails answers
    "IsOrganizationTrail": "IsOrganizationTrail",
    "IsMultiRegionTrail": "IsMultiRegionTrail",
    "IncludeGlobalServiceEvents": "IncludeGlobalServiceEvents",
    "EnableLogFileValidation": "LogFileValidationEnabled",
}


def ensure_trusted_access(kit: Kit, where: Where) -> None:
    """Let CloudTrail act in the organization (organizations:EnableAWSServiceAccess)."""
    resource = f"trusted access for {SERVICE}"
    if where.org_id is None:
        kit.plan("enable", resource, "once the organization exists")
        return
    orgs = kit.management.client("organizations")
    listed = paginate(orgs, "list_aws_service_access_for_organization", "EnabledServicePrincipals")
    if SERVICE in {s["ServicePrincipal"] for s in listed}:
        kit.keep(resource, "enabled")
        return
    kit.plan("enable", resource, "so CloudTrail can record every member account")
    if kit.apply:
        orgs.enable_aws_service_access(ServicePrincipal=SERVICE)


def own_trails(kit: Kit) -> list[dict]:
    """The management account's trails seen from the home region (its shadows included)."""
    trails = kit.management.client("cloudtrail").describe_trails(includeShadowTrails=True)
    management = kit.config.management_account.id
    return [t for t in trails["trailList"] if t["TrailARN"].split(":")[4] == management]


def ensure_trail(kit: Kit, where: Where) -> dict | None:
    """One multi-region organization trail with log file validation, logging; returns it
    as DescribeTrails shows it (None while only planned)."""
    cloudtrail = kit.management.client("cloudtrail")
    wanted = {"S3BucketName": where.bucket, **{setting: True for setting in TRAIL_SETTINGS}}
    trails = own_trails(kit)
    trail: dict | None = next((t for t in trails if t["TrailARN"] == where.arn), None)
    for other in trails:
        if other["TrailARN"] != where.arn and other.get("IsOrganizationTrail"):
            kit.ask(
                f"decide about organization trail {other['TrailARN']}: it records the same "
                "management events again, and every copy after the first is charged"
            )
    resource = f"trail {where.name} (management account, {where.region})"
    try:
        if trail is None:
            detail = f"organization, all regions, log file validation, to {where.bucket}"
            kit.plan("create", resource, detail)
            if kit.apply:
                trail = cloudtrail.create_trail(Name=where.name, **wanted)
        elif differ := {
            k: v for k, v in wanted.items() if trail.get(TRAIL_SETTINGS.get(k, k)) != v
        }:
            kit.plan("update", resource, ", ".join(f"{k}={v}" for k, v in differ.items()))
            if kit.apply:
                trail = cloudtrail.update_trail(Name=where.arn, **wanted)
        else:
            kit.keep(resource, f"organization trail to {where.bucket}")
    except ClientError as error:
        if error_code(error) != "InsufficientS3BucketPolicyException":
            raise
        raise KitError(
            f"CloudTrail may not write to bucket {where.bucket}: a statement in its bucket "
            "policy denies CloudTrail (check statements the kit did not write)",
            code="InsufficientS3BucketPolicyException",
            resource=f"bucket {where.bucket}",
            next_step="remove or narrow the bucket policy's statement that denies CloudTrail",
        ) from None
    _ensure_logging(kit, where, exists=trail is not None)
    return None if trail is None else {k: v for k, v in trail.items() if k != "ResponseMetadata"}


def _ensure_logging(kit: Kit, where: Where, exists: bool) -> None:
    cloudtrail = kit.management.client("cloudtrail")
    resource = f"logging of trail {where.name}"
    if exists and cloudtrail.get_trail_status(Name=where.arn)["IsLogging"]:
        kit.keep(resource, "on")
        return
    kit.plan("start", resource, "records from now on")
    if kit.apply:
        cloudtrail.start_logging(Name=where.arn)


def ensure_audit_trail(kit: Kit) -> Where:
    """The whole step: trusted access, the bucket, the trail and its logging, in that order."""
    where = locate(kit)
    ensure_trusted_access(kit, where)
    ensure_bucket(kit, where)
    ensure_trail(kit, where)
    return where
