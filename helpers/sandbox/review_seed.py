"""What step 08's review finds in the original account, seeded as a busy team leaves things.

Beside what the team built to keep dev and prod apart (seed.py), the account holds a few
things a review should catch, and their careful twins that it should not:

- a security group someone opened for SSH from anywhere to debug, never closed, untagged;
- an unencrypted scratch volume without an owner tag (and EBS encryption by default off,
  as AWS leaves it); the prod database's volume, encrypted and tagged;
- the dev bucket without default encryption or Block Public Access; the prod bucket with
  both;
- no AWS Backup plan and no budget.

The app roles' broad `s3:*` policies and the administrator user come from seed.py.
"""

from __future__ import annotations

from collections.abc import Callable

from botocore.client import BaseClient

REVIEW_SEED = {
    "open_security_group": "dev-debug",
    "unencrypted_volume": "dev-scratch",
    "encrypted_volume": "prod-db-data",
    "unencrypted_bucket": "acme-dev-data",
    "encrypted_bucket": "acme-prod-data",
}
_OWNED = {"owner": "platform-team", "project": "acme-shop"}


def _tags(resource_type: str, **tags: str) -> list[dict]:
    pairs = [{"Key": key, "Value": value} for key, value in tags.items()]
    return [{"ResourceType": resource_type, "Tags": pairs}]


def seed_review(client: Callable[[str], BaseClient]) -> None:
    """Add the review's findings (and their clean twins) to the seeded original account;
    `client(service)` acts in that account."""
    ec2, s3 = client("ec2"), client("s3")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["acme-main"]}])["Vpcs"][0]
    group = ec2.create_security_group(
        GroupName=REVIEW_SEED["open_security_group"],
        Description="temporary: ssh to debug the dev web tier",
        VpcId=vpc["VpcId"],
        TagSpecifications=_tags("security-group", Name=REVIEW_SEED["open_security_group"]),
    )["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    zone = f"{ec2.meta.region_name}a"
    ec2.create_volume(
        AvailabilityZone=zone,
        Size=20,
        TagSpecifications=_tags("volume", Name=REVIEW_SEED["unencrypted_volume"], env="dev"),
    )
    ec2.create_volume(
        AvailabilityZone=zone,
        Size=100,
        Encrypted=True,
        TagSpecifications=_tags(
            "volume", Name=REVIEW_SEED["encrypted_volume"], env="prod", **_OWNED
        ),
    )
    bucket = REVIEW_SEED["encrypted_bucket"]
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
