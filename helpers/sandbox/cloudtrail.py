"""CloudTrail's organization-trail rules, which moto skips.

- An organization trail needs an organization with all features, the management account,
  and trusted access for cloudtrail.amazonaws.com.
- The bucket policy must let CloudTrail read the bucket ACL and write its logs; it is
  checked with the kit's policy evaluator, as CloudTrail checks it when a trail is created
  or pointed at a bucket.
- Member accounts see their organization's trails (DescribeTrails, ListTrails, GetTrail,
  GetTrailStatus with the trail's ARN) but may not stop, start, change or delete them.
- A trail name is unique per account and region.
"""

from __future__ import annotations

from typing import Any

from moto.cloudtrail.models import Trail, cloudtrail_backends
from moto.organizations.models import OrganizationsBackend, organizations_backends
from moto.s3.models import s3_backends
from werkzeug.wrappers import Response

from helpers.policy import Policies, PolicyError, ResourcePolicy, evaluate
from helpers.policy import Request as PolicyRequest

from .extensions import handler
from .organizations import PARTITION, backend_of
from .request import Request
from .responses import AwsError, json_reply

SERVICE = "cloudtrail.amazonaws.com"
# Operations a member account may not call on its organization's trail.
MANAGEMENT_ONLY = (
    "StartLogging",
    "StopLogging",
    "UpdateTrail",
    "DeleteTrail",
    "PutEventSelectors",
    "PutInsightSelectors",
)


def _organization(account_id: str) -> OrganizationsBackend | None:
    """The Organizations backend of the organization the account belongs to, if any."""
    backend = backend_of(account_id)
    if backend.org is not None:
        return backend
    if account_id in organizations_backends.master_accounts:
        management_id, partition = organizations_backends.master_accounts[account_id]
        return organizations_backends[management_id][partition]
    return None


def _flag(params: dict[str, Any], name: str) -> bool | None:
    value = params.get(name)
    return None if value is None else value in (True, "true", "True")


def check_organization_trail(account_id: str) -> OrganizationsBackend:
    """Raise what CloudTrail raises when this account may not own an organization trail."""
    backend = _organization(account_id)
    if backend is None:
        raise AwsError(
            "OrganizationsNotInUseException",
            "This request was made from an account that is not a member of an organization. "
            "To make this request, sign in using the credentials of an account that belongs "
            "to an organization.",
        )
    assert backend.org is not None
    if backend.account_id != account_id:
        raise _not_management(account_id)
    if backend.org.feature_set != "ALL":
        raise AwsError(
            "OrganizationNotInAllFeaturesModeException",
            "This organization is not configured to support all features. All features must "
            "be enabled in AWS Organizations to support creating an organization trail.",
        )
    if not any(entry["ServicePrincipal"] == SERVICE for entry in backend.services):
        raise AwsError(
            "CloudTrailAccessNotEnabledException",
            "Trusted access between CloudTrail and AWS Organizations is not enabled. Enable "
            f"it for {SERVICE} (organizations:EnableAWSServiceAccess) and try again.",
        )
    return backend


def _not_management(account_id: str) -> AwsError:
    return AwsError(
        "NotOrganizationMasterAccountException",
        f"Account {account_id} is not the management account of its organization; only the "
        "management account can create, change, stop or delete an organization trail.",
    )


def delivery_requests(
    bucket: str, prefix: str, trail_arn: str, account_id: str, org_id: str | None
) -> list[PolicyRequest]:
    """What CloudTrail asks of S3 to deliver a trail's logs: read the bucket ACL, and write
    under AWSLogs/<account>/ (and AWSLogs/<organization>/ for an organization trail)."""
    region = trail_arn.split(":")[3]
    context = {"aws:SourceArn": trail_arn, "aws:SourceAccount": account_id}
    base = f"arn:aws:s3:::{bucket}/" + (f"{prefix.strip('/')}/" if prefix else "")
    owners = [account_id, *([f"{org_id}/{account_id}"] if org_id else [])]
    writes = [
        PolicyRequest(
            SERVICE,
            "s3:PutObject",
            f"{base}AWSLogs/{owner}/CloudTrail/{region}/log.json.gz",
            region=region,
            context={**context, "s3:x-amz-acl": "bucket-owner-full-control"},
        )
        for owner in owners
    ]
    read = PolicyRequest(
        SERVICE, "s3:GetBucketAcl", f"arn:aws:s3:::{bucket}", region=region, context=context
    )
    return [read, *writes]


def check_delivery(
    bucket_name: str, prefix: str, trail_arn: str, account_id: str, org_id: str | None
) -> None:
    """Raise InsufficientS3BucketPolicyException unless the bucket policy lets CloudTrail in."""
    owner = s3_backends.bucket_accounts.get(bucket_name)
    if owner is None:
        raise AwsError("S3BucketDoesNotExistException", f"S3 bucket {bucket_name} does not exist.")
    bucket = s3_backends[owner[1]][owner[0]].get_bucket(bucket_name)
    text = bucket.policy.decode() if isinstance(bucket.policy, bytes) else bucket.policy
    insufficient = AwsError(
        "InsufficientS3BucketPolicyException",
        f"Incorrect S3 bucket policy is detected for bucket: {bucket_name}",
    )
    if not text:
        raise insufficient
    try:
        policy = ResourcePolicy(f"bucket policy of {bucket_name}", text, owner[1])
    except PolicyError:
        raise insufficient from None
    requests = delivery_requests(bucket_name, prefix, trail_arn, account_id, org_id)
    if any(evaluate(r, Policies(resource=policy)).decision != "Allowed" for r in requests):
        raise insufficient


def _arn(request: Request, name: str) -> str:
    return f"arn:{PARTITION}:cloudtrail:{request.region}:{request.account_id}:trail/{name}"


@handler("cloudtrail", "CreateTrail")
def create_trail(request: Request) -> None:
    params, name = request.params, request.params.get("Name", "")
    if name in cloudtrail_backends[request.account_id][request.region].trails:
        raise AwsError(
            "TrailAlreadyExistsException",
            f"Trail {name} already exists for customer: {request.account_id}",
        )
    org_id = None
    if _flag(params, "IsOrganizationTrail"):
        backend = check_organization_trail(request.account_id)
        assert backend.org is not None
        org_id = backend.org.id
    check_delivery(
        params.get("S3BucketName", ""),
        params.get("S3KeyPrefix") or "",
        _arn(request, name),
        request.account_id,
        org_id,
    )


def _organization_trails(account_id: str, region: str) -> list[Trail]:
    """The organization trails a member account sees in a region (none for a management
    account, which sees them as its own)."""
    backend = _organization(account_id)
    if backend is None or backend.account_id == account_id:
        return []
    if not any(entry["ServicePrincipal"] == SERVICE for entry in backend.services):
        return []
    return [
        trail
        for regional in cloudtrail_backends[backend.account_id].values()
        for trail in regional.trails.values()
        if trail.is_org_trail and (trail.is_multi_region or trail.region_name == region)
    ]


def _member_target(request: Request) -> Trail | None:
    """The organization trail a member account's request names by ARN, if any."""
    name = request.params.get("Name") or request.params.get("TrailName") or ""
    return next(
        (t for t in _organization_trails(request.account_id, request.region) if t.arn == name), None
    )


def refuse_members(request: Request) -> None:
    """A member account may not stop, start, change or delete its organization's trail."""
    if _member_target(request) is not None:
        raise _not_management(request.account_id)


for operation in MANAGEMENT_ONLY:
    handler("cloudtrail", operation)(refuse_members)


@handler("cloudtrail", "UpdateTrail")
def update_trail(request: Request) -> None:
    backend = cloudtrail_backends[request.account_id][request.region]
    trail = backend.get_trail(request.params.get("Name", ""))
    params = request.params
    organization = _flag(params, "IsOrganizationTrail")
    org_id = None
    if organization or (organization is None and trail.is_org_trail):
        org_backend = check_organization_trail(request.account_id)
        assert org_backend.org is not None
        org_id = org_backend.org.id
    if "S3BucketName" in params or "S3KeyPrefix" in params or organization:
        check_delivery(
            params.get("S3BucketName") or trail.bucket_name,
            params.get("S3KeyPrefix", trail.s3_key_prefix) or "",
            trail.arn,
            request.account_id,
            org_id,
        )


def _visible(request: Request, shadows: bool = True) -> list[Trail]:
    """The trails DescribeTrails shows: the account's own, then its organization's."""
    own = cloudtrail_backends[request.account_id][request.region].describe_trails(shadows)
    return [*own, *(_organization_trails(request.account_id, request.region) if shadows else [])]


@handler("cloudtrail", "DescribeTrails")
def describe_trails(request: Request) -> Response:
    """Filtered by trailNameList as AWS does (moto ignores it): names match the account's
    trails in this region, ARNs match any trail the account sees."""
    shadows = _flag(request.params, "includeShadowTrails") is not False
    trails = _visible(request, shadows)
    wanted = request.params.get("trailNameList") or []
    if wanted:
        trails = [
            t
            for t in trails
            if t.arn in wanted
            or (
                t.trail_name in wanted
                and t.account_id == request.account_id
                and t.region_name == request.region
            )
        ]
    return json_reply({"trailList": [t.description(include_region=True) for t in trails]})


@handler("cloudtrail", "ListTrails")
def list_trails(request: Request) -> Response:
    return json_reply({"Trails": [t.short() for t in _visible(request)]})


@handler("cloudtrail", "GetTrail")
def get_trail(request: Request) -> Response | None:
    trail = _member_target(request)
    return None if trail is None else json_reply({"Trail": trail.description()})


@handler("cloudtrail", "GetTrailStatus")
def get_trail_status(request: Request) -> Response | None:
    trail = _member_target(request)
    return None if trail is None else json_reply(trail.status.description())
