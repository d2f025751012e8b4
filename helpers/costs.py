"""Step 07: the cost per account, month by month, from Cost Explorer in the management account.

AWS bills each account separately, so costs are allocated per account with no tags at all;
the management account, as the organization's payer, sees every account's costs. One
GetCostAndUsage query grouped by the LINKED_ACCOUNT dimension, MONTHLY, answers it (each
request costs USD 0.01, so the kit asks once per run and follows NextPageToken).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from helpers.accounts import members
from helpers.aws import error_code
from helpers.kit import Kit
from helpers.pictures import Picture, bar_chart
from helpers.tables import Table

REGION = "us-east-1"  # Cost Explorer has one endpoint, in us-east-1
METRIC = "UnblendedCost"  # what each account's usage cost, before credits and discounts
SAMPLE = "sample data: the sandbox's made-up figures, not a bill"


@dataclass
class Costs:
    """Amounts per (account id, month "YYYY-MM"), and what is known about them."""

    months: list[str]
    names: dict[str, str]  # account id -> name
    amounts: dict[tuple[str, str], float] = field(default_factory=dict)
    unit: str = "USD"
    estimated: set[str] = field(default_factory=set)  # months not yet final
    sample: bool = False
    note: str = ""  # why there are no figures, when there are none

    def accounts(self) -> list[str]:
        """Account ids with any cost, the most expensive first."""
        totals: dict[str, float] = {}
        for (account, _), amount in self.amounts.items():
            totals[account] = totals.get(account, 0.0) + amount
        return sorted(totals, key=lambda a: (-totals[a], self.names.get(a, a)))

    def amount(self, account: str, month: str) -> float:
        return self.amounts.get((account, month), 0.0)


def period(months: int, today: datetime.date | None = None) -> tuple[str, str]:
    """Start (the first day, months - 1 months back) and End (exclusive: the first day of next
    month) of the last `months` calendar months, this one included."""
    today = today or datetime.date.today()
    index = today.year * 12 + today.month - 1
    first = index - (months - 1)
    start = datetime.date(first // 12, first % 12 + 1, 1)
    end = datetime.date((index + 1) // 12, (index + 1) % 12 + 1, 1)
    return start.isoformat(), end.isoformat()


def cost_per_account(kit: Kit, today: datetime.date | None = None) -> Costs:
    """The config's last `costs.months` months of cost, per linked account (read calls only)."""
    start, end = period(kit.config.costs.months, today)
    names = {i: kit.account_name(i, a["Name"]) for i, a in members(kit).items()}
    names[kit.config.management_account.id] = kit.config.management_account.name
    costs = Costs(months=[], names=names, sample=kit.target.demo)
    ce = kit.management.client("ce", region_name=REGION)
    query = {
        "TimePeriod": {"Start": start, "End": end},
        "Granularity": "MONTHLY",
        "Metrics": [METRIC],
        "GroupBy": [{"Type": "DIMENSION", "Key": "LINKED_ACCOUNT"}],
    }
    try:
        for page in _pages(ce, **query):
            _add(costs, page)
    except ClientError as error:
        code = error_code(error)
        if code == "DataUnavailableException":
            costs.note = "Cost Explorer has no data yet: it needs up to 24 hours after enabling"
        elif code == "AccessDeniedException":
            costs.note = (
                "Cost Explorer refused: enable it once in the Billing and Cost Management "
                f"console of the management account ({error.response['Error']['Message']})"
            )
        else:
            raise
        return costs
    if not costs.amounts and not costs.note:
        costs.note = "no costs recorded in this period"
    return costs


def _pages(ce, **query) -> Iterator[dict]:
    """Every page of GetCostAndUsage: Cost Explorer has no paginator, so NextPageToken by hand."""
    token: dict[str, str] = {}
    while True:
        page = ce.get_cost_and_usage(**query, **token)
        yield page
        if not page.get("NextPageToken"):
            return
        token = {"NextPageToken": page["NextPageToken"]}


def _add(costs: Costs, page: dict) -> None:
    for attribute in page.get("DimensionValueAttributes", []):
        described = attribute.get("Attributes", {}).get("description")
        if described:
            costs.names.setdefault(attribute["Value"], described)
    for result in page["ResultsByTime"]:
        month = result["TimePeriod"]["Start"][:7]
        if month not in costs.months:
            costs.months.append(month)
        if result.get("Estimated"):
            costs.estimated.add(month)
        for group in result["Groups"]:
            metric = group["Metrics"][METRIC]
            costs.unit = metric["Unit"]
            key = (group["Keys"][0], month)
            costs.amounts[key] = costs.amounts.get(key, 0.0) + float(metric["Amount"])
    costs.months.sort()


def _label(costs: Costs, month: str) -> str:
    return f"{month} (so far)" if month in costs.estimated else month


def table(costs: Costs) -> Table:
    """One row per account: its cost each month and in total; a last row sums each month."""
    columns = ["account", "id", *(_label(costs, m) for m in costs.months), "total"]
    rows = []
    for account in costs.accounts():
        amounts = [costs.amount(account, m) for m in costs.months]
        name = costs.names.get(account, "")
        rows.append([name, account, *(f"{a:,.2f}" for a in amounts), f"{sum(amounts):,.2f}"])
    if rows:
        sums = [sum(costs.amount(a, m) for a in costs.accounts()) for m in costs.months]
        rows.append(["all accounts", "", *(f"{s:,.2f}" for s in sums), f"{sum(sums):,.2f}"])
    return Table(columns, rows)


def chart(costs: Costs) -> Picture:
    """A bar per account and month; the caption says where the figures come from."""
    accounts = costs.accounts()
    series = {
        _label(costs, m): [round(costs.amount(a, m), 2) for a in accounts] for m in costs.months
    }
    source = SAMPLE if costs.sample else f"Cost Explorer, {METRIC}"
    caption = source + ("; the current month is still counting" if costs.estimated else "")
    title = "Cost per account and month" + (" (sample data)" if costs.sample else "")
    labels = [costs.names.get(a, a) for a in accounts]
    return bar_chart(labels, series, title, unit=costs.unit, caption=caption)


def show(kit: Kit) -> Costs:
    """Ask Cost Explorer once and show the cost per account and month, table and chart."""
    spend = cost_per_account(kit)
    if spend.note:
        print(spend.note)
    kit.show("Cost per account and month", table(spend))
    if spend.amounts:
        kit.show("Cost per account", chart(spend))
    return spend
