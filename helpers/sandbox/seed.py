"""The sandbox's starting state: an empty management account and the team's original one.

The original account is seeded through the sandbox's own API, as the team built it by
hand: one account, dev and prod side by side, kept apart by a bucket policy, security
groups and tags.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from moto.iam.models import iam_backends

from .review_seed import REVIEW_SEED, seed_review

MANAGEMENT_ACCOUNT_ID = "123456789012"
ORIGINAL_ACCOUNT_ID = "444455556666"
SANDBOX_REGION = "eu-central-1"
# moto's default account answers any credentials it does not know, such as these.
DUMMY_CREDENTIALS = {"AccessKeyId": "testing", "SecretAccessKey": "testing"}

# Account ID -> (name, email) the account joins an organization with.
ACCOUNT_DIRECTORY = {ORIGINAL_ACCOUNT_ID: ("acme-original", "aws@acme.example")}

SEEDED_RESOURCES: dict[str, Any] = {
    "admin_user": "team-admin",
    "vpc": "acme-main",
    "dev": {
        "bucket": "acme-dev-data",
        "role": "dev-app",
        "security_groups": ["dev-alb", "dev-web"],
    },
    "prod": {
        "bucket": "acme-prod-data",
        "role": "prod-app",
        "security_groups": ["prod-alb", "prod-web"],
    },
    "review": REVIEW_SEED,  # what step 08's review finds, and its clean twins
}

_COMMON_TAGS = {"project": "acme-shop", "owner": "platform-team"}
_APP_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def _tags(env: str) -> dict[str, str]:
    return {"env": env, "cost-center": f"cc-{env}", **_COMMON_TAGS}


def _tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


@cache
def _session() -> boto3.session.Session:
    return boto3.session.Session()  # one session: service models load once


@cache
def _client(endpoint_url: str, service: str) -> BaseClient:
    """A client acting in the original account (by moto's x-moto-account-id header)."""
    client = _session().client(
        service,
        endpoint_url=endpoint_url,
        region_name=SANDBOX_REGION,
        aws_access_key_id=DUMMY_CREDENTIALS["AccessKeyId"],
        aws_secret_access_key=DUMMY_CREDENTIALS["SecretAccessKey"],
        config=Config(proxies={}, retries={"max_attempts": 1}),
    )

    def in_original_account(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = ORIGINAL_ACCOUNT_ID

    client.meta.events.register("before-sign", in_original_account)
    return client


def _seed_iam(iam: BaseClient) -> None:
    user = SEEDED_RESOURCES["admin_user"]
    iam.create_user(UserName=user, Tags=_tag_list(_COMMON_TAGS))
    iam.attach_user_policy(UserName=user, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.create_access_key(UserName=user)
    for env in ("dev", "prod"):
        role = SEEDED_RESOURCES[env]["role"]
        iam.create_role(
            RoleName=role,
            AssumeRolePolicyDocument=json.dumps(_APP_TRUST),
            Tags=_tag_list(_tags(env)),
        )
        # Hand-made and broad: each app role may touch every acme bucket.
        iam.put_role_policy(
            RoleName=role,
            PolicyName="app-data",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::acme-*"}
                    ],
                }
            ),
        )


def _prod_bucket_policy() -> str:
    bucket = SEEDED_RESOURCES["prod"]["bucket"]
    dev_role = f"arn:aws:iam::{ORIGINAL_ACCOUNT_ID}:role/{SEEDED_RESOURCES['dev']['role']}"
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "KeepDevOut",
                    "Effect": "Deny",
                    "Principal": {"AWS": dev_role},
                    "Action": "s3:*",
                    "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                }
            ],
        }
    )


def _seed_s3(s3: BaseClient) -> None:
    for env in ("dev", "prod"):
        bucket = SEEDED_RESOURCES[env]["bucket"]
        s3.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": SANDBOX_REGION}
        )
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": _tag_list(_tags(env))})
    s3.put_bucket_policy(Bucket=SEEDED_RESOURCES["prod"]["bucket"], Policy=_prod_bucket_policy())


def _security_group(ec2: BaseClient, vpc_id: str, env: str, name: str) -> str:
    tags = {"Name": name, **_tags(env)}
    return ec2.create_security_group(
        GroupName=name,
        Description=f"{env} {name.split('-')[1]} tier",
        VpcId=vpc_id,
        TagSpecifications=[{"ResourceType": "security-group", "Tags": _tag_list(tags)}],
    )["GroupId"]


def _seed_ec2(ec2: BaseClient) -> None:
    vpc_tags = {"Name": SEEDED_RESOURCES["vpc"], **_COMMON_TAGS}
    vpc_id = ec2.create_vpc(
        CidrBlock="10.0.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc", "Tags": _tag_list(vpc_tags)}],
    )["Vpc"]["VpcId"]
    for env in ("dev", "prod"):
        alb_name, web_name = SEEDED_RESOURCES[env]["security_groups"]
        alb = _security_group(ec2, vpc_id, env, alb_name)
        web = _security_group(ec2, vpc_id, env, web_name)
        ec2.authorize_security_group_ingress(
            GroupId=alb,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                }
            ],
        )
        # The hand-made network isolation: a web tier only hears its own env's ALB.
        ec2.authorize_security_group_ingress(
            GroupId=web,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 8080,
                    "ToPort": 8080,
                    "UserIdGroupPairs": [{"GroupId": alb}],
                }
            ],
        )


def seed(endpoint_url: str) -> None:
    """Build the starting state."""
    _seed_iam(_client(endpoint_url, "iam"))
    _seed_s3(_client(endpoint_url, "s3"))
    _seed_ec2(_client(endpoint_url, "ec2"))
    seed_review(lambda service: _client(endpoint_url, service))


def own_credentials(account_id: str) -> dict[str, str] | None:
    """A seeded account's own way in: the management root's dummy keys, or the original
    account's admin user's active access key as it is now (None once it was retired)."""
    if account_id == MANAGEMENT_ACCOUNT_ID:
        return dict(DUMMY_CREDENTIALS)
    if account_id != ORIGINAL_ACCOUNT_ID:
        return None
    user = iam_backends[account_id]["aws"].users.get(SEEDED_RESOURCES["admin_user"])
    active = [k for k in (user.access_keys if user else []) if k.status == "Active"]
    if not active:
        return None
    return {"AccessKeyId": active[0].access_key_id, "SecretAccessKey": active[0].secret_access_key}
