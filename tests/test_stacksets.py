"""The baseline roles through a service-managed StackSet, in the session's journey
organization: every account of the targeted OUs has the audit role, an account that joins
later gets it without the kit, and the template passes cfn-lint."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from cfnlint.api import lint_file

from helpers import stacksets
from helpers.accounts import account_ids
from helpers.sandbox import MANAGEMENT_ACCOUNT_ID, SANDBOX_REGION
from helpers.targets import ACCESS_ROLE
from tests.test_paths import make_kit, writes
from tests.test_stacksets_sandbox import Org

STACK_SET = "org-baseline-roles"
AUDIT_ROLE = "org-audit"


def test_the_templates_pass_cfn_lint(tmp_path):
    templates = sorted(stacksets.TEMPLATES.glob("*.yaml"))
    assert templates
    for template in templates:
        assert lint_file(template) == [], template
    broken = tmp_path / "broken.yaml"  # the linter does find a fault: a wrong property
    baseline = (stacksets.TEMPLATES / "baseline-roles.yaml").read_text()
    broken.write_text(baseline.replace("MaxSessionDuration: 3600", "MaxSession: 1"))
    assert [m.rule.id for m in lint_file(broken)] == ["E3002"]


@pytest.fixture
def kit(journey, tmp_path):
    return make_kit(journey["url"], tmp_path)


def audit_session(kit, account_id: str, from_account: str):
    """The audit role in `account_id`, assumed from `from_account`'s access role."""
    source = kit.account(from_account)
    return kit.target.assume(source, account_id, AUDIT_ROLE)


def test_the_baseline_reaches_every_account_of_its_ous_never_the_management(kit):
    ids = account_ids(kit)
    cfn = kit.management.client("cloudformation")
    assert cfn.describe_organizations_access()["Status"] == "ENABLED"
    stack_set = cfn.describe_stack_set(StackSetName=STACK_SET)["StackSet"]
    assert stack_set["PermissionModel"] == "SERVICE_MANAGED"
    assert stack_set["AutoDeployment"] == stacksets.AUTO_DEPLOYMENT
    ous = stacksets.ou_ids(kit)
    assert sorted(stack_set["OrganizationalUnitIds"]) == sorted([ous["Security"], ous["Workloads"]])
    instances = cfn.list_stack_instances(StackSetName=STACK_SET)["Summaries"]
    reached = {i["Account"] for i in instances}
    assert reached == {ids[n] for n in ("log-archive", "dev", "prod", "original")}
    assert MANAGEMENT_ACCOUNT_ID not in reached


def test_the_log_archive_audits_and_nobody_else_may(kit):
    ids = account_ids(kit)
    audit = audit_session(kit, ids["prod"], ids["log-archive"])
    roles = audit.client("iam").list_roles()["Roles"]  # SecurityAudit reads configuration
    assert ACCESS_ROLE in {r["RoleName"] for r in roles}
    with pytest.raises(ClientError) as denied:
        audit.client("iam").create_user(UserName="intruder")
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    with pytest.raises(ClientError) as denied:
        audit_session(kit, ids["prod"], ids["dev"])
    assert denied.value.response["Error"]["Code"] == "AccessDenied"


def test_an_account_that_joins_a_targeted_ou_gets_the_role_without_the_kit(clean_sandbox, tmp_path):
    org = Org(clean_sandbox)  # Workloads/Dev with one account, in a sandbox of its own

    def small(data: dict) -> None:
        data["organizational_units"] = [{"name": "Workloads", "children": [{"name": "Dev"}]}]
        data["accounts"] = [{"name": "dev", "email": "dev@acme.example", "ou": "Workloads/Dev"}]
        for section in ("trail", "identity_center", "cross_account", "governance", "guardrails"):
            data.pop(section, None)

    kit = make_kit(clean_sandbox.url, tmp_path, True, small)
    parameters = {"AuditAccountId": org.dev_account, "AuditRoleName": AUDIT_ROLE}
    template = stacksets.template("baseline-roles.yaml")
    stacksets.ensure_stack_set(
        kit, "baseline", template, ["Workloads"], [SANDBOX_REGION], parameters
    )
    assert org.instances() == {org.dev_account}
    calls = kit.recorder.totals()
    newcomer = org.account("newcomer", org.dev)  # created and moved: the kit is not involved
    assert kit.recorder.totals() == calls
    assert org.has_role(newcomer)
    assert org.instances() == {org.dev_account, newcomer}
    again = make_kit(clean_sandbox.url, tmp_path, True, small)
    stacksets.ensure_stack_set(
        again, "baseline", template, ["Workloads"], [SANDBOX_REGION], parameters
    )
    assert writes(again) == 0


def test_an_ou_dropped_from_the_targets_loses_its_stacks(journey, tmp_path):
    def workloads_only(data: dict) -> None:
        data["cross_account"]["baseline"]["ous"] = ["Workloads"]

    narrowed = make_kit(journey["url"], tmp_path, True, workloads_only)
    ids = account_ids(narrowed)
    try:
        stacksets.ensure_baseline(narrowed, ids)
        assert [(c.action, c.resource) for c in narrowed.changes] == [
            ("remove", f"stack set {STACK_SET} from OU Security")
        ]
        iam = narrowed.account(ids["log-archive"]).client("iam")
        with pytest.raises(ClientError):
            iam.get_role(RoleName=AUDIT_ROLE)
    finally:
        restored = make_kit(journey["url"], tmp_path)
        stacksets.ensure_baseline(restored, ids)
    assert [(c.action, c.resource) for c in restored.changes] == [
        ("deploy", f"stack set {STACK_SET} to OU Security")
    ]
    again = make_kit(journey["url"], tmp_path)
    stacksets.ensure_baseline(again, ids)
    assert writes(again) == 0
