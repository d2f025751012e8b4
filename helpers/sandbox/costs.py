"""Cost Explorer's GetCostAndUsage with sample figures, so the cost chart has something to show
(moto 5.2.5 answers with nothing unless results were queued by hand).

The sandbox answers from the accounts that really are in the caller's organization: the
management account sees every account (the payer's view), any other account only itself,
as in AWS. The figures are SAMPLE DATA: a steady monthly amount per account, chosen from
the account's name (prod costs more than dev, the log archive little), varied from month to
month by a fixed hash, and the current month counted up to today and marked Estimated.
They pretend every account has been running for months.

Answered: MONTHLY granularity, one or more cost metrics, ungrouped or grouped by the
LINKED_ACCOUNT dimension, paginated with NextPageToken (at most PAGE_GROUPS groups a page,
so the kit's pagination is exercised). Anything else goes on to moto.
"""

from __future__ import annotations

import base64
import calendar
import datetime
import hashlib
import json

from werkzeug.wrappers import Response

from .extensions import handler
from .organizations import backend_of, in_an_organization
from .request import Request
from .responses import AwsError, json_reply

PAGE_GROUPS = 4
COST_METRICS = {"AmortizedCost", "BlendedCost", "NetAmortizedCost", "NetUnblendedCost"}
COST_METRICS |= {"UnblendedCost"}
# USD a month, by a word in the account's name; the first match wins.
MONTHLY = [
    ("prod", 412.0),
    ("original", 268.0),
    ("dev", 143.0),
    ("test", 96.0),
    ("log", 21.0),
    ("archive", 21.0),
    ("audit", 18.0),
    ("security", 18.0),
    ("master", 9.5),
    ("management", 9.5),
]
OTHER = 55.0


def _validation(message: str) -> AwsError:
    return AwsError("ValidationException", message)


def _date(value: object, field: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise _validation(f"{field} {value!r} is not a date in the format yyyy-MM-dd") from None


def _months(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The monthly periods from start to end (end exclusive), cut at month boundaries."""
    periods, day = [], start
    while day < end:
        last = calendar.monthrange(day.year, day.month)[1]
        following = day.replace(day=last) + datetime.timedelta(days=1)
        periods.append((day, min(following, end)))
        day = following
    return periods


def monthly_amount(account_id: str, name: str, month: datetime.date) -> float:
    """The sample amount of a whole month for an account (USD)."""
    base = next((usd for word, usd in MONTHLY if word in name.lower()), OTHER)
    digest = hashlib.sha256(f"{account_id}/{month:%Y-%m}".encode()).digest()
    return base * (0.85 + 0.3 * digest[0] / 255)


def _amount(account_id: str, name: str, period: tuple[datetime.date, datetime.date]) -> float:
    start, end = period
    days = calendar.monthrange(start.year, start.month)[1]
    shown = (min(end, datetime.date.today() + datetime.timedelta(days=1)) - start).days
    return round(monthly_amount(account_id, name, start) * max(shown, 0) / days, 2)


def _accounts(caller: str) -> list[tuple[str, str]]:
    """(id, name) of the accounts whose costs the caller sees."""
    backend = backend_of(caller)
    if backend.org is not None and backend.org.master_account_id == caller:
        return sorted((a.id, a.name) for a in backend.accounts)
    if in_an_organization(caller):
        return [(caller, "member")]
    return [(caller, "account")]


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _offset(token: object) -> int:
    try:
        return int(json.loads(base64.urlsafe_b64decode(str(token)))["offset"])
    except (ValueError, KeyError, TypeError):
        raise _validation("NextPageToken is not a token this API handed out") from None


@handler("ce", "GetCostAndUsage")
def get_cost_and_usage(request: Request) -> Response | None:
    params = request.params
    groups = params.get("GroupBy") or []
    by_account = groups == [{"Type": "DIMENSION", "Key": "LINKED_ACCOUNT"}]
    if params.get("Granularity") != "MONTHLY" or (groups and not by_account):
        return None  # not seeded: moto's empty answer
    metrics = params.get("Metrics") or []
    if not metrics:
        raise _validation("Metrics is required: name at least one, e.g. UnblendedCost")
    unknown = [m for m in metrics if m not in COST_METRICS]
    if unknown:
        return None
    period = params.get("TimePeriod") or {}
    start = _date(period.get("Start"), "Start")
    end = _date(period.get("End"), "End")
    if start >= end:
        raise _validation("Start date must be before End date")
    if start > datetime.date.today():
        raise _validation("Start date must be equal to or no later than the current date")
    accounts = _accounts(request.account_id)
    months = _months(start, end)
    rows = [(p, a) for p in months for a in accounts] if by_account else [(p, None) for p in months]
    offset = _offset(params["NextPageToken"]) if params.get("NextPageToken") else 0
    page = rows[offset : offset + PAGE_GROUPS] if by_account else rows
    results: dict[tuple[datetime.date, datetime.date], dict] = {}
    for (s, e), account in page:
        entry = results.setdefault(
            (s, e),
            {
                "TimePeriod": {"Start": s.isoformat(), "End": e.isoformat()},
                "Total": {},
                "Groups": [],
                "Estimated": e > datetime.date.today(),
            },
        )
        if account is None:
            total = sum(_amount(i, n, (s, e)) for i, n in accounts)
            entry["Total"] = {m: {"Amount": f"{total:.2f}", "Unit": "USD"} for m in metrics}
        else:
            usd = f"{_amount(*account, (s, e)):.2f}"
            entry["Groups"].append(
                {
                    "Keys": [account[0]],
                    "Metrics": {m: {"Amount": usd, "Unit": "USD"} for m in metrics},
                }
            )
    body: dict = {
        "GroupDefinitions": groups,
        "ResultsByTime": list(results.values()),
        "DimensionValueAttributes": [
            {"Value": i, "Attributes": {"description": n}}
            for i, n in accounts
            if by_account and any(a and a[0] == i for _, a in page)
        ],
    }
    if by_account and offset + PAGE_GROUPS < len(rows):
        body["NextPageToken"] = _token(offset + PAGE_GROUPS)
    return json_reply(body)
