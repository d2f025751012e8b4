"""Clean-up (step 10) through `python -m runbook teardown`, in the in-process sandbox (never
the journey's): plan first, apply within the CloseAccount quota, finish later, plan nothing,
and build everything again; never close or delete what the kit did not make, whatever the
config says; keep the log archive unless told."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import runbook
from helpers import (
    accounts,
    audit_trail,
    guardrails,
    iam_users,
    identity_center,
    organization,
    paths,
    stacksets,
)
from helpers import teardown as teardown_step
from helpers.config import load_config, parse_config
from helpers.kit import Kit, KitError
from helpers.sandbox import MANAGEMENT_ACCOUNT_ID, ORIGINAL_ACCOUNT_ID, SANDBOX_REGION
from helpers.sandbox.settings import Settings
from helpers.targets import ACCESS_ROLE, Target
from runbook.cli import main
from runbook.execute import DEFAULT_CONFIG
from tests.conftest import kit_json, requests_received, session_for, wait_until

CONFIG = load_config(DEFAULT_CONFIG)
CREATED = [a.name for a in CONFIG.created_accounts()]
ARCHIVE = CONFIG.trail.log_archive_account
CLOSED = [n for n in CREATED if n != ARCHIVE]  # the log archive is kept by default


def build_accounts(url: str, run_dir: Path, config=CONFIG) -> Kit:
    """Steps 01-02 through their helpers, as the notebooks call them (no papermill)."""
    kit = Kit("build", config, Target.sandbox(url, SANDBOX_REGION), True, run_dir)
    organization.ensure_organization(kit)
    ous = accounts.ensure_ous(kit)
    created = accounts.ensure_accounts(kit, poll_seconds=0.1)
    invited = accounts.ensure_invitations(kit)
    accounts.ensure_access_roles(kit)
    accounts.ensure_placement(kit, {**created, **invited}, ous)
    return kit


def build(url: str, run_dir: Path) -> None:
    """Steps 01-06 through their helpers, as the notebooks call them (no papermill)."""
    kit = build_accounts(url, run_dir)
    identity_center.ensure_identity_center(kit)
    iam_users.retire(kit, accounts.account_ids(kit))
    paths.ensure_demo_resources(kit)
    paths.ensure_paths(kit)
    stacksets.ensure_baseline(kit, accounts.account_ids(kit))
    audit_trail.ensure_audit_trail(kit)
    plan = guardrails.prepare(kit)
    guardrails.validate(plan)
    guardrails.apply(kit, plan, guardrails.proof(kit, plan))


def teardown(url: str, out: Path, *flags: str) -> dict:
    """`python -m runbook teardown` and the step record it left."""
    assert main(["teardown", "--endpoint", url, "--out", str(out), *flags]) == 0
    run_dir = max(out.iterdir(), key=lambda p: p.stat().st_mtime)
    record = json.loads((run_dir / "10_cleanup" / "step.json").read_text())
    assert record["status"] == ("ok" if "--apply" in flags else "planned")
    return record


def kept(record: dict) -> dict[str, str]:
    """The step's table of what the clean-up keeps: resource -> why."""
    table = next(e for e in record["exhibits"] if e["title"].startswith("What the clean-up"))
    return dict(table["body"]["rows"])


def config_file(tmp_path: Path, change) -> Path:
    """The example config, changed by `change(data)`, as a file."""
    data = yaml.safe_load(DEFAULT_CONFIG.read_text())
    change(data)
    path = tmp_path / f"org-{len(list(tmp_path.glob('org-*.yaml')))}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def states(url: str) -> dict[str, str]:
    orgs = session_for(url).client("organizations")
    return {a["Name"]: a["State"] for a in orgs.list_accounts()["Accounts"]}


@pytest.fixture
def sandbox_url(clean_sandbox):
    defaults = Settings()
    clean_sandbox.configure(close_account_seconds=0.3)
    yield clean_sandbox.url
    clean_sandbox.configure(
        close_account_seconds=defaults.close_account_seconds,
        close_quota_floor=defaults.close_quota_floor,
        close_quota_percent=defaults.close_quota_percent,
    )


def test_teardown_plans_applies_within_the_quota_and_the_runbook_builds_again(
    sandbox_url, clean_sandbox, tmp_path
):
    url, out = sandbox_url, tmp_path / "runs"
    build(url, tmp_path)

    before = requests_received(url)
    planned = teardown(url, out)
    assert planned["calls"]["write"] == 0
    assert requests_received(url) - before == planned["calls"]["read"] + 1  # + the runbook's check
    actions = {(c["action"], c["resource"]) for c in planned["changes"]}
    assert planned["todo"][0].startswith("give the team its own way into account original")
    closing = sorted(r.split(" (")[0] for a, r in actions if a == "close")
    assert closing == sorted(f"account {n}" for n in CLOSED)
    assert ("delete", "trail org-trail") in actions and ("delete", "SCP org-guardrails") in actions
    why = next(w for r, w in kept(planned).items() if r.startswith(f"account {ARCHIVE} "))
    assert why.startswith("kept: it holds the trail's logs in bucket org-trail-")
    assert "trail.close_log_archive: true" in why

    clean_sandbox.configure(close_quota_floor=1, close_quota_percent=0)
    first = teardown(url, out, "--apply")
    assert first["calls"]["write"] > 20
    now = states(url)
    assert now["acme-original"] == "ACTIVE"  # step 03 retired its old keys: it waits for them
    assert now[ARCHIVE] == "ACTIVE"
    assert sorted(now[n] for n in CLOSED) == ["ACTIVE", "SUSPENDED"]
    still_open = [n for n in CLOSED if now[n] == "ACTIVE"]
    assert first["todo"] == [
        f"give the team its own way into account original ({ORIGINAL_ACCOUNT_ID}) before it "
        "leaves: credentials of its own (a profile in the config), then run again",
        f"close account(s) {', '.join(still_open)} later: AWS's CloseAccount quota (a rolling "
        "30 days) is used up; run the teardown again once it frees up",
    ]
    # The team makes itself a key (the guardrails are gone), as it would before leaving.
    team = Target.sandbox(url, SANDBOX_REGION).assume(session_for(url), ORIGINAL_ACCOUNT_ID)
    team.client("iam").create_access_key(UserName="team-admin")

    clean_sandbox.configure(close_quota_floor=250, close_quota_percent=20)
    second = teardown(url, out, "--apply")
    assert [c["resource"].split(" (")[0] for c in second["changes"]] == [
        f"role {ACCESS_ROLE} in account original",
        "account original",
        *(f"account {n}" for n in still_open),
    ]
    assert "acme-original" not in states(url)  # the invited account left, never closed
    assert {n: s for n, s in states(url).items() if n in CREATED} == {
        **dict.fromkeys(CLOSED, "SUSPENDED"),
        ARCHIVE: "ACTIVE",
    }

    again = teardown(url, out)
    assert again["changes"] == [] and again["todo"] == [] and again["calls"]["write"] == 0

    management = session_for(url)
    assert management.client("cloudtrail").describe_trails()["trailList"] == []
    orgs = management.client("organizations")
    assert [p["Name"] for p in orgs.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]] == [
        "FullAWSAccess"
    ]
    assert orgs.list_roots()["Roots"][0]["PolicyTypes"] == []
    cfn = management.client("cloudformation")
    assert {s["Status"] for s in cfn.list_stack_sets()["Summaries"]} == {"DELETED"}
    assert cfn.describe_organizations_access()["Status"] == "DISABLED"
    sso = management.client("sso-admin")
    instance = sso.list_instances()["Instances"][0]["InstanceArn"]
    assert sso.list_permission_sets(InstanceArn=instance)["PermissionSets"] == []
    iam = session_for(url, ORIGINAL_ACCOUNT_ID).client("iam")
    roles = {r["RoleName"] for r in iam.list_roles()["Roles"]}
    assert ACCESS_ROLE not in roles and "shop-data-migration" not in roles
    assert "team-admin" in {u["UserName"] for u in iam.list_users()["Users"]}  # the team's

    # Build again: closed accounts keep their emails (AWS lets no new account use them).
    config = yaml.safe_load(DEFAULT_CONFIG.read_text())
    for account in config["accounts"]:
        if not account.get("invite"):
            account["email"] = account["email"].replace("@", "+2@")
    rebuild = tmp_path / "rebuild.yaml"
    rebuild.write_text(yaml.safe_dump(config, sort_keys=False))
    summary = runbook.run(rebuild, endpoint_url=url, out=out)
    assert {s["status"] for s in summary["steps"]} == {"ok"}
    assert list(states(url).values()).count("ACTIVE") == 1 + len(CREATED) + 1


def _created_id(url: str, name: str) -> str:
    orgs = session_for(url).client("organizations")
    return next(a["Id"] for a in orgs.list_accounts()["Accounts"] if a["Name"] == name)


def original_as_created(data: dict, ids: dict) -> None:
    data["accounts"][3] = {"name": "original", "email": "aws@acme.example", "ou": "Workloads/Prod"}


def management_email(data: dict, ids: dict) -> None:
    data["accounts"].append({"name": "billing", "email": "master@example.com", "ou": "Security"})


def created_as_invited(data: dict, ids: dict) -> None:
    data["accounts"][1].update(invite=True, id=ids["dev"])


def emails_swapped(data: dict, ids: dict) -> None:
    data["accounts"][1]["email"], data["accounts"][2]["email"] = (
        "prod@example.com",
        "dev@example.com",
    )


def invited_id_mistyped(data: dict, ids: dict) -> None:
    data["accounts"][3].update(id="999988887777", email="aws@acme.example")


WRONG_CONFIGS = {  # how a config can disagree with the organization: what the refusal says
    original_as_created: "accounts[3] (original) is an account the kit creates, but "
    f"aws@acme.example belongs to account acme-original ({ORIGINAL_ACCOUNT_ID}), which joined "
    "by invitation: the kit never closes an invited account. If it is the team's own, set "
    f'invite: true and id: "{ORIGINAL_ACCOUNT_ID}" in accounts[3]',
    management_email: "accounts[4] (billing) has the management account's email "
    "master@example.com: the kit never closes or removes the management account; correct "
    "accounts[4].email",
    created_as_invited: "accounts[1] (dev) is listed as invited, but the organization created "
    "account dev ({dev})",
    emails_swapped: "accounts[1] (dev): account prod ({prod}) was created as 'prod' in this "
    "organization (ListCreateAccountStatus)",
    invited_id_mistyped: "accounts[3] (original) names id 999988887777, but its email "
    f"aws@acme.example belongs to account acme-original ({ORIGINAL_ACCOUNT_ID}): correct "
    "accounts[3].id",
}


def test_a_config_that_disagrees_with_the_organization_changes_nothing(
    sandbox_url, tmp_path, capsys
):
    url, out = sandbox_url, tmp_path / "runs"
    build_accounts(url, tmp_path)
    ids = {name: _created_id(url, name) for name in CREATED}
    before = states(url)
    # The runbook's teardown refuses in the plan as in the apply, naming the entry to fix.
    path = config_file(tmp_path, lambda data: original_as_created(data, ids))
    command = ["teardown", "--endpoint", url, "--config", str(path), "--out", str(out)]
    for flags in ([], ["--apply"]):
        assert main([*command, *flags]) == 1
        refusal = capsys.readouterr().err
        assert "step 10_cleanup failed in cell" in refusal
        assert WRONG_CONFIGS[original_as_created] in refusal
    for change, message in WRONG_CONFIGS.items():
        data = yaml.safe_load(DEFAULT_CONFIG.read_text())
        change(data, ids)
        config = parse_config(yaml.safe_dump(data, sort_keys=False))
        kit = Kit("10_cleanup", config, Target.sandbox(url, SANDBOX_REGION), True, tmp_path)
        with pytest.raises(KitError) as refused:
            teardown_step.teardown(kit)
        assert message.format(**ids) in str(refused.value), change.__name__
        assert kit.recorder.totals()["write"] == 0, change.__name__
    assert states(url) == before  # nothing closed, nothing removed
    original = session_for(url, ORIGINAL_ACCOUNT_ID).client("iam")
    assert ACCESS_ROLE in {r["RoleName"] for r in original.list_roles()["Roles"]}


def test_what_the_kit_did_not_make_is_left_alone(sandbox_url, tmp_path):
    """A path may lead to the team's own bucket or to the trail's; an account may join that
    the config does not name: the clean-up removes the kit's grants and nothing else."""
    url, out = sandbox_url, tmp_path / "runs"

    def paths_to_the_teams_data_and_the_logs(data: dict) -> None:
        data["trail"]["bucket_name"] = "acme-org-trail-logs"
        data["cross_account"]["paths"] += [
            {
                "name": "shop-data-for-dev",
                "why": "dev reads the shop's data while it moves",
                "consumer": {"account": "dev"},
                "provider": {"account": "original", "bucket": "acme-dev-data"},
                "actions": ["s3:GetObject"],
            },
            {
                "name": "logs-for-prod",
                "why": "prod's auditors read the logs",
                "consumer": {"account": "prod"},
                "provider": {"account": ARCHIVE, "bucket": "acme-org-trail-logs"},
                "actions": ["s3:GetObject"],
            },
        ]

    path = config_file(tmp_path, paths_to_the_teams_data_and_the_logs)
    kit = build_accounts(url, tmp_path, load_config(path))
    paths.ensure_demo_resources(kit)
    paths.ensure_paths(kit)
    orgs = session_for(url).client("organizations")
    orgs.create_account(AccountName="side-project", Email="side@example.com")  # by hand
    wait_until(
        lambda: (
            not orgs.list_create_account_status(States=["IN_PROGRESS"])["CreateAccountStatuses"]
        ),
        10,
        "the side project's creation",
    )
    side_id = _created_id(url, "side-project")
    team = session_for(url, ORIGINAL_ACCOUNT_ID).client("s3")
    team.put_object(Bucket="acme-dev-data", Key="orders/1.json", Body=b"{}")  # the team's data
    archive = kit.account(_created_id(url, ARCHIVE)).client("s3")
    granted = json.loads(team.get_bucket_policy(Bucket="acme-dev-data")["Policy"])["Statement"]
    assert [s["Sid"] for s in granted] == ["KitPathShopDataForDev"]

    record = teardown(url, out, "--config", str(path), "--apply")
    demo = sorted(c["resource"] for c in record["changes"] if c["resource"].endswith("demo)"))
    assert demo == [  # what step 04 made for the example, and nothing else
        "bucket acme-prod-exports (account prod, demo)",
        "queue orders (account prod, demo)",
    ]
    assert team.list_objects_v2(Bucket="acme-dev-data")["KeyCount"] == 1
    with pytest.raises(team.exceptions.ClientError, match="NoSuchBucketPolicy"):
        team.get_bucket_policy(Bucket="acme-dev-data")  # the kit's statement was all of it
    assert "acme-org-trail-logs" in {b["Name"] for b in archive.list_buckets()["Buckets"]}
    assert states(url) == {  # the original account left
        "master": "ACTIVE",
        "side-project": "ACTIVE",
        ARCHIVE: "ACTIVE",
        **dict.fromkeys(CLOSED, "SUSPENDED"),
    }
    why = kept(record)
    assert why[f"account side-project ({side_id})"] == "not the config's: left alone"
    assert why[f"account master ({MANAGEMENT_ACCOUNT_ID})"] == (
        "the management account: never closed, never removed"
    )


def test_closing_the_log_archive_says_its_logs_go_with_it(sandbox_url, tmp_path):
    url, out = sandbox_url, tmp_path / "runs"
    path = config_file(tmp_path, lambda data: data["trail"].update(close_log_archive=True))
    build_accounts(url, tmp_path, load_config(path))
    archive = f"account {ARCHIVE} ({_created_id(url, ARCHIVE)})"
    for flags in ([], ["--apply"]):
        record = teardown(url, out, "--config", str(path), *flags)
        detail = next(c["detail"] for c in record["changes"] if c["resource"] == archive)
        assert detail.startswith("SUSPENDED for 90 days, then gone, and with it the trail's logs")
    assert states(url)[ARCHIVE] == "SUSPENDED"


def test_a_plan_against_aws_after_step_03_asks_for_the_teams_own_way_in(
    sandbox_url, tmp_path, monkeypatch
):
    """Step 03 retired the original account's old keys; a profile still holds them. AWS (and
    the sandbox) refuse them: the plan says what to do instead of failing."""
    url, out = sandbox_url, tmp_path / "runs"
    keys = kit_json(f"{url}/_kit/credentials/{ORIGINAL_ACCOUNT_ID}")
    kit = build_accounts(url, tmp_path)
    iam_users.retire(kit, accounts.account_ids(kit))
    profile = CONFIG.account("original").profile
    (tmp_path / "credentials").write_text(
        "[mgmt]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
        f"[{profile}]\naws_access_key_id = {keys['AccessKeyId']}\n"
        f"aws_secret_access_key = {keys['SecretAccessKey']}\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # real AWS unreachable
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)

    record = teardown(url, out, "--target", "aws", "--profile", "mgmt")
    assert record["todo"][0] == (
        f"give the team its own way into account original ({ORIGINAL_ACCOUNT_ID}) before it "
        f"leaves: the credentials of profile {profile!r} no longer work (InvalidClientTokenId; "
        "step 03 retires the old IAM users' keys): give that profile working credentials, "
        "then run again"
    )
    assert record["calls"]["write"] == 0


def test_reset_sandbox_is_a_sandbox_only_shortcut(clean_sandbox, capsys):
    url = clean_sandbox.url
    session_for(url).client("organizations").create_organization(FeatureSet="ALL")
    assert main(["teardown", "--reset-sandbox", "--target", "aws", "--endpoint", url]) == 2
    assert main(["teardown", "--reset-sandbox"]) == 2
    assert "--reset-sandbox resets a running sandbox" in capsys.readouterr().err
    assert organization.describe(session_for(url)) is not None
    assert main(["teardown", "--reset-sandbox", "--endpoint", url]) == 0
    assert organization.describe(session_for(url)) is None
    assert requests_received(url) == 1  # the describe just now: counters start again
