"""Exercise: read the scorecard, find the goal a stray IAM user breaks, and fix it."""

from __future__ import annotations

import json
from typing import Any

from helpers import identity_center, scorecard
from helpers.exercises.framework import (
    Definition,
    Outcome,
    Values,
    correct,
    incorrect,
    not_attempted,
)
from helpers.exercises.state import organization_with_accounts
from helpers.kit import Kit

USER, GOAL = "ci-deployer", "access"


def setup(kit: Kit) -> dict[str, Any]:
    """Steps 01-03 as the runbook does them, and in dev an IAM user someone made by hand,
    with a console password and an access key."""
    facts = organization_with_accounts(kit, invite=True)
    identity_center.ensure_identity_center(kit)
    iam = kit.account(facts["accounts"]["dev"]).client("iam")
    iam.create_user(UserName=USER)
    iam.create_login_profile(UserName=USER, Password=json.dumps({"not": "a real password"}))
    iam.create_access_key(UserName=USER)
    return facts


def check(kit: Kit, facts: dict[str, Any], values: Values) -> Outcome:
    row = scorecard.access(kit, scorecard.scan_accounts(kit, scorecard.live(kit)))
    if USER in row.evidence:
        if values.all_blank():
            return not_attempted(f"the goal '{row.goal}' still names {USER}")
        found = next(part for part in row.evidence.split("; ") if USER in part)
        return incorrect(f"the goal '{row.goal}' still names {USER}: {found}")
    if values["failing_goal"] != GOAL:
        return incorrect(
            f"failing_goal is {values.get('failing_goal')!r}: the scorecard's row key for the "
            f"goal that named {USER} is '{GOAL}'"
        )
    return correct(f"the goal '{row.goal}' no longer names {USER}: nobody can sign in as it")


EXERCISE = Definition(
    name="09_scorecard_review",
    title="Review: the scorecard and the stray IAM user",
    teaches=("09_scorecard",),
    minutes=15,
    answers=("failing_goal",),
    setup=setup,
    check=check,
    hints=(
        "scorecard.scorecard(kit) gives one Row per goal (key, goal, status, evidence, fix); "
        "scorecard.table(rows) shows them. Read the evidence of the row that fails.",
        "The row names an account and a user, and what lets the user in: each way in must go "
        "(the fix column says how).",
        "In dev: iam.delete_login_profile(UserName=...) and, for each key of "
        "iam.list_access_keys(UserName=...), iam.delete_access_key(UserName=..., "
        "AccessKeyId=...). Deleting the user afterwards is tidy, not required.",
    ),
)
