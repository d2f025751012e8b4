"""Asynchronous CreateAccount: IN_PROGRESS, then SUCCEEDED or FAILED as AWS reports it."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from helpers.sandbox import MANAGEMENT_ACCOUNT_ID, ORIGINAL_ACCOUNT_ID, SANDBOX_REGION
from tests.conftest import creation_settled


@pytest.fixture
def org(clean_sandbox, aws):
    client = aws("organizations")
    client.create_organization(FeatureSet="ALL")
    return client


def _status(org, request_id: str) -> dict:
    return org.describe_create_account_status(CreateAccountRequestId=request_id)[
        "CreateAccountStatus"
    ]


def _create(org, name: str, email: str) -> str:
    return org.create_account(AccountName=name, Email=email)["CreateAccountStatus"]["Id"]


def test_an_account_appears_only_once_its_creation_succeeded(org):
    status = org.create_account(AccountName="dev", Email="dev@acme.example")["CreateAccountStatus"]
    assert status["Id"].startswith("car-") and status["State"] == "IN_PROGRESS"
    assert "AccountId" not in status
    assert _status(org, status["Id"])["State"] == "IN_PROGRESS"
    listed = org.list_create_account_status(States=["IN_PROGRESS"])["CreateAccountStatuses"]
    assert [s["Id"] for s in listed] == [status["Id"]]
    assert [a["Id"] for a in org.list_accounts()["Accounts"]] == [MANAGEMENT_ACCOUNT_ID]

    done = creation_settled(org, status["Id"])
    assert done["State"] == "SUCCEEDED" and done["CompletedTimestamp"] >= done["RequestedTimestamp"]
    accounts = {a["Id"]: a for a in org.list_accounts()["Accounts"]}
    assert accounts[done["AccountId"]]["JoinedMethod"] == "CREATED"
    assert accounts[done["AccountId"]]["Email"] == "dev@acme.example"
    assert org.list_create_account_status(States=["IN_PROGRESS"])["CreateAccountStatuses"] == []
    assert _status(org, status["Id"]) == done


def test_the_access_role_trusts_the_management_account_with_administrator_access(org, sandbox, aws):
    account_id = creation_settled(org, _create(org, "dev", "dev@acme.example"))["AccountId"]
    role_arn = f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole"
    credentials = aws("sts").assume_role(RoleArn=role_arn, RoleSessionName="kit")["Credentials"]
    iam = boto3.session.Session().client(
        "iam",
        endpoint_url=sandbox.url,
        region_name=SANDBOX_REGION,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        config=Config(proxies={}),
    )
    role = iam.get_role(RoleName="OrganizationAccountAccessRole")["Role"]
    assert role["Arn"] == role_arn
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    [statement] = trust["Statement"]
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:root"}
    assert statement["Action"] == "sts:AssumeRole"
    attached = iam.list_attached_role_policies(RoleName="OrganizationAccountAccessRole")
    assert [p["PolicyArn"] for p in attached["AttachedPolicies"]] == [
        "arn:aws:iam::aws:policy/AdministratorAccess"
    ]


def test_an_email_already_in_use_fails_the_creation(org):
    first = _create(org, "dev", "dev@acme.example")
    twin = _create(org, "dev-again", "DEV@acme.example")
    management = _create(
        org, "master", org.describe_organization()["Organization"]["MasterAccountEmail"]
    )
    assert _status(org, twin)["State"] == "IN_PROGRESS"  # AWS reports failures later too
    assert creation_settled(org, first)["State"] == "SUCCEEDED"
    for request_id in (twin, management):
        failed = creation_settled(org, request_id)
        assert (failed["State"], failed["FailureReason"]) == ("FAILED", "EMAIL_ALREADY_EXISTS")
        assert "AccountId" not in failed
    assert len(org.list_accounts()["Accounts"]) == 2
    failures = org.list_create_account_status(States=["FAILED"])["CreateAccountStatuses"]
    assert {s["Id"] for s in failures} == {twin, management}


def test_creations_beyond_the_quota_fail(org, clean_sandbox):
    clean_sandbox.configure(account_quota=3, create_account_seconds=0)
    ok = [_create(org, f"a{n}", f"a{n}@acme.example") for n in (1, 2)]
    over = _create(org, "a3", "a3@acme.example")
    assert [_status(org, request_id)["State"] for request_id in ok] == ["SUCCEEDED"] * 2
    failed = _status(org, over)
    assert (failed["State"], failed["FailureReason"]) == ("FAILED", "ACCOUNT_LIMIT_EXCEEDED")
    assert len(org.list_accounts()["Accounts"]) == 3


def test_creation_errors(clean_sandbox, aws):
    management, member = aws("organizations"), aws("organizations", ORIGINAL_ACCOUNT_ID)
    with pytest.raises(ClientError) as error:
        management.create_account(AccountName="dev", Email="dev@acme.example")
    assert error.value.response["Error"]["Code"] == "AWSOrganizationsNotInUseException"
    management.create_organization(FeatureSet="ALL")
    with pytest.raises(ClientError) as error:
        management.describe_create_account_status(CreateAccountRequestId="car-0123456789")
    assert error.value.response["Error"]["Code"] == "CreateAccountStatusNotFoundException"
    with pytest.raises(ClientError) as error:
        member.list_create_account_status()
    assert error.value.response["Error"]["Code"] == "AWSOrganizationsNotInUseException"
