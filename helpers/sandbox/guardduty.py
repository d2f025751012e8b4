"""GuardDuty for an organization, as AWS runs it (moto 5.2.5 keeps a list of admin account ids
and nothing else: no checks, no organization configuration, no members).

- EnableOrganizationAdminAccount: only the management account of an organization, for a
  member account of it, one delegated administrator per organization. As in AWS, it enables
  trusted access for guardduty.amazonaws.com, registers the account as the service's
  delegated administrator in Organizations, and enables GuardDuty (a detector) in that
  account in the region. DisableOrganizationAdminAccount undoes the designation.
- ListOrganizationAdminAccounts: the management account's view, per region.
- DescribeOrganizationConfiguration / UpdateOrganizationConfiguration: only the delegated
  administrator, with its detector; AutoEnableOrganizationMembers is NEW, ALL or NONE.
- Auto-enable: before every GuardDuty request, with ALL every member account (not the
  management account) gets a detector and becomes a member; with NEW only the accounts
  that joined after the setting was made.
- ListMembers: the delegated administrator's members (paginated).
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field

from moto.guardduty.models import GuardDutyBackend, guardduty_backends
from werkzeug.wrappers import Response

from .extensions import handler, on_reset
from .iam_actions import operation_of
from .organizations import backend_of
from .request import Request
from .responses import AwsError, json_reply

SERVICE = "guardduty.amazonaws.com"
AUTO_ENABLE = ("NEW", "ALL", "NONE")
PAGE = 50


@dataclass
class Administration:
    """An organization's GuardDuty in one region: who administers it and what joins."""

    management_id: str
    region: str
    admin_id: str
    auto_enable: str = "NONE"
    since: float = field(default_factory=time.time)
    members: dict[str, str] = field(default_factory=dict)  # account id -> when it joined


_administrations: dict[tuple[str, str], Administration] = {}  # (management, region)


@on_reset
def _forget() -> None:
    _administrations.clear()


def _bad(message: str) -> AwsError:
    return AwsError("BadRequestException", message, 400, Type="InvalidInputException")


def _backend(account_id: str, region: str) -> GuardDutyBackend:
    return guardduty_backends[account_id][region]


def _detector_id(account_id: str, region: str) -> str:
    """The account's detector in the region, created (enabled) if it has none."""
    backend = _backend(account_id, region)
    if backend.detectors:
        return next(iter(backend.detectors))
    return backend.create_detector(True, "SIX_HOURS", {}, {"managed-by": "guardduty"}, [])


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _sync() -> None:
    """Auto-enable: accounts that joined get GuardDuty; accounts that left stop being members."""
    for admin in _administrations.values():
        organization = backend_of(admin.management_id)
        if organization.org is None:
            continue
        accounts = {a.id: a for a in organization.accounts if a.status == "ACTIVE"}
        for account_id in list(admin.members):
            if account_id not in accounts:
                del admin.members[account_id]
        if admin.auto_enable == "NONE":
            continue
        for account_id, account in accounts.items():
            joined = account.create_time.timestamp()
            new = joined >= admin.since
            if account_id in (admin.admin_id, admin.management_id) or account_id in admin.members:
                continue
            if admin.auto_enable == "ALL" or new:
                _detector_id(account_id, admin.region)
                admin.members[account_id] = _now()


def _administered_by(request: Request) -> Administration:
    """The administration the caller runs as delegated administrator in this region."""
    for admin in _administrations.values():
        if admin.admin_id == request.account_id and admin.region == request.region:
            return admin
    raise _bad(
        "The request is rejected because the current account is not the GuardDuty delegated "
        "administrator of an organization in this region."
    )


def _own_detector(request: Request) -> str:
    detector_id = request.path.strip("/").split("/")[1]
    if detector_id not in _backend(request.account_id, request.region).detectors:
        raise _bad(
            f"The request is rejected because the input detectorId {detector_id} is invalid."
        )
    return detector_id


def _management(request: Request) -> str:
    organization = backend_of(request.account_id)
    if organization.org is None or organization.org.master_account_id != request.account_id:
        raise _bad(
            "The request is rejected because the current account is not the management "
            "account of an organization."
        )
    return request.account_id


def enable_admin(request: Request) -> Response:
    management_id = _management(request)
    admin_id = str(request.params.get("adminAccountId", ""))
    organization = backend_of(management_id)
    if not any(a.id == admin_id for a in organization.accounts) or admin_id == management_id:
        raise _bad(
            f"The request is rejected because the account {admin_id} is not a member account "
            "of the organization."
        )
    current = _administrations.get((management_id, request.region))
    if current is not None:
        raise _bad(
            f"The request is rejected because account {current.admin_id} is already the "
            "GuardDuty delegated administrator of the organization."
        )
    organization.enable_aws_service_access(ServicePrincipal=SERVICE)
    if not any(a.account.id == admin_id and SERVICE in a.services for a in organization.admins):
        organization.register_delegated_administrator(AccountId=admin_id, ServicePrincipal=SERVICE)
    _detector_id(admin_id, request.region)
    _administrations[(management_id, request.region)] = Administration(
        management_id, request.region, admin_id
    )
    return json_reply({})


def disable_admin(request: Request) -> Response:
    management_id = _management(request)
    admin_id = str(request.params.get("adminAccountId", ""))
    current = _administrations.get((management_id, request.region))
    if current is None or current.admin_id != admin_id:
        raise _bad(
            f"The request is rejected because account {admin_id} is not the GuardDuty "
            "delegated administrator of the organization in this region."
        )
    del _administrations[(management_id, request.region)]
    if not any(a.admin_id == admin_id for a in _administrations.values()):
        backend_of(management_id).deregister_delegated_administrator(
            AccountId=admin_id, ServicePrincipal=SERVICE
        )
    return json_reply({})


def list_admins(request: Request) -> Response:
    management_id = _management(request)
    current = _administrations.get((management_id, request.region))
    listed = [{"adminAccountId": current.admin_id, "adminStatus": "ENABLED"}] if current else []
    return json_reply({"adminAccounts": listed})


def describe_configuration(request: Request) -> Response:
    admin = _administered_by(request)
    _own_detector(request)
    return json_reply(
        {
            "autoEnable": admin.auto_enable != "NONE",
            "autoEnableOrganizationMembers": admin.auto_enable,
            "memberAccountLimitReached": False,
            "features": [],
        }
    )


def update_configuration(request: Request) -> Response:
    admin = _administered_by(request)
    _own_detector(request)
    members, legacy = (
        request.params.get("autoEnableOrganizationMembers"),
        request.params.get("autoEnable"),
    )
    if (members is None) == (legacy is None):
        raise _bad("Provide a value for either autoEnableOrganizationMembers or autoEnable.")
    if members is not None and members not in AUTO_ENABLE:
        raise _bad(f"autoEnableOrganizationMembers must be one of {', '.join(AUTO_ENABLE)}.")
    value = members if members is not None else ("NEW" if legacy else "NONE")
    if value != admin.auto_enable:
        admin.auto_enable, admin.since = value, time.time()
    _sync()
    return json_reply({})


def list_members(request: Request) -> Response:
    admin = _administered_by(request)
    _own_detector(request)
    rows = [
        {
            "accountId": account_id,
            "detectorId": _detector_id(account_id, admin.region),
            "masterId": admin.admin_id,
            "administratorId": admin.admin_id,
            "email": next(
                a.email for a in backend_of(admin.management_id).accounts if a.id == account_id
            ),
            "relationshipStatus": "Enabled",
            "invitedAt": joined,
            "updatedAt": joined,
        }
        for account_id, joined in sorted(admin.members.items())
    ]
    start = int(request.params.get("nextToken") or 0)
    size = int(request.params.get("maxResults") or PAGE)
    body: dict = {"members": rows[start : start + size]}
    if start + size < len(rows):
        body["nextToken"] = str(start + size)
    return json_reply(body)


ROUTES = {
    "EnableOrganizationAdminAccount": enable_admin,
    "DisableOrganizationAdminAccount": disable_admin,
    "ListOrganizationAdminAccounts": list_admins,
    "DescribeOrganizationConfiguration": describe_configuration,
    "UpdateOrganizationConfiguration": update_configuration,
    "ListMembers": list_members,
}


@handler("guardduty", "*")
def guardduty(request: Request) -> Response | None:
    """Auto-enable first, then answer the organization operations moto lacks."""
    _sync()
    route = ROUTES.get(operation_of(request))
    if route is None:
        return None
    return route(request)
