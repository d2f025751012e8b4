"""The governance and costs sections: defaults, and every bad value refused with its field
(parse_config runs before any AWS call)."""

from __future__ import annotations

import pytest
import yaml

from helpers import governance
from helpers.config import load_config, parse_config
from helpers.kit import Kit
from helpers.targets import Target
from tests.test_config import EXAMPLE, errors_after, example


def test_the_example_keeps_governance_off_and_shows_three_months():
    config = load_config(EXAMPLE)
    assert not config.governance.config.enabled and not config.governance.guardduty.enabled
    assert config.governance.config.ous == ["Root"] and config.governance.config.rules
    assert config.costs.months == 3


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            lambda d: d["governance"]["config"]["rules"].append("S3_BUCKET_PUBLIC_READ_PROHIBITD"),
            "governance.config.rules[3]",
            "did you mean S3_BUCKET_PUBLIC_READ_PROHIBITED?",
        ),
        (
            lambda d: d["governance"]["config"]["rules"].append("IAM_ROOT_ACCESS_KEY_CHECK"),
            "governance.config.rules[3]",
            "already used by governance.config.rules[1]",
        ),
        (
            lambda d: d["governance"]["config"]["rules"].append("DESIRED_INSTANCE_TYPE"),
            "governance.config.rules[3]",
            "needs parameters without a default (instanceType)",
        ),
        (
            lambda d: d["governance"]["config"].update(ous=["Workloads/Test"]),
            "governance.config.ous[0]",
            "is not an OU path",
        ),
        (
            lambda d: d["governance"]["config"].update(stack_set="org config"),
            "governance.config.stack_set",
            "breaks the rule",
        ),
        (
            lambda d: d["governance"]["guardduty"].update(admin_account="management"),
            "governance.guardduty.admin_account",
            "is not an account in accounts; GuardDuty is run from a member account",
        ),
        (
            lambda d: (
                d["governance"]["guardduty"].update(enabled=True, admin_account=None),
                d.pop("trail"),
            ),
            "governance.guardduty.admin_account",
            "is missing",
        ),
        (
            lambda d: d["governance"].update(guard_duty={}),
            "governance.guard_duty",
            "not a known key",
        ),
        (lambda d: d["costs"].update(months=14), "costs.months", "less than or equal to 13"),
        (lambda d: d["costs"].update(months="3"), "costs.months", "valid integer"),
    ],
)
def test_bad_values_are_refused_with_their_field(change, field, words):
    errors = errors_after(change)
    assert any(e.startswith(f"{field}: ") and words in e for e in errors), errors


def test_guardduty_defaults_to_the_log_archive_account(tmp_path):
    data = example()
    data["governance"]["guardduty"].update(enabled=True, admin_account=None)
    config = parse_config(yaml.safe_dump(data, sort_keys=False))
    kit = Kit(
        "07", config, Target.sandbox("http://127.0.0.1:9", config.home_region), False, tmp_path
    )
    assert governance.admin_account(kit) == "log-archive"  # trail.log_archive_account
