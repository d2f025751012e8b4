"""The upkeep checks: a backup plan where an account holds data, the team's tags on every
resource, and a budget that watches each account's spend."""

from __future__ import annotations

from collections.abc import Iterator

from botocore.exceptions import ClientError

from helpers.aws import error_code, paginate
from helpers.review.model import Finding, Settings
from helpers.review.scope import Scope
from helpers.targets import KitSession

BUDGETS_REGION = "us-east-1"  # AWS Budgets has one endpoint


def check_backup(scope: Scope, settings: Settings) -> Iterator[Finding]:
    for region in scope.regions:
        volumes = sum(r.region == region for r, _ in scope.volumes)
        buckets = sum(r.region == region for r in scope.buckets)
        if not volumes + buckets:
            continue
        backup = scope.session.client("backup", region_name=region)
        if next(paginate(backup, "list_backup_plans", "BackupPlansList"), None):
            continue
        yield scope.finding(
            "backup",
            f"AWS Backup in {region}",
            f"no backup plan, while the account holds {volumes} EBS volume(s) and {buckets} "
            "bucket(s) there",
            f"create a plan with a rule (schedule, retention) and a selection of these resources "
            f"(aws backup create-backup-plan, then create-backup-selection, --region {region}); "
            "across the organization, a backup policy from the management account does it for "
            "every account",
        )


def check_tags(scope: Scope, settings: Settings) -> Iterator[Finding]:
    every = [*scope.buckets, *(r for r, _ in scope.volumes), *scope.instances]
    every += [r for r, _ in scope.groups]
    for resource in every:
        present = {key.casefold() for key, _ in resource.tags}
        missing = [k for k in settings.required_tags if k.casefold() not in present]
        if missing:
            values = " ".join(f"{k}=<value>" for k in missing)
            yield scope.finding(
                "tags",
                resource.label,
                f"no {', '.join(missing)} tag",
                f"aws resourcegroupstaggingapi tag-resources --region {resource.region} "
                f"--resource-arn-list {resource.arn} --tags {values}",
            )


def budgets(session: KitSession, account_id: str) -> list[dict]:
    """The account's budgets (AWS Budgets)."""
    client = session.client("budgets", region_name=BUDGETS_REGION)
    try:
        return list(paginate(client, "describe_budgets", "Budgets", AccountId=account_id))
    except ClientError as error:
        if error_code(error) != "NotFoundException":  # an account with no budget at all
            raise
        return []


def _linked_accounts(value) -> set[str]:
    """The LINKED_ACCOUNT values anywhere in a budget's FilterExpression."""
    if isinstance(value, list):
        return {a for item in value for a in _linked_accounts(item)}
    if not isinstance(value, dict):
        return set()
    found = set()
    dimension = value.get("Dimensions") or {}
    if dimension.get("Key") == "LINKED_ACCOUNT":
        found |= set(dimension.get("Values", []))
    for key in ("And", "Or", "Not"):
        found |= _linked_accounts(value.get(key))
    return found


def watches(budget: dict, account_id: str) -> bool:
    """Whether a budget of the management account watches `account_id`: one that filters by
    linked account watches those it names, any other the whole bill."""
    named = set(budget.get("CostFilters", {}).get("LinkedAccount", []))
    named |= _linked_accounts(budget.get("FilterExpression"))
    return not named or account_id in named


def check_budget(scope: Scope, settings: Settings) -> Iterator[Finding]:
    if any(watches(b, scope.account_id) for b in settings.organization_budgets):
        return
    if scope.account_id != settings.management_id and budgets(scope.session, scope.account_id):
        return
    yield scope.finding(
        "budget",
        "AWS Budgets",
        "no budget watches this account's spend: nobody hears of a surprise before the bill",
        f"a monthly cost budget with an email alert in the management account "
        f"(aws budgets create-budget --account-id {settings.management_id} ...) watches every "
        "account; one in this account watches its own spend",
    )
