"""What the Organizations extensions share: backend look-ups, joining, pending work, quota."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from moto.iam.models import iam_backends
from moto.organizations import utils
from moto.organizations.models import FakeAccount, OrganizationsBackend, organizations_backends

from .extensions import on_reset
from .request import Request
from .responses import AwsError

PARTITION = "aws"


def not_in_use() -> AwsError:
    return AwsError(
        "AWSOrganizationsNotInUseException", "Your account is not a member of an organization."
    )


def access_denied() -> AwsError:
    return AwsError("AccessDeniedException", "You don't have permissions to access this resource.")


def constraint_violation(reason: str, message: str) -> AwsError:
    return AwsError("ConstraintViolationException", message, Reason=reason)


def backend_of(account_id: str) -> OrganizationsBackend:
    """moto's Organizations backend of an account (holds an organization if it manages one)."""
    return organizations_backends[account_id][PARTITION]


def management_backend(request: Request) -> OrganizationsBackend:
    """The caller's organization backend; only its management account may go on."""
    backend = backend_of(request.account_id)
    if backend.org is not None:
        return backend
    if request.account_id in organizations_backends.master_accounts:
        raise access_denied()
    raise not_in_use()


def in_an_organization(account_id: str) -> bool:
    return backend_of(account_id).org is not None or (
        account_id in organizations_backends.master_accounts
    )


def join(backend: OrganizationsBackend, account_id: str, name: str, email: str) -> None:
    """Put an existing account under the root as an INVITED member (no access role)."""
    assert backend.org is not None
    account = FakeAccount(backend.org, AccountName=name, Email=email)
    # FakeAccount makes an access role in a random account; forget that account.
    del iam_backends[account.id]
    account.id = account_id
    account.joined_method = "INVITED"
    backend.accounts.append(account)
    for policy_id in (utils.DEFAULT_SCP_POLICY_ID, utils.DEFAULT_RCP_POLICY_ID):
        backend.attach_policy(PolicyId=policy_id, TargetId=account_id)
    organizations_backends.master_accounts[account_id] = (backend.account_id, PARTITION)


@dataclass
class Handshake:
    """An invitation to join an organization (Organizations' INVITE handshake)."""

    id: str
    organization_id: str
    management_id: str
    account_id: str
    requested: float
    expires: float
    resources: list[dict[str, Any]]
    state: str = "OPEN"

    def refresh(self, now: float) -> None:
        if self.state == "OPEN" and now >= self.expires:
            self.state = "EXPIRED"

    def describe(self) -> dict[str, Any]:
        return {
            "Id": self.id,
            "Arn": f"arn:aws:organizations::{self.management_id}:handshake/"
            f"{self.organization_id}/invite/{self.id}",
            "Parties": [
                {"Id": self.organization_id, "Type": "ORGANIZATION"},
                {"Id": self.account_id, "Type": "ACCOUNT"},
            ],
            "State": self.state,
            "RequestedTimestamp": self.requested,
            "ExpirationTimestamp": self.expires,
            "Action": "INVITE",
            "Resources": self.resources,
        }


@dataclass
class Creation:
    """An asynchronous CreateAccount request; `failure` is decided when it is made."""

    id: str
    management_id: str
    name: str
    email: str
    params: dict[str, Any]
    requested: float
    ready_at: float
    failure: str | None = None
    account_id: str | None = None
    completed: float | None = None

    @property
    def state(self) -> str:
        if self.completed is None:
            return "IN_PROGRESS"
        return "FAILED" if self.failure else "SUCCEEDED"

    def describe(self) -> dict[str, Any]:
        status: dict[str, Any] = {
            "Id": self.id,
            "AccountName": self.name,
            "State": self.state,
            "RequestedTimestamp": self.requested,
        }
        if self.completed is not None:
            status["CompletedTimestamp"] = self.completed
        if self.account_id:
            status["AccountId"] = self.account_id
        if self.state == "FAILED":
            status["FailureReason"] = self.failure
        return status


@dataclass
class PendingWork:
    """Invitations and account creations the sandbox keeps beside moto's state."""

    handshakes: dict[str, Handshake] = field(default_factory=dict)
    creations: dict[str, Creation] = field(default_factory=dict)
    running: dict[str, Creation] = field(default_factory=dict)  # creations not yet completed


pending = PendingWork()


@on_reset
def _clear_pending() -> None:
    pending.handshakes.clear()
    pending.creations.clear()
    pending.running.clear()
    # moto's reset keeps its map of member accounts to management accounts.
    organizations_backends.master_accounts.clear()


def open_handshakes(organization_id: str) -> list[Handshake]:
    now = time.time()
    found = []
    for handshake in pending.handshakes.values():
        handshake.refresh(now)
        if handshake.organization_id == organization_id and handshake.state == "OPEN":
            found.append(handshake)
    return found


def creations_in_flight(backend: OrganizationsBackend) -> list[Creation]:
    """The organization's creations that are still running and will succeed."""
    return [
        creation
        for creation in pending.running.values()
        if creation.management_id == backend.account_id and creation.failure is None
    ]


def quota_used(backend: OrganizationsBackend) -> int:
    """Accounts in the organization plus creations in flight plus open invitations."""
    assert backend.org is not None
    return (
        len(backend.accounts)
        + len(creations_in_flight(backend))
        + len(open_handshakes(backend.org.id))
    )
