"""What the sandbox seeds for step 08's review in the original account, read with the
account's own credentials, and step 00's survey of that account still as it was."""

from __future__ import annotations

import pytest

from helpers import single_account
from helpers.sandbox import ORIGINAL_ACCOUNT_ID, SEEDED_RESOURCES
from helpers.targets import Target

SEED = SEEDED_RESOURCES["review"]


@pytest.fixture(scope="module")
def seeded(sandbox):
    sandbox.reset()
    return sandbox


def _tags(entry: dict) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in entry.get("Tags", [])}


def test_ssh_is_open_to_the_world_in_one_untagged_group(seeded, aws):
    ec2 = aws("ec2", ORIGINAL_ACCOUNT_ID)
    [group] = ec2.describe_security_groups(
        Filters=[{"Name": "group-name", "Values": [SEED["open_security_group"]]}]
    )["SecurityGroups"]
    [rule] = group["IpPermissions"]
    assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 22, 22)
    assert rule["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}]
    assert set(_tags(group)) == {"Name"}


def test_one_volume_is_unencrypted_and_its_prod_twin_encrypted_and_owned(seeded, aws):
    ec2 = aws("ec2", ORIGINAL_ACCOUNT_ID)
    volumes = {_tags(v)["Name"]: v for v in ec2.describe_volumes()["Volumes"]}
    assert set(volumes) == {SEED["unencrypted_volume"], SEED["encrypted_volume"]}
    assert not volumes[SEED["unencrypted_volume"]]["Encrypted"]
    assert "owner" not in _tags(volumes[SEED["unencrypted_volume"]])
    assert volumes[SEED["encrypted_volume"]]["Encrypted"]
    assert _tags(volumes[SEED["encrypted_volume"]])["owner"] == "platform-team"
    assert not ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"]  # as AWS leaves it


def test_the_prod_bucket_has_its_defaults_and_the_dev_bucket_none(seeded, aws):
    s3 = aws("s3", ORIGINAL_ACCOUNT_ID)
    rules = s3.get_bucket_encryption(Bucket=SEED["encrypted_bucket"])[
        "ServerSideEncryptionConfiguration"
    ]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    block = s3.get_public_access_block(Bucket=SEED["encrypted_bucket"])
    assert all(block["PublicAccessBlockConfiguration"].values())
    for read, code in (
        (s3.get_bucket_encryption, "ServerSideEncryptionConfigurationNotFoundError"),
        (s3.get_public_access_block, "NoSuchPublicAccessBlockConfiguration"),
    ):
        with pytest.raises(s3.exceptions.ClientError, match=code):
            read(Bucket=SEED["unencrypted_bucket"])
    assert SEED["unencrypted_bucket"] == SEEDED_RESOURCES["dev"]["bucket"]


def test_there_is_no_backup_plan_and_no_budget(seeded, aws):
    assert aws("backup", ORIGINAL_ACCOUNT_ID).list_backup_plans()["BackupPlansList"] == []
    budgets = aws("budgets", ORIGINAL_ACCOUNT_ID).describe_budgets(AccountId=ORIGINAL_ACCOUNT_ID)
    assert budgets["Budgets"] == []


def test_step_00_still_sees_the_hand_made_walls_and_the_new_group_untagged(seeded):
    own = Target.sandbox(seeded.url, "eu-central-1").outside_account(ORIGINAL_ACCOUNT_ID, None)
    resources, controls = single_account.survey(own)
    kinds = {(kind, name): env for kind, name, env in resources.rows}
    assert kinds[("security group", SEED["open_security_group"])] == single_account.UNTAGGED
    assert kinds[("S3 bucket", SEED["encrypted_bucket"])] == "prod"
    assert [c[:2] for c in controls.rows] == [
        ["bucket policy", SEEDED_RESOURCES["prod"]["bucket"]],
        ["security group rule", "dev-web"],
        ["security group rule", "prod-web"],
    ]
