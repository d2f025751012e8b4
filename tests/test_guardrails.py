"""Step 06 after the runbook (the session's journey): member accounts work in the allowed
regions only, global services still answer, IAM users are refused with the SCP wording, the
management account is unaffected, and the run's record holds the proof, the picture, the
explained denial and the handout."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from botocore.exceptions import ClientError

from helpers import guardrails
from helpers.config import load_config
from helpers.guardrails import KIT_CALLS
from helpers.kit import REPO, Kit
from helpers.sandbox import MANAGEMENT_ACCOUNT_ID, ORIGINAL_ACCOUNT_ID, SANDBOX_REGION
from helpers.targets import Target
from tests.conftest import session_for

STEP = "06_guardrails"
SCP_DENY = "with an explicit deny in a service control policy"
DENIED_REGION = "us-west-2"
S3_ACTIONS = {  # S3 operations whose IAM action has another name (AWS's S3 API reference)
    "PutBucketEncryption": "PutEncryptionConfiguration",
    "PutBucketLifecycleConfiguration": "PutLifecycleConfiguration",
    "PutPublicAccessBlock": "PutBucketPublicAccessBlock",
}


def record(journey: dict, run: int) -> dict:
    summary, _ = journey["runs"][run]
    return json.loads((Path(journey["out"]) / summary["run_id"] / STEP / "step.json").read_text())


def run_dir(journey: dict, run: int = 0) -> Path:
    summary, _ = journey["runs"][run]
    return Path(journey["out"]) / summary["run_id"]


@pytest.fixture(scope="module")
def dev(journey):
    """A session in the dev account through its OrganizationAccountAccessRole."""
    management = session_for(journey["url"])
    listed = management.client("organizations").list_accounts()["Accounts"]
    ids = {account["Name"]: account["Id"] for account in listed}
    return Target.sandbox(journey["url"], SANDBOX_REGION).assume(management, ids["dev"])


def error_of(call, **params) -> dict:
    with pytest.raises(ClientError) as raised:
        call(**params)
    return raised.value.response["Error"]


def test_the_step_applies_once_and_then_writes_nothing(journey):
    first, second = record(journey, 0), record(journey, 1)
    assert first["status"] == second["status"] == "ok"
    assert sorted((c["action"], c["resource"]) for c in first["changes"]) == [
        ("attach", "SCP org-allowed-regions on the root"),
        ("attach", "SCP org-guardrails on the root"),
        ("create", "SCP org-allowed-regions"),
        ("create", "SCP org-guardrails"),
        ("enable", "policy type SERVICE_CONTROL_POLICY on the root"),
    ]
    assert first["calls"]["write"] == 5
    assert second["calls"]["write"] == 0 and second["changes"] == []


def test_members_work_in_the_allowed_regions_only(dev):
    for region in ("eu-central-1", "eu-west-1"):
        dev.client("sqs", region_name=region).list_queues()
        dev.client("ec2", region_name=region).describe_vpcs()
    error = error_of(dev.client("sqs", region_name=DENIED_REGION).list_queues)
    assert error["Code"] == "AccessDenied" and error["Message"].endswith(SCP_DENY)
    error = error_of(dev.client("ec2", region_name=DENIED_REGION).describe_vpcs)
    assert error["Code"] == "UnauthorizedOperation"


def test_global_services_still_answer_from_a_denied_region(dev):
    assert dev.client("iam", region_name=DENIED_REGION).list_roles()["Roles"]
    org = dev.client("organizations", region_name=DENIED_REGION).describe_organization()
    assert org["Organization"]["MasterAccountId"] == MANAGEMENT_ACCOUNT_ID
    dev.client("route53", region_name=DENIED_REGION).list_hosted_zones()
    dev.client("cloudfront", region_name=DENIED_REGION).list_distributions()
    dev.client("sts", region_name=DENIED_REGION).get_caller_identity()


def test_an_iam_user_is_refused_with_the_scp_wording(journey, dev, tmp_path):
    caller = dev.client("sts").get_caller_identity()
    error = error_of(dev.client("iam").create_user, UserName="someone")
    assert error["Code"] == "AccessDenied"
    assert error["Message"] == (
        f"User: {caller['Arn']} is not authorized to perform: iam:CreateUser on resource: "
        f"arn:aws:iam::{caller['Account']}:user/someone {SCP_DENY}"
    )
    config = load_config(REPO / "runbook" / "org.example.yaml")
    target = Target.sandbox(journey["url"], config.home_region)
    kit = Kit(STEP, config, target, True, tmp_path)
    original = kit.account(ORIGINAL_ACCOUNT_ID)  # its old IAM user gets no new key either
    create_key = original.client("iam").create_access_key
    assert error_of(create_key, UserName="team-admin")["Message"].endswith(SCP_DENY)
    answer = guardrails.try_to_create_user(kit, caller["Account"])
    assert answer.startswith("AccessDenied: ") and answer.endswith(SCP_DENY)


def test_the_management_account_is_unaffected(journey):
    management = session_for(journey["url"])
    queues = management.client("sqs", region_name=DENIED_REGION).list_queues()
    assert queues["ResponseMetadata"]["HTTPStatusCode"] == 200
    iam = management.client("iam")
    user = iam.create_user(UserName="guardrail-check")["User"]
    assert user["Arn"].endswith(":user/guardrail-check")
    iam.delete_user(UserName="guardrail-check")  # the journey's organization as it was


def test_the_proof_matrix_is_in_the_notebook_and_the_report(journey):
    folder = run_dir(journey)
    notebook = nbformat.read(folder / f"{STEP}.ipynb", as_version=4)
    outputs = json.dumps([cell.get("outputs", []) for cell in notebook.cells])
    assert "Proof matrix" in outputs and "denied by org-allowed-regions" in outputs
    report = (folder / "report.html").read_text()
    assert "Proof matrix" in report and "denied by org-guardrails" in report
    [matrix] = [e for e in record(journey, 0)["exhibits"] if e["title"].startswith("Proof")]
    columns, rows = matrix["body"]["columns"], matrix["body"]["rows"]
    assert columns[4:] == [
        "log-archive (Security)",
        "dev (Workloads/Dev)",
        "prod (Workloads/Prod)",
        "original (Workloads/Prod)",
        "management account (SCPs never apply)",
    ]
    by_label = {row[0]: row for row in rows}
    assert set(by_label["a person: launch an instance, us-east-1"][4:8]) == {
        "denied by org-allowed-regions"
    }
    assert by_label["a person: launch an instance, us-east-1"][8] == "allowed"
    for service in ("iam", "sts", "organizations", "route53", "cloudfront", "support"):
        assert set(by_label[f"a person: {service} (global), called from us-east-1"][4:]) == {
            "allowed"
        }
    assert not [cell for row in rows for cell in row if "NOT AS EXPECTED" in cell]


def test_the_picture_shows_the_scps_at_each_node(journey):
    title = "The organization and the SCPs attached at each node"
    [svg] = [e for e in record(journey, 0)["exhibits"] if e["title"] == title]
    assert svg["body"].count("SCP FullAWSAccess") >= 9  # root, 4 OUs, 4 member accounts
    assert "SCP org-allowed-regions" in svg["body"] and "SCPs never apply here" in svg["body"]


def test_a_real_denial_is_read_and_explained(journey):
    exhibits = {e["title"]: e for e in record(journey, 0)["exhibits"]}
    calls = exhibits["Calls from account dev under the guardrails"]["body"]["rows"]
    assert [(c[1], c[2], c[3]) for c in calls] == [
        ("sqs:ListQueues", "eu-central-1", "allowed"),
        ("sqs:ListQueues", "us-east-1", "AccessDenied"),
        ("iam:ListRoles", "us-east-1", "allowed"),
        ("organizations:DescribeOrganization", "us-east-1", "allowed"),
    ]
    assert calls[1][4].endswith(SCP_DENY)
    why = exhibits["Why sqs:ListQueues was refused in us-east-1"]["body"]
    assert why.startswith("ExplicitlyDenied")
    assert "denied by the SCP 'org-allowed-regions' attached to the root r-" in why
    assert "statement DenyOutsideAllowedRegions" in why


def test_the_handout_is_in_the_run_folder(journey):
    text = (run_dir(journey) / STEP / "guardrails-handout.md").read_text()
    assert "**eu-central-1 (home), eu-west-1**" in text
    for words in ("`iam:CreateUser`", "`organizations:LeaveOrganization`", SCP_DENY,
                  "because no identity-based policy allows", "the platform team (#aws-help)",
                  "arn:aws:iam::*:role/org-audit"):  # fmt: skip
        assert words in text


def test_the_proof_covers_every_write_the_kit_makes_in_member_accounts(journey):
    summary, _ = journey["runs"][0]
    actions = set()
    for step in summary["steps"]:
        path = run_dir(journey) / step["step"] / "step.json"
        for call in json.loads(path.read_text())["calls"]["operations"]:
            if call["account"] != MANAGEMENT_ACCOUNT_ID and call["kind"] == "write":
                operation = call["operation"]
                if call["service"] == "s3":
                    operation = S3_ACTIONS.get(operation, operation)
                actions.add(f"{call['service']}:{operation}")
    actions.discard("organizations:AcceptHandshake")  # made before the account is a member
    assert actions and actions <= {a for calls in KIT_CALLS.values() for a in calls}
