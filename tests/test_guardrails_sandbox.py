"""Step 06's helpers against the in-process sandbox: plan before anything exists, refusals
before any write (size, Principal, a sixth SCP, a policy the kit did not make, an unsafe
proof), idempotent apply, updates, opt-in detach, and the break-glass role."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from helpers import accounts, guardrails, organization
from helpers.guardrails import GuardrailError, Scp
from helpers.kit import Kit
from helpers.sandbox import SANDBOX_REGION, Sandbox
from helpers.targets import ACCESS_ROLE, Target
from tests.conftest import make_kit

SCP_DENY = "with an explicit deny in a service control policy"
CONFIG = {
    "management_account": {"id": "123456789012", "email": "management@example.com"},
    "home_region": "eu-central-1",
    "allowed_regions": ["eu-central-1", "eu-west-1"],
    "organizational_units": [{"name": "Workloads"}],
    "accounts": [{"name": "dev", "email": "dev@example.com", "ou": "Workloads"}],
    "guardrails": {"attach_to": ["Root"]},
}


def deny(*actions: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": list(actions), "Resource": "*"}],
    }


def kit_for(sandbox: Sandbox, tmp_path: Path, apply: bool = True, **guardrails_section) -> Kit:
    """A kit of the small organization's config, its guardrails section updated."""

    def section(data: dict) -> None:
        data["guardrails"].update(guardrails_section)

    return make_kit(sandbox, tmp_path, apply, section, step="06_guardrails", data=CONFIG)


def custom(tmp_path: Path, name: str, document: dict, **more) -> dict:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(document))
    return {"name": name, "file": str(path), **more}


@pytest.fixture
def org(clean_sandbox: Sandbox, tmp_path: Path) -> Sandbox:
    """The small organization: root > Workloads > dev."""
    kit = kit_for(clean_sandbox, tmp_path)
    organization.ensure_organization(kit)
    ous = accounts.ensure_ous(kit)
    accounts.ensure_placement(kit, accounts.ensure_accounts(kit, poll_seconds=0.05), ous)
    return clean_sandbox


def run(kit: Kit) -> guardrails.Plan:
    plan = guardrails.prepare(kit)
    guardrails.validate(plan)
    guardrails.apply(kit, plan, guardrails.proof(kit, plan))
    return plan


def dev_session(kit: Kit):
    return kit.account(guardrails.prepare(kit).accounts["dev"])


def test_a_plan_before_the_organization_exists(clean_sandbox, tmp_path):
    kit = kit_for(clean_sandbox, tmp_path, apply=False)
    plan = run(kit)
    assert plan.org_id is None and plan.ous == {"Root": None, "Workloads": None}
    assert [(c.action, c.resource) for c in kit.changes] == [
        ("enable", "policy type SERVICE_CONTROL_POLICY on the root"),
        ("create", "SCP org-allowed-regions"),
        ("create", "SCP org-guardrails"),
        ("attach", "SCP org-allowed-regions on the root"),
        ("attach", "SCP org-guardrails on the root"),
    ]
    assert kit.recorder.totals()["write"] == 0
    assert "denied by org-allowed-regions" in str(guardrails.proof(kit, plan).table())


def test_apply_then_nothing_then_updates_and_opt_in_detach(org, tmp_path):
    kit = kit_for(org, tmp_path)
    run(kit)
    assert kit.recorder.totals()["write"] == 5
    iam = dev_session(kit).client("iam")
    with pytest.raises(ClientError) as raised:
        iam.create_user(UserName="bob")
    assert raised.value.response["Error"]["Message"].endswith(SCP_DENY)

    again = kit_for(org, tmp_path)
    run(again)
    assert again.recorder.totals()["write"] == 0 and again.changes == []

    team = custom(tmp_path, "team", deny("ec2:CreateVpc"), attach_to=["Workloads"])
    changed = kit_for(org, tmp_path, custom=[team], break_glass_role="org-break-glass")
    run(changed)
    assert [(c.action, c.resource, c.detail) for c in changed.changes] == [
        ("update", "SCP org-allowed-regions", "content"),  # the break-glass role exempted
        ("create", "SCP team", "org-kit: custom SCP from " + team["file"]),
        ("attach", "SCP team on OU Workloads", ""),
    ]
    ec2 = dev_session(changed).client("ec2")
    with pytest.raises(ClientError) as raised:
        ec2.create_vpc(CidrBlock="10.0.0.0/16")
    assert raised.value.response["Error"]["Code"] == "UnauthorizedOperation"

    kept = kit_for(org, tmp_path, break_glass_role="org-break-glass")
    run(kept)
    assert kept.changes == [] and kept.recorder.totals()["write"] == 0
    assert ("unchanged", "SCP team on OU Workloads") in [
        (c.action, c.resource) for c in kept.unchanged
    ]
    detached = kit_for(org, tmp_path, break_glass_role="org-break-glass", detach_unlisted=True)
    run(detached)
    assert [(c.action, c.resource) for c in detached.changes] == [
        ("detach", "SCP team on OU Workloads")
    ]
    dev_session(detached).client("ec2").create_vpc(CidrBlock="10.0.0.0/16")  # allowed again


def test_documents_aws_would_refuse_are_refused_before_any_call(org, tmp_path):
    kit = kit_for(org, tmp_path)
    plan = guardrails.prepare(kit)
    long = deny(*(f"ec2:Describe{'X' * 30}{i}" for i in range(150)))
    principal = deny("s3:DeleteBucket")
    principal["Statement"][0]["Principal"] = {"AWS": "111122223333"}
    plan.scps += [Scp("too-long", "", long, ("Root",)), Scp("has-principal", "", principal, ())]
    before = dict(kit.recorder.counts)
    with pytest.raises(GuardrailError) as raised:
        guardrails.validate(plan)
    assert dict(kit.recorder.counts) == before  # not a single call
    [size, grammar] = raised.value.problems
    assert size.startswith("SCP 'too-long': is ") and "AWS allows at most 5,120" in size
    assert grammar.startswith("SCP 'has-principal': statement 0: Principal/NotPrincipal")
    assert raised.value.resource == "the guardrails section of the config"
    assert raised.value.next_step.startswith("change the guardrails section")


def test_a_sixth_scp_on_a_target_is_refused_before_any_write(org, tmp_path):
    management = Target.sandbox(org.url, SANDBOX_REGION).management()
    orgs = management.client("organizations")
    root = orgs.list_roots()["Roots"][0]["Id"]
    orgs.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    for name in ("security-a", "security-b", "security-c"):
        created = orgs.create_policy(
            Name=name,
            Description="",
            Type="SERVICE_CONTROL_POLICY",
            Content=json.dumps(deny(f"ec2:{name.title().replace('-', '')}")),
        )
        orgs.attach_policy(PolicyId=created["Policy"]["PolicySummary"]["Id"], TargetId=root)
    kit = kit_for(org, tmp_path)
    plan = guardrails.prepare(kit)
    with pytest.raises(GuardrailError) as raised:
        guardrails.validate(plan)
    assert raised.value.problems == [
        "the root would hold 6 SCPs (FullAWSAccess, security-a, security-b, security-c, "
        "org-allowed-regions, org-guardrails); AWS allows at most 5 per root, OU or account, "
        "FullAWSAccess included: merge some"
    ]
    assert kit.recorder.totals()["write"] == 0


def test_a_policy_of_the_kits_name_made_by_someone_else_is_refused(org, tmp_path):
    orgs = Target.sandbox(org.url, SANDBOX_REGION).management().client("organizations")
    orgs.create_policy(
        Name="org-guardrails",
        Description="",
        Type="SERVICE_CONTROL_POLICY",
        Content=json.dumps(deny("ec2:CreateVpc")),
    )
    kit = kit_for(org, tmp_path)
    with pytest.raises(GuardrailError) as raised:
        guardrails.validate(guardrails.prepare(kit))
    [problem] = raised.value.problems
    assert problem.startswith("SCP 'org-guardrails': a policy of that name exists")
    assert "the kit did not make it (no managed-by=org-kit tag)" in problem


def test_the_proof_refuses_a_lock_out_and_nothing_is_written(org, tmp_path):
    no_sts = custom(tmp_path, "no-sts", deny("sts:AssumeRole"))
    kit = kit_for(org, tmp_path, custom=[no_sts])
    plan = guardrails.prepare(kit)
    guardrails.validate(plan)
    proof = guardrails.proof(kit, plan)
    problems = proof.problems()
    assert any(
        p.startswith(
            "kit: use a path's role (04) (sts:AssumeRole) is ExplicitlyDenied in account dev, "
            "but the kit's own steps"
        )
        for p in problems
    )
    assert any(
        p.startswith("a person: sts (global), called from us-east-1 (sts:AssumeRole)")
        and "lock everyone" in p
        for p in problems
    )
    assert "denied by no-sts (NOT AS EXPECTED)" in str(proof.table())
    with pytest.raises(GuardrailError) as raised:
        guardrails.apply(kit, plan, proof)
    assert raised.value.next_step.startswith("change the policies")
    assert kit.recorder.totals()["write"] == 0 and kit.changes == []


def test_a_global_service_the_config_means_to_deny_passes(org, tmp_path):
    no_route53 = custom(tmp_path, "no-route53", deny("route53:*"), denies_services=["route53"])
    kit = kit_for(org, tmp_path, custom=[no_route53])
    plan = guardrails.prepare(kit)
    proof = guardrails.proof(kit, plan)
    assert proof.safe
    [row] = [r for r in proof.table().rows if r[0].startswith("a person: route53")]
    assert row[3:] == ["denied", "denied by no-route53", "allowed"]


def test_the_break_glass_role_may_act_in_any_region(org, tmp_path):
    kit = kit_for(org, tmp_path, break_glass_role="org-break-glass")
    run(kit)
    dev = dev_session(kit)
    dev_id = dev.client("sts").get_caller_identity()["Account"]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam = dev.client("iam")
    iam.create_role(RoleName="org-break-glass", AssumeRolePolicyDocument=json.dumps(trust))
    iam.attach_role_policy(
        RoleName="org-break-glass", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
    )
    glass = kit.target.assume(kit.management, dev_id, "org-break-glass")
    glass.client("sqs", region_name="us-west-2").list_queues()
    with pytest.raises(ClientError) as raised:
        kit.account(dev_id, ACCESS_ROLE).client("sqs", region_name="us-west-2").list_queues()
    assert raised.value.response["Error"]["Message"].endswith(SCP_DENY)
    table = guardrails.proof(kit, guardrails.prepare(kit)).table()
    [row] = [r for r in table.rows if r[0].startswith("the break-glass role")]
    assert row[3:] == ["allowed", "allowed", "allowed"]
