"""Step 07, further governance switched ON (the example keeps it off): plan, apply, nothing the
second time, accounts that join later, the Config template, and the step in the journey."""

from __future__ import annotations

import importlib.util
import json
from functools import partial

import pytest

from helpers import accounts, governance
from helpers.accounts import account_ids
from helpers.kit import Kit, KitError
from helpers.sandbox import MANAGEMENT_ACCOUNT_ID
from helpers.stacksets import instances
from tests.conftest import make_kit as shared_make_kit
from tests.conftest import with_accounts
from tests.test_config import example

STEP = "07_governance_and_costs"
REGIONS = ["eu-central-1", "eu-west-1"]
RULES = ["S3_BUCKET_PUBLIC_READ_PROHIBITED", "IAM_ROOT_ACCESS_KEY_CHECK", "ACCESS_KEYS_ROTATED"]


def governance_on(**guardduty) -> dict:
    data = example()
    data["governance"]["config"].update(enabled=True, rules=RULES)
    data["governance"]["guardduty"].update(enabled=True, **guardduty)
    return data


make_kit = partial(shared_make_kit, step=STEP, data=governance_on())


def run(kit: Kit) -> Kit:
    ids = account_ids(kit)
    governance.ensure_config(kit)
    governance.ensure_guardduty(kit, ids)
    return kit


def with_example_accounts(sandbox, tmp_path) -> dict[str, str]:
    """Steps 01 and 02: the accounts' {name: id}."""
    kit = with_accounts(sandbox, make_kit(sandbox, tmp_path))
    return {n: i for n, i in account_ids(kit).items() if i}


def writes(kit: Kit) -> int:
    return kit.recorder.totals()["write"]


def planned(kit: Kit) -> list[tuple[str, str]]:
    return [(c.action, c.resource) for c in kit.changes]


# --- plan and apply -------------------------------------------------------------------------


def test_plan_on_a_fresh_sandbox_writes_nothing_and_lists_the_changes(clean_sandbox, tmp_path):
    kit = run(make_kit(clean_sandbox, tmp_path, apply=False))
    assert writes(kit) == 0
    changes = planned(kit)
    assert ("create", "stack set org-config") in changes
    assert ("deploy", "stack set org-config to OU Root") in changes
    for region in REGIONS:
        assert ("designate", f"GuardDuty delegated administrator ({region})") in changes
        assert ("set", f"GuardDuty auto-enable for the organization ({region})") in changes


def test_plan_then_apply_then_nothing(clean_sandbox, tmp_path):
    with_example_accounts(clean_sandbox, tmp_path)
    plan = run(make_kit(clean_sandbox, tmp_path, apply=False))
    assert writes(plan) == 0
    applied = run(make_kit(clean_sandbox, tmp_path))
    assert planned(applied) == planned(plan)
    assert writes(applied) > 0
    again = run(make_kit(clean_sandbox, tmp_path))
    assert writes(again) == 0 and again.changes == []


@pytest.fixture
def governed(clean_sandbox, tmp_path) -> dict:
    ids = with_example_accounts(clean_sandbox, tmp_path)
    kit = run(make_kit(clean_sandbox, tmp_path))
    return {"ids": ids, "kit": kit}


def test_every_member_account_records_and_has_the_rules_in_every_allowed_region(governed):
    kit, ids = governed["kit"], governed["ids"]
    names = {i: n for n, i in ids.items()}
    deployed = instances(kit, "org-config", names)
    members = sorted(i for n, i in ids.items() if i != MANAGEMENT_ACCOUNT_ID)
    assert sorted({row[1] for row in deployed.rows}) == members
    assert {row[2] for row in deployed.rows} == set(REGIONS)
    wanted = {governance.rule_name(r) for r in RULES}
    for account in members:
        for region in REGIONS:
            config = kit.account(account).client("config", region_name=region)
            (status,) = config.describe_configuration_recorder_status()[
                "ConfigurationRecordersStatus"
            ]
            assert status["recording"]
            (recorder,) = config.describe_configuration_recorders()["ConfigurationRecorders"]
            group = recorder["recordingGroup"]
            assert group["allSupported"]
            assert group["includeGlobalResourceTypes"] == (region == "eu-central-1")
            (channel,) = config.describe_delivery_channels()["DeliveryChannels"]
            bucket = channel["s3BucketName"]
            policy = json.loads(
                kit.account(account).client("s3").get_bucket_policy(Bucket=bucket)["Policy"]
            )
            assert {s["Sid"] for s in policy["Statement"]} == {
                "AWSConfigBucketPermissionsCheck",
                "AWSConfigBucketDelivery",
            }
            rules = config.describe_config_rules()["ConfigRules"]
            assert {r["ConfigRuleName"] for r in rules} == wanted
            rotated = next(r for r in rules if r["Source"]["SourceIdentifier"] == RULES[2])
            assert json.loads(rotated["InputParameters"]) == {"maxAccessKeyAge": "90"}
    management = kit.management.client("config", region_name=REGIONS[0])
    assert management.describe_configuration_recorders()["ConfigurationRecorders"] == []


def test_guardduty_is_run_from_the_log_archive_for_every_account(governed):
    kit, ids = governed["kit"], governed["ids"]
    orgs = kit.management.client("organizations")
    delegated = orgs.list_delegated_administrators(ServicePrincipal="guardduty.amazonaws.com")
    assert [a["Id"] for a in delegated["DelegatedAdministrators"]] == [ids["log-archive"]]
    enabled = orgs.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
    assert "guardduty.amazonaws.com" in {s["ServicePrincipal"] for s in enabled}
    for region in REGIONS:
        listed = kit.management.client("guardduty", region_name=region)
        admins = listed.list_organization_admin_accounts()["AdminAccounts"]
        assert admins == [{"AdminAccountId": ids["log-archive"], "AdminStatus": "ENABLED"}]
    table = governance.guardduty_members(kit, ids)
    members = {(row[0], row[1]) for row in table.rows if row[3] == "Enabled"}
    assert members == {(r, n) for r in REGIONS for n in ("dev", "prod")}
    dev = kit.account(ids["dev"]).client("guardduty", region_name=REGIONS[0])
    assert len(dev.list_detectors()["DetectorIds"]) == 1  # GuardDuty is on in the member


def test_an_account_that_joins_later_gets_config_and_guardduty(governed, clean_sandbox, tmp_path):
    data = governance_on()
    data["accounts"].append({"name": "test", "email": "test@example.com", "ou": "Workloads/Dev"})
    kit = make_kit(clean_sandbox, tmp_path, data=data)
    accounts.ensure_accounts(kit)
    ids = account_ids(kit)
    config = kit.account(ids["test"]).client("config", region_name=REGIONS[1])
    assert config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"][0][
        "recording"
    ]
    members = governance.guardduty_members(kit, ids)
    assert ["eu-west-1", "test", ids["test"], "Enabled"] in members.rows
    again = run(make_kit(clean_sandbox, tmp_path, data=data))
    assert writes(again) == 0  # AWS did it: nothing for the kit to change


def test_drift_is_repaired(governed, clean_sandbox, tmp_path):
    kit, ids = governed["kit"], governed["ids"]
    admin = kit.account(ids["log-archive"]).client("guardduty", region_name=REGIONS[1])
    detector = admin.list_detectors()["DetectorIds"][0]
    admin.update_organization_configuration(
        DetectorId=detector, AutoEnableOrganizationMembers="NEW"
    )
    data = governance_on()
    data["governance"]["config"]["rules"] = RULES[:1]
    repair = run(make_kit(clean_sandbox, tmp_path, data=data))
    assert planned(repair) == [
        ("update", "stack set org-config"),
        ("set", "GuardDuty auto-enable for the organization (eu-west-1)"),
    ]
    config = kit.account(ids["dev"]).client("config", region_name=REGIONS[0])
    assert [r["ConfigRuleName"] for r in config.describe_config_rules()["ConfigRules"]] == [
        governance.rule_name(RULES[0])
    ]
    assert (
        admin.describe_organization_configuration(DetectorId=detector)[
            "AutoEnableOrganizationMembers"
        ]
        == "ALL"
    )


def test_another_delegated_administrator_is_explained_not_replaced(
    governed, clean_sandbox, tmp_path
):
    data = governance_on(admin_account="prod")
    kit = make_kit(clean_sandbox, tmp_path, data=data)
    with pytest.raises(KitError, match=r"administered by account \d{12}, not prod.*admin_account"):
        run(kit)
    assert writes(kit) == 0


def test_off_by_choice_touches_nothing(clean_sandbox, tmp_path):
    with_example_accounts(clean_sandbox, tmp_path)
    kit = run(make_kit(clean_sandbox, tmp_path, data=example()))
    assert writes(kit) == 0
    assert kit.changes == []
    assert [c.resource for c in kit.unchanged] == ["AWS Config", "GuardDuty"]
    rows = governance.choices(kit).rows
    assert rows[0][1].startswith("off") and rows[1][1].startswith("off")


# --- the template ---------------------------------------------------------------------------


def test_each_rule_becomes_a_resource_after_the_recorder():
    body = governance.config_template(RULES)
    assert body.count("Type: AWS::Config::ConfigRule") == len(RULES)
    assert body.count("DependsOn: ConfigRecorder") == len(RULES)
    assert "ConfigRuleName: s3-bucket-public-read-prohibited" in body
    assert 'maxAccessKeyAge: "90"' in body
    assert governance.config_template([]) == governance.template(governance.CONFIG_TEMPLATE)


CFN_LINT = importlib.util.find_spec("cfnlint") is not None


@pytest.mark.skipif(
    not CFN_LINT,
    reason="cfn-lint is not installed in .venv yet (the dev extra of pyproject.toml adds it)",
)
@pytest.mark.parametrize("rules", [[], RULES], ids=["template", "with rules"])
def test_the_config_template_passes_cfn_lint(rules, tmp_path):
    from cfnlint.api import lint_file

    path = tmp_path / "config-recorder.yaml"
    path.write_text(governance.config_template(rules))
    assert [f"{m.rule.id} {m.message}" for m in lint_file(path)] == []
    broken = tmp_path / "broken.yaml"  # the linter does find a fault: a wrong property
    broken.write_text(path.read_text().replace("AllSupported: true", "AllSupport: true"))
    assert [m.rule.id for m in lint_file(broken)] == ["E3002"]


# --- in the journey (governance off, as in the example) -------------------------------------


def test_the_journey_skips_governance_by_choice_and_writes_nothing(journey):
    for summary, _ in journey["runs"]:
        step = {s["step"]: s for s in summary["steps"]}[STEP]
        assert step["status"] == "ok" and step["calls"]["write"] == 0
        record = json.loads((journey["out"] / summary["run_id"] / STEP / "step.json").read_text())
        operations = {o["service"] for o in record["calls"]["operations"]}
        assert "guardduty" not in operations and "cloudformation" not in operations
