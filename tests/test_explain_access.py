"""explain_access over a live organization (the in-process sandbox): it reads the SCPs on
the path, the principal's policies and the resource's policy, with read calls only, and
names the layer, the OU and the policy that decided."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from helpers.config import parse_config
from helpers.kit import Kit
from helpers.policy import explain_access
from helpers.sandbox import MANAGEMENT_ACCOUNT_ID, SANDBOX_REGION, Sandbox
from tests.test_config import example
from tests.test_enforcement import (
    ALLOWED_REGION,
    DENIED_REGION,
    AttachRcp,
    Org,
    attach_rcp,  # noqa: F401  (a fixture)
    build_org,
    create_bucket,
    error_of,
    make_role,
    role_session,
)


@pytest.fixture(scope="module")
def org(sandbox: Sandbox) -> Iterator[Org]:
    yield build_org(sandbox)


@pytest.fixture
def kit(org: Org, tmp_path: Path) -> Kit:
    config = parse_config(yaml.safe_dump(example(), sort_keys=False))
    return Kit("explain", config, org.target, True, tmp_path)


def session_arn(org: Org, role: str = "OrganizationAccountAccessRole") -> str:
    return f"arn:aws:sts::{org.dev}:assumed-role/{role}/org-kit"


def test_it_names_the_ou_and_the_scp_that_denied(org: Org, kit: Kit) -> None:
    decision = explain_access(
        kit, session_arn(org), "s3:CreateBucket", "arn:aws:s3:::dev-west-2", DENIED_REGION
    )
    assert decision.decision == "ExplicitlyDenied"
    [cause] = decision.deciding
    assert (cause.kind, cause.policy, cause.level, cause.sid) == (
        "scp",
        "allowed-regions",
        f"OU Workloads ({org.ou})",
        "DenyOutsideAllowedRegions",
    )
    assert decision.reasons() == [
        f"denied by the SCP 'allowed-regions' attached to OU Workloads ({org.ou}): "
        "explicit Deny, statement DenyOutsideAllowedRegions"
    ]
    levels = [step.label for step in decision.steps if step.kind == "scp"]
    assert levels == [
        f"SCPs at the root {org.root}",
        f"SCPs at OU Workloads ({org.ou})",
        f"SCPs at account dev ({org.dev})",
    ]
    assert kit.recorder.totals()["write"] == 0


def test_it_agrees_with_the_sandbox_on_the_region_list(org: Org, kit: Kit) -> None:
    def verdict(action: str, region: str) -> str:
        return explain_access(kit, session_arn(org), action, "*", region).decision

    assert verdict("sqs:ListQueues", DENIED_REGION) == "ExplicitlyDenied"
    assert verdict("sqs:ListQueues", ALLOWED_REGION) == "Allowed"
    assert verdict("iam:ListRoles", DENIED_REGION) == "Allowed"
    assert verdict("ec2:RunInstances", DENIED_REGION) == "ExplicitlyDenied"


def test_it_names_the_identity_layer_when_scps_allow(org: Org, kit: Kit) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}],
    }
    session = role_session(org, "lister", policy)
    error = error_of(session.client("sqs", region_name=ALLOWED_REGION).list_queues)
    decision = explain_access(
        kit, session_arn(org, "lister"), "sqs:ListQueues", "*", ALLOWED_REGION
    )
    assert decision.decision == "ImplicitlyDenied"
    assert [cause.kind for cause in decision.deciding] == ["identity"]
    assert decision.reasons() == ["no identity policy allows sqs:ListQueues"]
    assert {step.said for step in decision.steps if step.kind == "scp"} == {"Allow"}
    assert "because no identity-based policy allows" in error["Message"]  # the sandbox agrees
    assert "Layer by layer:" in decision.text() and "<table>" in decision._repr_html_()


def test_the_management_account_is_exempt_from_scps(org: Org, kit: Kit) -> None:
    root = f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:root"
    decision = explain_access(kit, root, "ec2:RunInstances", "*", DENIED_REGION)
    assert decision.allowed
    [scp] = [step for step in decision.steps if step.kind == "scp"]
    assert scp.said == "not applied" and "management account" in scp.detail


def test_it_reads_the_trust_policy_for_assume_role(org: Org, kit: Kit) -> None:
    arn = make_role(org.member(), "trusts-another-account", "111122223333")
    root = f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:root"
    decision = explain_access(kit, root, "sts:AssumeRole", arn, SANDBOX_REGION)
    assert decision.decision == "ImplicitlyDenied"
    [cause] = decision.deciding
    assert (cause.kind, cause.policy) == ("trust", "trust policy of role trusts-another-account")
    assert error_of(org.management.client("sts").assume_role, RoleArn=arn, RoleSessionName="x1")
    access_role = f"arn:aws:iam::{org.dev}:role/OrganizationAccountAccessRole"
    assert explain_access(kit, root, "sts:AssumeRole", access_role).allowed


def test_it_reads_a_queue_policy(org: Org, kit: Kit) -> None:
    sqs = org.member().client("sqs")
    url = sqs.create_queue(QueueName="locked")["QueueUrl"]
    arn = f"arn:aws:sqs:{SANDBOX_REGION}:{org.dev}:locked"
    deny = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "NoSends",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sqs:SendMessage",
                "Resource": arn,
            }
        ],
    }
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(deny)})
    decision = explain_access(kit, session_arn(org), "sqs:SendMessage", arn, SANDBOX_REGION)
    assert decision.decision == "ExplicitlyDenied"
    assert [(c.kind, c.policy, c.sid) for c in decision.deciding] == [
        ("resource", "queue policy of locked", "NoSends")
    ]
    error = error_of(sqs.send_message, QueueUrl=url, MessageBody="x")
    assert error["Message"].endswith("with an explicit deny in a resource-based policy")


def test_it_reads_the_rcps_on_the_resources_path_and_names_the_one_that_denied(
    org: Org,
    kit: Kit,
    attach_rcp: AttachRcp,  # noqa: F811  (the fixture imported above)
) -> None:
    keep = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "KeepBuckets",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:DeleteBucket",
                "Resource": "*",
            }
        ],
    }
    create_bucket(org.member(), ALLOWED_REGION, "dev-kept")
    attach_rcp("keep-buckets", keep, org.ou)
    error = error_of(org.member().client("s3").delete_bucket, Bucket="dev-kept")
    assert error["Message"].endswith("with an explicit deny in a resource control policy")
    decision = explain_access(
        kit, session_arn(org), "s3:DeleteBucket", "arn:aws:s3:::dev-kept", ALLOWED_REGION
    )
    assert decision.decision == "ExplicitlyDenied"
    assert decision.reasons() == [
        f"denied by the RCP 'keep-buckets' attached to OU Workloads ({org.ou}): "
        "explicit Deny, statement KeepBuckets"
    ]
    assert [step.label for step in decision.steps if step.kind == "rcp"] == [
        f"RCPs at the root {org.root}",
        f"RCPs at OU Workloads ({org.ou})",
        f"RCPs at account dev ({org.dev})",
    ]
    # the management account's resources are beyond RCPs, and explain_access says so
    decision = explain_access(kit, session_arn(org), "s3:GetObject", "arn:aws:s3:::m/k",
                              resource_account=MANAGEMENT_ACCOUNT_ID)  # fmt: skip
    [step] = [step for step in decision.steps if step.kind == "rcp"]
    assert step.said == "not applied" and "management account" in step.detail
    root = f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:root"
    assert explain_access(kit, root, "sts:GetCallerIdentity").allowed
    assert kit.recorder.totals()["write"] == 0
