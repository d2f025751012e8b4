"""Sandbox fidelity for Identity Center: checked async assignments, targeted provisioning."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from helpers.sandbox import MANAGEMENT_ACCOUNT_ID, ORIGINAL_ACCOUNT_ID


@pytest.fixture
def center(clean_sandbox, aws):
    """An organization, an instance, a user and a permission set: (sso, ids)."""
    aws("organizations").create_organization(FeatureSet="ALL")
    sso, store = aws("sso-admin"), aws("identitystore")
    instance = sso.list_instances()["Instances"][0]
    user = store.create_user(
        IdentityStoreId=instance["IdentityStoreId"],
        UserName="alice",
        DisplayName="Alice Martin",
        Name={"GivenName": "Alice", "FamilyName": "Martin"},
    )["UserId"]
    permission_set = sso.create_permission_set(
        InstanceArn=instance["InstanceArn"], Name="ReadOnly", SessionDuration="PT1H"
    )["PermissionSet"]["PermissionSetArn"]
    ids = {"InstanceArn": instance["InstanceArn"], "PermissionSetArn": permission_set}
    return sso, ids, user


def _assign(sso, ids, principal, account, kind="USER"):
    created = sso.create_account_assignment(
        **ids, TargetId=account, TargetType="AWS_ACCOUNT", PrincipalType=kind, PrincipalId=principal
    )["AccountAssignmentCreationStatus"]
    assert created["Status"] == "IN_PROGRESS"
    return sso.describe_account_assignment_creation_status(
        InstanceArn=ids["InstanceArn"], AccountAssignmentCreationRequestId=created["RequestId"]
    )["AccountAssignmentCreationStatus"]


def _assigned(sso, ids, account):
    return sso.list_account_assignments(**ids, AccountId=account)["AccountAssignments"]


def _provisioned(sso, ids, status=None):
    extra = {"ProvisioningStatus": status} if status else {}
    return sso.list_accounts_for_provisioned_permission_set(**ids, **extra)["AccountIds"]


def test_assignment_succeeds_asynchronously_and_provisions(center):
    sso, ids, user = center
    status = _assign(sso, ids, user, MANAGEMENT_ACCOUNT_ID)
    assert status["Status"] == "SUCCEEDED"
    assert [a["PrincipalId"] for a in _assigned(sso, ids, MANAGEMENT_ACCOUNT_ID)] == [user]
    assert _provisioned(sso, ids) == [MANAGEMENT_ACCOUNT_ID]
    listed = sso.list_account_assignment_creation_status(InstanceArn=ids["InstanceArn"])
    assert [s["Status"] for s in listed["AccountAssignmentsCreationStatus"]] == ["SUCCEEDED"]


@pytest.mark.parametrize("kind", ["USER", "GROUP"])
def test_assignment_to_an_unknown_principal_fails_like_aws(center, kind):
    sso, ids, _ = center
    status = _assign(sso, ids, "906744f3-0000-0000-0000-000000000000", MANAGEMENT_ACCOUNT_ID, kind)
    assert status["Status"] == "FAILED"
    assert f"the {kind} assignee" in status["FailureReason"]
    assert "was not found in directory d-" in status["FailureReason"]
    assert _assigned(sso, ids, MANAGEMENT_ACCOUNT_ID) == []


def test_assignment_to_an_account_outside_the_organization_fails(center):
    sso, ids, user = center
    status = _assign(sso, ids, user, ORIGINAL_ACCOUNT_ID)
    assert status["Status"] == "FAILED"
    assert ORIGINAL_ACCOUNT_ID in status["FailureReason"]
    assert _assigned(sso, ids, ORIGINAL_ACCOUNT_ID) == []
    assert _provisioned(sso, ids) == []


def test_provisioning_honours_its_target_and_tracks_changes(center):
    sso, ids, _ = center
    assert _provisioned(sso, ids) == []
    started = sso.provision_permission_set(
        **ids, TargetType="AWS_ACCOUNT", TargetId=MANAGEMENT_ACCOUNT_ID
    )["PermissionSetProvisioningStatus"]
    assert (started["Status"], started["AccountId"]) == ("IN_PROGRESS", MANAGEMENT_ACCOUNT_ID)
    done = sso.describe_permission_set_provisioning_status(
        InstanceArn=ids["InstanceArn"], ProvisionPermissionSetRequestId=started["RequestId"]
    )["PermissionSetProvisioningStatus"]
    assert done["Status"] == "SUCCEEDED"
    assert _provisioned(sso, ids) == [MANAGEMENT_ACCOUNT_ID]
    listed = sso.list_permission_sets_provisioned_to_account(
        InstanceArn=ids["InstanceArn"], AccountId=MANAGEMENT_ACCOUNT_ID
    )
    assert listed["PermissionSets"] == [ids["PermissionSetArn"]]
    assert _provisioned(sso, ids, "LATEST_PERMISSION_SET_PROVISIONED") == [MANAGEMENT_ACCOUNT_ID]

    sso.update_permission_set(**ids, SessionDuration="PT2H")
    assert _provisioned(sso, ids, "LATEST_PERMISSION_SET_NOT_PROVISIONED") == [
        MANAGEMENT_ACCOUNT_ID
    ]
    again = sso.provision_permission_set(**ids, TargetType="ALL_PROVISIONED_ACCOUNTS")
    request_id = again["PermissionSetProvisioningStatus"]["RequestId"]
    sso.describe_permission_set_provisioning_status(
        InstanceArn=ids["InstanceArn"], ProvisionPermissionSetRequestId=request_id
    )
    assert _provisioned(sso, ids, "LATEST_PERMISSION_SET_NOT_PROVISIONED") == []
    history = sso.list_permission_set_provisioning_status(InstanceArn=ids["InstanceArn"])
    assert len(history["PermissionSetsProvisioningStatus"]) == 2


def test_provisioning_refuses_a_missing_target_and_fails_outside(center):
    sso, ids, _ = center
    with pytest.raises(ClientError) as raised:
        sso.provision_permission_set(**ids, TargetType="AWS_ACCOUNT")
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    started = sso.provision_permission_set(
        **ids, TargetType="AWS_ACCOUNT", TargetId=ORIGINAL_ACCOUNT_ID
    )["PermissionSetProvisioningStatus"]
    done = sso.describe_permission_set_provisioning_status(
        InstanceArn=ids["InstanceArn"], ProvisionPermissionSetRequestId=started["RequestId"]
    )["PermissionSetProvisioningStatus"]
    assert done["Status"] == "FAILED" and ORIGINAL_ACCOUNT_ID in done["FailureReason"]
    assert _provisioned(sso, ids) == []


def test_unknown_status_request_is_not_found(center):
    sso, ids, _ = center
    with pytest.raises(ClientError) as raised:
        sso.describe_account_assignment_creation_status(
            InstanceArn=ids["InstanceArn"],
            AccountAssignmentCreationRequestId="00000000-0000-4000-8000-000000000000",
        )
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_users_and_groups_can_be_updated(center, aws):
    sso, ids, user = center
    store = aws("identitystore")
    store_id = sso.list_instances()["Instances"][0]["IdentityStoreId"]
    store.update_user(
        IdentityStoreId=store_id,
        UserId=user,
        Operations=[
            {"AttributePath": "displayName", "AttributeValue": "Alice M."},
            {"AttributePath": "name.familyName", "AttributeValue": "M."},
            {"AttributePath": "emails", "AttributeValue": [{"Value": "a@x.org", "Primary": True}]},
        ],
    )
    described = store.describe_user(IdentityStoreId=store_id, UserId=user)
    assert described["DisplayName"] == "Alice M."
    assert described["Name"]["FamilyName"] == "M." and described["Name"]["GivenName"] == "Alice"
    assert described["Emails"] == [{"Value": "a@x.org", "Primary": True}]
    group = store.create_group(IdentityStoreId=store_id, DisplayName="devs")["GroupId"]
    store.update_group(
        IdentityStoreId=store_id,
        GroupId=group,
        Operations=[{"AttributePath": "description", "AttributeValue": "Developers"}],
    )
    assert store.describe_group(IdentityStoreId=store_id, GroupId=group)["Description"] == (
        "Developers"
    )
    with pytest.raises(ClientError) as raised:
        store.update_user(
            IdentityStoreId=store_id,
            UserId=user,
            Operations=[{"AttributePath": "userName", "AttributeValue": "x"}],
        )
    assert raised.value.response["Error"]["Code"] == "ValidationException"


def test_managed_policies_under_a_path_attach_by_their_real_arn(center):
    sso, ids, _ = center
    sso.attach_managed_policy_to_permission_set(
        **ids, ManagedPolicyArn="arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
    )
    with pytest.raises(ClientError) as raised:
        sso.attach_managed_policy_to_permission_set(
            **ids, ManagedPolicyArn="arn:aws:iam::aws:policy/ViewOnlyAccess"
        )
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
    attached = sso.list_managed_policies_in_permission_set(**ids)["AttachedManagedPolicies"]
    assert [p["Name"] for p in attached] == ["ViewOnlyAccess"]
