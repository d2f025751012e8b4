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


def test_every_client_gives_up_on_an_endpoint_that_does_not_answer():
    """Connect and read timeouts on every client the kit makes (botocore's read timeout is
    60 s per attempt): a frozen endpoint cannot hold a call for long."""
    session = Target.sandbox("http://127.0.0.1:9", "eu-central-1").management()
    for service in ("organizations", "sts", "s3"):
        config = session.client(service).meta.config
        assert config.connect_timeout <= 5 and config.read_timeout <= 20
        assert config.retries["mode"] == "standard"
    assert session.client("sts") is session.client("sts")  # one client per service


def test_the_recorder_knows_the_call_in_flight_and_the_last_one(sandbox):
    recorder = Recorder()
    session = recorder.attach(Target.sandbox(sandbox.url, "eu-central-1").management(), "1")
    seen = []
    session.events.register("before-send", lambda **_: seen.append(recorder.in_flight()))
    session.client("sts").get_caller_identity()
    [[call]] = seen
    assert (call["service"], call["operation"], call["account"]) == (
        "sts",
        "GetCallerIdentity",
        "1",
    )
    assert recorder.in_flight() == []
    assert recorder.last.operation == "GetCallerIdentity"


def test_clients_share_their_class_and_keep_their_own_credentials_and_records(sandbox):
    """The client class is built once per service (helpers.targets); what differs per account
    (credentials, the recorder's events) stays on each client."""
    target = Target.sandbox(sandbox.url, "eu-central-1")
    first, second = Recorder(), Recorder()
    management = first.attach(target.management(), "123456789012")
    other = second.attach(target.outside_account("444455556666", None), "444455556666")
    mine, theirs = management.client("sts"), other.client("sts")
    assert type(mine) is type(theirs) and mine is not theirs
    assert type(management.client("iam")) is not type(mine)
    assert mine.get_caller_identity()["Account"] == "123456789012"
    assert theirs.get_caller_identity()["Account"] == "444455556666"
    assert first.totals() == second.totals() == {"read": 1, "write": 0}
