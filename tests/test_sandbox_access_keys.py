"""Whose access key is this: read from the key and checked in that account alone, never by
scanning every account (the in-process sandbox shares moto's state with the test)."""

from __future__ import annotations

import boto3
from botocore.config import Config
from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam.models import iam_backends

from helpers.sandbox import (
    DUMMY_CREDENTIALS,
    MANAGEMENT_ACCOUNT_ID,
    ORIGINAL_ACCOUNT_ID,
    SANDBOX_REGION,
)
from helpers.sandbox.access_keys import account_of, encoded_account

MEMBERS = ("000000000001", "111122223333", "999999999998", "999999999999")


def _client(sandbox, service: str, credentials: dict, account_id: str | None = None):
    """A client with `credentials`; with `account_id`, acting there by moto's header."""
    client = boto3.session.Session().client(
        service,
        endpoint_url=sandbox.url,
        region_name=SANDBOX_REGION,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        config=Config(proxies={}, retries={"max_attempts": 1}),
    )
    if account_id:

        def header(request, **_) -> None:
            request.headers["x-moto-account-id"] = account_id

        client.meta.events.register("before-sign", header)
    return client


def _key_in(sandbox, account_id: str) -> dict:
    """A new IAM user's access key in `account_id`."""
    iam = _client(sandbox, "iam", DUMMY_CREDENTIALS, account_id)
    iam.create_user(UserName="someone")
    return iam.create_access_key(UserName="someone")["AccessKey"]


def test_a_key_names_the_account_that_holds_it(clean_sandbox, aws, kit):
    original = kit(f"/_kit/credentials/{ORIGINAL_ACCOUNT_ID}")["AccessKeyId"]
    assert encoded_account(original) == account_of(original) == ORIGINAL_ACCOUNT_ID
    for account_id in MEMBERS:  # odd and even, smallest and largest
        key = _key_in(clean_sandbox, account_id)["AccessKeyId"]
        assert encoded_account(key) == account_of(key) == account_id
    clean_sandbox.configure(create_account_seconds=0)
    orgs = aws("organizations")
    orgs.create_organization(FeatureSet="ALL")
    orgs.create_account(AccountName="dev", Email="dev@example.com")
    member = next(a["Id"] for a in orgs.list_accounts()["Accounts"] if a["Name"] == "dev")
    role = f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole"
    session = aws("sts").assume_role(RoleArn=role, RoleSessionName="test")["Credentials"]
    assert account_of(session["AccessKeyId"]) == member
    assert encoded_account("testing") is None
    assert account_of("testing") == DEFAULT_ACCOUNT_ID == MANAGEMENT_ACCOUNT_ID


def test_a_deleted_key_belongs_to_no_account_any_more(clean_sandbox, aws):
    iam = aws("iam", ORIGINAL_ACCOUNT_ID)
    key = iam.create_access_key(UserName="team-admin")["AccessKey"]["AccessKeyId"]
    assert account_of(key) == ORIGINAL_ACCOUNT_ID
    iam.delete_access_key(UserName="team-admin", AccessKeyId=key)
    assert account_of(key) == DEFAULT_ACCOUNT_ID


def test_requests_act_in_the_keys_account_and_create_no_backends_elsewhere(clean_sandbox, aws, kit):
    for account_id in MEMBERS:
        sts = _client(clean_sandbox, "sts", _key_in(clean_sandbox, account_id))
        assert sts.get_caller_identity()["Account"] == account_id
    original = kit(f"/_kit/credentials/{ORIGINAL_ACCOUNT_ID}")
    iam = _client(clean_sandbox, "iam", original)
    assert [u["UserName"] for u in iam.list_users()["Users"]] == ["team-admin"]
    aws("sts").get_caller_identity()
    partitions = {p for account in dict.values(iam_backends) for p in dict.keys(account)}
    assert partitions == {"aws"}  # moto's scan made an IAM backend in every partition
