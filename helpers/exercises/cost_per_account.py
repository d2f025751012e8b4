"""Exercise: answer the finance team's question, what did dev cost last month, with the one
query that per-account billing makes possible (no tags)."""

from __future__ import annotations

from typing import Any

from helpers import costs
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

ENV = "dev"


def setup(kit: Kit) -> dict[str, Any]:
    """Steps 01-02: an organization with the log-archive, dev and prod accounts."""
    return organization_with_accounts(kit)


def _usd(value: float) -> str:
    return f"{value:.2f} USD"


def check(kit: Kit, facts: dict[str, Any], values: Values) -> Outcome:
    if values.blank("dev_last_month"):
        return not_attempted("dev_last_month is still blank")
    spend = costs.cost_per_account(kit)
    current, last = spend.months[-1], spend.months[-2]
    dev = facts["accounts"][ENV]
    answer = values["dev_last_month"]
    if not isinstance(answer, int | float):
        return incorrect(f"dev_last_month is {answer!r}: give the amount in USD, as a number")
    expected = round(spend.amount(dev, last), 2)
    if round(answer, 2) == expected:
        return correct(
            f"dev cost {_usd(expected)} in {last}: one Cost Explorer query grouped by "
            "LINKED_ACCOUNT, no tag on any resource"
        )
    total = round(sum(spend.amount(a, last) for a in spend.accounts()), 2)
    if round(answer, 2) == total:
        return incorrect(
            f"dev_last_month is {_usd(answer)}: that is the whole organization's bill for "
            f"{last}; the question is dev's line of it"
        )
    if round(answer, 2) == round(spend.amount(dev, current), 2):
        return incorrect(
            f"dev_last_month is {_usd(answer)}: that is {current}, still counting (estimated); "
            f"the last complete month is {last}"
        )
    others = {n: i for n, i in facts["accounts"].items() if n != ENV}
    for name, account_id in others.items():
        if round(answer, 2) == round(spend.amount(account_id, last), 2):
            return incorrect(f"dev_last_month is {_usd(answer)}: that is {name}'s, not dev's")
    return incorrect(f"dev_last_month is {_usd(answer)}: not dev's cost in {last}")


EXERCISE = Definition(
    name="07_cost_per_account",
    title="The cost of one environment, without a single tag",
    teaches=("07_governance_and_costs",),
    minutes=10,
    answers=("dev_last_month",),
    setup=setup,
    check=check,
    hints=(
        "costs.cost_per_account(kit) asks Cost Explorer once, grouped by linked account; "
        "costs.table(spend) shows it. The current month is marked 'so far'.",
        "spend.months lists the months, oldest first: the last one is still counting, the one "
        "before it is complete. spend.amount(account_id, month) gives one account's cost.",
        "dev_last_month = round(spend.amount(accounts['dev'], spend.months[-2]), 2)",
    ),
)
