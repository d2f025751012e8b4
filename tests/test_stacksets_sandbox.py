"""Sandbox fidelity for service-managed StackSets: trusted access, OU targets (nested OUs,
never the management account), auto-deployment to accounts that join later, deletion by OU.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from helpers.sandbox import MANAGEMENT_ACCOUNT_ID, SANDBOX_REGION
from helpers.targets import ACCESS_ROLE, Target
from tests.conftest import creation_settled

TEMPLATE = (
    Path(__file__).resolve().parent.parent / "templates" / "baseline-roles.yaml"
).read_text()
SERVICE = "member.org.stacksets.cloudformation.amazonaws.com"
ROLE = "org-audit"


class Org:
    """An organization in the clean sandbox: Workloads/Dev, one account in Dev."""

    def __init__(self, sandbox) -> None:
        self.target = Target.sandbox(sandbox.url, SANDBOX_REGION)
        self.management = self.target.management()
        self.orgs = self.management.client("organizations")
        self.cfn = self.management.client("cloudformation")
        self.orgs.create_organization(FeatureSet="ALL")
        self.root = self.orgs.list_roots()["Roots"][0]["Id"]
        self.workloads = self.ou(self.root, "Workloads")
        self.dev = self.ou(self.workloads, "Dev")
        self.dev_account = self.account("dev", self.dev)

    def ou(self, parent: str, name: str) -> str:
        return self.orgs.create_organizational_unit(ParentId=parent, Name=name)[
            "OrganizationalUnit"
        ]["Id"]

    def account(self, name: str, ou: str | None) -> str:
        """Create an account (asynchronously, as AWS does) and move it into `ou`."""
        request = self.orgs.create_account(AccountName=name, Email=f"{name}@acme.example")
        request_id = request["CreateAccountStatus"]["Id"]
        status = creation_settled(self.orgs, request_id)
        account_id = status["AccountId"]
        if ou:
            self.move(account_id, ou)
        return account_id

    def move(self, account_id: str, ou: str) -> None:
        parent = self.orgs.list_parents(ChildId=account_id)["Parents"][0]["Id"]
        self.orgs.move_account(AccountId=account_id, SourceParentId=parent, DestinationParentId=ou)

    def iam(self, account_id: str):
        return self.target.assume(self.management, account_id, ACCESS_ROLE).client("iam")

    def has_role(self, account_id: str) -> bool:
        try:
            self.iam(account_id).get_role(RoleName=ROLE)
        except ClientError as error:
            assert error.response["Error"]["Code"] == "NoSuchEntity"
            return False
        return True

    def create_stack_set(self, name: str = "baseline", auto: bool = True) -> None:
        self.cfn.create_stack_set(
            StackSetName=name,
            TemplateBody=TEMPLATE,
            Parameters=[{"ParameterKey": "AuditAccountId", "ParameterValue": self.dev_account}],
            Capabilities=["CAPABILITY_NAMED_IAM"],
            PermissionModel="SERVICE_MANAGED",
            AutoDeployment={"Enabled": auto, "RetainStacksOnAccountRemoval": False},
        )

    def instances(self, name: str = "baseline") -> set[str]:
        summaries = self.cfn.list_stack_instances(StackSetName=name)["Summaries"]
        return {s["Account"] for s in summaries}


def code(raised: pytest.ExceptionInfo) -> str:
    return raised.value.response["Error"]["Code"]


@pytest.fixture
def org(clean_sandbox) -> Org:
    return Org(clean_sandbox)


def test_trusted_access_is_off_until_activated(org):
    assert org.cfn.describe_organizations_access()["Status"] == "DISABLED"
    with pytest.raises(ClientError) as raised:
        org.create_stack_set()
    assert code(raised) == "ValidationError"
    assert "organizations access" in str(raised.value)
    org.cfn.activate_organizations_access()
    assert org.cfn.describe_organizations_access()["Status"] == "ENABLED"
    enabled = org.orgs.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
    assert SERVICE in {s["ServicePrincipal"] for s in enabled}


def test_only_the_management_account_activates_trusted_access(org):
    member = org.target.assume(org.management, org.dev_account).client("cloudformation")
    with pytest.raises(ClientError) as raised:
        member.activate_organizations_access()
    assert code(raised) == "AccessDeniedException"


def test_named_roles_need_the_capability_and_names_are_unique(org):
    org.cfn.activate_organizations_access()
    with pytest.raises(ClientError) as raised:
        org.cfn.create_stack_set(
            StackSetName="baseline", TemplateBody=TEMPLATE, PermissionModel="SERVICE_MANAGED"
        )
    assert code(raised) == "InsufficientCapabilitiesException"
    org.create_stack_set()
    with pytest.raises(ClientError) as raised:
        org.create_stack_set()
    assert code(raised) == "NameAlreadyExistsException"


def test_an_ou_target_reaches_nested_ous_never_the_management_account(org):
    org.cfn.activate_organizations_access()
    org.create_stack_set()
    outside = org.account("tools", None)  # under the root, not in Workloads
    operation = org.cfn.create_stack_instances(
        StackSetName="baseline",
        DeploymentTargets={"OrganizationalUnitIds": [org.workloads]},
        Regions=[SANDBOX_REGION],
    )["OperationId"]
    described = org.cfn.describe_stack_set_operation(StackSetName="baseline", OperationId=operation)
    assert described["StackSetOperation"]["Status"] == "SUCCEEDED"
    assert org.instances() == {org.dev_account}
    assert org.has_role(org.dev_account) and not org.has_role(outside)
    stack_set = org.cfn.describe_stack_set(StackSetName="baseline")["StackSet"]
    assert stack_set["OrganizationalUnitIds"] == [org.workloads]
    assert stack_set["Regions"] == [SANDBOX_REGION]
    assert stack_set["AutoDeployment"] == {"Enabled": True, "RetainStacksOnAccountRemoval": False}
    assert stack_set["PermissionModel"] == "SERVICE_MANAGED"
    # The root as a target: every member, still not the management account.
    org.cfn.create_stack_instances(
        StackSetName="baseline",
        DeploymentTargets={"OrganizationalUnitIds": [org.root]},
        Regions=[SANDBOX_REGION],
    )
    assert org.instances() == {org.dev_account, outside}
    assert MANAGEMENT_ACCOUNT_ID not in org.instances()


def test_the_role_gets_its_managed_policy_and_trust(org):
    org.cfn.activate_organizations_access()
    org.create_stack_set()
    org.cfn.create_stack_instances(
        StackSetName="baseline",
        DeploymentTargets={"OrganizationalUnitIds": [org.workloads]},
        Regions=[SANDBOX_REGION],
    )
    iam = org.iam(org.dev_account)
    attached = iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["SecurityAudit"]
    trust = iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{org.dev_account}:root"}


def test_auto_deployment_reaches_an_account_that_joins_later_and_leaves_one_that_goes(org):
    org.cfn.activate_organizations_access()
    org.create_stack_set()
    org.cfn.create_stack_instances(
        StackSetName="baseline",
        DeploymentTargets={"OrganizationalUnitIds": [org.workloads]},
        Regions=[SANDBOX_REGION],
    )
    newcomer = org.account("newcomer", None)
    assert not org.has_role(newcomer)  # under the root: not targeted
    org.move(newcomer, org.dev)  # nobody touches the account itself
    assert org.has_role(newcomer)
    assert org.instances() == {org.dev_account, newcomer}
    org.move(newcomer, org.root)
    assert not org.has_role(newcomer)
    assert org.instances() == {org.dev_account}


def test_without_auto_deployment_a_newcomer_gets_nothing(org):
    org.cfn.activate_organizations_access()
    org.create_stack_set(auto=False)
    org.cfn.create_stack_instances(
        StackSetName="baseline",
        DeploymentTargets={"OrganizationalUnitIds": [org.workloads]},
        Regions=[SANDBOX_REGION],
    )
    newcomer = org.account("newcomer", org.dev)
    assert not org.has_role(newcomer)
    org.cfn.update_stack_set(
        StackSetName="baseline",
        UsePreviousTemplate=True,
        Capabilities=["CAPABILITY_NAMED_IAM"],
        AutoDeployment={"Enabled": True, "RetainStacksOnAccountRemoval": False},
    )
    assert org.has_role(newcomer)


def test_deleting_instances_by_ou_deletes_them(org):
    org.cfn.activate_organizations_access()
    org.create_stack_set()
    targets = {"OrganizationalUnitIds": [org.workloads]}
    org.cfn.create_stack_instances(
        StackSetName="baseline", DeploymentTargets=targets, Regions=[SANDBOX_REGION]
    )
    operation = org.cfn.delete_stack_instances(
        StackSetName="baseline",
        DeploymentTargets=targets,
        Regions=[SANDBOX_REGION],
        RetainStacks=False,
    )["OperationId"]
    described = org.cfn.describe_stack_set_operation(StackSetName="baseline", OperationId=operation)
    assert described["StackSetOperation"]["Status"] == "SUCCEEDED"
    assert org.instances() == set()
    assert not org.has_role(org.dev_account)
    org.account("later", org.dev)  # no target left: auto-deployment reaches nobody
    assert org.instances() == set()
    org.cfn.delete_stack_set(StackSetName="baseline")


def test_a_new_template_reaches_every_instance(org):
    org.cfn.activate_organizations_access()
    org.create_stack_set()
    org.cfn.create_stack_instances(
        StackSetName="baseline",
        DeploymentTargets={"OrganizationalUnitIds": [org.workloads]},
        Regions=[SANDBOX_REGION],
    )
    org.cfn.update_stack_set(
        StackSetName="baseline",
        TemplateBody=TEMPLATE.replace("SecurityAudit", "ReadOnlyAccess"),
        Parameters=[{"ParameterKey": "AuditAccountId", "UsePreviousValue": True}],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    attached = org.iam(org.dev_account).list_attached_role_policies(RoleName=ROLE)
    assert [p["PolicyName"] for p in attached["AttachedPolicies"]] == ["ReadOnlyAccess"]
