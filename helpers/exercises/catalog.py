"""Every exercise by name, in the order of the journey (bug hunts last)."""

from __future__ import annotations

from helpers.exercises import (
    cost_per_account,
    cross_account_path,
    design_organization,
    guardrail_scp,
    identity_center,
    invitation,
    isolation_holes,
    organization_and_accounts,
    organization_trail,
    predict_the_decision,
    region_guardrail_bug,
    review_items,
    scorecard_review,
    trust_policy_bug,
)
from helpers.exercises.framework import Definition

EXERCISES: dict[str, Definition] = {
    module.EXERCISE.name: module.EXERCISE
    for module in (
        isolation_holes,
        organization_and_accounts,
        invitation,
        identity_center,
        cross_account_path,
        organization_trail,
        guardrail_scp,
        predict_the_decision,
        cost_per_account,
        review_items,
        scorecard_review,
        design_organization,
        region_guardrail_bug,
        trust_policy_bug,
    )
}
