"""The accounts' side of the clean-up: which organization accounts are the kit's (AWS's
record, not the config's word), the invited accounts leaving, the created ones closed."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from botocore.exceptions import ClientError, ProfileNotFound

from helpers import audit_trail
from helpers.accounts import access_role_trust, members, state
from helpers.aws import error_code, or_none, paginate
from helpers.config import Account
from helpers.kit import Kit, KitError
from helpers.targets import ACCESS_ROLE, KitSession

ACTIVE, CLOSING, CLOSED = "ACTIVE", "PENDING_CLOSURE", "SUSPENDED"
CLOSE_WAIT_SECONDS = 15 * 60
JOINED_CREATED, JOINED_INVITED = "CREATED", "INVITED"
REFUSED_KEYS = {"InvalidClientTokenId", "ExpiredToken", "SignatureDoesNotMatch"}
"""What STS answers credentials that no longer work (a deleted key, an expired session)."""


@dataclass
class Accounts:
    """The organization's accounts, matched with the config's from AWS's own record."""

    listed: dict[str, dict]  # the organization's accounts by id
    created: dict[str, str] = field(default_factory=dict)  # config name -> id: the kit made it
    invited: dict[str, str] = field(default_factory=dict)  # config name -> id: it was invited
    problems: list[str] = field(default_factory=list)


def match_accounts(kit: Kit) -> Accounts:
    """Which organization account each config entry is, decided by what AWS records, never by
    the config alone: an account the kit created joined CREATED through a CreateAccount
    request of this organization under the config's name (ListCreateAccountStatus); an
    invited one joined INVITED; the management account is neither. Each disagreement is
    a problem that names the field to fix."""
    found = Accounts(members(kit))
    orgs = kit.management.client("organizations")
    statuses = paginate(
        orgs, "list_create_account_status", "CreateAccountStatuses", States=["SUCCEEDED"]
    )
    made_as = {s["AccountId"]: s["AccountName"] for s in statuses}
    by_email = {a["Email"].lower(): a for a in found.listed.values()}
    management = kit.config.management_account.id
    for index, account in enumerate(kit.config.accounts):
        at = f"accounts[{index}]"
        entry = f"{at} ({account.name})"
        joined = by_email.get(account.email.lower())
        label = joined and f"account {joined['Name']} ({joined['Id']})"
        if account.invite:
            member = found.listed.get(account.id)
            if joined and joined["Id"] != account.id:
                found.problems.append(
                    f"{entry} names id {account.id}, but its email {account.email} belongs to "
                    f"{label}: correct {at}.id or {at}.email"
                )
            elif member and member.get("JoinedMethod") != JOINED_INVITED:
                found.problems.append(
                    f"{entry} is listed as invited, but the organization created account "
                    f"{member['Name']} ({account.id}): remove invite and id from {at} if "
                    "the kit created it, or correct the id"
                )
            elif member:
                found.invited[account.name] = account.id
        elif joined is None:
            continue
        elif joined["Id"] == management:
            found.problems.append(
                f"{entry} has the management account's email {account.email}: the kit never "
                f"closes or removes the management account; correct {at}.email"
            )
        elif joined.get("JoinedMethod") != JOINED_CREATED:
            found.problems.append(
                f"{entry} is an account the kit creates, but {account.email} belongs to {label}, "
                "which joined by invitation: the kit never closes an invited account. If it is "
                f'the team\'s own, set invite: true and id: "{joined["Id"]}" in {at}; '
                f"otherwise correct {at}.email"
            )
        elif made_as.get(joined["Id"]) != account.name:
            made = made_as.get(joined["Id"])
            record = f"was created as {made!r}" if made else "has no creation record"
            found.problems.append(
                f"{entry}: {label} {record} in this organization (ListCreateAccountStatus), so "
                f"the kit cannot tell it made this account for {at}: correct {at}.name "
                "or .email, or remove the entry and close the account yourself"
            )
        else:
            found.created[account.name] = joined["Id"]
    return found


def refuse_mismatches(kit: Kit, found: Accounts) -> None:
    """Stop before any change while the config and the organization disagree; say that the
    accounts the config does not name are left alone, and the management account too."""
    if found.problems:
        raise KitError(
            "the clean-up changes nothing while the config and the organization disagree: "
            + "; ".join(found.problems),
            resource="the config's accounts",
            next_step="correct the config entries named, then run the clean-up again",
        )
    ours = {*found.created.values(), *found.invited.values()}
    for account_id, account in sorted(found.listed.items()):
        label = f"account {account['Name']} ({account_id})"
        if account_id == kit.config.management_account.id:
            kit.keep(label, "the management account: never closed, never removed")
        elif account_id not in ours:
            kit.keep(label, "not the config's: left alone")


def undo_invitations(kit: Kit, found: Accounts) -> None:
    """The invited accounts leave the organization, without the access role the kit gave them."""
    orgs = kit.management.client("organizations")
    trust = access_role_trust(kit.config.management_account.id)
    for account in kit.config.invited_accounts():
        if account.name not in found.invited:
            kit.keep(f"account {account.name} ({account.id})", "outside the organization")
            continue
        own, why_not = _own_credentials(kit, account)
        if own is None:  # leaving now would lock the team out: the kit retired its old keys
            kit.ask(
                f"give the team its own way into account {account.name} ({account.id}) before "
                f"it leaves: {why_not}, then run again"
            )
            continue
        resource = f"role {ACCESS_ROLE} in account {account.name}"
        _delete_access_role(kit, own.client("iam"), trust, resource)
        kit.plan("remove", f"account {account.name} ({account.id})", "from the organization")
        if kit.apply:
            orgs.remove_account_from_organization(AccountId=account.id)


def _own_credentials(kit: Kit, account: Account) -> tuple[KitSession | None, str]:
    """The invited account's own credentials if they work there, else None and why not."""
    profile = f"profile {account.profile!r}"
    try:
        own = kit.outside(account.id, account.profile)
        if own is None:
            return None, "credentials of its own (a profile in the config)"
        reached = own.client("sts").get_caller_identity()["Account"]
    except ProfileNotFound:
        return None, f"{profile} is not configured: set it up with the account's credentials"
    except ClientError as error:
        code = error_code(error)
        if code not in REFUSED_KEYS:
            raise
        return None, (
            f"the credentials of {profile} no longer work ({code}; step 03 retires the old "
            "IAM users' keys): give that profile working credentials"
        )
    if reached != account.id:
        return None, f"{profile} reaches account {reached}, not {account.id}: correct it"
    return own, ""


def _delete_access_role(kit: Kit, iam, trust: dict, resource: str) -> None:
    found = or_none(iam.get_role, "NoSuchEntity", RoleName=ACCESS_ROLE)
    if found is None:
        return
    if found["Role"]["AssumeRolePolicyDocument"] != trust:
        kit.keep(resource, "not the kit's (it trusts someone else): left alone")
        return
    kit.plan("delete", resource, "it lets the management account in")
    if not kit.apply:
        return
    attached = paginate(
        iam, "list_attached_role_policies", "AttachedPolicies", RoleName=ACCESS_ROLE
    )
    for arn in [p["PolicyArn"] for p in attached]:
        iam.detach_role_policy(RoleName=ACCESS_ROLE, PolicyArn=arn)
    for name in list(paginate(iam, "list_role_policies", "PolicyNames", RoleName=ACCESS_ROLE)):
        iam.delete_role_policy(RoleName=ACCESS_ROLE, PolicyName=name)
    iam.delete_role(RoleName=ACCESS_ROLE)


def close_accounts(
    kit: Kit, found: Accounts, where: audit_trail.Where | None, poll_seconds: float = 0.5
) -> list[str]:
    """Close the accounts the kit created, until AWS's quota stops it; wait until each is
    SUSPENDED. The log-archive account (`where` the trail's logs are) is kept unless
    trail.close_log_archive says otherwise: its logs go with it. Returns the names of
    those still open."""
    orgs = kit.management.client("organizations")
    closing, remaining = {}, []
    for name, account_id in found.created.items():
        now = state(found.listed[account_id])
        label = f"account {name} ({account_id})"
        detail = "SUSPENDED for 90 days, then gone"
        if where and name == where.archive_name:
            logs = f"the trail's logs in bucket {where.bucket}"
            if not kit.config.trail.close_log_archive and now == ACTIVE:
                kit.keep(
                    label,
                    f"kept: it holds {logs}, which AWS deletes with the account 90 days after "
                    "closing it; copy them elsewhere, then set trail.close_log_archive: true "
                    "and run the clean-up again to close it",
                )
                continue
            detail += f", and with it {logs}"
        if now == CLOSED:
            kit.keep(label, "closed (SUSPENDED)")
        elif now == CLOSING:
            kit.keep(label, "closing: waiting for SUSPENDED")
            closing[account_id] = name
        elif remaining:
            remaining.append(name)
        else:
            kit.plan("close", label, detail)
            if not kit.apply:
                continue
            try:
                orgs.close_account(AccountId=account_id)
            except ClientError as error:
                if error.response.get("Reason") != "CLOSE_ACCOUNT_QUOTA_EXCEEDED":
                    raise
                remaining.append(name)
                continue
            closing[account_id] = name
    _wait_closed(orgs, closing, poll_seconds)
    if remaining:
        kit.ask(
            f"close account(s) {', '.join(remaining)} later: AWS's CloseAccount quota (a "
            "rolling 30 days) is used up; run the teardown again once it frees up"
        )
    return remaining


def _wait_closed(orgs, closing: dict[str, str], poll_seconds: float) -> None:
    delay, deadline = poll_seconds, time.monotonic() + CLOSE_WAIT_SECONDS
    while closing:
        for account_id in list(closing):
            if state(orgs.describe_account(AccountId=account_id)["Account"]) == CLOSED:
                del closing[account_id]
        if not closing:
            return
        if time.monotonic() > deadline:
            raise KitError(
                f"account(s) {', '.join(closing.values())} still {CLOSING} after "
                f"{CLOSE_WAIT_SECONDS // 60} minutes: run the teardown again later",
                resource=f"account(s) {', '.join(closing.values())}",
                next_step="run the teardown again later",
            )
        time.sleep(delay)
        delay = min(delay * 1.5, 15.0)
