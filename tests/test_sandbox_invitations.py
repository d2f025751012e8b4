"""Invitations: Organizations handshakes as AWS documents them."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from helpers.sandbox import MANAGEMENT_ACCOUNT_ID, ORIGINAL_ACCOUNT_ID
from helpers.sandbox.organizations import pending

ORIGINAL = {"Type": "ACCOUNT", "Id": ORIGINAL_ACCOUNT_ID}


def _error(call, *args, **kwargs) -> dict:
    with pytest.raises(ClientError) as error:
        call(*args, **kwargs)
    return error.value.response


def _code(call, *args, **kwargs) -> str:
    return _error(call, *args, **kwargs)["Error"]["Code"]


@pytest.fixture
def org(clean_sandbox, aws):
    """The management account's client, its organization just created."""
    client = aws("organizations")
    client.create_organization(FeatureSet="ALL")
    return client


@pytest.fixture
def member(aws):
    """The original account's Organizations client (its own credentials)."""
    return aws("organizations", ORIGINAL_ACCOUNT_ID)


def test_an_invitation_is_an_open_handshake_both_parties_see(clean_sandbox, aws, member):
    management = aws("organizations")
    assert _code(management.invite_account_to_organization, Target=ORIGINAL) == (
        "AWSOrganizationsNotInUseException"
    )
    organization = management.create_organization(FeatureSet="ALL")["Organization"]
    handshake = management.invite_account_to_organization(Target=ORIGINAL, Notes="welcome")[
        "Handshake"
    ]
    assert handshake["Id"].startswith("h-")
    assert handshake["Arn"] == (
        f"arn:aws:organizations::{MANAGEMENT_ACCOUNT_ID}:handshake/"
        f"{organization['Id']}/invite/{handshake['Id']}"
    )
    assert handshake["Parties"] == [
        {"Id": organization["Id"], "Type": "ORGANIZATION"},
        {"Id": ORIGINAL_ACCOUNT_ID, "Type": "ACCOUNT"},
    ]
    assert (handshake["State"], handshake["Action"]) == ("OPEN", "INVITE")
    lifetime = handshake["ExpirationTimestamp"] - handshake["RequestedTimestamp"]
    assert lifetime == timedelta(days=15)
    resources = {resource["Type"]: resource for resource in handshake["Resources"]}
    assert resources["ACCOUNT"]["Value"] == ORIGINAL_ACCOUNT_ID
    assert resources["NOTES"]["Value"] == "welcome"
    master = {r["Type"]: r["Value"] for r in resources["ORGANIZATION"]["Resources"]}
    assert master["MASTER_EMAIL"] == organization["MasterAccountEmail"]

    [for_account] = member.list_handshakes_for_account()["Handshakes"]
    [for_organization] = management.list_handshakes_for_organization()["Handshakes"]
    assert for_account == for_organization == handshake
    assert member.describe_handshake(HandshakeId=handshake["Id"])["Handshake"] == handshake
    assert management.list_handshakes_for_account()["Handshakes"] == []
    assert _code(member.list_handshakes_for_organization) == "AWSOrganizationsNotInUseException"
    assert _code(member.describe_handshake, HandshakeId="h-0123456789") == (
        "HandshakeNotFoundException"
    )


def test_accepting_joins_the_root_as_invited_without_an_access_role(org, member, aws):
    handshake = org.invite_account_to_organization(Target=ORIGINAL)["Handshake"]
    assert _code(org.accept_handshake, HandshakeId=handshake["Id"]) == "AccessDeniedException"
    accepted = member.accept_handshake(HandshakeId=handshake["Id"])["Handshake"]
    assert accepted["State"] == "ACCEPTED"

    accounts = {account["Id"]: account for account in org.list_accounts()["Accounts"]}
    joined = accounts[ORIGINAL_ACCOUNT_ID]
    assert (joined["JoinedMethod"], joined["Name"], joined["Email"]) == (
        "INVITED",
        "acme-original",
        "aws@acme.example",
    )
    root_id = org.list_roots()["Roots"][0]["Id"]
    assert org.list_parents(ChildId=ORIGINAL_ACCOUNT_ID)["Parents"] == [
        {"Id": root_id, "Type": "ROOT"}
    ]
    ou = org.create_organizational_unit(ParentId=root_id, Name="workloads")["OrganizationalUnit"]
    org.move_account(
        AccountId=ORIGINAL_ACCOUNT_ID, SourceParentId=root_id, DestinationParentId=ou["Id"]
    )
    assert org.list_parents(ChildId=ORIGINAL_ACCOUNT_ID)["Parents"][0]["Id"] == ou["Id"]
    scps = org.list_policies_for_target(
        TargetId=ORIGINAL_ACCOUNT_ID, Filter="SERVICE_CONTROL_POLICY"
    )
    assert [policy["Name"] for policy in scps["Policies"]] == ["FullAWSAccess"]
    assert (
        member.describe_organization()["Organization"]["Id"]
        == org.describe_organization()["Organization"]["Id"]
    )
    iam = aws("iam", ORIGINAL_ACCOUNT_ID)
    assert _code(iam.get_role, RoleName="OrganizationAccountAccessRole") == "NoSuchEntity"

    assert _code(member.accept_handshake, HandshakeId=handshake["Id"]) == (
        "InvalidHandshakeTransitionException"
    )
    assert _code(org.invite_account_to_organization, Target=ORIGINAL) == (
        "DuplicateAccountException"
    )
    assert (
        _code(
            org.invite_account_to_organization,
            Target={"Type": "ACCOUNT", "Id": MANAGEMENT_ACCOUNT_ID},
        )
        == "DuplicateAccountException"
    )
    other = {"Type": "ACCOUNT", "Id": "111122223333"}
    assert _code(member.invite_account_to_organization, Target=other) == "AccessDeniedException"


def test_declined_canceled_and_expired_invitations_stay_closed(org, member):
    first = org.invite_account_to_organization(Target=ORIGINAL)["Handshake"]
    assert _code(org.invite_account_to_organization, Target=ORIGINAL) == (
        "DuplicateHandshakeException"
    )
    assert _code(org.decline_handshake, HandshakeId=first["Id"]) == "AccessDeniedException"
    assert member.decline_handshake(HandshakeId=first["Id"])["Handshake"]["State"] == "DECLINED"
    assert _code(member.accept_handshake, HandshakeId=first["Id"]) == (
        "InvalidHandshakeTransitionException"
    )

    second = org.invite_account_to_organization(Target=ORIGINAL)["Handshake"]
    assert _code(member.cancel_handshake, HandshakeId=second["Id"]) == "AccessDeniedException"
    assert org.cancel_handshake(HandshakeId=second["Id"])["Handshake"]["State"] == "CANCELED"
    assert _code(member.accept_handshake, HandshakeId=second["Id"]) == (
        "InvalidHandshakeTransitionException"
    )

    third = org.invite_account_to_organization(Target=ORIGINAL)["Handshake"]
    pending.handshakes[third["Id"]].expires = time.time() - 1  # fifteen days later
    assert member.describe_handshake(HandshakeId=third["Id"])["Handshake"]["State"] == "EXPIRED"
    assert _code(member.accept_handshake, HandshakeId=third["Id"]) == (
        "InvalidHandshakeTransitionException"
    )
    states = [h["State"] for h in org.list_handshakes_for_organization()["Handshakes"]]
    assert states == ["DECLINED", "CANCELED", "EXPIRED"]
    assert _code(org.cancel_handshake, HandshakeId="h-0123456789") == "HandshakeNotFoundException"


def test_open_invitations_count_against_the_account_quota(org, clean_sandbox):
    clean_sandbox.configure(account_quota=2, create_account_seconds=0)
    org.invite_account_to_organization(Target=ORIGINAL)
    error = _error(
        org.invite_account_to_organization, Target={"Type": "ACCOUNT", "Id": "111122223333"}
    )
    assert error["Error"]["Code"] == "ConstraintViolationException"
    assert error["Reason"] == "ACCOUNT_NUMBER_LIMIT_EXCEEDED"
    status = org.create_account(AccountName="dev", Email="dev@acme.example")["CreateAccountStatus"]
    status = org.describe_create_account_status(CreateAccountRequestId=status["Id"])
    assert status["CreateAccountStatus"]["FailureReason"] == "ACCOUNT_LIMIT_EXCEEDED"


def test_an_account_already_in_an_organization_cannot_accept(org, member):
    handshake = org.invite_account_to_organization(Target=ORIGINAL)["Handshake"]
    member.create_organization(FeatureSet="ALL")
    error = _error(member.accept_handshake, HandshakeId=handshake["Id"])
    assert error["Error"]["Code"] == "HandshakeConstraintViolationException"
    assert error["Reason"] == "ALREADY_IN_AN_ORGANIZATION"
