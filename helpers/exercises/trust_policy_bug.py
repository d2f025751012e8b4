"""Bug hunt: a role in prod whose trust policy names the wrong account, so the dev role that
should assume it is refused. Diagnose with explain_access, then fix the trust policy."""

from __future__ import annotations

import json
from typing import Any

from helpers.exercises.framework import (
    Definition,
    Outcome,
    Values,
    correct,
    incorrect,
    not_attempted,
)
from helpers.exercises.state import organization_with_accounts, role_session_arn, seeded
from helpers.kit import Kit
from helpers.policy import explain_access

READER, BUILDER = "report-reader", "report-builder"


def trust(principal: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
        ],
    }


def setup(kit: Kit) -> dict[str, Any]:
    """Steps 01-02; in dev the role report-builder, allowed to assume report-reader in prod;
    in prod report-reader, whose trust policy was copied from the original account's days."""
    facts = organization_with_accounts(kit)
    original = seeded(kit)["original_account_id"]
    dev, prod = facts["accounts"]["dev"], facts["accounts"]["prod"]
    reader_arn = f"arn:aws:iam::{prod}:role/{READER}"
    builder = kit.account(dev).client("iam")
    builder.create_role(RoleName=BUILDER, AssumeRolePolicyDocument=json.dumps(trust(dev)))
    may_assume = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": reader_arn}
    builder.put_role_policy(
        RoleName=BUILDER,
        PolicyName="assume-report-reader",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [may_assume]}),
    )
    reader = kit.account(prod).client("iam")
    reader.create_role(
        RoleName=READER,
        AssumeRolePolicyDocument=json.dumps(trust(f"arn:aws:iam::{original}:root")),
        Description="Reads the reports bucket; assumed by report-builder in dev",
    )
    reader.attach_role_policy(
        RoleName=READER, PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    )
    return {**facts, "reader_arn": reader_arn, "original": original}


def _principals(document: dict) -> list[str]:
    """Every AWS principal an Allow statement of a trust policy names."""
    found = []
    statements = document.get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal", {})
        aws = principal if principal == "*" else principal.get("AWS", [])
        found += aws if isinstance(aws, list) else [aws]
    return found


def _account(principal: str) -> str:
    """The account an AWS principal names: "*", an account id, or an ARN's account field."""
    parts = principal.split(":")
    return parts[4] if len(parts) >= 6 else principal


def check(kit: Kit, facts: dict[str, Any], values: Values) -> Outcome:
    dev, prod = facts["accounts"]["dev"], facts["accounts"]["prod"]
    iam = kit.account(prod).client("iam")
    document = iam.get_role(RoleName=READER)["Role"]["AssumeRolePolicyDocument"]
    principals = _principals(document)
    if principals == [f"arn:aws:iam::{facts['original']}:root"] and values.all_blank():
        return not_attempted(f"{READER} still trusts the wrong account")
    if values["wrong_account"] != facts["original"]:
        return incorrect(
            f"wrong_account is {values.get('wrong_account')!r}: explain_access points at the "
            f"trust policy of {READER}; the account it names is the one to find"
        )
    decision = explain_access(
        kit, role_session_arn(dev, BUILDER), "sts:AssumeRole", facts["reader_arn"]
    )
    if not decision.allowed:
        return incorrect(
            f"{BUILDER} in dev still cannot assume {READER}: {'; '.join(decision.reasons())}"
        )
    too_wide = [p for p in principals if _account(p) != dev]
    if too_wide:
        return incorrect(
            f"the trust policy of {READER} names {', '.join(too_wide)} besides dev: trust dev's "
            f"{BUILDER} role (or dev's account) and nothing else"
        )
    if any(p in (dev, f"arn:aws:iam::{dev}:root") for p in principals):
        note = f" It trusts all of dev; naming arn:aws:iam::{dev}:role/{BUILDER} is narrower."
    else:
        note = ""
    return correct(f"{READER} in prod now trusts dev ({dev}) and no other account.{note}")


EXERCISE = Definition(
    name="bug_trust_policy",
    title="Bug hunt: the role that trusts the wrong account",
    teaches=("04_access_between_accounts", "the explainer: helpers.policy.explain_access"),
    minutes=15,
    answers=("wrong_account",),
    setup=setup,
    check=check,
    hints=(
        "Ask the explainer about the refused call: explain_access(kit, <report-builder session "
        "ARN in dev>, 'sts:AssumeRole', reader_arn).",
        "The deciding layer is the role's trust policy. Read it: "
        "kit.account(prod).client('iam').get_role(RoleName='report-reader').",
        "Write a trust policy whose Principal is {'AWS': 'arn:aws:iam::<dev id>:role/"
        "report-builder'} with update_assume_role_policy(RoleName=..., PolicyDocument=...).",
    ),
)
