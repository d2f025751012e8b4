"""The scorecard (step 09) against the session's journey organization: every goal after the
runbook, then each goal broken in turn, seen turning ❌ with its fix, and repaired."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import scorecard
from helpers.config import load_config
from helpers.kit import Kit
from helpers.targets import Target
from runbook.cli import main, scorecard_passes
from runbook.execute import DEFAULT_CONFIG

CONFIG = load_config(DEFAULT_CONFIG)
STEP = "09_scorecard"


def _kit(url: str, run_dir: Path) -> Kit:
    return Kit(STEP, CONFIG, Target.sandbox(url, CONFIG.home_region), True, run_dir)


def _rows(kit: Kit) -> dict[str, scorecard.Row]:
    return {r.key: r for r in scorecard.scorecard(kit)}


@pytest.fixture(scope="module")
def kit(journey, tmp_path_factory) -> Kit:
    """One kit for the module: its sessions and clients are made once."""
    return _kit(journey["url"], tmp_path_factory.mktemp("scorecard"))


@pytest.fixture(scope="module")
def baseline(journey) -> dict[str, dict]:
    """The scorecard the journey's second run wrote."""
    summary, _ = journey["runs"][1]
    path = Path(journey["out"]) / summary["run_id"] / STEP / scorecard.RECORD
    return {row["key"]: row for row in json.loads(path.read_text())["rows"]}


@pytest.fixture(scope="module")
def ids(kit) -> dict[str, str]:
    found = scorecard.live(kit)
    return {name: i for name, i in found.ids.items() if i}


def _only_broken(rows: dict[str, scorecard.Row], baseline: dict, key: str) -> scorecard.Row:
    """The broken row, after checking that every other row kept its status."""
    others = {k: r.status for k, r in rows.items() if k != key}
    assert others == {k: r["status"] for k, r in baseline.items() if k != key}
    assert rows[key].status == scorecard.FAILED
    return rows[key]


def test_after_the_runbook_every_goal_is_met(journey, baseline):
    for summary, _ in journey["runs"]:
        path = Path(journey["out"]) / summary["run_id"] / STEP / scorecard.RECORD
        record = json.loads(path.read_text())
        rows = {row["key"]: row for row in record["rows"]}
        goals = {k: r["status"] for k, r in rows.items() if k in scorecard.GOALS}
        assert goals == dict.fromkeys(scorecard.GOALS, scorecard.MET)
        assert record["failed"] == []
        # step 08's review items follow the goals: the sandbox seeds something for each
        # check, so each shows as a warning with its fix, never as a goal not met
        items = [r for k, r in rows.items() if k not in scorecard.GOALS]
        assert list(rows)[: len(scorecard.GOALS)] == list(scorecard.GOALS)
        assert {r["key"] for r in items} >= {"review-network", "review-volumes"}
        assert all(r["status"] == scorecard.WARNING and r["fix"] for r in items)
    # step 03 retired the original account's old IAM user (identity_center.retire_iam_users)
    assert "team-admin" not in baseline["access"]["evidence"]
    assert "undeclared" not in baseline["isolation"]["evidence"]
    assert "3 path(s) granted exactly as declared" in baseline["paths"]["evidence"]
    assert "deny ec2:DescribeInstances in af-south-1" in baseline["regions"]["evidence"]


def test_the_report_shows_the_scorecard_the_picture_and_the_costs(journey):
    summary, _ = journey["runs"][0]
    report = (Path(journey["out"]) / summary["run_id"] / "report.html").read_text()
    scorecard_part = report[report.index("<figcaption>The scorecard</figcaption>") :]
    table = scorecard_part[: scorecard_part.index("</table>")]
    assert table.count("<td>✅ yes</td>") == len(scorecard.GOALS) and "<td>❌ no</td>" not in table
    picture = report[report.index("<figcaption>The organization as it stands</figcaption>") :]
    assert picture.index("<svg") < picture.index("</figure>")
    for text in ("SCP: FullAWSAccess, org-allowed-regions, org-guardrails", "trail org-trail"):
        assert text in picture[: picture.index("</figure>")]
    assert "<figcaption>Cost per account</figcaption><svg" in report


def test_an_undeclared_cross_account_grant_fails_isolation(kit, baseline, ids):
    s3 = kit.account(ids["prod"]).client("s3")
    bucket = "acme-prod-exports"
    before = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    policy = json.loads(before)
    policy["Statement"].append(
        {
            "Sid": "HandMadeForTheArchive",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ids['log-archive']}:root"},
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/*",
        }
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    try:
        row = _only_broken(_rows(kit), baseline, "isolation")
        assert row.evidence == (
            "undeclared cross-account grants: prod: bucket acme-prod-exports policy, "
            "statement HandMadeForTheArchive, lets in log-archive"
        )
        assert "remove each of these statements" in row.fix and "run step 04" in row.fix
    finally:
        s3.put_bucket_policy(Bucket=bucket, Policy=before)
    found = scorecard.live(kit)
    assert scorecard.isolation(kit, found, scorecard.scan_accounts(kit, found)).status == "✅"


def test_an_undeclared_trust_fails_isolation(kit, baseline, ids):
    iam = kit.account(ids["dev"]).client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": ids["prod"]},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam.create_role(RoleName="prod-may-deploy-here", AssumeRolePolicyDocument=json.dumps(trust))
    try:
        row = _only_broken(_rows(kit), baseline, "isolation")
        assert row.evidence == (
            "undeclared cross-account grants: dev: role prod-may-deploy-here trusts prod"
        )
    finally:
        iam.delete_role(RoleName="prod-may-deploy-here")


@pytest.fixture
def network(kit, ids) -> Iterator[dict]:
    """A VPC peering between dev and prod, and a RAM share in dev: made, then removed."""
    dev, prod = (kit.account(ids[n]).client("ec2") for n in ("dev", "prod"))
    dev_vpc = dev.create_vpc(CidrBlock="10.10.0.0/16")["Vpc"]["VpcId"]
    prod_vpc = prod.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    peering = dev.create_vpc_peering_connection(
        VpcId=dev_vpc, PeerVpcId=prod_vpc, PeerOwnerId=ids["prod"]
    )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ram = kit.account(ids["dev"]).client("ram")
    share = ram.create_resource_share(name="dev-subnets", principals=[ids["prod"]])
    share_arn = share["resourceShare"]["resourceShareArn"]
    yield {"peering": peering}
    ram.delete_resource_share(resourceShareArn=share_arn)
    dev.delete_vpc_peering_connection(VpcPeeringConnectionId=peering)
    dev.delete_vpc(VpcId=dev_vpc)
    prod.delete_vpc(VpcId=prod_vpc)


def test_a_network_link_between_accounts_fails_isolation(kit, baseline, network):
    row = _only_broken(_rows(kit), baseline, "isolation")
    region = CONFIG.home_region
    assert row.evidence.startswith("undeclared network links: ")
    assert f"VPC peering {network['peering']} ({region}) between dev and prod" in row.evidence
    assert f"RAM resource share dev-subnets ({region}) of dev" in row.evidence
    assert "the config declares no network path" in row.fix


def test_a_gone_transit_gateway_attachment_is_no_link():
    attachment = {"TransitGatewayOwnerId": "111122223333", "ResourceOwnerId": "444455556666"}
    assert scorecard.cross_account_attachment({**attachment, "State": "available"})
    assert not scorecard.cross_account_attachment({**attachment, "State": "deleted"})
    same = {**attachment, "ResourceOwnerId": "111122223333", "State": "available"}
    assert not scorecard.cross_account_attachment(same)


def _scp(kit: Kit, name: str) -> tuple[str, str]:
    """(policy id, root id) of an SCP the runbook attached to the root."""
    orgs = kit.management.client("organizations")
    root = orgs.list_roots()["Roots"][0]["Id"]
    policies = orgs.list_policies_for_target(TargetId=root, Filter="SERVICE_CONTROL_POLICY")
    return next(p["Id"] for p in policies["Policies"] if p["Name"] == name), root


def test_an_iam_user_with_a_key_in_a_member_account_is_named(kit, baseline, ids):
    iam = kit.account(ids["dev"]).client("iam")
    orgs = kit.management.client("organizations")
    guardrails, root = _scp(kit, "org-guardrails")  # it denies iam:CreateUser: a user made
    orgs.detach_policy(PolicyId=guardrails, TargetId=root)  # before the guardrails existed
    try:
        iam.create_user(UserName="ci-deployer")
        key = iam.create_access_key(UserName="ci-deployer")["AccessKey"]["AccessKeyId"]
        iam.create_login_profile(UserName="ci-deployer", Password="Not-a-real-one-42!")
    finally:
        orgs.attach_policy(PolicyId=guardrails, TargetId=root)
    try:
        row = _only_broken(_rows(kit), baseline, "access")
        ours = f"dev ({ids['dev']}): ci-deployer (a console password and 1 active access key(s))"
        assert row.evidence == f"IAM users who can sign in or call AWS: {ours}"
        assert "delete their access keys" in row.fix
    finally:
        iam.delete_login_profile(UserName="ci-deployer")
        iam.delete_access_key(UserName="ci-deployer", AccessKeyId=key)
        iam.delete_user(UserName="ci-deployer")


def test_an_unlisted_assignment_is_named(kit, baseline, ids):
    sso = kit.management.client("sso-admin")
    instance = sso.list_instances()["Instances"][0]
    store = kit.management.client("identitystore")
    groups = store.list_groups(IdentityStoreId=instance["IdentityStoreId"])["Groups"]
    group = next(g["GroupId"] for g in groups if g["DisplayName"] == "developers")
    arns = sso.list_permission_sets(InstanceArn=instance["InstanceArn"])["PermissionSets"]
    admin = next(
        arn
        for arn in arns
        if sso.describe_permission_set(InstanceArn=instance["InstanceArn"], PermissionSetArn=arn)[
            "PermissionSet"
        ]["Name"]
        == "AdministratorAccess"
    )
    assignment = {
        "InstanceArn": instance["InstanceArn"],
        "TargetId": ids["prod"],
        "TargetType": "AWS_ACCOUNT",
        "PermissionSetArn": admin,
        "PrincipalType": "GROUP",
        "PrincipalId": group,
    }
    sso.create_account_assignment(**assignment)
    try:
        row = _only_broken(_rows(kit), baseline, "access")
        assert row.evidence == (
            "Identity Center differs from the config: unlisted assignment group developers: "
            "AdministratorAccess in prod"
        )
        assert row.fix.startswith("run step 03 (python -m runbook run --only 03)")
    finally:
        sso.delete_account_assignment(**assignment)
    assert scorecard.access(kit, []).status == scorecard.MET


def test_a_stopped_trail_fails(kit, baseline):
    cloudtrail = kit.management.client("cloudtrail")
    cloudtrail.stop_logging(Name=CONFIG.trail.name)
    try:
        row = _only_broken(_rows(kit), baseline, "trail")
        assert row.evidence == ("not as the config wants: start logging of trail org-trail")
        assert row.fix == "run step 05 (python -m runbook run --only 05)"
    finally:
        cloudtrail.start_logging(Name=CONFIG.trail.name)
    assert scorecard.trail(kit, scorecard.live(kit)).status == scorecard.MET


def test_a_missing_region_scp_fails(kit, baseline):
    orgs = kit.management.client("organizations")
    regions, root = _scp(kit, "org-allowed-regions")
    orgs.detach_policy(PolicyId=regions, TargetId=root)
    try:
        row = _only_broken(_rows(kit), baseline, "regions")
        assert "dev may call ec2:DescribeInstances in af-south-1" in row.evidence
        assert row.fix == "run step 06 (python -m runbook run --only 06)"
    finally:
        orgs.attach_policy(PolicyId=regions, TargetId=root)
    assert scorecard.regions(kit, scorecard.live(kit)).status == scorecard.MET


def test_a_path_grant_taken_away_fails_paths(kit, baseline, ids):
    sqs = kit.account(ids["prod"]).client("sqs")
    url = sqs.get_queue_url(QueueName="orders")["QueueUrl"]
    before = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    try:
        row = _only_broken(_rows(kit), baseline, "paths")
        assert row.evidence == ("not as declared: grant queue orders (account prod): policy")
        assert row.fix == "run step 04 (python -m runbook run --only 04)"
    finally:
        sqs.set_queue_attributes(QueueUrl=url, Attributes=before)
    assert scorecard.communication_paths(kit, scorecard.live(kit)).status == scorecard.MET


def test_beyond_100_accounts_the_scorecard_warns():
    assert scorecard.scale(100).status == scorecard.MET
    warning = scorecard.scale(101, closed=3)
    assert warning.status == scorecard.WARNING
    assert warning.evidence == "101 account(s), 3 of them closed: more than 100"
    assert "several organizations" in warning.fix


def test_fail_on_scorecard_turns_a_goal_not_met_into_exit_code_1(
    journey, kit, ids, tmp_path, capsys
):
    argv = ["run", "--only", "09", "--endpoint", journey["url"], "--out", str(tmp_path / "met")]
    assert main([*argv, "--fail-on-scorecard"]) == 0  # every goal met
    cloudtrail = kit.management.client("cloudtrail")
    cloudtrail.stop_logging(Name=CONFIG.trail.name)
    try:
        argv[-1] = str(tmp_path / "broken")
        assert main([*argv, "--fail-on-scorecard"]) == 1
    finally:
        cloudtrail.start_logging(Name=CONFIG.trail.name)
    assert "scorecard: not met: " in capsys.readouterr().err
    run_dir = next((tmp_path / "broken").iterdir())
    (run_dir / STEP / scorecard.RECORD).write_text(
        json.dumps({"rows": [{"key": "scale", "status": "✅"}], "failed": []})
    )
    assert scorecard_passes(run_dir)
    assert not scorecard_passes(tmp_path / "no-such-run")


def test_before_the_organization_exists_every_goal_waits_and_nothing_is_written(
    clean_sandbox, tmp_path
):
    kit = _kit(clean_sandbox.url, tmp_path)
    kit.apply = False
    rows = scorecard.scorecard(kit)
    assert [(r.status, r.evidence) for r in rows] == [
        (scorecard.FAILED, "there is no organization yet")
    ] * len(scorecard.GOALS)
    assert scorecard.picture(kit) is None
    assert kit.recorder.totals()["write"] == 0
