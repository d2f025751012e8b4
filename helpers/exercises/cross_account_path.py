"""Exercise: one declared communication path, granted with a bucket policy: dev reads the
anonymised exports of prod, and nothing else crosses the account boundary."""

from __future__ import annotations

from typing import Any

from helpers.aws import or_none
from helpers.exercises.framework import (
    Definition,
    Outcome,
    Values,
    correct,
    incorrect,
    not_attempted,
)
from helpers.exercises.state import organization_with_accounts, role_session_arn
from helpers.kit import Kit
from helpers.policy import explain_access
from helpers.targets import ACCESS_ROLE

BUCKET, SHARED, PRIVATE = "acme-prod-exports", "anonymised/", "customers/"


def setup(kit: Kit) -> dict[str, Any]:
    """Steps 01-02; in prod the exports bucket, with anonymised samples and real data."""
    facts = organization_with_accounts(kit)
    s3 = kit.account(facts["accounts"]["prod"]).client("s3")
    s3.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": kit.config.home_region}
    )
    for key in (f"{SHARED}2025-01-01.csv", f"{PRIVATE}2025-01-01.csv"):
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"id,amount\n")
    return facts


def check(kit: Kit, facts: dict[str, Any], values: Values) -> Outcome:
    accounts = facts["accounts"]
    prod = accounts["prod"]
    s3 = kit.account(prod).client("s3")
    if or_none(s3.get_bucket_policy, "NoSuchBucketPolicy", Bucket=BUCKET) is None:
        if values.all_blank():
            return not_attempted(f"bucket {BUCKET} has no policy yet")
        return incorrect(f"bucket {BUCKET} in prod has no bucket policy: put_bucket_policy")

    def may(account: str, action: str, key: str = "") -> bool:
        resource = f"arn:aws:s3:::{BUCKET}" + (f"/{key}" if key else "")
        who = role_session_arn(accounts[account], ACCESS_ROLE)
        return explain_access(
            kit, who, action, resource, kit.config.home_region, resource_account=prod
        ).allowed

    if not may("dev", "s3:GetObject", f"{SHARED}2025-01-01.csv"):
        return incorrect(f"dev still cannot read s3://{BUCKET}/{SHARED}2025-01-01.csv")
    if may("dev", "s3:GetObject", f"{PRIVATE}2025-01-01.csv"):
        return incorrect(
            f"dev may read s3://{BUCKET}/{PRIVATE}...: the real data. Grant only the prefix "
            f"{SHARED} (Resource arn:aws:s3:::{BUCKET}/{SHARED}*)"
        )
    if may("dev", "s3:PutObject", f"{SHARED}x.csv") or may("dev", "s3:DeleteObject", f"{SHARED}x"):
        return incorrect("dev may write or delete exports: the path is read-only (s3:GetObject)")
    if may("log-archive", "s3:GetObject", f"{SHARED}2025-01-01.csv"):
        return incorrect(
            "the log-archive account may read the exports too: name dev's account (or a role "
            "in it) as the Principal, not everyone"
        )
    if values["consumer_account"] != accounts["dev"]:
        return incorrect(
            f"consumer_account is {values.get('consumer_account')!r}; the consumer is dev "
            f"({accounts['dev']})"
        )
    return correct(f"dev reads {SHARED} of {BUCKET} in prod, and nothing else crosses over")


EXERCISE = Definition(
    name="04_cross_account_path",
    title="One declared path: dev reads prod's anonymised exports",
    teaches=("04_access_between_accounts",),
    minutes=15,
    answers=("consumer_account",),
    setup=setup,
    check=check,
    hints=(
        "The grant lives with the resource: a bucket policy on the bucket in prod, written "
        "with prod's session, kit.account(accounts['prod']).client('s3').",
        "One statement: Effect Allow, Principal {'AWS': 'arn:aws:iam::<dev id>:root'}, "
        "Action s3:GetObject, Resource on the prefix only.",
        "Resource f'arn:aws:s3:::acme-prod-exports/anonymised/*'; then "
        "put_bucket_policy(Bucket=..., Policy=json.dumps(policy)).",
    ),
)
