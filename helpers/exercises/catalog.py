"""Every exercise by name, in the order of the journey (bug hunts last)."""

from __future__ import annotations

from helpers.exercises import (
    cross_account_path,
    guardrail_scp,
    identity_center,
    invitation,
    organization_and_accounts,
    organization_trail,
    predict_the_decision,
    region_guardrail_bug,
    scorecard_review,
    trust_policy_bug,
)
from helpers.exercises.framework import Definition

EXERCISES: dict[str, Definition] = {
    module.EXERCISE.name: module.EXERCISE
    for module in (
        organization_and_accounts,
        invitation,
        identity_center,
        cross_account_path,
        organization_trail,
        guardrail_scp,
        predict_the_decision,
        scorecard_review,
        region_guardrail_bug,
        trust_policy_bug,
    )
}
