"""Invitations: Organizations handshakes, which moto does not implement."""

from __future__ import annotations

import re
import time

from moto.moto_api._internal import mock_random as random
from moto.organizations.models import OrganizationsBackend
from werkzeug.wrappers import Response

from .extensions import handler
from .organizations import (
    Handshake,
    access_denied,
    backend_of,
    constraint_violation,
    in_an_organization,
    join,
    management_backend,
    open_handshakes,
    pending,
    quota_used,
)
from .request import Request
from .responses import AwsError, json_reply
from .seed import ACCOUNT_DIRECTORY

EXPIRY_SECONDS = 15 * 24 * 3600
INVITATIONS_PER_DAY = 20
_ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


def _not_found() -> AwsError:
    return AwsError(
        "HandshakeNotFoundException",
        "We can't find a handshake with the HandshakeId that you specified.",
    )


def _reply(handshake: Handshake) -> Response:
    return json_reply({"Handshake": handshake.describe()})


def _visible_handshake(request: Request) -> Handshake:
    """The handshake the request names, if the caller is one of its parties."""
    handshake = pending.handshakes.get(request.params.get("HandshakeId", ""))
    if handshake is None or request.account_id not in (
        handshake.account_id,
        handshake.management_id,
    ):
        raise _not_found()
    handshake.refresh(time.time())
    return handshake


def _transition(request: Request, new_state: str) -> Response:
    """Move an OPEN handshake to `new_state`: the sender cancels, the invited answers."""
    handshake = _visible_handshake(request)
    party = handshake.management_id if new_state == "CANCELED" else handshake.account_id
    if request.account_id != party:
        raise access_denied()
    if handshake.state != "OPEN":
        raise AwsError(
            "InvalidHandshakeTransitionException",
            "You can't perform the operation on the handshake in its current state. For "
            "example, you can't cancel a handshake that was already accepted or accept a "
            "handshake that was already declined.",
        )
    if new_state == "ACCEPTED":
        _accept(handshake)
    handshake.state = new_state
    return _reply(handshake)


def _accept(handshake: Handshake) -> None:
    if in_an_organization(handshake.account_id):
        raise AwsError(
            "HandshakeConstraintViolationException",
            "The handshake request is invalid because the invited account is already a "
            "member of an organization.",
            Reason="ALREADY_IN_AN_ORGANIZATION",
        )
    name, email = ACCOUNT_DIRECTORY.get(
        handshake.account_id, (handshake.account_id, f"{handshake.account_id}@example.com")
    )
    join(backend_of(handshake.management_id), handshake.account_id, name, email)


def _check_invitation(request: Request, backend: OrganizationsBackend, account_id: str) -> None:
    """Raise the error AWS gives when this invitation may not be sent."""
    assert backend.org is not None
    if any(account.id == account_id for account in backend.accounts):
        raise AwsError(
            "DuplicateAccountException",
            "That account is already present in the specified destination.",
        )
    if any(handshake.account_id == account_id for handshake in open_handshakes(backend.org.id)):
        raise AwsError(
            "DuplicateHandshakeException",
            "A handshake with the same action and target already exists.",
        )
    day_ago = time.time() - 24 * 3600
    sent_today = [
        handshake
        for handshake in pending.handshakes.values()
        if handshake.organization_id == backend.org.id and handshake.requested > day_ago
    ]
    if len(sent_today) >= INVITATIONS_PER_DAY:
        raise AwsError(
            "HandshakeConstraintViolationException",
            "You have sent too many invitations in the last 24 hours.",
            Reason="HANDSHAKE_RATE_LIMIT_EXCEEDED",
        )
    if quota_used(backend) >= request.settings.account_quota:
        raise constraint_violation(
            "ACCOUNT_NUMBER_LIMIT_EXCEEDED",
            "You have reached the limit on the number of accounts in your organization.",
        )


def _resources(backend: OrganizationsBackend, account_id: str, notes: str) -> list[dict]:
    """An INVITE handshake's resources: the organization (and its master), the account."""
    assert backend.org is not None
    feature_set = "FULL" if backend.org.feature_set == "ALL" else "CONSOLIDATED_BILLING"
    master = backend.get_account_by_id(backend.account_id)
    resources: list[dict] = [
        {
            "Type": "ORGANIZATION",
            "Value": backend.org.id,
            "Resources": [
                {"Type": "MASTER_EMAIL", "Value": master.email},
                {"Type": "MASTER_NAME", "Value": master.name},
                {"Type": "ORGANIZATION_FEATURE_SET", "Value": feature_set},
            ],
        },
        {"Type": "ACCOUNT", "Value": account_id},
    ]
    if notes:
        resources.append({"Type": "NOTES", "Value": notes})
    return resources


@handler("organizations", "InviteAccountToOrganization")
def invite(request: Request) -> Response:
    backend = management_backend(request)
    assert backend.org is not None
    target = request.params.get("Target") or {}
    if target.get("Type") != "ACCOUNT" or not re.fullmatch(r"\d{12}", target.get("Id", "")):
        raise AwsError(
            "InvalidInputException",
            "The sandbox invites accounts by ID only: Target {Type: ACCOUNT, Id: 12 digits}.",
            Reason="INVALID_PARTY_TYPE_TARGET",
        )
    account_id = target["Id"]
    _check_invitation(request, backend, account_id)
    now = time.time()
    handshake = Handshake(
        id="h-" + "".join(random.choice(_ID_CHARS) for _ in range(10)),
        organization_id=backend.org.id,
        management_id=backend.account_id,
        account_id=account_id,
        requested=now,
        expires=now + EXPIRY_SECONDS,
        resources=_resources(backend, account_id, request.params.get("Notes", "")),
    )
    pending.handshakes[handshake.id] = handshake
    return _reply(handshake)


@handler("organizations", "DescribeHandshake")
def describe(request: Request) -> Response:
    return _reply(_visible_handshake(request))


@handler("organizations", "AcceptHandshake")
def accept(request: Request) -> Response:
    return _transition(request, "ACCEPTED")


@handler("organizations", "DeclineHandshake")
def decline(request: Request) -> Response:
    return _transition(request, "DECLINED")


@handler("organizations", "CancelHandshake")
def cancel(request: Request) -> Response:
    return _transition(request, "CANCELED")


def _listed(request: Request, handshakes: list[Handshake]) -> Response:
    """Handshakes, filtered by the request's Filter.ActionType (only INVITE exists here)."""
    if (request.params.get("Filter") or {}).get("ActionType", "INVITE") != "INVITE":
        return json_reply({"Handshakes": []})
    now = time.time()
    for handshake in handshakes:
        handshake.refresh(now)
    return json_reply({"Handshakes": [handshake.describe() for handshake in handshakes]})


@handler("organizations", "ListHandshakesForAccount")
def list_for_account(request: Request) -> Response:
    mine = [h for h in pending.handshakes.values() if h.account_id == request.account_id]
    return _listed(request, mine)


@handler("organizations", "ListHandshakesForOrganization")
def list_for_organization(request: Request) -> Response:
    backend = management_backend(request)
    assert backend.org is not None
    ours = [h for h in pending.handshakes.values() if h.organization_id == backend.org.id]
    return _listed(request, ours)
