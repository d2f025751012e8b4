"""The migration's last step: the original account's old IAM user loses its keys, and a
retired key stops working (in AWS and in the sandbox alike)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from helpers import accounts, iam_users, organization
from helpers.sandbox import ORIGINAL_ACCOUNT_ID
from helpers.targets import Target
from tests.conftest import kit_json
from tests.test_accounts import make_kit
from tests.test_config import errors_after


def test_an_unknown_account_is_refused_with_its_field():
    def retire_elsewhere(data: dict) -> None:
        data["identity_center"]["retire_iam_users"] = [{"account": "staging", "user": "bob"}]

    errors = errors_after(retire_elsewhere)
    assert any(
        e.startswith("identity_center.retire_iam_users[0].account: 'staging'") for e in errors
    )


def join(kit) -> None:
    organization.ensure_organization(kit)
    accounts.ensure_invitations(kit)
    accounts.ensure_access_roles(kit)


def test_plan_before_the_account_joins_writes_nothing(clean_sandbox, tmp_path):
    kit = make_kit(clean_sandbox, tmp_path, apply=False)
    iam_users.retire(kit, {})
    assert [(c.action, c.resource) for c in kit.changes] == [
        ("retire", "IAM user team-admin in account original")
    ]
    assert kit.recorder.totals()["write"] == 0


def test_retiring_deletes_the_keys_once_and_the_old_key_stops_working(clean_sandbox, tmp_path):
    own = Target.sandbox(clean_sandbox.url, "eu-central-1").outside_account(
        ORIGINAL_ACCOUNT_ID, None
    )
    join(make_kit(clean_sandbox, tmp_path))
    kit = make_kit(clean_sandbox, tmp_path)
    iam_users.retire(kit, {})
    assert [c.action for c in kit.changes] == ["delete"]  # its one access key
    assert "AKIA" not in kit.changes[0].detail  # a key id never reaches the record
    again = make_kit(clean_sandbox, tmp_path)
    iam_users.retire(again, {})
    assert again.recorder.totals()["write"] == 0
    assert again.unchanged[0].detail == "no access key, no console password"
    with pytest.raises(ClientError) as refused:  # not quietly the management account's
        own.client("sts").get_caller_identity()
    assert refused.value.response["Error"]["Code"] == "InvalidClientTokenId"
    with pytest.raises(OSError):
        kit_json(f"{clean_sandbox.url}/_kit/credentials/{ORIGINAL_ACCOUNT_ID}")
    assert accounts.session_in(again, again.config.account("original")) is not None  # the role
