"""Clean-up (step 10) through `python -m runbook teardown`, in the in-process sandbox (never
the journey's): plan first, apply within the CloseAccount quota, finish later, plan nothing,
and build everything again."""

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
from helpers.config import load_config
from helpers.kit import Kit
from helpers.sandbox import ORIGINAL_ACCOUNT_ID, SANDBOX_REGION
from helpers.sandbox.settings import Settings
from helpers.targets import ACCESS_ROLE, Target
from runbook.cli import main
from runbook.execute import DEFAULT_CONFIG
from tests.conftest import requests_received, session_for

CONFIG = load_config(DEFAULT_CONFIG)
CREATED = [a.name for a in CONFIG.created_accounts()]


def build(url: str, run_dir: Path) -> None:
    """Steps 01-06 through their helpers, as the notebooks call them (no papermill)."""
    kit = Kit("build", CONFIG, Target.sandbox(url, SANDBOX_REGION), True, run_dir)
    organization.ensure_organization(kit)
    ous = accounts.ensure_ous(kit)
    created = accounts.ensure_accounts(kit, poll_seconds=0.1)
    invited = accounts.ensure_invitations(kit)
    accounts.ensure_access_roles(kit)
    accounts.ensure_placement(kit, {**created, **invited}, ous)
    identity_center.ensure_identity_center(kit)
    iam_users.retire(kit, identity_center.account_ids(kit))
    paths.ensure_demo_resources(kit)
    paths.ensure_paths(kit)
    stacksets.ensure_baseline(kit, identity_center.account_ids(kit))
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
    assert requests_received(url) - before == planned["calls"]["read"]
    actions = {(c["action"], c["resource"]) for c in planned["changes"]}
    assert planned["todo"][0].startswith("give the team its own way into account original")
    closing = sorted(r.split(" (")[0] for a, r in actions if a == "close")
    assert closing == sorted(f"account {n}" for n in CREATED)
    assert ("delete", "trail org-trail") in actions and ("delete", "SCP org-guardrails") in actions

    clean_sandbox.configure(close_quota_floor=1, close_quota_percent=0)
    first = teardown(url, out, "--apply")
    assert first["calls"]["write"] > 20
    now = states(url)
    assert now["acme-original"] == "ACTIVE"  # step 03 retired its old keys: it waits for them
    assert sorted(now[n] for n in CREATED) == ["ACTIVE", "ACTIVE", "SUSPENDED"]
    still_open = [n for n in CREATED if now[n] == "ACTIVE"]
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
    assert {n: s for n, s in states(url).items() if n in CREATED} == dict.fromkeys(
        CREATED, "SUSPENDED"
    )

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
