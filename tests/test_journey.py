"""The whole runbook through papermill against a sandbox of its own, run twice."""

from __future__ import annotations

import json
import re
from pathlib import Path

from helpers.sandbox import MANAGEMENT_ACCOUNT_ID, ORIGINAL_ACCOUNT_ID
from helpers.targets import ACCESS_ROLE, Target
from runbook.report import scorecard_line
from runbook.steps import NOTEBOOKS, RUN_STEPS, discover
from tests.conftest import session_for

KEY_PATTERN = re.compile(rb"(AKIA|ASIA)[A-Z0-9]{16}")


def test_every_step_runs_ok(journey):
    steps = discover(NOTEBOOKS, RUN_STEPS)  # 00-09: the clean-up runs only through teardown
    assert len(steps) >= 3
    for summary, _ in journey["runs"]:
        assert [s["step"] for s in summary["steps"]] == [step.stem for step in steps]
        assert {s["status"] for s in summary["steps"]} == {"ok"}


def test_second_run_makes_no_write_call(journey):
    (first, _), (second, _) = journey["runs"]
    assert first["totals"]["calls"]["write"] > 0
    assert second["totals"]["calls"]["write"] == 0
    assert [c for s in second["steps"] for c in s["changes"]] == []


def test_recorder_counts_every_request_the_sandbox_received(journey):
    for summary, received in journey["runs"]:
        assert sum(summary["totals"]["calls"].values()) == received


def test_organization_matches_the_config(journey):
    orgs = session_for(journey["url"]).client("organizations")
    org = orgs.describe_organization()["Organization"]
    assert org["FeatureSet"] == "ALL"
    assert org["MasterAccountId"] == MANAGEMENT_ACCOUNT_ID
    listed = orgs.list_accounts()["Accounts"]
    accounts = {a["Name"]: a for a in listed}
    assert set(accounts) >= {"log-archive", "dev", "prod"}
    original = next(a for a in listed if a["Id"] == ORIGINAL_ACCOUNT_ID)
    assert original["JoinedMethod"] == "INVITED"  # it keeps its own name

    def ou_path(account_id: str) -> str:
        names, child = [], account_id
        while True:
            parent = orgs.list_parents(ChildId=child)["Parents"][0]
            if parent["Type"] == "ROOT":
                return "/".join(reversed(names))
            ou = orgs.describe_organizational_unit(OrganizationalUnitId=parent["Id"])
            names.append(ou["OrganizationalUnit"]["Name"])
            child = parent["Id"]

    placement = {name: ou_path(accounts[name]["Id"]) for name in ("log-archive", "dev", "prod")}
    placement["original"] = ou_path(ORIGINAL_ACCOUNT_ID)
    assert placement == {
        "log-archive": "Security",
        "dev": "Workloads/Dev",
        "prod": "Workloads/Prod",
        "original": "Workloads/Prod",
    }


def test_invited_account_got_the_access_role_and_retired_its_old_keys(journey):
    management = session_for(journey["url"])
    role = management.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{ORIGINAL_ACCOUNT_ID}:role/{ACCESS_ROLE}", RoleSessionName="kit-test"
    )
    assert role["AssumedRoleUser"]["Arn"].split(":")[4] == ORIGINAL_ACCOUNT_ID
    keys = role["Credentials"]
    iam = (
        Target.sandbox(journey["url"], "eu-central-1")
        ._session(
            aws_access_key_id=keys["AccessKeyId"],
            aws_secret_access_key=keys["SecretAccessKey"],
            aws_session_token=keys["SessionToken"],
        )
        .client("iam")
    )
    trust = iam.get_role(RoleName=ACCESS_ROLE)["Role"]["AssumeRolePolicyDocument"]
    management_root = f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:root"
    assert trust["Statement"][0]["Principal"] == {"AWS": management_root}
    attached = iam.list_attached_role_policies(RoleName=ACCESS_ROLE)["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AdministratorAccess"]
    # step 03 retired the team's old IAM user: no key, and the sandbox hands out none
    assert iam.list_access_keys(UserName="team-admin")["AccessKeyMetadata"] == []
    assert session_for(journey["url"], ORIGINAL_ACCOUNT_ID) is None


def test_run_folder_holds_the_record(journey):
    summary, _ = journey["runs"][0]
    run_dir = Path(journey["out"]) / summary["run_id"]
    for step in summary["steps"]:
        assert (run_dir / f"{step['step']}.ipynb").is_file()
    assert json.loads((run_dir / "summary.json").read_text()) == summary
    report = (run_dir / "report.html").read_text()
    assert "<svg" in report and "The organization" in report


def test_no_secret_reaches_a_run_folder(journey):
    keys = journey["original_keys"]
    secrets = [keys["AccessKeyId"].encode(), keys["SecretAccessKey"].encode()]
    files = [p for p in Path(journey["out"]).rglob("*") if p.is_file()]
    assert len(files) > 6
    for path in files:
        data = path.read_bytes()
        assert not KEY_PATTERN.search(data), path
        assert not [s for s in secrets if s in data], path


def test_every_goal_is_met_and_the_report_opens_with_it(journey):
    for summary, _ in journey["runs"]:
        card = summary["scorecard"]
        assert card["not_met"] == [] and card["warnings"] == 0  # every goal of the brief
        assert card["met"] == card["goals"] >= 7
        assert card["review_items"] > 0  # step 08's rows count apart: the seed gives it work
    summary, _ = journey["runs"][0]
    report = (Path(journey["out"]) / summary["run_id"] / "report.html").read_text()
    top = report[: report.index("</header>")]
    assert f"Scorecard: {scorecard_line(card)}" in top and "none not met" in top
    assert f"{len(summary['steps'])} of {len(summary['steps'])} steps ok" in top
    assert "<td>✅ yes</td>" in report and "<td>✅</td>" not in report


def test_the_report_names_each_account_one_way(journey):
    """The config's names throughout: never moto's "master" for the management account, nor
    the invited account's own AWS name ("acme-original") beside "original"."""
    summary, _ = journey["runs"][0]
    report = (Path(journey["out"]) / summary["run_id"] / "report.html").read_text()
    assert "master" not in report.lower()
    assert "acme-original" not in report
    assert "<td>management</td><td>123456789012</td>" in report
    assert "<td>original</td><td>444455556666</td>" in report
