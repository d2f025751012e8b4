"""Step 05: one organization trail records every account's API calls into a bucket in the
log-archive account.

The trail lives in the management account, the only place members cannot reach; the logs
live in the log-archive account, away from the people who run the management account and
the workloads. Each function is "make it so": read, compare, change only the difference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from botocore.exceptions import ClientError

from helpers.accounts import members
from helpers.config import Trail, region_partitions
from helpers.kit import Kit, KitError
from helpers.organization import FOLD_FROM, describe, placement
from helpers.pictures import Arrow, Box, Picture, graph
from helpers.tables import Table

SERVICE = "cloudtrail.amazonaws.com"
ACL_CHECK = "AWSCloudTrailAclCheck20150319"
WRITE = "AWSCloudTrailWrite20150319"
ORGANIZATION_WRITE = "AWSCloudTrailOrganizationWrite20150319"
OUR_STATEMENTS = (ACL_CHECK, WRITE, ORGANIZATION_WRITE)
LIFECYCLE_RULE = "org-trail-retention"
RECOVERY_DAYS = 30  # a deleted or overwritten log can be recovered for this long
BLOCK_ALL = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
TRAIL_SETTINGS = {  # what CreateTrail/UpdateTrail take -> what DescribeTrails answers
    "IsOrganizationTrail": "IsOrganizationTrail",
    "IsMultiRegionTrail": "IsMultiRegionTrail",
    "IncludeGlobalServiceEvents": "IncludeGlobalServiceEvents",
    "EnableLogFileValidation": "LogFileValidationEnabled",
}


@dataclass(frozen=True)
class Where:
    """Where the trail and its bucket are; ids are None while they exist only in a plan."""

    name: str
    region: str
    management_id: str
    org_id: str | None
    archive_name: str
    archive_id: str | None
    bucket: str
    retention_days: int

    @property
    def partition(self) -> str:
        return region_partitions()[self.region]

    @property
    def arn(self) -> str:
        return (
            f"arn:{self.partition}:cloudtrail:{self.region}:{self.management_id}:trail/{self.name}"
        )

    @property
    def org(self) -> str:
        return self.org_id or "<organization id>"

    def log_prefix(self, account_id: str) -> str:
        """Where CloudTrail writes an account's logs in the bucket."""
        return f"s3://{self.bucket}/AWSLogs/{self.org}/{account_id}/CloudTrail/<region>/"


def trail_config(kit: Kit) -> Trail:
    """The config's trail section; KitError if it has none."""
    if kit.config.trail is None:
        raise KitError(
            "the desired-state file has no trail section: add one with log_archive_account "
            "(see runbook/org.example.yaml)"
        )
    return kit.config.trail


def locate(kit: Kit) -> Where:
    """Find the organization and the log-archive account (by its email), and name the bucket.

    When applying, the log-archive account must exist; a plan names what it does not know.
    """
    trail = trail_config(kit)
    org = describe(kit.management)
    account = kit.config.account(trail.log_archive_account)
    email = account.email.lower()
    archive_id = account.id if account.invite else None
    if archive_id is None:
        found = (i for i, a in members(kit).items() if a["Email"].lower() == email)
        archive_id = next(found, None)
    if archive_id is None and kit.apply:
        raise KitError(
            f"account {account.name} (trail.log_archive_account) is not in the organization "
            "yet: run step 02 first"
        )
    org_id = org["Id"] if org else None
    default = f"org-trail-{org_id or '<organization id>'}-{archive_id or '<log-archive id>'}"
    return Where(
        name=trail.name,
        region=kit.config.home_region,
        management_id=kit.config.management_account.id,
        org_id=org_id,
        archive_name=account.name,
        archive_id=archive_id,
        bucket=trail.bucket_name or default,
        retention_days=trail.retention_days,
    )


# --- trusted access -----------------------------------------------------------------------


def ensure_trusted_access(kit: Kit, where: Where) -> None:
    """Let CloudTrail act in the organization (organizations:EnableAWSServiceAccess)."""
    resource = f"trusted access for {SERVICE}"
    if where.org_id is None:
        kit.change("enable", resource, "once the organization exists")
        return
    orgs = kit.management.client("organizations")
    pages = orgs.get_paginator("list_aws_service_access_for_organization").paginate()
    enabled = {s["ServicePrincipal"] for page in pages for s in page["EnabledServicePrincipals"]}
    if SERVICE in enabled:
        kit.keep(resource, "enabled")
    elif kit.change("enable", resource, "so CloudTrail can record every member account"):
        orgs.enable_aws_service_access(ServicePrincipal=SERVICE)


# --- the bucket ---------------------------------------------------------------------------


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


def lifecycle_rule(days: int) -> dict:
    """Delete each log `days` after delivery; keep a replaced or deleted version 30 days."""
    return {
        "ID": LIFECYCLE_RULE,
        "Status": "Enabled",
        "Filter": {"Prefix": "AWSLogs/"},
        "Expiration": {"Days": days},
        "NoncurrentVersionExpiration": {"NoncurrentDays": RECOVERY_DAYS},
    }


def _read(call, missing: str, **params) -> dict | None:
    """A bucket setting, None where S3 answers that it has none (error code `missing`)."""
    try:
        return call(**params)
    except ClientError as error:
        if error.response["Error"]["Code"] != missing:
            raise
        return None


def ensure_bucket(kit: Kit, where: Where) -> None:
    """The log bucket in the log-archive account: created, versioned, encrypted, private,
    with CloudTrail's policy and the retention rule."""
    resource = f"bucket {where.bucket} (account {where.archive_name})"
    settings = [
        ("versioning", "Enabled"),
        ("default encryption", "SSE-S3 (AES256)"),
        ("public access block", "all four settings on"),
        ("bucket policy", "CloudTrail may read the ACL and write AWSLogs/, this trail only"),
        ("lifecycle", f"logs deleted {where.retention_days} days after delivery"),
    ]
    if where.archive_id is None:
        kit.change("create", resource, f"once account {where.archive_name} exists")
        for setting, detail in settings:
            kit.change("set", f"{resource}: {setting}", detail)
        return
    s3 = kit.account(where.archive_id).client("s3")
    pages = s3.get_paginator("list_buckets").paginate()
    exists = where.bucket in {b["Name"] for page in pages for b in page["Buckets"]}
    if exists:
        kit.keep(resource, "exists")
    elif kit.change("create", resource, f"in {where.region}"):
        _create_bucket(s3, where)
    else:
        for setting, detail in settings:
            kit.change("set", f"{resource}: {setting}", detail)
        return
    _ensure_versioning(kit, s3, where, resource)
    _ensure_encryption(kit, s3, where, resource)
    _ensure_private(kit, s3, where, resource)
    _ensure_policy(kit, s3, where, resource)
    _ensure_lifecycle(kit, s3, where, resource)


def _create_bucket(s3, where: Where) -> None:
    params = {"Bucket": where.bucket}
    if where.region != "us-east-1":  # S3 refuses a LocationConstraint of us-east-1
        params["CreateBucketConfiguration"] = {"LocationConstraint": where.region}
    try:
        s3.create_bucket(**params)
    except s3.exceptions.BucketAlreadyExists:
        raise KitError(
            f"the bucket name {where.bucket} is taken by another AWS account (bucket names "
            "are global): set trail.bucket_name in the config to a name of your own"
        ) from None


def _ensure_versioning(kit: Kit, s3, where: Where, resource: str) -> None:
    status = s3.get_bucket_versioning(Bucket=where.bucket).get("Status")
    if status == "Enabled":
        kit.keep(f"{resource}: versioning", "Enabled")
    elif kit.change("set", f"{resource}: versioning", "Enabled"):
        s3.put_bucket_versioning(Bucket=where.bucket, VersioningConfiguration={"Status": "Enabled"})


def _ensure_encryption(kit: Kit, s3, where: Where, resource: str) -> None:
    answer = _read(
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
    elif kit.change("set", f"{resource}: default encryption", "SSE-S3 (AES256)"):
        s3.put_bucket_encryption(
            Bucket=where.bucket,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        )


def _ensure_private(kit: Kit, s3, where: Where, resource: str) -> None:
    answer = _read(
        s3.get_public_access_block, "NoSuchPublicAccessBlockConfiguration", Bucket=where.bucket
    )
    if (answer or {}).get("PublicAccessBlockConfiguration") == BLOCK_ALL:
        kit.keep(f"{resource}: public access block", "all four settings on")
    elif kit.change("set", f"{resource}: public access block", "all four settings on"):
        s3.put_public_access_block(Bucket=where.bucket, PublicAccessBlockConfiguration=BLOCK_ALL)


def _ensure_policy(kit: Kit, s3, where: Where, resource: str) -> None:
    answer = _read(s3.get_bucket_policy, "NoSuchBucketPolicy", Bucket=where.bucket)
    existing = json.loads(answer["Policy"]) if answer else None
    wanted = merged_policy(existing, where)
    if existing is not None and _same_statements(existing, wanted):
        kit.keep(f"{resource}: bucket policy", "CloudTrail's statements in place")
        return
    kept = len(wanted["Statement"]) - len(OUR_STATEMENTS)
    detail = "CloudTrail may read the ACL and write AWSLogs/, this trail only"
    detail += f"; {kept} other statement(s) kept" if kept else ""
    if kit.change("set", f"{resource}: bucket policy", detail):
        s3.put_bucket_policy(Bucket=where.bucket, Policy=json.dumps(wanted))


def _same_statements(existing: dict, wanted: dict) -> bool:
    def by_sid(policy: dict) -> dict:
        statements = policy.get("Statement", [])
        statements = statements if isinstance(statements, list) else [statements]
        return {s.get("Sid"): s for s in statements if s.get("Sid") in OUR_STATEMENTS}

    return by_sid(existing) == by_sid(wanted)


def _ensure_lifecycle(kit: Kit, s3, where: Where, resource: str) -> None:
    answer = _read(
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
    elif kit.change("set", f"{resource}: lifecycle", detail):
        others = [r for r in rules if r.get("ID") != LIFECYCLE_RULE]
        s3.put_bucket_lifecycle_configuration(
            Bucket=where.bucket, LifecycleConfiguration={"Rules": [*others, ours]}
        )


# --- the trail ----------------------------------------------------------------------------


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
    trail = next((t for t in trails if t["TrailARN"] == where.arn), None)
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
            if kit.change("create", resource, detail):
                trail = cloudtrail.create_trail(Name=where.name, **wanted)
        else:
            differ = {k: v for k, v in wanted.items() if trail.get(TRAIL_SETTINGS.get(k, k)) != v}
            if not differ:
                kit.keep(resource, f"organization trail to {where.bucket}")
            elif kit.change("update", resource, ", ".join(f"{k}={v}" for k, v in differ.items())):
                trail = cloudtrail.update_trail(Name=where.arn, **wanted)
    except ClientError as error:
        if error.response["Error"]["Code"] != "InsufficientS3BucketPolicyException":
            raise
        raise KitError(
            f"CloudTrail may not write to bucket {where.bucket}: a statement in its bucket "
            "policy denies CloudTrail (check statements the kit did not write)"
        ) from None
    _ensure_logging(kit, where, exists=trail is not None)
    return None if trail is None else {k: v for k, v in trail.items() if k != "ResponseMetadata"}


def _ensure_logging(kit: Kit, where: Where, exists: bool) -> None:
    cloudtrail = kit.management.client("cloudtrail")
    resource = f"logging of trail {where.name}"
    logging = exists and cloudtrail.get_trail_status(Name=where.arn)["IsLogging"]
    if logging:
        kit.keep(resource, "on")
    elif kit.change("start", resource, "records from now on"):
        cloudtrail.start_logging(Name=where.arn)


def ensure_audit_trail(kit: Kit) -> Where:
    """The whole step: trusted access, the bucket, the trail and its logging, in that order."""
    where = locate(kit)
    ensure_trusted_access(kit, where)
    ensure_bucket(kit, where)
    ensure_trail(kit, where)
    return where


# --- the evidence -------------------------------------------------------------------------


def status(kit: Kit, where: Where) -> Table:
    """The trail as the management account sees it."""
    cloudtrail = kit.management.client("cloudtrail")
    trail = cloudtrail.describe_trails(trailNameList=[where.arn])["trailList"][0]
    state = cloudtrail.get_trail_status(Name=where.arn)
    rows = [
        ["trail", trail["TrailARN"]],
        ["organization trail", trail["IsOrganizationTrail"]],
        ["all regions", trail["IsMultiRegionTrail"]],
        ["log file validation", trail["LogFileValidationEnabled"]],
        ["logging", state["IsLogging"]],
        ["bucket", f"{trail['S3BucketName']} (account {where.archive_name}, {where.archive_id})"],
        ["logs kept", f"{where.retention_days} days"],
    ]
    return Table(["setting", "value"], rows)


def member_view(kit: Kit, account_id: str, where: Where) -> Table:
    """The organization trail as a member account sees it, through its access role."""
    cloudtrail = kit.account(account_id).client("cloudtrail")
    trails = cloudtrail.describe_trails(trailNameList=[where.arn])["trailList"]
    rows = [
        [
            t["Name"],
            t["TrailARN"].split(":")[4],
            t.get("IsOrganizationTrail"),
            cloudtrail.get_trail_status(Name=t["TrailARN"])["IsLogging"],
        ]
        for t in trails
    ]
    return Table(["trail", "owned by account", "organization trail", "logging"], rows)


def try_to_stop(kit: Kit, account_id: str, where: Where) -> str:
    """Ask CloudTrail, as a member account, to stop the organization trail; its answer.

    A write call: the workshop makes it with a button, the runbook does not (a re-run makes
    no write calls). CloudTrail refuses it; should it ever succeed, logging is restarted.
    """
    cloudtrail = kit.account(account_id).client("cloudtrail")
    try:
        cloudtrail.stop_logging(Name=where.arn)
    except ClientError as error:
        return f"{error.response['Error']['Code']}: {error.response['Error']['Message']}"
    kit.management.client("cloudtrail").start_logging(Name=where.arn)
    raise KitError(f"account {account_id} could stop the organization trail; logging restarted")


def a_member(kit: Kit, where: Where) -> tuple[str, str] | None:
    """A workload account (name, id) to look from: the first that exists, not the archive."""
    joined = members(kit)
    by_email = {a["Email"].lower(): i for i, a in joined.items()}
    for account in kit.config.accounts:
        found = account.id if account.invite else by_email.get(account.email.lower())
        if found in joined and account.name != where.archive_name:
            return account.name, found
    return None


def destinations(kit: Kit, where: Where) -> Table:
    """Where each account's logs land in the bucket."""
    accounts = members(kit)
    rows = [
        [kit.account_name(i, a["Name"]), i, where.log_prefix(i)]
        for i, a in sorted(accounts.items())
    ]
    if not rows:
        rows = [
            [account.name, "(planned)", where.log_prefix("<account id>")]
            for account in kit.config.accounts
        ]
    return Table(["account", "id", "logs land under"], rows)


def picture(kit: Kit, where: Where) -> Picture:
    """Every account's API calls flowing into the one bucket in the log-archive account; an
    organization of more than FOLD_FROM accounts as one box per OU."""
    accounts = members(kit)
    bucket = Box("bucket", where.bucket, [f"account {where.archive_name}", "versioned, private"])
    trail = ["trail " + where.name]
    if len(accounts) <= FOLD_FROM:
        boxes = [
            Box(
                i, kit.account_name(i, a["Name"]), [i, *(trail if i == where.management_id else [])]
            )
            for i, a in sorted(accounts.items())
        ]
        arrows = [Arrow(i, "bucket", f"AWSLogs/…/{i}/") for i in sorted(accounts)]
        return graph([*boxes, bucket], arrows)
    management = kit.account_name(where.management_id, "management")
    boxes = [Box(where.management_id, management, [where.management_id, *trail])]
    for node, path, inside in placement(kit.management):
        inside = [a for a in inside if a["Id"] != where.management_id]
        if inside:
            boxes.append(Box(node, path, [f"{len(inside)} account(s)"]))
    arrows = [Arrow(b.id, "bucket", "AWSLogs/…/<each account id>/") for b in boxes]
    arrows[0] = Arrow(where.management_id, "bucket", f"AWSLogs/…/{where.management_id}/")
    return graph([*boxes, bucket], arrows)


def show_evidence(kit: Kit, where: Where) -> tuple[str, str] | None:
    """The trail as the management account and a workload account see it, the picture of
    the calls flowing into one bucket (once applied), and where each account's logs land.
    Returns the workload account (name, id) it looked from, if there is one."""
    member = a_member(kit, where)
    if kit.apply:
        kit.show("The organization trail", status(kit, where))
        if member:
            name, member_id = member
            kit.show(f"The trail as account {name} sees it", member_view(kit, member_id, where))
        kit.show("Every account's calls, into one bucket", picture(kit, where))
    kit.show("Where each account's logs land", destinations(kit, where))
    return member
