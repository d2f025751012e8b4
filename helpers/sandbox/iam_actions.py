"""Which IAM action a sandbox request performs, on which resource ARN (best effort).

Policies name actions as ``prefix:Action`` and resources by ARN; a request names an API
operation and its parameters. This module maps one to the other for the services the kit
uses. A resource it cannot name is ``"*"``, as AWS evaluates actions that have no
resource-level permissions.
"""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import unquote, urlparse

import botocore.exceptions
import botocore.session

from .request import Request

PARTITION = "aws"
_PREFIXES = {"sso-admin": "sso"}
"""boto3 client names whose IAM action prefix differs."""

_S3_ACTIONS = {
    "ListBuckets": "ListAllMyBuckets",
    "HeadBucket": "ListBucket",
    "ListObjects": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "ListObjectVersions": "ListBucketVersions",
    "ListMultipartUploads": "ListBucketMultipartUploads",
    "ListParts": "ListMultipartUploadParts",
    "HeadObject": "GetObject",
    "CopyObject": "PutObject",
    "CreateMultipartUpload": "PutObject",
    "UploadPart": "PutObject",
    "CompleteMultipartUpload": "PutObject",
    "DeleteObjects": "DeleteObject",
    "DeleteBucketPolicy": "DeleteBucketPolicy",
    "DeleteBucketTagging": "PutBucketTagging",
    "DeleteBucketCors": "PutBucketCORS",
    "GetBucketCors": "GetBucketCORS",
    "PutBucketCors": "PutBucketCORS",
    "GetBucketEncryption": "GetEncryptionConfiguration",
    "PutBucketEncryption": "PutEncryptionConfiguration",
    "DeleteBucketEncryption": "PutEncryptionConfiguration",
    "GetBucketLifecycleConfiguration": "GetLifecycleConfiguration",
    "PutBucketLifecycleConfiguration": "PutLifecycleConfiguration",
    "DeleteBucketLifecycleConfiguration": "PutLifecycleConfiguration",
    "GetBucketNotificationConfiguration": "GetBucketNotification",
    "PutBucketNotificationConfiguration": "PutBucketNotification",
    "GetBucketPublicAccessBlock": "GetBucketPublicAccessBlock",
    "DeleteBucketPublicAccessBlock": "PutBucketPublicAccessBlock",
    "DeleteBucketOwnershipControls": "PutBucketOwnershipControls",
    "GetBucketReplication": "GetReplicationConfiguration",
    "PutBucketReplication": "PutReplicationConfiguration",
    "DeleteBucketWebsite": "DeleteBucketWebsite",
    "GetBucketLogging": "GetBucketLogging",
    "PutBucketLogging": "PutBucketLogging",
}
"""S3 operations whose IAM action has another name (the rest share the operation's)."""

_IAM_NAMES = (
    ("RoleName", "role"),
    ("UserName", "user"),
    ("GroupName", "group"),
    ("InstanceProfileName", "instance-profile"),
)
_IAM_ARNS = ("PolicyArn", "OpenIDConnectProviderArn", "SAMLProviderArn")
_EC2_IDS = (
    ("InstanceId", "instance"),
    ("InstanceId.1", "instance"),
    ("VpcId", "vpc"),
    ("SubnetId", "subnet"),
    ("GroupId", "security-group"),
)


def iam_action(request: Request) -> str:
    """The request's IAM action, e.g. ``s3:ListAllMyBuckets`` or ``sso:CreatePermissionSet``."""
    operation = operation_of(request)
    if request.service == "s3":
        operation = _S3_ACTIONS.get(operation, operation)
    return f"{_PREFIXES.get(request.service, request.service)}:{operation}"


def operation_of(request: Request) -> str:
    """The API operation; for REST-JSON services (GuardDuty) found from the method and path."""
    if request.operation or request.protocol != "rest-json":
        return request.operation
    for method, pattern, name in _rest_routes(request.service):
        if method == request.method and pattern.fullmatch(request.path):
            return name
    return ""


@cache
def _rest_routes(service: str) -> list[tuple[str, re.Pattern[str], str]]:
    """(method, path pattern, operation) of a REST service, the most literal paths first."""
    try:
        model = botocore.session.get_session().get_service_model(service)
    except botocore.exceptions.UnknownServiceError:
        return []
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        uri = http["requestUri"].split("?")[0]
        pattern = re.sub(r"\\\{[^}]+\\\+\\\}", ".+", re.escape(uri))
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
        literal = len(re.sub(r"\{[^}]+\}", "", uri))
        routes.append((literal, http["method"], re.compile(pattern.rstrip("/") + "/?"), name))
    routes.sort(key=lambda route: -route[0])
    return [(method, pattern, name) for _, method, pattern, name in routes]


def resource_arn(request: Request) -> str:
    """The ARN of the resource the request acts on, or ``"*"``."""
    service, params, account = request.service, request.params, request.account_id
    if service == "s3":
        if not request.bucket:
            return "*"
        return f"arn:{PARTITION}:s3:::{request.bucket}" + (
            f"/{unquote(request.key)}" if request.key else ""
        )
    if service == "sqs":
        if queue := queue_of(request):
            owner, name = queue
            return f"arn:{PARTITION}:sqs:{request.region}:{owner}:{name}"
        if name := params.get("QueueName"):
            return f"arn:{PARTITION}:sqs:{request.region}:{account}:{name}"
        return "*"
    if service == "sts" and params.get("RoleArn"):
        return str(params["RoleArn"])
    if service == "iam":
        return _iam_arn(params, account)
    if service == "ec2":
        found = next(((kind, params[key]) for key, kind in _EC2_IDS if params.get(key)), None)
        if found:
            return f"arn:{PARTITION}:ec2:{request.region}:{account}:{found[0]}/{found[1]}"
        if request.operation == "RunInstances":
            return f"arn:{PARTITION}:ec2:{request.region}:{account}:instance/*"
        return "*"
    if service == "cloudtrail":
        name = str(params.get("Name") or params.get("TrailName") or "")
        if name.startswith("arn:") or not name:
            return name or "*"
        return f"arn:{PARTITION}:cloudtrail:{request.region}:{account}:trail/{name}"
    if service == "cloudformation":
        if name := params.get("StackSetName"):
            return f"arn:{PARTITION}:cloudformation:{request.region}:{account}:stackset/{name}:*"
        if name := params.get("StackName"):
            return f"arn:{PARTITION}:cloudformation:{request.region}:{account}:stack/{name}/*"
    return "*"


def _iam_arn(params: dict, account: str) -> str:
    for key, kind in _IAM_NAMES:
        if params.get(key):
            return f"arn:{PARTITION}:iam::{account}:{kind}/{params[key]}"
    return next((str(params[key]) for key in _IAM_ARNS if params.get(key)), "*")


def queue_of(request: Request) -> tuple[str, str] | None:
    """(owner account, queue name) of the queue an SQS request's QueueUrl names."""
    url = str(request.params.get("QueueUrl") or "")
    parts = urlparse(url).path.strip("/").split("/") if url.startswith("http") else []
    if len(parts) == 2 and re.fullmatch(r"\d{12}", parts[0]):
        return parts[0], parts[1]
    return None
