"""The seeded starting state, reached with each account's own credentials."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from helpers.sandbox import MANAGEMENT_ACCOUNT_ID, ORIGINAL_ACCOUNT_ID, SEEDED_RESOURCES

DEV, PROD = SEEDED_RESOURCES["dev"], SEEDED_RESOURCES["prod"]


@pytest.fixture(scope="module")
def seeded(sandbox):
    sandbox.reset()
    return sandbox


def _tags(tag_list: list[dict]) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in tag_list}


def test_each_account_is_reached_with_its_own_credentials(seeded, aws):
    assert aws("sts").get_caller_identity()["Account"] == MANAGEMENT_ACCOUNT_ID
    identity = aws("sts", ORIGINAL_ACCOUNT_ID).get_caller_identity()
    assert identity["Account"] == ORIGINAL_ACCOUNT_ID
    assert identity["Arn"] == f"arn:aws:iam::{ORIGINAL_ACCOUNT_ID}:user/team-admin"


def test_the_management_account_is_new_and_empty(seeded, aws):
    assert aws("s3").list_buckets()["Buckets"] == []
    assert aws("iam").list_users()["Users"] == []
    with pytest.raises(ClientError) as error:
        aws("organizations").describe_organization()
    assert error.value.response["Error"]["Code"] == "AWSOrganizationsNotInUseException"


def test_the_original_account_is_outside_any_organization(seeded, aws):
    with pytest.raises(ClientError) as error:
        aws("organizations", ORIGINAL_ACCOUNT_ID).describe_organization()
    assert error.value.response["Error"]["Code"] == "AWSOrganizationsNotInUseException"


def test_the_team_admin_is_an_administrator(seeded, aws):
    iam = aws("iam", ORIGINAL_ACCOUNT_ID)
    policies = iam.list_attached_user_policies(UserName="team-admin")["AttachedPolicies"]
    assert [p["PolicyName"] for p in policies] == ["AdministratorAccess"]


def test_buckets_and_roles_are_tagged_by_env(seeded, aws):
    s3, iam = aws("s3", ORIGINAL_ACCOUNT_ID), aws("iam", ORIGINAL_ACCOUNT_ID)
    for env, names in (("dev", DEV), ("prod", PROD)):
        bucket_tags = _tags(s3.get_bucket_tagging(Bucket=names["bucket"])["TagSet"])
        assert bucket_tags["env"] == env and bucket_tags["cost-center"] == f"cc-{env}"
        role_tags = _tags(iam.list_role_tags(RoleName=names["role"])["Tags"])
        assert role_tags["env"] == env
    location = s3.get_bucket_location(Bucket=DEV["bucket"])["LocationConstraint"]
    assert location == "eu-central-1"


def test_the_prod_bucket_policy_denies_the_dev_role(seeded, aws):
    policy = json.loads(
        aws("s3", ORIGINAL_ACCOUNT_ID).get_bucket_policy(Bucket=PROD["bucket"])["Policy"]
    )
    [statement] = policy["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{ORIGINAL_ACCOUNT_ID}:role/dev-app"}


def test_prod_web_accepts_only_the_prod_load_balancer(seeded, aws):
    ec2 = aws("ec2", ORIGINAL_ACCOUNT_ID)
    groups = {g["GroupName"]: g for g in ec2.describe_security_groups()["SecurityGroups"]}
    assert {"dev-alb", "dev-web", "prod-alb", "prod-web"} <= set(groups)
    [rule] = groups["prod-web"]["IpPermissions"]
    assert rule["IpRanges"] == []
    assert [pair["GroupId"] for pair in rule["UserIdGroupPairs"]] == [groups["prod-alb"]["GroupId"]]
    assert _tags(groups["prod-web"]["Tags"])["env"] == "prod"
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["acme-main"]}])["Vpcs"]
    assert [vpc["VpcId"] for vpc in vpcs] == [groups["prod-web"]["VpcId"]]
