"""Enforcement: the sandbox allows or denies each request as AWS would, with the evaluator.

Before moto sees a request, the caller (from its access key) and the policies in force
(the SCPs and RCPs on the accounts' paths, the caller's identity policies, boundary and
session policy, the resource's policy) are read in-process from moto's backends by
`in_force`, and `helpers.policy.evaluate` decides. A denial is
answered in the service's own shape and wording: AccessDenied, AccessDeniedException or,
for EC2, UnauthorizedOperation with an encoded message that sts:DecodeAuthorizationMessage
decodes.

What is enforced:
- SCPs, for callers in member accounts (never the management account, service-linked
  roles or accounts outside an organization), once the SCP type is enabled on the root;
- RCPs, on the buckets, queues and roles of member accounts (S3, SQS and sts:AssumeRole),
  whoever the caller, once the RCP type is enabled on the root;
- identity policies, permissions boundaries and session policies of IAM users and roles,
  when every one of their policies can be read (otherwise they are not enforced);
- sts:AssumeRole: the role must exist and its trust policy allow the caller;
- resource policies of S3 buckets and SQS queues: across accounts both sides must allow.
The request context carries aws:PrincipalOrgID and aws:ResourceOrgID, so a data perimeter
(a bucket policy or an RCP on the organization id) behaves as in AWS. The root user of an
account needs no identity policy, as in AWS; sts:GetCallerIdentity is never denied.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from moto.iam.access_control import PermissionResult
from moto.iam.models import iam_backends
from moto.s3.models import FakeBucket
from werkzeug.wrappers import Response

from helpers.policy import Decision, Policies, PolicyError, evaluate
from helpers.policy import Request as PolicyRequest

from .authorization_messages import authorization_message, decode, denial_message, encode
from .extensions import handler
from .iam_actions import PARTITION, iam_action, resource_arn
from .in_force import Caller, caller_of, membership, resource_side
from .request import Request
from .responses import AwsError
from .seed import DUMMY_CREDENTIALS


def decide(request: Request) -> tuple[Decision, Caller, str] | None:
    """The evaluator's decision on a signed request, the caller, and the resource's owner."""
    action = iam_action(request)
    if not request.access_key or action.endswith(":"):
        return None
    caller = caller_of(request)
    resource = resource_arn(request)
    try:
        owner, resource_policy = resource_side(request, action, resource)
    except PolicyError:  # moto accepts invalid resource policies; AWS would not have
        owner, resource_policy = request.account_id, None
    member = membership(caller.account)
    keeper = member if owner == caller.account else membership(owner)
    now = datetime.now(UTC)
    context = {
        "aws:SecureTransport": True,  # boto3 talks TLS to AWS; the sandbox stands in for it
        "aws:CurrentTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": int(now.timestamp()),
        "s3:x-amz-acl": request.headers.get("x-amz-acl"),
        "aws:ResourceAccount": owner,
    }
    policy_request = PolicyRequest(
        caller.arn,
        action,
        resource,
        request.region or "us-east-1",
        account=caller.account,
        organization=member.organization,
        management_account=member.management,
        service_linked_role=caller.service_linked,
        context={key: value for key, value in context.items() if value is not None},
        resource_organization=keeper.organization,
        resource_management_account=keeper.management,
    )
    policies = Policies(
        identity=caller.identity,
        scps=member.scps,
        boundary=caller.boundary,
        session=caller.session,
        resource=resource_policy,
        rcps=keeper.rcps,
    )
    return evaluate(policy_request, policies), caller, owner


def deny(request: Request, decision: Decision, caller: Caller) -> AwsError:
    """The error the service answers a denied request with."""
    message = denial_message(decision, s3=request.service == "s3")
    if request.protocol == "ec2":
        encoded = encode(authorization_message(decision, caller.user_id))
        return AwsError(
            "UnauthorizedOperation",
            f"You are not authorized to perform this operation. {message}. "
            f"Encoded authorization failure message: {encoded}",
            403,
        )
    if request.protocol == "json" and request.service != "sqs":
        return AwsError("AccessDeniedException", message, 400)
    if request.protocol == "rest-json":
        return AwsError("AccessDeniedException", message, 403)
    return AwsError("AccessDenied", message, 403)


INVALID_KEY = {
    "query": "InvalidClientTokenId",
    "ec2": "AuthFailure",
    "rest-xml": "InvalidAccessKeyId",
}


def key_in_force(request: Request) -> bool:
    """Whether the request's access key exists and is active (AWS refuses any other; moto
    would quietly treat an unknown key as the default account's)."""
    if request.access_key in ("", DUMMY_CREDENTIALS["AccessKeyId"]):
        return True
    key = iam_backends[request.account_id][PARTITION].access_keys.get(request.access_key)
    return key is not None and key.status == "Active"


_decided = threading.local()
"""Whether enforcement decided the request this thread is serving (werkzeug serves each
request in a thread of its own)."""
_moto_bucket_permission = FakeBucket.get_permission


def _bucket_permission(bucket: FakeBucket, action: str, resource: str) -> PermissionResult:
    """moto's own reading of a bucket policy knows neither principals nor condition keys (it
    would refuse every object request under a Deny whose condition it cannot read, such as
    aws:PrincipalOrgID's): it stays only for the unsigned requests enforcement leaves."""
    if getattr(_decided, "request", False):
        return PermissionResult.NEUTRAL
    return _moto_bucket_permission(bucket, action, resource)


FakeBucket.get_permission = _bucket_permission  # type: ignore[method-assign, assignment]


@handler("*", "*")
def enforce(request: Request) -> None:
    """Deny the request as AWS would, or pass it on (to moto, in the owner's account for a
    cross-account SQS queue)."""
    _decided.request = False
    if not key_in_force(request):
        code = INVALID_KEY.get(request.protocol, "UnrecognizedClientException")
        raise AwsError(code, "The security token included in the request is invalid.", 403)
    outcome = decide(request)
    if outcome is None:
        return
    decision, caller, owner = outcome
    if not decision.allowed:
        raise deny(request, decision, caller)
    _decided.request = True
    if request.service == "sqs" and owner != caller.account:
        # moto looks queues up in the caller's account; AWS in the queue owner's.
        request.headers.environ["HTTP_X_MOTO_ACCOUNT_ID"] = owner  # type: ignore[attr-defined]


@handler("sts", "DecodeAuthorizationMessage")
def decode_authorization_message(request: Request) -> Response:
    """sts:DecodeAuthorizationMessage for the messages the sandbox encoded."""
    try:
        decoded = decode(str(request.params.get("EncodedMessage", "")))
    except ValueError:
        raise AwsError("InvalidAuthorizationMessageException", "Message is not valid") from None
    body = (
        '<DecodeAuthorizationMessageResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        "<DecodeAuthorizationMessageResult>"
        f"<DecodedMessage>{escape(decoded)}</DecodedMessage>"
        "</DecodeAuthorizationMessageResult>"
        f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
        "</DecodeAuthorizationMessageResponse>"
    )
    return Response(body, content_type="text/xml")
