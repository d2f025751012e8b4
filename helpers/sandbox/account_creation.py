"""Asynchronous CreateAccount: IN_PROGRESS for a while, then SUCCEEDED or FAILED."""

from __future__ import annotations

import time

from moto.organizations import utils
from moto.organizations.exceptions import AWSOrganizationsNotInUseException
from werkzeug.wrappers import Response

from .extensions import handler
from .managed_policies import attach_administrator_access
from .organizations import (
    Creation,
    backend_of,
    creations_in_flight,
    management_backend,
    pending,
    quota_used,
)
from .request import Request
from .responses import AwsError, json_reply

ACCESS_ROLE = "OrganizationAccountAccessRole"


def _materialise(creation: Creation) -> None:
    """Create the account in moto, with an access role the management account can assume."""
    role_name = creation.params.get("RoleName") or ACCESS_ROLE
    backend = backend_of(creation.management_id)
    try:
        status = backend.create_account(**creation.params)["CreateAccountStatus"]
    except AWSOrganizationsNotInUseException:  # the organization was deleted meanwhile
        creation.failure = "INTERNAL_FAILURE"
        return
    creation.account_id = status["AccountId"]
    attach_administrator_access(creation.account_id, role_name)


@handler("*", "*")
def settle_creations(request: Request) -> None:
    """Before any request is answered, finish the creations whose time has come (only those
    still running are looked at: every request passes here)."""
    now = time.time()
    for creation in list(pending.running.values()):
        if now >= creation.ready_at:
            if creation.failure is None:
                _materialise(creation)
            creation.completed = creation.ready_at
            del pending.running[creation.id]


@handler("organizations", "CreateAccount")
def create_account(request: Request) -> Response:
    backend = management_backend(request)
    email, name = request.params.get("Email", ""), request.params.get("AccountName", "")
    if not email or not name:
        raise AwsError("InvalidInputException", "You must specify both Email and AccountName.")
    taken = [account.email for account in backend.accounts]
    taken += [creation.email for creation in creations_in_flight(backend)]
    failure = None
    if email.strip().lower() in {other.strip().lower() for other in taken}:
        failure = "EMAIL_ALREADY_EXISTS"
    elif quota_used(backend) >= request.settings.account_quota:
        failure = "ACCOUNT_LIMIT_EXCEEDED"
    now = time.time()
    creation = Creation(
        id=utils.make_random_create_account_status_id(),
        management_id=backend.account_id,
        name=name,
        email=email,
        params=request.params,
        requested=now,
        ready_at=now + request.settings.create_account_seconds,
        failure=failure,
    )
    pending.creations[creation.id] = pending.running[creation.id] = creation
    return json_reply({"CreateAccountStatus": creation.describe()})


@handler("organizations", "DescribeCreateAccountStatus")
def describe_status(request: Request) -> Response:
    backend = management_backend(request)
    creation = pending.creations.get(request.params.get("CreateAccountRequestId", ""))
    if creation is None or creation.management_id != backend.account_id:
        raise AwsError(
            "CreateAccountStatusNotFoundException",
            "We can't find a create account request with the CreateAccountRequestId that "
            "you specified.",
        )
    return json_reply({"CreateAccountStatus": creation.describe()})


@handler("organizations", "ListCreateAccountStatus")
def list_statuses(request: Request) -> Response:
    backend = management_backend(request)
    states = request.params.get("States") or ["IN_PROGRESS", "SUCCEEDED", "FAILED"]
    statuses = [
        creation.describe()
        for creation in pending.creations.values()
        if creation.management_id == backend.account_id and creation.state in states
    ]
    return json_reply({"CreateAccountStatuses": statuses})
