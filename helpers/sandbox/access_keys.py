"""Whose access key is this? Read from the key itself, as AWS's sts:GetAccessKeyInfo does.

moto answers by scanning every account's IAM keys, in every partition, on every request
(`moto.iam.models.get_account_id_from`), and creates an empty IAM backend for each partition
of each account on the way: at a thousand accounts that scan dominates the sandbox. moto
makes every key with its account's number encoded in it (`generate_access_key_id_from_
account_id`) and keeps it in that account's backend, so the account can be read from the
key, and the key looked for in that account alone: nothing to cache or invalidate, the
answer always comes from moto's state as it is now. A key found nowhere (the dummy
credentials, a deleted key, an old session after a reset) belongs to moto's default account,
as in moto.
"""

from __future__ import annotations

import base64
import binascii

from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam.models import iam_backends
from moto.iam.utils import ACCOUNT_OFFSET, AWS_ROLE_ALPHABET

_ODD = set(AWS_ROLE_ALPHABET[16:])  # the character after the account part: its last bit


def encoded_account(access_key: str) -> str | None:
    """The account number a moto access key encodes (None for any other text)."""
    if len(access_key) != 20:
        return None
    try:
        half = int.from_bytes(base64.b32decode(access_key[4:12]), "big") - ACCOUNT_OFFSET
    except (binascii.Error, ValueError):
        return None
    number = 2 * half + (access_key[12] in _ODD)
    return f"{number:012d}" if 0 <= number < 10**12 else None


def account_of(access_key: str) -> str:
    """The account holding `access_key` now; moto's default account when none does."""
    account = encoded_account(access_key)
    partitions = dict.get(iam_backends, account) if account else None  # never creates one
    if partitions and any(access_key in b.access_keys for b in dict.values(partitions)):
        return account
    return DEFAULT_ACCOUNT_ID
