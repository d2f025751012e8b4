"""Exercise: the organization trail, created in the management account, logging into the
bucket that waits in the log-archive account."""

from __future__ import annotations

from typing import Any

from helpers import audit_trail
from helpers.exercises.framework import (
    Definition,
    Outcome,
    Values,
    correct,
    incorrect,
    not_attempted,
)
from helpers.exercises.state import organization_with_accounts
from helpers.kit import Kit

SETTINGS = {
    "IsOrganizationTrail": "every account of the organization, including later ones",
    "IsMultiRegionTrail": "every region, so a call where nobody watches is recorded too",
    "LogFileValidationEnabled": "a signed digest every hour proves no log was changed",
}


def setup(kit: Kit) -> dict[str, Any]:
    """Steps 01-02, and the log bucket in the log-archive account with the bucket policy
    CloudTrail needs (step 05's helper); no trusted access, no trail."""
    facts = organization_with_accounts(kit)
    where = audit_trail.locate(kit)
    audit_trail.ensure_bucket(kit, where)
    return {**facts, "where": where}


def check(kit: Kit, facts: dict[str, Any], values: Values) -> Outcome:
    where: audit_trail.Where = facts["where"]
    trails = audit_trail.own_trails(kit)
    trail = next((t for t in trails if t["Name"] == where.name), None)
    if trail is None:
        if values.all_blank() and not trails:
            return not_attempted(f"there is no trail {where.name} yet")
        found = ", ".join(t["Name"] for t in trails) or "none"
        return incorrect(
            f"the management account has no trail named {where.name} in {where.region} "
            f"(its trails: {found})"
        )
    if trail["S3BucketName"] != where.bucket:
        return incorrect(
            f"trail {where.name} writes to {trail['S3BucketName']}, not to {where.bucket} in "
            f"the log-archive account ({where.archive_id}): logs belong out of everyday reach"
        )
    for setting, why in SETTINGS.items():
        if not trail.get(setting):
            return incorrect(f"trail {where.name} has {setting} false: set it to true ({why})")
    status = kit.management.client("cloudtrail").get_trail_status(Name=trail["TrailARN"])
    if not status["IsLogging"]:
        return incorrect(
            f"trail {where.name} exists but records nothing: a new trail does not log until "
            "start_logging is called"
        )
    if values["trail_arn"] != trail["TrailARN"]:
        return incorrect(
            f"trail_arn is {values.get('trail_arn')!r}, but the trail's ARN is {trail['TrailARN']}"
        )
    return correct(
        f"trail {where.name} records every account and region into {where.bucket}, and "
        "member accounts cannot stop it"
    )


EXERCISE = Definition(
    name="05_organization_trail",
    title="Record every API call: the organization trail",
    teaches=("05_audit_trail",),
    minutes=15,
    answers=("trail_arn",),
    setup=setup,
    check=check,
    hints=(
        "Two services, both in the management account: organizations (trusted access for "
        "cloudtrail.amazonaws.com) and cloudtrail (the trail).",
        "enable_aws_service_access(ServicePrincipal='cloudtrail.amazonaws.com') first; "
        "without it create_trail answers CloudTrailAccessNotEnabledException.",
        "create_trail(Name=where.name, S3BucketName=where.bucket, IsOrganizationTrail=True, "
        "IsMultiRegionTrail=True, EnableLogFileValidation=True), then "
        "start_logging(Name=<its TrailARN>).",
    ),
)
