"""Every exercise by name, in the order of the journey (bug hunts last)."""

from __future__ import annotations

from helpers.exercises import (
    identity_center,
    invitation,
    organization_and_accounts,
    organization_trail,
    region_guardrail_bug,
    trust_policy_bug,
)
from helpers.exercises.framework import Definition

EXERCISES: dict[str, Definition] = {
    module.EXERCISE.name: module.EXERCISE
    for module in (
        organization_and_accounts,
        invitation,
        identity_center,
        organization_trail,
        region_guardrail_bug,
        trust_policy_bug,
    )
}
