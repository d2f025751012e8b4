"""What the scorecard reads: the organization once (accounts, OU tree, SCPs and their
targets), then in each member account, through its access role, only what differs per
account (its resource policies, role trusts, network links and IAM users), several
accounts at a time."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from botocore.exceptions import ClientError
from tqdm.auto import tqdm

from helpers import paths
from helpers.accounts import account_ids, members, state
from helpers.aws import error_code, or_none, paginate
from helpers.config import MANAGEMENT
from helpers.kit import Kit
from helpers.organization import child_accounts, child_ous, describe
from helpers.policy import Policy, ScpLevel
from helpers.targets import ACCESS_ROLE

ACTIVE = "ACTIVE"
SCP = "SERVICE_CONTROL_POLICY"
LIVE_PEERING = ("initiating-request", "pending-acceptance", "provisioning", "active")
GONE = ("deleted", "deleting", "failed", "failing", "rejected", "rejecting")
THREADS = 8  # member accounts read at once (each thread with its own session and clients)


# --- the organization, read once ----------------------------------------------------------


@dataclass
class Live:
    """The organization, read once: accounts, the OU tree and the SCPs at each node."""

    org: dict | None
    accounts: dict[str, dict]  # id -> ListAccounts entry
    ids: dict[str, str | None]  # config account name -> id (None when it is not a member)
    management_id: str
    root_id: str = ""
    parents: dict[str, str] = field(default_factory=dict)  # OU or account id -> parent id
    ou_names: dict[str, str] = field(default_factory=dict)  # OU id -> name
    scp_enabled: bool = False
    scps: dict[str, tuple[Policy, ...]] = field(default_factory=dict)  # target id -> SCPs

    def name(self, account_id: str) -> str:
        entry = self.accounts.get(account_id)
        return entry["Name"] if entry else f"{account_id} (outside the organization)"

    def active_members(self) -> dict[str, str]:
        """Member accounts one can enter (not the management account, not closed): id -> name."""
        return {
            i: a["Name"]
            for i, a in sorted(self.accounts.items())
            if i != self.management_id and state(a) == ACTIVE
        }

    def levels(self, account_id: str) -> tuple[ScpLevel, ...]:
        """The SCPs in force on an account, root first (none while SCPs are not enabled)."""
        if not self.scp_enabled:
            return ()
        chain = [("ACCOUNT", account_id, self.name(account_id))]
        node = self.parents.get(account_id)
        while node:
            if node == self.root_id:
                chain.append(("ROOT", node, "Root"))
                break
            chain.append(("ORGANIZATIONAL_UNIT", node, self.ou_names[node]))
            node = self.parents.get(node)
        return tuple(ScpLevel.of(k, i, n, self.scps.get(i, ())) for k, i, n in reversed(chain))


def live(kit: Kit) -> Live:
    """The organization as it is now (read calls only; an empty Live without one)."""
    org = describe(kit.management)
    if org is None:
        return Live(None, {}, {}, kit.config.management_account.id)
    accounts = {i: {**a, "Name": kit.account_name(i, a["Name"])} for i, a in members(kit).items()}
    found = Live(org, accounts, account_ids(kit, accounts), kit.config.management_account.id)
    orgs = kit.management.client("organizations")
    root = orgs.list_roots()["Roots"][0]
    found.root_id = root["Id"]
    found.scp_enabled = any(
        t["Type"] == SCP and t["Status"] == "ENABLED" for t in root.get("PolicyTypes", [])
    )
    parents = [root["Id"]]
    while parents:
        parent = parents.pop()
        for ou in child_ous(kit.management, parent):
            found.parents[ou["Id"]], found.ou_names[ou["Id"]] = parent, ou["Name"]
            parents.append(ou["Id"])
        for account in child_accounts(kit.management, parent):
            found.parents[account["Id"]] = parent
    if found.scp_enabled:
        attached: dict[str, list[Policy]] = {}
        for summary in paginate(orgs, "list_policies", "Policies", Filter=SCP):
            content = orgs.describe_policy(PolicyId=summary["Id"])["Policy"]["Content"]
            policy = Policy(summary["Name"], content)
            targets = paginate(orgs, "list_targets_for_policy", "Targets", PolicyId=summary["Id"])
            for target in targets:
                attached.setdefault(target["TargetId"], []).append(policy)
        found.scps = {target: tuple(policies) for target, policies in attached.items()}
    return found


# --- what may cross an account boundary ---------------------------------------------------


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def _canonical(statement: dict) -> str:
    """A statement as comparable text: lists sorted, one-element lists as their element."""

    def norm(value):
        if isinstance(value, dict):
            return {k: norm(v) for k, v in value.items()}
        if isinstance(value, list):
            items = sorted((norm(v) for v in value), key=json.dumps)
            return items[0] if len(items) == 1 else items
        return value

    return json.dumps(norm(statement), sort_keys=True)


@dataclass
class Declared:
    """The grants the config declares: path statements per resource, trusted accounts per role."""

    statements: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (account, res)
    roles: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (account, role)
    kit_roles: dict[str, set[str]] = field(default_factory=dict)  # role -> trusted accounts

    def trusted(self, account_id: str, role: str) -> set[str]:
        return self.roles.get((account_id, role), set()) | self.kit_roles.get(role, set())


def declared(kit: Kit, found: Live) -> Declared:
    """The paths' statements and roles, and the kit's own roles, with the accounts' ids."""
    result = Declared(kit_roles={ACCESS_ROLE: {found.management_id}})
    for grant in (g for g in paths.grants(kit, found.ids) if g.ready):
        if grant.kind == "role":
            key = (grant.provider_id, grant.path.provider.role)
            result.roles.setdefault(key, set()).add(grant.consumer_id)
            continue
        key = (grant.provider_id, grant.resource.split(" (")[0])
        texts = result.statements.setdefault(key, set())
        texts.update(_canonical(s) for s in paths.statements_of(grant))
    for role in paths.section(kit).kit_roles:
        source = role.assumed_from
        trusted = found.management_id if source == MANAGEMENT else found.ids.get(source)
        if trusted:
            result.kit_roles.setdefault(role.role, set()).add(trusted)
    return result


def outsiders(statement: dict, own: str) -> list[str]:
    """The accounts (or "everyone") an Allow statement lets in from outside `own`."""
    if statement.get("Effect") != "Allow":
        return []
    if "NotPrincipal" in statement:
        return ["everyone but those named (NotPrincipal)"]
    principal = statement.get("Principal")
    if principal == "*":
        return ["everyone (*)"]
    found = []
    for name in _listed(principal.get("AWS", []) if isinstance(principal, dict) else []):
        account = name if re.fullmatch(r"\d{12}", name) else (name.split(":") + [""] * 5)[4]
        if name == "*":
            found.append("everyone (*)")
        elif account != own:
            found.append(account)
    return found


def cross_account_attachment(attachment: dict) -> bool:
    """Whether a transit gateway attachment joins two accounts' networks (and still does)."""
    return (
        attachment.get("TransitGatewayOwnerId") != attachment.get("ResourceOwnerId")
        and attachment.get("State", "") not in GONE
    )


# --- one member account, read through its access role -------------------------------------


@dataclass
class Scan:
    """What one member account holds that crosses its boundary, and its IAM users."""

    account_id: str
    name: str
    grants: list[str] = field(default_factory=list)
    network: dict[str, str] = field(default_factory=dict)  # id -> what it is
    users: list[str] = field(default_factory=list)
    unreadable: str = ""


def _policy_of(read: Callable[[], str | None]) -> dict | None:
    text = read()
    return json.loads(text) if text else None


def _bucket_policy(s3, bucket: str) -> str | None:
    found = or_none(s3.get_bucket_policy, "NoSuchBucketPolicy", "NoSuchBucket", Bucket=bucket)
    return found["Policy"] if found else None


def _resource_policies(session, regions: list[str]) -> Iterable[tuple[str, dict | None]]:
    """(label, policy) of every bucket and every queue in `regions`."""
    s3 = session.client("s3")
    for bucket in (b["Name"] for b in s3.list_buckets()["Buckets"]):
        yield f"bucket {bucket}", _policy_of(lambda b=bucket: _bucket_policy(s3, b))
    for region in regions:
        sqs = session.client("sqs", region_name=region)
        for url in paginate(sqs, "list_queues", "QueueUrls"):
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
            text = attributes.get("Attributes", {}).get("Policy")
            yield f"queue {url.rsplit('/', 1)[-1]}", json.loads(text) if text else None


def _grants(scan: Scan, session, regions: list[str], allowed: Declared, found: Live) -> None:
    own = scan.account_id
    for label, policy in _resource_policies(session, regions):
        ours = allowed.statements.get((own, label), set())
        for index, statement in enumerate(_listed((policy or {}).get("Statement", []))):
            who = outsiders(statement, own)
            if who and _canonical(statement) not in ours:
                sid = statement.get("Sid") or f"#{index + 1}"
                names = ", ".join(found.name(w) if w.isdigit() else w for w in who)
                scan.grants.append(f"{label} policy, statement {sid}, lets in {names}")
    for role in paginate(session.client("iam"), "list_roles", "Roles"):
        trusted = allowed.trusted(own, role["RoleName"])
        for statement in _listed(role["AssumeRolePolicyDocument"].get("Statement", [])):
            who = [w for w in outsiders(statement, own) if w not in trusted]
            if who:
                names = ", ".join(found.name(w) if w.isdigit() else w for w in who)
                scan.grants.append(f"role {role['RoleName']} trusts {names}")


def _network(scan: Scan, session, regions: list[str], found: Live) -> None:
    for region in regions:
        ec2 = session.client("ec2", region_name=region)
        for peering in paginate(ec2, "describe_vpc_peering_connections", "VpcPeeringConnections"):
            sides = [peering[k].get("OwnerId") for k in ("RequesterVpcInfo", "AccepterVpcInfo")]
            if sides[0] != sides[1] and peering["Status"]["Code"] in LIVE_PEERING:
                scan.network[peering["VpcPeeringConnectionId"]] = (
                    f"VPC peering {peering['VpcPeeringConnectionId']} ({region}) between "
                    f"{found.name(sides[0])} and {found.name(sides[1])}"
                )
        attachments = "TransitGatewayAttachments"
        for attachment in paginate(ec2, "describe_transit_gateway_attachments", attachments):
            if cross_account_attachment(attachment):
                scan.network[attachment["TransitGatewayAttachmentId"]] = (
                    f"transit gateway attachment {attachment['TransitGatewayAttachmentId']} "
                    f"({region}) of {found.name(attachment['ResourceOwnerId'])} to a transit "
                    f"gateway of {found.name(attachment['TransitGatewayOwnerId'])}"
                )
        ram = session.client("ram", region_name=region)
        for share in paginate(ram, "get_resource_shares", "resourceShares", resourceOwner="SELF"):
            if share["status"] == "ACTIVE":  # a share exists to cross an account boundary
                scan.network[share["resourceShareArn"]] = (
                    f"RAM resource share {share['name']} ({region}) of {scan.name}"
                )


def _users(scan: Scan, session) -> None:
    iam = session.client("iam")
    for user in paginate(iam, "list_users", "Users"):
        name, ways = user["UserName"], []
        if or_none(iam.get_login_profile, "NoSuchEntity", UserName=name) is not None:
            ways.append("a console password")
        keys = iam.list_access_keys(UserName=name)["AccessKeyMetadata"]
        active = sum(k["Status"] == "Active" for k in keys)
        if active:
            ways.append(f"{active} active access key(s)")
        if len(keys) > active:
            ways.append(f"{len(keys) - active} inactive access key(s)")
        if ways:
            scan.users.append(f"{name} ({' and '.join(ways)})")


def _scan(kit: Kit, account_id: str, name: str, regions, allowed: Declared, found: Live) -> Scan:
    scan = Scan(account_id, name)
    try:
        session = kit.account(account_id)
        _grants(scan, session, regions, allowed, found)
        _network(scan, session, regions, found)
        _users(scan, session)
    except ClientError as error:
        if error_code(error) not in ("AccessDenied", "AccessDeniedException"):
            raise
        scan.unreadable = error.response["Error"]["Message"]
    return scan


def scan_accounts(kit: Kit, found: Live) -> list[Scan]:
    """Read every active member account through its access role (read calls only), a few
    at a time; the scans in account id order."""
    allowed = declared(kit, found)
    regions = list(dict.fromkeys([kit.config.home_region, *kit.config.allowed_regions]))
    targets = found.active_members()
    kit.management.client("sts")  # made once here: the threads share it
    scans = {}
    with (
        ThreadPoolExecutor(THREADS) as pool,
        tqdm(total=len(targets), desc="accounts", unit="account") as progress,
    ):
        running = [
            pool.submit(_scan, kit, account_id, name, regions, allowed, found)
            for account_id, name in targets.items()
        ]
        for done in as_completed(running):
            scan = done.result()
            scans[scan.account_id] = scan
            progress.update()
    return [scans[account_id] for account_id in targets]
