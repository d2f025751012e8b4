"""The sandbox server: lifecycle, kit endpoints, request counting, reset, extension registry."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError
from werkzeug.wrappers import Response

from helpers.sandbox import (
    MANAGEMENT_ACCOUNT_ID,
    ORIGINAL_ACCOUNT_ID,
    SANDBOX_REGION,
    Sandbox,
    extensions,
)
from helpers.sandbox.responses import AwsError
from helpers.sandbox.s3_operations import s3_operation


def _post(sandbox: Sandbox, path: str, body: dict | None = None) -> dict:
    data = json.dumps(body or {}).encode()
    request = urllib.request.Request(f"{sandbox.url}{path}", data=data, method="POST")
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def test_a_sandbox_serves_on_loopback_until_stopped(sandbox):
    with Sandbox(port=0) as other:
        assert other.url.startswith("http://127.0.0.1:") and other.port != 0
        assert other.env() == {
            "AWS_ENDPOINT_URL": other.url,
            "AWS_DEFAULT_REGION": SANDBOX_REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }
        with urllib.request.urlopen(f"{other.url}/_kit/stats") as response:
            assert json.load(response)["requests"] == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", other.port), timeout=1).close()
    sandbox.reset()  # moto's state is process-wide: give the session's sandbox its seed back


def test_the_credentials_endpoint_knows_only_seeded_accounts(sandbox, kit):
    assert kit(f"/_kit/credentials/{MANAGEMENT_ACCOUNT_ID}") == {
        "AccessKeyId": "testing",
        "SecretAccessKey": "testing",
    }
    original = kit(f"/_kit/credentials/{ORIGINAL_ACCOUNT_ID}")
    assert original["AccessKeyId"].startswith("AKIA") and original["SecretAccessKey"]
    with pytest.raises(urllib.error.HTTPError) as error:
        kit("/_kit/credentials/999999999999")
    assert error.value.code == 404


def test_settings_change_at_run_time_and_refuse_unknown_names(clean_sandbox):
    assert _post(clean_sandbox, "/_kit/settings", {"account_quota": "4"})["account_quota"] == 4
    assert clean_sandbox.settings.account_quota == 4
    with pytest.raises(urllib.error.HTTPError) as error:
        _post(clean_sandbox, "/_kit/settings", {"quota": 4})
    assert error.value.code == 400


def test_the_counter_counts_exactly_the_aws_requests(clean_sandbox, aws, kit):
    organizations = aws("organizations")
    _post(clean_sandbox, "/_kit/stats/reset")
    aws("sts").get_caller_identity()
    aws("s3", ORIGINAL_ACCOUNT_ID).list_buckets()
    aws("ec2", ORIGINAL_ACCOUNT_ID).describe_security_groups()
    aws("iam").list_roles()
    with pytest.raises(ClientError):
        organizations.describe_organization()
    kit("/_kit/stats")  # kit and moto-api calls are not AWS traffic
    urllib.request.urlopen(f"{clean_sandbox.url}/moto-api/data.json").close()
    assert kit("/_kit/stats") == {
        "requests": 5,
        "operations": {
            "sts:GetCallerIdentity": 1,
            "s3:ListBuckets": 1,
            "ec2:DescribeSecurityGroups": 1,
            "iam:ListRoles": 1,
            "organizations:DescribeOrganization": 1,
        },
    }


def test_reset_clears_everything_and_seeds_again(clean_sandbox, aws, kit):
    before = kit(f"/_kit/credentials/{ORIGINAL_ACCOUNT_ID}")
    aws("organizations").create_organization(FeatureSet="ALL")
    aws("s3").create_bucket(
        Bucket="left-over", CreateBucketConfiguration={"LocationConstraint": SANDBOX_REGION}
    )
    aws("organizations").invite_account_to_organization(
        Target={"Type": "ACCOUNT", "Id": ORIGINAL_ACCOUNT_ID}
    )
    clean_sandbox.reset()
    assert kit("/_kit/stats")["requests"] == 0
    with pytest.raises(ClientError) as error:
        aws("organizations").describe_organization()
    assert error.value.response["Error"]["Code"] == "AWSOrganizationsNotInUseException"
    assert aws("s3").list_buckets()["Buckets"] == []
    after = kit(f"/_kit/credentials/{ORIGINAL_ACCOUNT_ID}")
    assert after["AccessKeyId"] != before["AccessKeyId"]
    original = aws("organizations", ORIGINAL_ACCOUNT_ID)
    assert original.list_handshakes_for_account()["Handshakes"] == []
    buckets = aws("s3", ORIGINAL_ACCOUNT_ID).list_buckets()["Buckets"]
    assert {bucket["Name"] for bucket in buckets} == {"acme-dev-data", "acme-prod-data"}


@pytest.fixture
def registry(monkeypatch):
    """Register handlers for one test only: returns a `register(service, operation)`."""
    monkeypatch.setattr(extensions, "_handlers", list(extensions._handlers))
    return extensions.handler


@pytest.mark.parametrize(
    ("service", "call", "status"),
    [
        ("organizations", lambda client: client.list_roots(), 400),
        ("iam", lambda client: client.list_users(), 403),
        ("sts", lambda client: client.get_caller_identity(), 403),
        ("ec2", lambda client: client.describe_vpcs(), 403),
        ("s3", lambda client: client.list_buckets(), 403),
        ("cloudformation", lambda client: client.list_stacks(), 400),
    ],
)
def test_a_handler_error_reaches_the_client_in_its_protocol(
    sandbox, aws, registry, service, call, status
):
    @registry(service, "*")
    def deny(request):
        raise AwsError("AccessDenied", f"no {request.operation} for {request.account_id}", status)

    with pytest.raises(ClientError) as error:
        call(aws(service))
    assert error.value.response["Error"]["Code"] == "AccessDenied"
    assert error.value.response["Error"]["Message"].endswith(f"for {MANAGEMENT_ACCOUNT_ID}")
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == status


def test_json_errors_carry_extra_fields(sandbox, aws, registry):
    @registry("organizations", "ListRoots")
    def refuse(request):
        raise AwsError("ConstraintViolationException", "no", Reason="ACCOUNT_NUMBER_LIMIT_EXCEEDED")

    with pytest.raises(ClientError) as error:
        aws("organizations").list_roots()
    assert error.value.response["Reason"] == "ACCOUNT_NUMBER_LIMIT_EXCEEDED"


def test_handlers_run_in_order_and_the_first_answer_wins(sandbox, aws, registry):
    seen = []

    @registry("*", "*")
    def watch(request):
        seen.append((request.service, request.operation, request.region, request.account_id))

    @registry("s3", "GetBucketTagging")
    def first(request):
        return Response("<Tagging><TagSet/></Tagging>", content_type="application/xml")

    @registry("*", "GetBucketTagging")
    def second(request):
        seen.append("second ran")

    s3 = aws("s3", ORIGINAL_ACCOUNT_ID)
    assert s3.get_bucket_policy(Bucket="acme-prod-data")["Policy"]  # passed on to moto
    assert s3.get_bucket_tagging(Bucket="acme-dev-data")["TagSet"] == []  # moto has tags
    assert seen == [
        ("s3", "GetBucketPolicy", SANDBOX_REGION, ORIGINAL_ACCOUNT_ID),
        ("s3", "GetBucketTagging", SANDBOX_REGION, ORIGINAL_ACCOUNT_ID),
    ]


def test_requests_carry_their_parameters(sandbox, aws, registry):
    seen = []

    @registry("*", "*")
    def watch(request):
        seen.append((request.service, request.operation, request.params))

    with pytest.raises(ClientError):
        aws("iam").get_role(RoleName="nobody")
    with pytest.raises(ClientError):
        aws("organizations").describe_account(AccountId="111122223333")
    assert seen[0][:2] == ("iam", "GetRole") and seen[0][2]["RoleName"] == "nobody"
    assert seen[1] == ("organizations", "DescribeAccount", {"AccountId": "111122223333"})


def test_reset_runs_the_reset_hooks(sandbox, monkeypatch):
    calls = []
    monkeypatch.setattr(
        extensions, "_reset_hooks", [*extensions._reset_hooks, lambda: calls.append("reset")]
    )
    sandbox.reset()
    assert calls == ["reset"]


@pytest.mark.parametrize(
    ("method", "path", "query", "headers", "operation"),
    [
        ("GET", "/", {}, {}, "ListBuckets"),
        ("PUT", "/b", {}, {}, "CreateBucket"),
        ("PUT", "/b", {"policy": ""}, {}, "PutBucketPolicy"),
        ("GET", "/b", {"publicAccessBlock": ""}, {}, "GetBucketPublicAccessBlock"),
        ("DELETE", "/b", {"tagging": ""}, {}, "DeleteBucketTagging"),
        ("GET", "/b", {"list-type": "2"}, {}, "ListObjectsV2"),
        ("POST", "/b", {"delete": ""}, {}, "DeleteObjects"),
        ("HEAD", "/b", {}, {}, "HeadBucket"),
        ("PUT", "/b/k/x.txt", {}, {}, "PutObject"),
        ("GET", "/b/k", {}, {}, "GetObject"),
        ("PUT", "/b/k", {}, {"x-amz-copy-source": "/a/k"}, "CopyObject"),
        ("PUT", "/b/k", {"tagging": ""}, {}, "PutObjectTagging"),
        ("POST", "/b/k", {"uploads": ""}, {}, "CreateMultipartUpload"),
        ("PUT", "/b/k", {"uploadId": "u", "partNumber": "1"}, {}, "UploadPart"),
    ],
)
def test_s3_operations_are_named_from_method_path_and_query(
    method, path, query, headers, operation
):
    assert s3_operation(method, path, query, headers) == operation


def test_request_bodies_reach_moto_intact(sandbox, aws, registry):
    seen = []

    @registry("s3", "*")
    def watch(request):
        seen.append((request.operation, request.bucket, request.key))

    s3 = aws("s3", ORIGINAL_ACCOUNT_ID)
    data = bytes(range(256)) * 400
    s3.put_object(Bucket="acme-dev-data", Key="reports/a.bin", Body=data)
    assert s3.get_object(Bucket="acme-dev-data", Key="reports/a.bin")["Body"].read() == data
    s3.delete_object(Bucket="acme-dev-data", Key="reports/a.bin")
    assert seen == [
        ("PutObject", "acme-dev-data", "reports/a.bin"),
        ("GetObject", "acme-dev-data", "reports/a.bin"),
        ("DeleteObject", "acme-dev-data", "reports/a.bin"),
    ]


def test_aws_managed_policies_are_there_when_named(clean_sandbox, aws):
    iam = aws("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "ec2.amazonaws.com"},
            }
        ],
    }
    iam.create_role(RoleName="reader", AssumeRolePolicyDocument=json.dumps(trust))
    arn = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
    iam.attach_role_policy(RoleName="reader", PolicyArn=arn)
    attached = iam.list_attached_role_policies(RoleName="reader")["AttachedPolicies"]
    assert attached == [{"PolicyName": "ViewOnlyAccess", "PolicyArn": arn}]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Path"] == "/job-function/"
    with pytest.raises(ClientError) as error:
        iam.attach_role_policy(RoleName="reader", PolicyArn="arn:aws:iam::aws:policy/NoSuchPolicy")
    assert error.value.response["Error"]["Code"] == "NoSuchEntity"
