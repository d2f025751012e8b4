"""Sandbox fidelity for step 07: GuardDuty's organization APIs (which moto 5.2.5 lacks) answer
and refuse as AWS does, over HTTP."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from helpers.sandbox import MANAGEMENT_ACCOUNT_ID, ORIGINAL_ACCOUNT_ID
from helpers.targets import Target
from tests.conftest import session_for

REGION = "eu-west-1"


@pytest.fixture
def org(clean_sandbox) -> dict:
    """An organization with two created accounts, and sessions in them."""
    clean_sandbox.configure(create_account_seconds=0)
    management = session_for(clean_sandbox.url)
    orgs = management.client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    ids = {}
    for name in ("security", "dev"):
        request = orgs.create_account(AccountName=name, Email=f"{name}@example.com")
        status = orgs.describe_create_account_status(
            CreateAccountRequestId=request["CreateAccountStatus"]["Id"]
        )["CreateAccountStatus"]
        ids[name] = status["AccountId"]
    target = Target.sandbox(clean_sandbox.url, REGION)
    sessions = {name: target.assume(management, i) for name, i in ids.items()}
    return {"ids": ids, "sessions": sessions, "management": management, "orgs": orgs}


def guardduty(session):
    return session.client("guardduty", region_name=REGION)


def refused(call, **params) -> str:
    with pytest.raises(ClientError) as raised:
        call(**params)
    assert raised.value.response["Error"]["Code"] == "BadRequestException"
    return raised.value.response["Error"]["Message"]


def test_only_the_management_account_designates_a_member(org):
    dev = guardduty(org["sessions"]["dev"])
    assert "not the management account" in refused(
        dev.enable_organization_admin_account, AdminAccountId=org["ids"]["security"]
    )
    management = guardduty(org["management"])
    for outsider in (ORIGINAL_ACCOUNT_ID, MANAGEMENT_ACCOUNT_ID):
        assert "not a member account" in refused(
            management.enable_organization_admin_account, AdminAccountId=outsider
        )
    assert management.list_organization_admin_accounts()["AdminAccounts"] == []


def test_designation_enables_guardduty_there_and_registers_the_administrator(org):
    management, security = guardduty(org["management"]), org["ids"]["security"]
    management.enable_organization_admin_account(AdminAccountId=security)
    assert guardduty(org["sessions"]["security"]).list_detectors()["DetectorIds"]
    delegated = org["orgs"].list_delegated_administrators(
        ServicePrincipal="guardduty.amazonaws.com"
    )["DelegatedAdministrators"]
    assert [a["Id"] for a in delegated] == [security]
    assert "already the GuardDuty delegated administrator" in refused(
        management.enable_organization_admin_account, AdminAccountId=org["ids"]["dev"]
    )
    other_region = org["management"].client("guardduty", region_name="eu-central-1")
    assert other_region.list_organization_admin_accounts()["AdminAccounts"] == []  # per region
    management.disable_organization_admin_account(AdminAccountId=security)
    assert management.list_organization_admin_accounts()["AdminAccounts"] == []
    delegated = org["orgs"].list_delegated_administrators(
        ServicePrincipal="guardduty.amazonaws.com"
    )["DelegatedAdministrators"]
    assert delegated == []


def test_only_the_administrator_sets_auto_enable_and_all_reaches_every_member(org):
    guardduty(org["management"]).enable_organization_admin_account(
        AdminAccountId=org["ids"]["security"]
    )
    admin = guardduty(org["sessions"]["security"])
    detector = admin.list_detectors()["DetectorIds"][0]
    dev = guardduty(org["sessions"]["dev"])
    assert "not the GuardDuty delegated administrator" in refused(
        dev.update_organization_configuration, DetectorId=detector, AutoEnable=True
    )
    assert "either" in refused(
        admin.update_organization_configuration,
        DetectorId=detector,
        AutoEnable=True,
        AutoEnableOrganizationMembers="ALL",
    )
    assert "invalid" in refused(admin.describe_organization_configuration, DetectorId="0" * 32)
    before = admin.describe_organization_configuration(DetectorId=detector)
    assert before["AutoEnableOrganizationMembers"] == "NONE" and not before["AutoEnable"]
    assert admin.list_members(DetectorId=detector)["Members"] == []
    assert dev.list_detectors()["DetectorIds"] == []
    admin.update_organization_configuration(
        DetectorId=detector, AutoEnableOrganizationMembers="ALL"
    )
    (member,) = admin.list_members(DetectorId=detector)["Members"]
    assert member["AccountId"] == org["ids"]["dev"] and member["RelationshipStatus"] == "Enabled"
    assert member["AdministratorId"] == org["ids"]["security"]
    assert dev.list_detectors()["DetectorIds"] == [member["DetectorId"]]


def test_new_reaches_only_the_accounts_that_join_afterwards(org):
    guardduty(org["management"]).enable_organization_admin_account(
        AdminAccountId=org["ids"]["security"]
    )
    admin = guardduty(org["sessions"]["security"])
    detector = admin.list_detectors()["DetectorIds"][0]
    admin.update_organization_configuration(
        DetectorId=detector, AutoEnableOrganizationMembers="NEW"
    )
    assert admin.list_members(DetectorId=detector)["Members"] == []
    request = org["orgs"].create_account(AccountName="later", Email="later@example.com")
    later = org["orgs"].describe_create_account_status(
        CreateAccountRequestId=request["CreateAccountStatus"]["Id"]
    )["CreateAccountStatus"]["AccountId"]
    assert [m["AccountId"] for m in admin.list_members(DetectorId=detector)["Members"]] == [later]
