"""Step 08's review: against the journey's organization (each check finds what the sandbox
seeded in the original account, and passes its clean twin and the kit's own resources),
then, on a fresh sandbox, each item seen going away once its fix is made."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from helpers import review
from helpers.config import ConfigError, ReviewCheck, load_config, parse_config
from helpers.kit import WORKSHOP_RUNS, Kit
from helpers.review.kept import FILE
from helpers.sandbox import ORIGINAL_ACCOUNT_ID, SANDBOX_REGION, SEEDED_RESOURCES
from helpers.targets import ACCESS_ROLE, Target
from runbook.execute import DEFAULT_CONFIG
from tests.conftest import requests_received

CONFIG = load_config(DEFAULT_CONFIG)
STEP = "08_review"
SEED = SEEDED_RESOURCES["review"]
ORIGINAL = f"original ({ORIGINAL_ACCOUNT_ID})"  # the config's name for it
REGIONS = [SANDBOX_REGION, "eu-west-1"]


def _items(result: review.Review, check: str, account: str = ORIGINAL) -> dict[str, list[str]]:
    """resource -> what, for one check in one account."""
    found: dict[str, list[str]] = {}
    for f in result.of(check):
        if f.account == account:
            found.setdefault(f.resource, []).append(f.what)
    return found


def _named(items: dict[str, list[str]], word: str) -> list[str]:
    return [what for resource, whats in items.items() if word in resource for what in whats]


@pytest.fixture(scope="module")
def reviewed(journey, tmp_path_factory) -> tuple[Kit, review.Review, int]:
    """The review of the journey's organization, with the requests the sandbox received."""
    target = Target.sandbox(journey["url"], CONFIG.home_region)
    kit = Kit(STEP, CONFIG, target, True, tmp_path_factory.mktemp("review"))
    before = requests_received(journey["url"])
    result = review.review(kit)
    return kit, result, requests_received(journey["url"]) - before


# --- in the journey ---------------------------------------------------------------------------


def test_the_step_runs_in_both_runs_and_only_reads(journey):
    for summary, _ in journey["runs"]:
        step = {s["step"]: s for s in summary["steps"]}[STEP]
        assert step["status"] == "ok" and step["changes"] == []
        assert step["calls"]["write"] == 0 and step["calls"]["read"] > 0


def test_the_report_shows_the_review_items(journey):
    summary, _ = journey["runs"][0]
    report = (Path(journey["out"]) / summary["run_id"] / "report.html").read_text()
    assert "Review items" in report and SEED["open_security_group"] in report


def test_the_review_makes_read_calls_only_and_every_one_is_counted(reviewed):
    kit, _, received = reviewed
    totals = kit.recorder.totals()
    assert totals["write"] == 0 and totals["read"] == received > 0


def test_it_reads_the_management_account_and_every_member(reviewed):
    _, result, _ = reviewed
    names = {a.split(" (")[0] for a in result.accounts}
    assert names == {"management", "original", "dev", "prod", "log-archive"}


def test_iam_finds_the_broad_policies_and_leaves_the_kit_roles_alone(reviewed):
    _, result, _ = reviewed
    items = _items(result, "iam")
    admin = items[f"user {SEEDED_RESOURCES['admin_user']}"]
    assert admin == [
        "AWS managed policy AdministratorAccess allows every action of every service, "
        "on every resource"
    ]
    assert items[f"role {SEEDED_RESOURCES['dev']['role']}"] == [
        "inline policy app-data allows every action of s3"
    ]
    every = [f.resource for f in result.of("iam")]
    for kit_role in (ACCESS_ROLE, "org-audit", "shop-data-migration"):
        assert f"role {kit_role}" not in every  # AdministratorAccess, but the kit's own


def test_network_finds_ssh_open_to_the_world_but_not_the_load_balancers(reviewed):
    _, result, _ = reviewed
    items = _items(result, "network")
    assert _named(items, SEED["open_security_group"]) == ["tcp port 22 (SSH) open to 0.0.0.0/0"]
    assert not _named(items, "-alb")  # 443 from anywhere, as a load balancer should
    assert len(result.of("network")) == 1


def test_volumes_finds_the_unencrypted_one_and_the_default_off(reviewed):
    _, result, _ = reviewed
    items = _items(result, "volumes")
    assert _named(items, SEED["unencrypted_volume"])
    assert not _named(items, SEED["encrypted_volume"])
    assert items["EBS encryption by default"][0].startswith(f"off in {', '.join(REGIONS)}")


def test_buckets_finds_the_bucket_left_without_its_defaults(reviewed):
    _, result, _ = reviewed
    items = _items(result, "buckets")
    dev = _named(items, SEED["unencrypted_bucket"])
    assert [w.split(":")[0] for w in dev] == ["no default encryption", "public access not blocked"]
    assert not _named(items, SEED["encrypted_bucket"])
    trail_bucket = "bucket org-trail-o-"  # the kit's own, in log-archive
    assert not [f for f in result.of("buckets") if f.resource.startswith(trail_bucket)]


def test_backup_finds_data_without_a_plan_and_no_item_where_there_is_no_data(reviewed):
    _, result, _ = reviewed
    items = _items(result, "backup")
    assert list(items) == [f"AWS Backup in {SANDBOX_REGION}"]
    assert items[f"AWS Backup in {SANDBOX_REGION}"] == [
        "no backup plan, while the account holds 2 EBS volume(s) and 2 bucket(s) there"
    ]
    dev = next(a for a in result.accounts if a.startswith("dev "))
    assert _items(result, "backup", dev) == {}  # dev holds nothing to back up


def test_tags_finds_resources_without_an_owner(reviewed):
    _, result, _ = reviewed
    items = _items(result, "tags")
    for untagged in (SEED["unencrypted_volume"], SEED["open_security_group"]):
        assert _named(items, untagged) == ["no owner tag"]
    for tagged in (SEED["encrypted_volume"], "prod-alb", SEED["encrypted_bucket"]):
        assert not _named(items, tagged)


def test_budget_finds_every_account_unwatched(reviewed):
    _, result, _ = reviewed
    assert sorted(f.account for f in result.of("budget")) == sorted(result.accounts)


def test_the_scorecard_rows_are_review_items_never_failures(reviewed):
    kit, result, _ = reviewed
    rows = review.rows(kit, result)
    assert [r["key"] for r in rows] == [f"review-{c}" for c in CONFIG.review.checks]
    assert {r["status"] for r in rows} == {review.REVIEW_ITEM}  # the seed gives each one
    network = next(r for r in rows if r["key"] == "review-network")
    assert network["evidence"].startswith("1 review item(s): ") and network["fix"]
    assert set(rows[0]) == {"key", "goal", "status", "evidence", "fix"}


# --- on a fresh sandbox: a fix makes its item go ------------------------------------------------


def _scope(url: str) -> review.Scope:
    """The original account, outside any organization, read with its own credentials."""
    session = Target.sandbox(url, SANDBOX_REGION).outside_account(ORIGINAL_ACCOUNT_ID, None)
    return review.Scope(ORIGINAL_ACCOUNT_ID, "original", session, REGIONS, frozenset(), frozenset())


def _settings(**changes) -> review.Settings:
    section = CONFIG.review.model_copy(update=changes)
    return review.Settings(section.required_tags, section.admin_ports, "123456789012", [])


def _found(check: str, url: str, settings: review.Settings | None = None) -> list[str]:
    return [
        f"{f.resource}: {f.what}" for f in review.RUNS[check](_scope(url), settings or _settings())
    ]


def _fix_network(session) -> None:
    ec2 = session.client("ec2")
    [group] = ec2.describe_security_groups(
        Filters=[{"Name": "group-name", "Values": [SEED["open_security_group"]]}]
    )["SecurityGroups"]
    ec2.revoke_security_group_ingress(
        GroupId=group["GroupId"], IpPermissions=group["IpPermissions"]
    )


def _fix_volumes(session) -> None:
    for region in REGIONS:
        session.client("ec2", region_name=region).enable_ebs_encryption_by_default()
    ec2 = session.client("ec2")
    scratch = [{"Name": "tag:Name", "Values": [SEED["unencrypted_volume"]]}]
    for volume in ec2.describe_volumes(Filters=scratch)["Volumes"]:
        ec2.delete_volume(VolumeId=volume["VolumeId"])


def _fix_buckets(session) -> None:
    bucket = SEED["unencrypted_bucket"]
    rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}
    session.client("s3").put_bucket_encryption(
        Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [rule]}
    )
    block = dict.fromkeys(("BlockPublicAcls", "IgnorePublicAcls"), True)
    block |= dict.fromkeys(("BlockPublicPolicy", "RestrictPublicBuckets"), True)
    session.client("s3control").put_public_access_block(  # the account's: covers every bucket
        AccountId=ORIGINAL_ACCOUNT_ID, PublicAccessBlockConfiguration=block
    )


def _fix_backup(session) -> None:
    rule = {"RuleName": "daily", "TargetBackupVaultName": "Default"}
    session.client("backup").create_backup_plan(
        BackupPlan={"BackupPlanName": "acme-daily", "Rules": [rule]}
    )


def _fix_tags(session) -> None:
    ec2 = session.client("ec2")
    for name in (SEED["unencrypted_volume"], SEED["open_security_group"]):
        for kind in ("volume", "security-group"):
            found = ec2.describe_tags(
                Filters=[
                    {"Name": "resource-type", "Values": [kind]},
                    {"Name": "tag:Name", "Values": [name]},
                ]
            )["Tags"]
            ids = [t["ResourceId"] for t in found]
            if ids:
                ec2.create_tags(Resources=ids, Tags=[{"Key": "Owner", "Value": "web-team"}])


def _fix_budget(session) -> None:
    session.client("budgets", region_name="us-east-1").create_budget(
        AccountId=ORIGINAL_ACCOUNT_ID,
        Budget={
            "BudgetName": "monthly",
            "BudgetLimit": {"Amount": "300", "Unit": "USD"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
        },
    )


def _fix_iam(session) -> None:
    iam = session.client("iam")
    narrow = {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::acme-dev-data/*",
    }
    for env in ("dev", "prod"):
        iam.put_role_policy(
            RoleName=SEEDED_RESOURCES[env]["role"],
            PolicyName="app-data",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [narrow]}),
        )


FIXES = {
    "iam": _fix_iam,
    "network": _fix_network,
    "volumes": _fix_volumes,
    "buckets": _fix_buckets,
    "backup": _fix_backup,
    "tags": _fix_tags,
    "budget": _fix_budget,
}


# What stays: the test reads the original account as team-admin, so it keeps its rights.
STAYS = {
    "iam": [
        f"user {SEEDED_RESOURCES['admin_user']}: AWS managed policy AdministratorAccess allows "
        "every action of every service, on every resource"
    ]
}


@pytest.mark.parametrize("check", list(FIXES))
def test_an_item_goes_once_its_fix_is_made(clean_sandbox, check):
    before = _found(check, clean_sandbox.url)
    assert len(before) > len(STAYS.get(check, [])), f"the seed gives {check} something to find"
    FIXES[check](_scope(clean_sandbox.url).session)
    assert _found(check, clean_sandbox.url) == STAYS.get(check, [])


def test_the_checks_match_the_config():
    assert set(review.CHECKS) == set(ReviewCheck.__args__) == set(review.RUNS)


def test_required_tags_and_admin_ports_come_from_the_config(clean_sandbox):
    found = _found("tags", clean_sandbox.url, _settings(required_tags=["cost-center"]))
    names = (SEED["unencrypted_volume"], SEED["open_security_group"], SEED["encrypted_volume"])
    assert len(found) == 3 and all(n in " ".join(found) for n in names)
    assert all(item.endswith(": no cost-center tag") for item in found)
    assert _found("network", clean_sandbox.url, _settings(admin_ports=[3389])) == []


def test_a_budget_in_the_management_account_watches_what_it_filters():
    whole = {"BudgetName": "all"}
    dev = {"BudgetName": "dev", "CostFilters": {"LinkedAccount": ["111111111111"]}}
    nested = {
        "BudgetName": "nested",
        "FilterExpression": {
            "And": [
                {"Dimensions": {"Key": "SERVICE", "Values": ["Amazon S3"]}},
                {"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": ["222222222222"]}},
            ]
        },
    }
    assert review.watches(whole, "111111111111") and review.watches(whole, "222222222222")
    assert review.watches(dev, "111111111111") and not review.watches(dev, "222222222222")
    assert review.watches(nested, "222222222222") and not review.watches(nested, "111111111111")


def test_risks_name_what_a_policy_allows_beyond_least_privilege():
    def document(action, resource="*"):
        statement = {"Effect": "Allow", "Action": action, "Resource": resource}
        return json.dumps({"Version": "2012-10-17", "Statement": [statement]})

    assert review.risks(document("*")) == ("every action of every service, on every resource",)
    assert review.risks(document("s3:*", "arn:aws:s3:::acme-*")) == ("every action of s3",)
    escalation = review.risks(document(["iam:CreatePolicyVersion", "iam:PutRolePolicy"]))
    assert escalation[0].startswith("privilege escalation (") and len(escalation) == 2
    assert review.risks(document("s3:GetObject", "arn:aws:s3:::acme-dev-data/*")) == ()


@pytest.mark.parametrize(
    ("rule", "opened"),
    [
        ({"IpProtocol": "-1"}, "every port of every protocol"),
        ({"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535}, "every tcp port"),
        ({"IpProtocol": "tcp", "FromPort": 20, "ToPort": 25}, "tcp port 22 (SSH)"),
        ({"IpProtocol": "6", "FromPort": 3389, "ToPort": 3389}, "tcp port 3389 (RDP)"),
        ({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}, ""),
        ({"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1}, ""),
    ],
)
def test_what_a_rule_opens(rule, opened):
    assert review.opened(rule, [22, 3389]) == opened


def _config(review_section: dict):
    data = yaml.safe_load(DEFAULT_CONFIG.read_text())
    data["review"] = review_section
    return parse_config(yaml.safe_dump(data, sort_keys=False))


def test_a_review_section_is_checked_before_any_call():
    with pytest.raises(ConfigError) as raised:
        _config(
            {"checks": ["iam", "firewall"], "required_tags": ["aws:owner"], "admin_ports": [70000]}
        )
    errors = "\n".join(raised.value.errors)
    assert "review.checks[1]: Input should be 'iam'" in errors
    assert "review.required_tags[0]" in errors and "aws:" in errors
    assert "review.admin_ports[0]" in errors


def test_checks_switched_off_are_not_run(journey, tmp_path):
    config = _config({"checks": ["network"]})
    kit = Kit(STEP, config, Target.sandbox(journey["url"], config.home_region), True, tmp_path)
    result = review.review(kit)
    assert {f.check for f in result.findings} == {"network"}
    assert [r["key"] for r in review.scorecard_rows(kit)] == ["review-network"]
    assert review.checks_table(kit).rows[1] == ["network", "yes", review.CHECKS["network"].goal]
    assert review.checks_table(kit).rows[0][1] == "no"


# --- the scorecard of the same run ------------------------------------------------------------

REVIEW_ONLY = {"GetAccountAuthorizationDetails", "DescribeVolumes", "ListBackupPlans"}


def test_the_runs_scorecard_takes_step_08s_review_and_reads_none_of_it_again(journey):
    for summary, _ in journey["runs"]:
        run = journey["out"] / summary["run_id"]
        assert (run / STEP / FILE).is_file()
        made = {
            step: {
                o["operation"]
                for o in json.loads((run / step / "step.json").read_text())["calls"]["operations"]
            }
            for step in (STEP, "09_scorecard")
        }
        assert REVIEW_ONLY <= made[STEP]
        assert not REVIEW_ONLY & made["09_scorecard"]


def test_a_scorecard_beside_step_08s_review_makes_no_review_call(reviewed, journey, tmp_path):
    kit, result, _ = reviewed
    step_08 = Kit(STEP, CONFIG, kit.target, True, tmp_path)
    review.keep(step_08, result)
    scorecard = Kit("09_scorecard", CONFIG, kit.target, True, tmp_path)
    before = requests_received(journey["url"])
    rows = review.scorecard_rows(scorecard)
    assert requests_received(journey["url"]) == before
    assert rows == review.rows(scorecard, result)


def test_without_step_08_in_the_folder_or_in_the_workshop_the_review_is_read_now(
    reviewed, journey, tmp_path
):
    kit, result, _ = reviewed
    lab_08 = Kit(STEP, CONFIG, kit.target, True, WORKSHOP_RUNS)
    review.keep(lab_08, result)  # the workshop's folder gets nothing to go stale
    assert not (WORKSHOP_RUNS / STEP / FILE).exists()
    for folder in (tmp_path, WORKSHOP_RUNS):
        scorecard = Kit("09_scorecard", CONFIG, kit.target, True, folder)
        assert review.of_this_run(scorecard) is None
        before = requests_received(journey["url"])
        rows = review.scorecard_rows(scorecard)
        assert requests_received(journey["url"]) > before
        assert rows == review.rows(scorecard, result)
