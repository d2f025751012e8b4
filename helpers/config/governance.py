"""Further governance and the costs (step 07): AWS Config's recorder and managed rules,
GuardDuty's delegated administrator, and how many months of costs to show."""

import difflib
from collections.abc import Iterator
from typing import Annotated

from pydantic import AfterValidator, Field

from .catalogues import aws_managed_rules
from .checks import Issue, Sections, duplicates, model_or_nothing
from .fields import AccountName, Section, StackSetName, fail, shown

MAX_COST_MONTHS = 13  # Cost Explorer keeps 13 months of history (without the opt-in for 38)


def _managed_rule(value: str) -> str:
    rules = aws_managed_rules()
    if value not in rules:
        guess = difflib.get_close_matches(value, rules, n=1)
        hint = f"did you mean {guess[0]}?" if guess else "the AWS Config console lists them"
        fail(
            "{value} is not an AWS managed rule identifier (such as "
            "S3_BUCKET_PUBLIC_READ_PROHIBITED); " + hint,
            value=shown(value),
        )
    needed = [p["Name"] for p in rules[value]["Parameters"] if not p["Optional"]]
    if any("Default" not in p for p in rules[value]["Parameters"] if not p["Optional"]):
        fail(
            "{value} needs parameters without a default ({needed}); the kit deploys rules at "
            "AWS's defaults: pick a rule that has them",
            value=shown(value),
            needed=", ".join(needed),
        )
    return value


ManagedRuleId = Annotated[str, AfterValidator(_managed_rule)]
CostMonths = Annotated[int, Field(strict=True, ge=1, le=MAX_COST_MONTHS)]


class AwsConfig(Section):
    """AWS Config: a recorder in every account of some OUs (a StackSet) and a few managed
    rules, the same in every account."""

    enabled: bool = False
    stack_set: StackSetName = "org-config"
    ous: list[str] = Field(default=["Root"], min_length=1)
    rules: list[ManagedRuleId] = []


class GuardDuty(Section):
    """GuardDuty for every account, run from a delegated administrator account."""

    enabled: bool = False
    admin_account: AccountName | None = None  # default: trail.log_archive_account


class Governance(Section):
    """Further governance, each part off unless the team switches it on."""

    config: AwsConfig = AwsConfig()
    guardduty: GuardDuty = GuardDuty()


class Costs(Section):
    """The cost per account, month by month, from Cost Explorer (always shown)."""

    months: CostMonths = 3


def check(sections: Sections) -> Iterator[Issue]:
    raw = sections.raw("governance")
    if not isinstance(raw, dict):
        return
    here = "governance"
    config = raw.get("config") if isinstance(raw.get("config"), dict) else {}
    rules, ous_wanted = config.get("rules"), config.get("ous")
    rules = list(enumerate(rules)) if isinstance(rules, list) else []
    entries = ((f"{here}.config.rules[{j}]", r) for j, r in rules if isinstance(r, str))
    yield from duplicates(entries, "list each rule once")
    ous = enumerate(ous_wanted if isinstance(ous_wanted, list) else [])
    yield from sections.unknown_ous(
        (f"{here}.config.ous[{j}]", ou) for j, ou in ous if isinstance(ou, str)
    )
    for found in model_or_nothing(raw.get("guardduty"), GuardDuty):
        trail = sections.raw("trail")
        fallback = trail.get("log_archive_account") if isinstance(trail, dict) else None
        if found.admin_account is not None:
            admin = [(f"{here}.guardduty.admin_account", found.admin_account)]
            why = "GuardDuty is run from a member account (the log archive or a security account), "
            yield from sections.unknown_accounts(admin, why)
        elif found.enabled and fallback is None:
            yield (
                f"{here}.guardduty.admin_account",
                "is missing: name the member account that runs GuardDuty for the organization "
                "(without a trail section there is no log-archive account to default to)",
            )
