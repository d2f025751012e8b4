"""Leaving an organization: CloseAccount as AWS runs it, and RemoveAccountFromOrganization's
rules (moto 5.2.5 suspends at once, with no quota, and removes any account).

- CloseAccount is asynchronous: the account is PENDING_CLOSURE for a while
  (`close_account_seconds`), then SUSPENDED, and stays listed (AWS keeps it 90 days).
  Closing the management account, or an account already closing or closed, is refused.
- The quota: within a rolling 30 days an organization closes at most the higher of
  `close_quota_floor` (AWS: 250) and `close_quota_percent` (AWS: 20) % of its member
  accounts, never more than 1,000 (botocore 1.44's CloseAccount documentation; older
  documents said 10 %, between 10 and 1,000). Then ConstraintViolationException,
  CLOSE_ACCOUNT_QUOTA_EXCEEDED.
- A closed or closing account can no longer be entered: sts:AssumeRole into it is denied.
- RemoveAccountFromOrganization refuses the management account and an account the
  organization created (it lacks what a standalone account needs: AWS asks for phone
  verification and a payment method first); an invited account leaves.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from moto.organizations.models import FakeAccount, OrganizationsBackend, organizations_backends
from werkzeug.wrappers import Response

from .enforcement import caller_of
from .extensions import handler, on_reset
from .organizations import backend_of, constraint_violation, management_backend
from .request import Request
from .responses import AwsError, json_reply

WINDOW_SECONDS = 30 * 24 * 3600
QUOTA_CEILING = 1000
CLOSING, CLOSED = "PENDING_CLOSURE", "SUSPENDED"


@dataclass
class Closures:
    """Closures in progress (account id -> when it is SUSPENDED) and when each was asked."""

    settling: dict[str, tuple[FakeAccount, float]] = field(default_factory=dict)
    requested: dict[str, list[float]] = field(default_factory=dict)  # management id -> times


closures = Closures()


@on_reset
def _clear() -> None:
    closures.settling.clear()
    closures.requested.clear()


def close_quota(members: int, floor: int, percent: int) -> int:
    """How many accounts an organization with `members` member accounts may close in 30 days."""
    return min(max(floor, members * percent // 100), QUOTA_CEILING)


def _set_state(account: FakeAccount, state: str) -> None:
    account.status = account.state = state


@handler("*", "*")
def settle_closures(request: Request) -> None:
    """Before any request is answered, suspend the accounts whose closure has completed."""
    now = time.time()
    for account_id, (account, ready_at) in list(closures.settling.items()):
        if now >= ready_at:
            _set_state(account, CLOSED)
            del closures.settling[account_id]


def _member(backend: OrganizationsBackend, account_id: str) -> FakeAccount:
    account = next((a for a in backend.accounts if a.id == account_id), None)
    if account is None:
        raise AwsError(
            "AccountNotFoundException",
            "You specified an account that doesn't exist.",
        )
    return account


@handler("organizations", "CloseAccount")
def close_account(request: Request) -> Response:
    backend = management_backend(request)
    account = _member(backend, request.params.get("AccountId", ""))
    if account.id == backend.account_id:
        raise constraint_violation(
            "CANNOT_CLOSE_MANAGEMENT_ACCOUNT",
            "You attempted to close the management account. To close the management account "
            "for the organization, you must first either remove or close all member accounts "
            "in the organization.",
        )
    if account.state == CLOSED:
        raise AwsError(
            "AccountAlreadyClosedException",
            "You attempted to close an account that is already closed.",
        )
    if account.state == CLOSING:
        raise AwsError(
            "ConflictException",
            "The request failed because it conflicts with the current state of the specified "
            "resource.",
        )
    now = time.time()
    recent = [t for t in closures.requested.get(backend.account_id, []) if now - t < WINDOW_SECONDS]
    members = len(backend.accounts) - 1
    settings = request.settings
    if len(recent) >= close_quota(
        members, settings.close_quota_floor, settings.close_quota_percent
    ):
        raise constraint_violation(
            "CLOSE_ACCOUNT_QUOTA_EXCEEDED",
            "You have exceeded close account quota for the past 30 days.",
        )
    closures.requested[backend.account_id] = [*recent, now]
    _set_state(account, CLOSING)
    closures.settling[account.id] = (account, now + settings.close_account_seconds)
    return json_reply({})


@handler("organizations", "RemoveAccountFromOrganization")
def remove_account(request: Request) -> None:
    """Refuse what AWS refuses; moto removes the rest."""
    backend = management_backend(request)
    account = _member(backend, request.params.get("AccountId", ""))
    if account.id == backend.account_id:
        raise AwsError(
            "MasterCannotLeaveOrganizationException",
            "You can't remove a management account from an organization. If you want the "
            "management account to become a member account in another organization, you "
            "must first delete the current organization of the management account.",
        )
    if account.joined_method == "CREATED":
        raise constraint_violation(
            "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION",
            "You attempted to remove an account from the organization that doesn't yet have "
            "enough information to exist as a standalone account. This account requires you "
            "to first complete phone verification.",
        )
    return None


@handler("sts", "AssumeRole")
def closed_accounts_stay_shut(request: Request) -> None:
    """A closed (or closing) account answers no one: its roles can no longer be assumed."""
    arn = request.params.get("RoleArn", "")
    account_id = arn.split(":")[4] if arn.count(":") >= 5 else ""
    if _state(account_id) in (CLOSING, CLOSED):
        raise AwsError(
            "AccessDenied",
            f"User: {caller_of(request).arn} is not authorized to perform: sts:AssumeRole on "
            f"resource: {arn}",
            status=403,
        )
    return None


def _state(account_id: str) -> str | None:
    """The account's state in its organization (None outside any)."""
    management = organizations_backends.master_accounts.get(account_id)
    if management is None:
        return None
    backend = backend_of(management[0])
    return next((a.state for a in backend.accounts if a.id == account_id), None)
