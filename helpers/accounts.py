"""Step 02: OUs, member accounts (created asynchronously), and the invited original account."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from botocore.exceptions import ClientError
from tqdm.auto import tqdm

from helpers.aws import error_code, or_none, paginate
from helpers.config import Account
from helpers.kit import Kit, KitError
from helpers.organization import child_accounts, child_ous, describe, root_id
from helpers.targets import ACCESS_ROLE, KitSession

MAX_IN_FLIGHT = 5  # AWS allows five CreateAccount requests in progress at once
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
FAILURE_ADVICE = {
    "EMAIL_ALREADY_EXISTS": "another AWS account uses this email: choose a new address",
    "ACCOUNT_LIMIT_EXCEEDED": "the organization's account quota is reached: ask for more "
    "in Service Quotas (AWS Organizations) or remove accounts",
    "INVALID_EMAIL": "AWS refused the email address: fix it in the config",
}


def members(kit: Kit) -> dict[str, dict]:
    """The organization's accounts by id ({} while the organization is only planned)."""
    if describe(kit.management) is None:
        return {}
    orgs = kit.management.client("organizations")
    return {a["Id"]: a for a in paginate(orgs, "list_accounts", "Accounts")}


def state(account: dict) -> str:
    """ACTIVE, PENDING_CLOSURE or SUSPENDED (Organizations' newer State, else Status)."""
    return account.get("State") or account.get("Status", "")


def ensure_ous(kit: Kit) -> dict[str, str | None]:
    """Create the config's missing OUs, parents first; {path: id}, None where only planned."""
    orgs = kit.management.client("organizations")
    ids: dict[str, str | None] = {
        "Root": root_id(kit.management) if describe(kit.management) else None
    }
    for path in kit.config.ou_paths():
        parent_path, _, name = path.rpartition("/")
        parent = ids[parent_path or "Root"]
        found = {ou["Name"]: ou["Id"] for ou in child_ous(kit.management, parent)} if parent else {}
        ids[path] = found.get(name)
        if ids[path]:
            kit.keep(f"OU {path}", ids[path])
        else:
            kit.plan("create", f"OU {path}")
            if kit.apply:
                created = orgs.create_organizational_unit(ParentId=parent, Name=name)
                ids[path] = created["OrganizationalUnit"]["Id"]
    return ids


def ensure_accounts(kit: Kit, poll_seconds: float = 0.25) -> dict[str, str | None]:
    """Create the config's missing member accounts, at most five in flight; {name: id}.

    Accounts are matched by email (unique across AWS). A creation still in progress from an
    earlier run is waited for, not repeated. Failures are raised together at the end, with
    AWS's reason and what to do.
    """
    orgs = kit.management.client("organizations")
    by_email = {a["Email"].lower(): a for a in members(kit).values()}
    ids: dict[str, str | None] = {}
    todo: list[Account] = []
    closed = []
    for account in kit.config.created_accounts():
        found = by_email.get(account.email.lower())
        ids[account.name] = found["Id"] if found else None
        if found and state(found) != "ACTIVE":
            closed.append(f"account {account.name} ({found['Id']}) is {state(found)}")
        elif found:
            kit.keep(f"account {account.name}", found["Id"])
        else:
            kit.plan("create", f"account {account.name}", account.email)
            if kit.apply:
                todo.append(account)
    if closed:  # before any creation: nothing changes
        raise KitError(
            "; ".join(closed) + ": AWS never gives a closed account's email to a new account, "
            "so give these accounts new emails in the config",
            resource="; ".join(closed),
            next_step="give these accounts new emails in the config",
        )
    if not todo:
        return ids

    by_name = {a.name: a for a in todo}
    # request id -> account name: the config's creations an earlier run left in progress
    running = {rid: name for rid, name in _in_progress(orgs).items() if name in by_name}
    waiting = [a for a in todo if a.name not in running.values()]
    failures: list[str] = []
    codes: set[str] = set()
    with tqdm(total=len(todo), desc="accounts", unit="account") as progress:
        for name, status in create(orgs, waiting, running, Pacer(poll_seconds)):
            progress.update()
            if status["State"] == "SUCCEEDED":
                ids[name] = status["AccountId"]
            else:
                reason = status.get("FailureReason", "UNKNOWN")
                codes.add(reason)
                advice = _advice(orgs, by_name[name], reason, status["Id"])
                failures.append(f"account {name}: CreateAccount failed with {reason}: {advice}")
    if failures:
        raise KitError(
            "; ".join(failures),
            code=", ".join(sorted(codes)),
            resource=", ".join(f"account {name}" for name in by_name if ids.get(name) is None),
            next_step="follow each account's advice, then run step 02 again",
        )
    return ids


def _advice(orgs, account: Account, reason: str, request_id: str) -> str:
    """What to do about a failed creation. An email already taken may be the kit's own doing
    (another run's request, or one that finished meanwhile): then wait or run again."""
    own = _own_creation(orgs, account, request_id) if reason == "EMAIL_ALREADY_EXISTS" else None
    return own or FAILURE_ADVICE.get(reason, "see the AWS Organizations console")


def _own_creation(orgs, account: Account, request_id: str) -> str | None:
    """Advice when another CreateAccount request of this organization is making the account:
    one for its name still in progress, or one that succeeded with its email."""
    statuses = paginate(
        orgs,
        "list_create_account_status",
        "CreateAccountStatuses",
        States=["IN_PROGRESS", "SUCCEEDED"],
    )
    for status in statuses:
        if status["Id"] == request_id or status["AccountName"] != account.name:
            continue
        if status["State"] == "IN_PROGRESS":
            return (
                f"the email is taken by request {status['Id']} for this account, still in "
                "progress (another run of the kit?): wait until it finishes, then run again"
            )
        made = or_none(
            orgs.describe_account, "AccountNotFoundException", AccountId=status["AccountId"]
        )
        if made is None:  # it left the organization since
            continue
        if made["Account"]["Email"].lower() == account.email.lower():
            return (
                f"the email is taken by this very account, {status['AccountId']}, which "
                f"request {status['Id']} created meanwhile: run again and the kit finds it"
            )
    return None


class Pacer:
    """When to look at a creation in flight: when the typical creation seen so far would
    have ended, then every quarter of that typical time; before any has ended, after `first`
    seconds, then every quarter of the time waited so far. Never more than `cap` seconds
    apart, nor less than a fifth of `first`."""

    def __init__(self, first: float = 0.25, cap: float = 1.0) -> None:
        self.first, self.cap = first, cap
        self.seen: list[float] = []  # how long the creations that ended took

    @property
    def typical(self) -> float | None:
        return statistics.median(self.seen) if self.seen else None

    def first_look(self) -> float:
        """Seconds from a creation's start to the first look at it."""
        return self.first if self.typical is None else max(self.typical, self.first / 5)

    def again(self, waited: float) -> float:
        """Seconds to the next look at a creation still in progress after `waited`."""
        step = waited / 4 if self.typical is None else self.typical / 4
        return min(self.cap, max(step, self.first / 5))

    def ended(self, took: float) -> None:
        self.seen.append(took)


@dataclass
class _Flight:
    name: str
    started: float
    due: float  # when to look at it next
    running: float | None = None  # when a look last found it still in progress
    timed: bool = True  # False for an earlier run's creation: its start is not known

    def took(self, now: float) -> float:
        """How long it took, as far as the looks tell: it ended after the last look that
        found it in progress and before `now`."""
        ended = now if self.running is None else (self.running + now) / 2
        return ended - self.started


def create(
    orgs,
    waiting: list[Account],
    running: dict[str, str],
    pacer: Pacer,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[tuple[str, dict]]:
    """Create the waiting accounts with at most five in flight, a freed slot refilled at
    once; `running` holds creations of earlier runs (request id -> name). Yields each
    creation's name and final status as it ends."""
    now = clock()
    flights = {rid: _Flight(name, now, now, timed=False) for rid, name in running.items()}
    while waiting or flights:
        while waiting and len(flights) < MAX_IN_FLIGHT:
            account, started = waiting.pop(0), clock()
            status = orgs.create_account(AccountName=account.name, Email=account.email)
            flight = _Flight(account.name, started, started + pacer.first_look())
            flights[status["CreateAccountStatus"]["Id"]] = flight
        sleep(max(0.0, min(f.due for f in flights.values()) - clock()))
        for request_id, flight in list(flights.items()):
            now = clock()
            if flight.due > now:
                continue
            status = orgs.describe_create_account_status(CreateAccountRequestId=request_id)
            status = status["CreateAccountStatus"]
            if status["State"] == "IN_PROGRESS":
                flight.running, flight.due = now, now + pacer.again(now - flight.started)
                continue
            del flights[request_id]
            if flight.timed:
                pacer.ended(flight.took(now))
            yield flight.name, status


def _in_progress(orgs) -> dict[str, str]:
    statuses = paginate(
        orgs, "list_create_account_status", "CreateAccountStatuses", States=["IN_PROGRESS"]
    )
    return {s["Id"]: s["AccountName"] for s in statuses}


def open_invitation(kit: Kit, account_id: str) -> dict | None:
    """The organization's open invitation to `account_id`, if any."""
    orgs = kit.management.client("organizations")
    handshakes = paginate(
        orgs, "list_handshakes_for_organization", "Handshakes", Filter={"ActionType": "INVITE"}
    )
    for handshake in handshakes:
        parties = {(p["Type"], p["Id"]) for p in handshake["Parties"]}
        if handshake["State"] in ("OPEN", "REQUESTED") and ("ACCOUNT", account_id) in parties:
            return handshake
    return None


def ensure_invitations(kit: Kit) -> dict[str, str | None]:
    """Invite the config's existing accounts and accept from their side; {name: id if member}.

    The invited account accepts with its own credentials (the sandbox's, or the profile the
    config names). Without them the invitation stays pending and the kit says what to do.
    """
    joined = members(kit)
    ids: dict[str, str | None] = {}
    for account in kit.config.invited_accounts():
        resource = f"account {account.name} ({account.id})"
        ids[account.name] = account.id if account.id in joined else None
        if ids[account.name]:
            kit.keep(resource, "member of the organization")
            continue
        handshake: dict | None = open_invitation(kit, account.id) if joined else None
        if handshake is None:
            kit.plan("invite", resource, "handshake to join")
            if kit.apply:
                orgs = kit.management.client("organizations")
                handshake = orgs.invite_account_to_organization(
                    Target={"Id": account.id, "Type": "ACCOUNT"},
                    Notes="Join the organization; your workloads stay where they are.",
                )["Handshake"]
        own = kit.outside(account.id, account.profile)
        if own is None:
            kit.ask(
                f"sign in to {resource}, open AWS Organizations > Invitations and accept the "
                f"invitation, or set a profile with its credentials in the config and run again"
            )
            continue
        kit.plan("accept", f"invitation to {resource}", "with the account's own credentials")
        if kit.apply and handshake is not None:
            own.client("organizations").accept_handshake(HandshakeId=handshake["Id"])
            ids[account.name] = account.id
    return ids


def access_role_trust(management_id: str) -> dict:
    """The trust policy of OrganizationAccountAccessRole: the management account may assume it."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{management_id}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def role_session(kit: Kit, account_id: str) -> KitSession | None:
    """A session through the account's OrganizationAccountAccessRole, or None if it does not
    work (yet): the role is missing, or the account is not (yet) a member."""
    try:
        return kit.account(account_id)
    except ClientError as error:
        if error_code(error) != "AccessDenied":
            raise
    return None


def session_in(kit: Kit, account: Account) -> KitSession | None:
    """A session in an invited account: through its OrganizationAccountAccessRole once that
    works, else with the account's own credentials (None when neither is at hand)."""
    return role_session(kit, account.id) or kit.outside(account.id, account.profile)


def ensure_access_roles(kit: Kit) -> None:
    """Give each invited account the OrganizationAccountAccessRole created accounts get.

    Checked through the role itself once it works, so the team's own credentials are needed
    only until then (and can be retired afterwards, see identity_center.retire_iam_users).
    """
    trust = access_role_trust(kit.config.management_account.id)
    for account in kit.config.invited_accounts():
        resource = f"role {ACCESS_ROLE} in account {account.name}"
        session = session_in(kit, account)
        if session is None:
            kit.ask(
                f"create {resource}, trusted by the management account, with AdministratorAccess"
            )
            continue
        iam = session.client("iam")
        found = or_none(iam.get_role, "NoSuchEntity", RoleName=ACCESS_ROLE)
        role = found["Role"] if found else None
        if role is None:
            kit.plan("create", resource, "trusted by the management account")
            if kit.apply:
                iam.create_role(
                    RoleName=ACCESS_ROLE,
                    AssumeRolePolicyDocument=json.dumps(trust),
                    Description="Lets the organization's management account administer it",
                )
        elif role["AssumeRolePolicyDocument"] != trust:
            kit.plan("update", resource, "trust the management account only")
            if kit.apply:
                iam.update_assume_role_policy(
                    RoleName=ACCESS_ROLE, PolicyDocument=json.dumps(trust)
                )
        attached = [] if role is None else _attached(iam)
        if ADMIN_POLICY in attached:
            kit.keep(resource, "AdministratorAccess")
            continue
        kit.plan("attach", resource, "AdministratorAccess")
        if kit.apply:
            iam.attach_role_policy(RoleName=ACCESS_ROLE, PolicyArn=ADMIN_POLICY)


def _attached(iam) -> list[str]:
    """The ARNs of the managed policies attached to the access role."""
    listed = paginate(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=ACCESS_ROLE)
    return [p["PolicyArn"] for p in listed]


def ensure_placement(kit: Kit, ids: dict[str, str | None], ous: dict[str, str | None]) -> None:
    """Move each account into the OU the config names."""
    orgs = kit.management.client("organizations")
    parents = {  # read per OU, not per account
        account["Id"]: ou_id
        for ou_id in dict.fromkeys(i for i in ous.values() if i)
        for account in child_accounts(kit.management, ou_id)
    }
    for account in kit.config.accounts:
        account_id, target = ids.get(account.name), ous[account.ou]
        resource = f"account {account.name}"
        if account_id is None or target is None:
            kit.plan("move", resource, f"to {account.ou} once it exists")
            continue
        parent = (
            parents.get(account_id) or orgs.list_parents(ChildId=account_id)["Parents"][0]["Id"]
        )
        if parent == target:
            kit.keep(resource, f"in {account.ou}")
            continue
        kit.plan("move", resource, f"to {account.ou}")
        if kit.apply:
            orgs.move_account(
                AccountId=account_id, SourceParentId=parent, DestinationParentId=target
            )


def account_ids(kit: Kit, joined: dict[str, dict] | None = None) -> dict[str, str | None]:
    """Config account name -> id: created accounts by email, invited ones by their id
    (`joined`: the organization's accounts by id, when already read)."""
    joined = members(kit) if joined is None else joined
    by_email = {a["Email"].lower(): a_id for a_id, a in joined.items()}
    management = kit.config.management_account
    ids: dict[str, str | None] = {management.name: management.id}
    for account in kit.config.accounts:
        ids[account.name] = (
            (account.id if account.id in joined else None)
            if account.invite
            else by_email.get(account.email.lower())
        )
    return ids
