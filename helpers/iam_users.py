"""The migration's last step: old IAM users lose their keys and console passwords.

Once people sign in through Identity Center, the access keys and passwords of the IAM users
the config names (identity_center.retire_iam_users) are deleted. The users themselves stay,
since they may own resources. The kit works only through OrganizationAccountAccessRole
here, so it never cuts off the credentials it is using.
"""

from __future__ import annotations

from helpers.accounts import role_session
from helpers.aws import or_none
from helpers.kit import Kit


def retire(kit: Kit, account_ids: dict[str, str | None]) -> None:
    """Delete the access keys and console passwords of the config's retired IAM users."""
    section = kit.config.identity_center
    for retired in section.retire_iam_users if section else []:
        resource = f"IAM user {retired.user} in account {retired.account}"
        account_id = kit.config.account(retired.account).id or account_ids.get(retired.account)
        session = role_session(kit, account_id) if account_id else None
        if session is None:
            kit.plan("retire", resource, "keys and console password, once the account's role works")
            continue
        iam = session.client("iam")
        listed = or_none(iam.list_access_keys, "NoSuchEntity", UserName=retired.user)
        if listed is None:
            kit.keep(resource, "no such user")
            continue
        keys = listed["AccessKeyMetadata"]
        for key in keys:  # the key's id is not shown: it would end up in shared records
            created = f"{key['Status'].lower()}, created {key['CreateDate']:%Y-%m-%d}"
            kit.plan("delete", f"access key of {resource}", created)
            if kit.apply:
                iam.delete_access_key(UserName=retired.user, AccessKeyId=key["AccessKeyId"])
        if or_none(iam.get_login_profile, "NoSuchEntity", UserName=retired.user) is not None:
            kit.plan("delete", f"console password of {resource}")
            if kit.apply:
                iam.delete_login_profile(UserName=retired.user)
        elif not keys:
            kit.keep(resource, "no access key, no console password")
