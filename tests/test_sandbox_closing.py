"""Leaving an organization in the sandbox: CloseAccount (asynchronous, quota, still listed)
and RemoveAccountFromOrganization (invited accounts only)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from helpers.sandbox import MANAGEMENT_ACCOUNT_ID, ORIGINAL_ACCOUNT_ID
from helpers.sandbox.closing import close_quota
from helpers.sandbox.settings import Settings
from tests.conftest import wait_until

CLOSE_SECONDS = 0.3


@pytest.fixture
def org(clean_sandbox, aws):
    """An organization with two created accounts and the invited original one."""
    defaults = Settings()
    clean_sandbox.configure(close_account_seconds=CLOSE_SECONDS, account_quota=20)
    client = aws("organizations")
    org_id = client.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    for name in ("dev", "prod"):
        client.create_account(AccountName=name, Email=f"{name}@acme.example")
    handshake = client.invite_account_to_organization(
        Target={"Id": ORIGINAL_ACCOUNT_ID, "Type": "ACCOUNT"}
    )["Handshake"]
    aws("organizations", ORIGINAL_ACCOUNT_ID).accept_handshake(HandshakeId=handshake["Id"])
    wait_until(
        lambda: (
            not client.list_create_account_status(States=["IN_PROGRESS"])["CreateAccountStatuses"]
        ),
        5,
        "the creations to settle",
    )
    yield client, org_id
    clean_sandbox.configure(
        close_account_seconds=defaults.close_account_seconds,
        close_quota_floor=defaults.close_quota_floor,
        close_quota_percent=defaults.close_quota_percent,
    )


def _accounts(client) -> dict[str, dict]:
    return {a["Name"]: a for a in client.list_accounts()["Accounts"]}


def _code(error: pytest.ExceptionInfo) -> tuple[str, str | None]:
    return error.value.response["Error"]["Code"], error.value.response.get("Reason")


def test_closing_is_asynchronous_and_the_account_stays_listed_suspended(org, aws):
    client, _ = org
    dev = _accounts(client)["dev"]["Id"]
    assert client.close_account(AccountId=dev)["ResponseMetadata"]["HTTPStatusCode"] == 200
    closing = client.describe_account(AccountId=dev)["Account"]
    assert (closing["State"], closing["Status"]) == ("PENDING_CLOSURE", "PENDING_CLOSURE")
    closed = wait_until(
        lambda: (dev := _accounts(client)["dev"])["State"] != "PENDING_CLOSURE" and dev,
        5,
        "the closing account to be suspended",
    )
    assert (closed["State"], closed["Status"]) == ("SUSPENDED", "SUSPENDED")
    with pytest.raises(ClientError) as error:
        client.close_account(AccountId=dev)
    assert _code(error)[0] == "AccountAlreadyClosedException"


def test_a_closing_account_cannot_be_closed_again_nor_entered(org, aws):
    client, _ = org
    prod = _accounts(client)["prod"]["Id"]
    sts = aws("sts")
    role = f"arn:aws:iam::{prod}:role/OrganizationAccountAccessRole"
    sts.assume_role(RoleArn=role, RoleSessionName="before")
    client.close_account(AccountId=prod)
    with pytest.raises(ClientError) as error:
        client.close_account(AccountId=prod)
    assert _code(error)[0] == "ConflictException"
    with pytest.raises(ClientError) as error:
        sts.assume_role(RoleArn=role, RoleSessionName="after")
    assert _code(error)[0] == "AccessDenied"
    assert f"sts:AssumeRole on resource: {role}" in error.value.response["Error"]["Message"]


def test_the_management_account_is_never_closed_nor_removed(org):
    client, _ = org
    with pytest.raises(ClientError) as error:
        client.close_account(AccountId=MANAGEMENT_ACCOUNT_ID)
    assert _code(error) == ("ConstraintViolationException", "CANNOT_CLOSE_MANAGEMENT_ACCOUNT")
    with pytest.raises(ClientError) as error:
        client.remove_account_from_organization(AccountId=MANAGEMENT_ACCOUNT_ID)
    assert _code(error)[0] == "MasterCannotLeaveOrganizationException"
    with pytest.raises(ClientError) as error:
        client.close_account(AccountId="999988887777")
    assert _code(error)[0] == "AccountNotFoundException"


def test_only_an_invited_account_is_removed(org, aws):
    client, _ = org
    dev = _accounts(client)["dev"]["Id"]
    with pytest.raises(ClientError) as error:
        client.remove_account_from_organization(AccountId=dev)
    assert _code(error) == (
        "ConstraintViolationException",
        "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION",
    )
    client.remove_account_from_organization(AccountId=ORIGINAL_ACCOUNT_ID)
    assert ORIGINAL_ACCOUNT_ID not in {a["Id"] for a in client.list_accounts()["Accounts"]}
    own = aws("organizations", ORIGINAL_ACCOUNT_ID)
    with pytest.raises(ClientError) as error:
        own.describe_organization()
    assert _code(error)[0] == "AWSOrganizationsNotInUseException"


def test_the_quota_counts_closures_over_a_rolling_30_days(org, clean_sandbox):
    client, _ = org
    clean_sandbox.configure(close_quota_floor=1, close_quota_percent=0)
    dev, prod = (_accounts(client)[n]["Id"] for n in ("dev", "prod"))
    client.close_account(AccountId=dev)
    with pytest.raises(ClientError) as error:
        client.close_account(AccountId=prod)
    assert _code(error) == ("ConstraintViolationException", "CLOSE_ACCOUNT_QUOTA_EXCEEDED")
    assert _accounts(client)["prod"]["State"] == "ACTIVE"


@pytest.mark.parametrize(
    ("members", "quota"), [(3, 250), (1249, 250), (1250, 250), (2000, 400), (9000, 1000)]
)
def test_the_quota_is_the_higher_of_250_and_a_fifth_of_the_members_at_most_1000(members, quota):
    assert close_quota(members, 250, 20) == quota
