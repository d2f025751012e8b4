"""Step 07, the cost per account: the period asked for, the sandbox's Cost Explorer (sample
figures from the organization's real accounts, paginated), the helper's table and chart, and
the step in the journey."""

from __future__ import annotations

import datetime
import json
import math
from functools import partial

import pytest

from helpers import accounts, costs
from helpers.sandbox import MANAGEMENT_ACCOUNT_ID, ORIGINAL_ACCOUNT_ID
from helpers.sandbox.costs import PAGE_GROUPS
from tests.conftest import make_kit as shared_make_kit
from tests.conftest import session_for, with_accounts

STEP = "07_governance_and_costs"
BY_ACCOUNT = [{"Type": "DIMENSION", "Key": "LINKED_ACCOUNT"}]


@pytest.mark.parametrize(
    ("months", "today", "expected"),
    [
        (3, datetime.date(2025, 1, 15), ("2024-11-01", "2025-02-01")),
        (1, datetime.date(2025, 1, 1), ("2025-01-01", "2025-02-01")),
        (13, datetime.date(2025, 12, 31), ("2024-12-01", "2026-01-01")),
    ],
)
def test_the_period_is_whole_calendar_months_ending_with_this_one(months, today, expected):
    assert costs.period(months, today) == expected


make_kit = partial(shared_make_kit, step=STEP)


@pytest.fixture
def org(clean_sandbox, tmp_path) -> dict[str, str]:
    """An organization with the example's created accounts: {name: id}."""
    kit = with_accounts(clean_sandbox, make_kit(clean_sandbox, tmp_path))
    return {a["Name"]: i for i, a in accounts.members(kit).items()}


def query(ce, **extra) -> dict:
    start, end = costs.period(3)
    return ce.get_cost_and_usage(
        TimePeriod={"Start": start, "End": end},
        Granularity="MONTHLY",
        Metrics=["UnblendedCost"],
        **extra,
    )


def test_the_management_account_sees_every_account_page_by_page(org, aws):
    ce = aws("ce")
    pages, token = [], None
    while True:
        page = query(ce, GroupBy=BY_ACCOUNT, **({"NextPageToken": token} if token else {}))
        pages.append(page)
        token = page.get("NextPageToken")
        if not token:
            break
    groups = [
        (r["TimePeriod"]["Start"], g)
        for p in pages
        for r in p["ResultsByTime"]
        for g in r["Groups"]
    ]
    assert len(pages) == math.ceil(len(org) * 3 / PAGE_GROUPS) > 1
    assert all(
        len(g) <= PAGE_GROUPS
        for g in ([x for r in p["ResultsByTime"] for x in r["Groups"]] for p in pages)
    )
    seen = {g["Keys"][0] for _, g in groups}
    assert seen == set(org.values())  # every account of the organization, management included
    assert len({(start, g["Keys"][0]) for start, g in groups}) == len(org) * 3  # no repeats
    described = {
        d["Value"]: d["Attributes"]["description"]
        for p in pages
        for d in p["DimensionValueAttributes"]
    }
    assert described[org["dev"]] == "dev"
    months = sorted({start for start, _ in groups})
    last = [r for p in pages for r in p["ResultsByTime"] if r["TimePeriod"]["Start"] == months[-1]]
    assert all(r["Estimated"] for r in last)  # this month is still counting
    first = [r for p in pages for r in p["ResultsByTime"] if r["TimePeriod"]["Start"] == months[0]]
    assert not any(r["Estimated"] for r in first)


def test_ungrouped_the_total_is_the_sum_of_the_accounts(org, aws):
    ce = aws("ce")
    total = query(ce)["ResultsByTime"]
    grouped = []
    token = None
    while True:
        page = query(ce, GroupBy=BY_ACCOUNT, **({"NextPageToken": token} if token else {}))
        grouped += [g for r in page["ResultsByTime"] for g in r["Groups"]]
        token = page.get("NextPageToken")
        if not token:
            break
    summed = sum(float(g["Metrics"]["UnblendedCost"]["Amount"]) for g in grouped)
    stated = sum(float(r["Total"]["UnblendedCost"]["Amount"]) for r in total)
    assert stated == pytest.approx(summed, abs=0.05)
    assert {r["Total"]["UnblendedCost"]["Unit"] for r in total} == {"USD"}


def test_a_member_account_sees_only_itself(org, aws, sandbox):
    from helpers.targets import Target as T

    dev = T.sandbox(sandbox.url, "eu-central-1").assume(session_for(sandbox.url), org["dev"])
    page = query(dev.client("ce", region_name="us-east-1"), GroupBy=BY_ACCOUNT)
    assert {g["Keys"][0] for r in page["ResultsByTime"] for g in r["Groups"]} == {org["dev"]}


def test_an_account_outside_any_organization_sees_only_itself(clean_sandbox, aws):
    page = query(aws("ce", ORIGINAL_ACCOUNT_ID), GroupBy=BY_ACCOUNT)
    assert {g["Keys"][0] for r in page["ResultsByTime"] for g in r["Groups"]} == {
        ORIGINAL_ACCOUNT_ID
    }


def test_bad_periods_are_refused_as_cost_explorer_does(clean_sandbox, aws):
    ce = aws("ce")
    for start, end, message in [
        ("2025-03-01", "2025-03-01", "before End"),
        ("2999-01-01", "2999-02-01", "no later than the current date"),
        ("yesterday", "2025-03-01", "yyyy-MM-dd"),
    ]:
        with pytest.raises(ce.exceptions.ClientError, match=message) as raised:
            ce.get_cost_and_usage(
                TimePeriod={"Start": start, "End": end},
                Granularity="MONTHLY",
                Metrics=["UnblendedCost"],
            )
        assert raised.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ce.exceptions.ClientError, match="NextPageToken"):
        query(ce, GroupBy=BY_ACCOUNT, NextPageToken="forged")


def test_the_helper_reads_every_page_and_writes_nothing(org, clean_sandbox, tmp_path):
    kit = make_kit(clean_sandbox, tmp_path, True, lambda data: data.update(costs={"months": 2}))
    spend = costs.cost_per_account(kit)
    calls = {o["operation"]: o["count"] for o in kit.recorder.operations()}
    assert kit.recorder.totals()["write"] == 0
    assert calls["GetCostAndUsage"] == math.ceil(len(org) * 2 / PAGE_GROUPS)
    assert len(spend.months) == 2 and spend.sample
    assert set(spend.accounts()) == set(org.values())
    assert spend.names[MANAGEMENT_ACCOUNT_ID] == "management"  # the config's name for it
    assert spend.names[org["prod"]] == "prod"
    assert spend.accounts()[0] == org["prod"]  # the most expensive first
    table = costs.table(spend)
    assert table.columns[-1] == "total" and table.columns[-2].endswith("(so far)")
    assert table.rows[-1][0] == "all accounts" and len(table.rows) == len(org) + 1
    overall = sum(spend.amounts.values())
    assert float(table.rows[-1][-1].replace(",", "")) == pytest.approx(overall, abs=0.05)
    svg = costs.chart(spend)._repr_svg_()
    assert "sample data" in svg and svg.count('class="bar"') == len(org) * 2


def test_without_an_organization_the_management_account_sees_its_own_costs(clean_sandbox, tmp_path):
    kit = make_kit(clean_sandbox, tmp_path)
    spend = costs.cost_per_account(kit)
    assert spend.accounts() == [MANAGEMENT_ACCOUNT_ID] and kit.recorder.totals()["write"] == 0


# --- in the journey -----------------------------------------------------------------------


def test_the_step_shows_the_costs_and_writes_nothing(journey):
    for summary, _ in journey["runs"]:
        step = {s["step"]: s for s in summary["steps"]}[STEP]
        assert step["status"] == "ok" and step["calls"]["write"] == 0 and step["changes"] == []
    record = json.loads((journey["out"] / summary["run_id"] / STEP / "step.json").read_text())
    exhibits = {e["title"]: e for e in record["exhibits"]}
    table = exhibits["Cost per account and month"]["body"]
    names = [row[0] for row in table["rows"]]
    assert {"prod", "dev", "log-archive", "management", "all accounts"} <= set(names)
    chart = exhibits["Cost per account"]
    assert chart["kind"] == "svg" and "sample data" in chart["body"]
    choices = exhibits["What the team chose"]["body"]["rows"]
    assert [r[1] for r in choices[:2]] == [
        "off (governance.config.enabled: false)",
        "off (governance.guardduty.enabled: false)",
    ]


def test_the_report_shows_the_cost_chart_without_jupyter(journey):
    reports = sorted(journey["out"].glob("*/report.html"))
    assert reports
    html = reports[-1].read_text()
    assert "Cost per account and month (sample data)" in html and "<svg" in html
