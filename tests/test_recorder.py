"""The recorder counts every call a session makes, classified as AWS's API names suggest."""

import json
import urllib.request

import pytest

from helpers.recorder import Recorder, kind_of
from helpers.targets import Target


@pytest.mark.parametrize(
    ("service", "operation", "kind"),
    [
        ("organizations", "DescribeOrganization", "read"),
        ("organizations", "ListAccounts", "read"),
        ("s3", "GetBucketPolicy", "read"),
        ("cloudtrail", "LookupEvents", "read"),
        ("identitystore", "SearchUsers", "read"),
        ("sts", "AssumeRole", "read"),
        ("sts", "GetCallerIdentity", "read"),
        ("sts", "AssumeRoleWithSAML", "write"),
        ("organizations", "CreateAccount", "write"),
        ("organizations", "AcceptHandshake", "write"),
        ("cloudtrail", "StartLogging", "write"),
        ("s3", "PutBucketPolicy", "write"),
    ],
)
def test_kind_follows_the_operation_name(service, operation, kind):
    assert kind_of(service, operation) == kind


def _sandbox_requests(url: str) -> int:
    with urllib.request.urlopen(f"{url}/_kit/stats") as response:
        return json.load(response)["requests"]


def test_totals_match_the_requests_the_sandbox_received(sandbox):
    target = Target.sandbox(sandbox.url, "eu-central-1")
    recorder = Recorder()
    session = recorder.attach(target.management(), "123456789012")
    before = _sandbox_requests(sandbox.url)
    orgs = session.client("organizations")
    session.client("sts").get_caller_identity()
    session.client("s3").list_buckets()
    with pytest.raises(orgs.exceptions.ClientError):
        orgs.describe_handshake(HandshakeId="h-doesnotexist0")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    session.client("iam").create_role(
        RoleName="recorded", AssumeRolePolicyDocument=json.dumps(trust)
    )
    received = _sandbox_requests(sandbox.url) - before
    assert recorder.totals() == {"read": 3, "write": 1}
    assert sum(recorder.totals().values()) == received
    rows = {(r["service"], r["operation"]): r for r in recorder.operations()}
    assert rows[("iam", "CreateRole")]["kind"] == "write"
    assert rows[("organizations", "DescribeHandshake")]["count"] == 1
