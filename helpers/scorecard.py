"""Step 09: the scorecard. Each goal of the brief, checked against the live organization with
read calls only, with its evidence and, when it is not met, the fix.

Where a step can say what it would change, the scorecard asks it: the step's own helpers run
in plan mode (`kit.planning()`), so "the trail matches the config" means exactly "step 05
would change nothing". What no step owns (grants and networks nobody declared, IAM users,
the organization's size) is read from every member account through the access role.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from botocore.exceptions import ClientError
from tqdm.auto import tqdm

from helpers import audit_trail, costs, identity_center, paths, stacksets
from helpers.accounts import members
from helpers.config import MANAGEMENT, region_partitions
from helpers.kit import Kit
from helpers.organization import describe
from helpers.organization import picture as organization_picture
from helpers.pictures import Picture
from helpers.policy import Policies, Policy, Request, evaluate
from helpers.policy.live import membership
from helpers.tables import Table
from helpers.targets import ACCESS_ROLE

MET, FAILED, WARNING = "✅", "❌", "⚠️"
RECORD = "scorecard.json"  # in the step's folder: the rows, for `run --fail-on-scorecard`
SCALE_LIMIT = 100  # beyond about 100 accounts, consider several organizations
ACTIVE = "ACTIVE"
LIVE_PEERING = ("initiating-request", "pending-acceptance", "provisioning", "active")
GONE = ("deleted", "deleting", "failed", "failing", "rejected", "rejecting")
PROBE_ACTION = "ec2:DescribeInstances"  # a regional call every workload makes
ANY_IDENTITY = Policy(
    "an identity policy allowing everything",
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
)
GOALS = {
    "isolation": "Applications are isolated (API and network layer)",
    "access": "People reach only the accounts they need",
    "costs": "Costs are allocated per account",
    "paths": "Communication paths are declared and whitelisted",
    "trail": "All API calls are recorded, and members cannot switch it off",
    "regions": "Only the approved regions are used",
    "scale": "One organization stays a manageable size",
}


@dataclass(frozen=True)
class Row:
    """One goal: met (✅), not met (❌) or a warning (⚠️), with the evidence and the fix."""

    key: str
    goal: str
    status: str
    evidence: str
    fix: str = ""


def row(key: str, problems: list[str], evidence: str, fix: str, warn: bool = False) -> Row:
    """A goal's row: ❌ (⚠️ when `warn`) listing the problems, else ✅ with the evidence."""
    if not problems:
        return Row(key, GOALS[key], MET, evidence)
    return Row(key, GOALS[key], WARNING if warn else FAILED, "; ".join(problems), fix)


def state(account: dict) -> str:
    """An account's state (State, or the older Status field)."""
    return account.get("State") or account.get("Status", "")


# --- what the organization holds ----------------------------------------------------------


@dataclass
class Live:
    """The organization's accounts, read once: ids by config name, entries by id."""

    org: dict | None
    accounts: dict[str, dict]  # id -> ListAccounts entry
    ids: dict[str, str | None]  # config account name -> id (None when it is not a member)
    management_id: str

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


def live(kit: Kit) -> Live:
    org = describe(kit.management)
    accounts = members(kit) if org else {}
    ids = identity_center.account_ids(kit) if org else {}
    return Live(org, accounts, ids, kit.config.management_account.id)


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
    for grant in (g for g in paths.grants(kit) if g.ready):
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
    try:
        return s3.get_bucket_policy(Bucket=bucket)["Policy"]
    except ClientError as error:
        if error.response["Error"]["Code"] not in ("NoSuchBucketPolicy", "NoSuchBucket"):
            raise
        return None


def _resource_policies(session, regions: list[str]) -> Iterable[tuple[str, dict | None]]:
    """(label, policy) of every bucket and every queue in `regions`."""
    s3 = session.client("s3")
    for bucket in (b["Name"] for b in s3.list_buckets()["Buckets"]):
        yield f"bucket {bucket}", _policy_of(lambda b=bucket: _bucket_policy(s3, b))
    for region in regions:
        sqs = session.client("sqs", region_name=region)
        pages = sqs.get_paginator("list_queues").paginate()
        for url in (u for page in pages for u in page.get("QueueUrls", [])):
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
    iam = session.client("iam")
    for role in (r for page in iam.get_paginator("list_roles").paginate() for r in page["Roles"]):
        trusted = allowed.trusted(own, role["RoleName"])
        for statement in _listed(role["AssumeRolePolicyDocument"].get("Statement", [])):
            who = [w for w in outsiders(statement, own) if w not in trusted]
            if who:
                names = ", ".join(found.name(w) if w.isdigit() else w for w in who)
                scan.grants.append(f"role {role['RoleName']} trusts {names}")


def _network(scan: Scan, session, regions: list[str], found: Live) -> None:
    for region in regions:
        ec2 = session.client("ec2", region_name=region)
        pages = ec2.get_paginator("describe_vpc_peering_connections").paginate()
        for peering in (p for page in pages for p in page["VpcPeeringConnections"]):
            sides = [peering[k].get("OwnerId") for k in ("RequesterVpcInfo", "AccepterVpcInfo")]
            if sides[0] != sides[1] and peering["Status"]["Code"] in LIVE_PEERING:
                scan.network[peering["VpcPeeringConnectionId"]] = (
                    f"VPC peering {peering['VpcPeeringConnectionId']} ({region}) between "
                    f"{found.name(sides[0])} and {found.name(sides[1])}"
                )
        pages = ec2.get_paginator("describe_transit_gateway_attachments").paginate()
        for attachment in (a for page in pages for a in page["TransitGatewayAttachments"]):
            if cross_account_attachment(attachment):
                scan.network[attachment["TransitGatewayAttachmentId"]] = (
                    f"transit gateway attachment {attachment['TransitGatewayAttachmentId']} "
                    f"({region}) of {found.name(attachment['ResourceOwnerId'])} to a transit "
                    f"gateway of {found.name(attachment['TransitGatewayOwnerId'])}"
                )
        ram = session.client("ram", region_name=region)
        pages = ram.get_paginator("get_resource_shares").paginate(resourceOwner="SELF")
        for share in (s for page in pages for s in page["resourceShares"]):
            if share["status"] == "ACTIVE":  # a share exists to cross an account boundary
                scan.network[share["resourceShareArn"]] = (
                    f"RAM resource share {share['name']} ({region}) of {scan.name}"
                )


def cross_account_attachment(attachment: dict) -> bool:
    """Whether a transit gateway attachment joins two accounts' networks (and still does)."""
    return (
        attachment.get("TransitGatewayOwnerId") != attachment.get("ResourceOwnerId")
        and attachment.get("State", "") not in GONE
    )


def _users(scan: Scan, session) -> None:
    iam = session.client("iam")
    for user in (u for page in iam.get_paginator("list_users").paginate() for u in page["Users"]):
        name, ways = user["UserName"], []
        try:
            iam.get_login_profile(UserName=name)
            ways.append("a console password")
        except iam.exceptions.NoSuchEntityException:
            pass
        keys = iam.list_access_keys(UserName=name)["AccessKeyMetadata"]
        active = sum(k["Status"] == "Active" for k in keys)
        if active:
            ways.append(f"{active} active access key(s)")
        if len(keys) > active:
            ways.append(f"{len(keys) - active} inactive access key(s)")
        if ways:
            scan.users.append(f"{name} ({' and '.join(ways)})")


def scan_accounts(kit: Kit, found: Live) -> list[Scan]:
    """Read every active member account through its access role (read calls only)."""
    allowed = declared(kit, found)
    regions = list(dict.fromkeys([kit.config.home_region, *kit.config.allowed_regions]))
    scans = []
    for account_id, name in tqdm(found.active_members().items(), desc="accounts", unit="account"):
        scan = Scan(account_id, name)
        try:
            session = kit.account(account_id)
            _grants(scan, session, regions, allowed, found)
            _network(scan, session, regions, found)
            _users(scan, session)
        except ClientError as error:
            if error.response["Error"]["Code"] not in ("AccessDenied", "AccessDeniedException"):
                raise
            scan.unreadable = error.response["Error"]["Message"]
        scans.append(scan)
    return scans


# --- the goals ----------------------------------------------------------------------------


def isolation(kit: Kit, found: Live, scans: list[Scan]) -> Row:
    problems, fixes = [], []
    missing = [
        f"{a.name} is not an active member account"
        for a in kit.config.accounts
        if not found.ids.get(a.name) or state(found.accounts[found.ids[a.name]]) != ACTIVE
    ]
    if missing:
        problems += missing
        fixes.append("run the runbook from step 02 (python -m runbook run --from 02)")
    grants = [f"{s.name}: {g}" for s in scans for g in s.grants]
    if grants:
        problems.append("undeclared cross-account grants: " + "; ".join(grants))
        fixes.append(
            "remove each of these statements or trusts, or declare the path it serves in "
            "cross_account.paths and run step 04"
        )
    network = {k: v for s in scans for k, v in s.network.items()}
    if network:
        problems.append("undeclared network links: " + "; ".join(network.values()))
        fixes.append(
            "delete them: the config declares no network path (reach another account through "
            "a declared path at the API layer, or a private endpoint service, never a whole "
            "network)"
        )
    unread = [f"{s.name}: {s.unreadable}" for s in scans if s.unreadable]
    if unread:
        problems.append("accounts the kit cannot look into: " + "; ".join(unread))
        fixes.append(f"give the management account its {ACCESS_ROLE} back (step 02)")
    separate = ", ".join(f"{a.name} {found.ids.get(a.name)}" for a in kit.config.accounts)
    evidence = (
        f"each environment is an account of its own ({separate}); in {len(scans)} member "
        "account(s), no bucket policy, queue policy or role trust lets another account in "
        "beyond the declared paths and the kit's own roles, and no VPC peering, transit "
        "gateway attachment or RAM share joins two accounts"
    )
    return row("isolation", problems, evidence, "; ".join(fixes))


def access(kit: Kit, scans: list[Scan]) -> Row:
    problems, fixes = [], []
    evidence = []
    if kit.config.identity_center is None:
        problems.append("the config has no identity_center section: the kit manages no access")
        fixes.append("add identity_center (see runbook/org.example.yaml) and run step 03")
    else:
        plan = kit.planning()
        directory = identity_center.ensure_identity_center(plan)
        drift = [f"{c.action} {c.resource}" for c in plan.changes] + plan.todo
        drift += [f"unlisted assignment {g.label}" for g in directory.unlisted]
        if drift:
            problems.append("Identity Center differs from the config: " + "; ".join(drift))
            fixes.append(
                "run step 03 (python -m runbook run --only 03); remove unlisted assignments "
                "or set identity_center.remove_unlisted_assignments: true"
            )
        wanted = identity_center.desired_grants(plan, directory)
        evidence.append(
            f"all {len(wanted)} Identity Center assignments exactly as the config lists"
        )
    users = [f"{s.name} ({s.account_id}): {', '.join(s.users)}" for s in scans if s.users]
    if users:
        problems.append("IAM users who can sign in or call AWS: " + "; ".join(users))
        fixes.append(
            "move the people (and tools) who use them to Identity Center, then delete their "
            "access keys and console passwords (aws iam delete-access-key / "
            "delete-login-profile in that account)"
        )
    evidence.append(
        f"no IAM user with a console password or an access key in {len(scans)} member account(s)"
    )
    return row("access", problems, "; ".join(evidence), "; ".join(fixes))


def cost_allocation(kit: Kit) -> Row:
    found = costs.cost_per_account(kit)
    if found.note:
        return row(
            "costs",
            [f"Cost Explorer: {found.note}"],
            "",
            "AWS bills each account separately anyway; open Cost Explorer once in the "
            "management account and look again a day later",
            warn=True,
        )
    listed = ", ".join(found.names.get(a, a) for a in found.accounts())
    sample = f" ({costs.SAMPLE})" if found.sample else ""
    evidence = (
        f"AWS bills each account on its own line, no tags needed: Cost Explorer shows "
        f"{len(found.accounts())} account(s) ({listed}) over {', '.join(found.months)}{sample}"
    )
    return row("costs", [], evidence, "")


def communication_paths(kit: Kit, found: Live) -> Row:
    section = paths.section(kit)
    roles = ", ".join(f"{r.role} (from {r.assumed_from})" for r in section.kit_roles)
    if not section.paths and section.baseline is None:
        evidence = "the config declares no path: nothing may cross an account boundary"
        return row("paths", [], evidence + (f" but the kit's roles {roles}" if roles else ""), "")
    plan = kit.planning()
    grants = paths.ensure_paths(plan)
    stack_set = stacksets.ensure_baseline(plan, found.ids)
    drift = [f"{c.action} {c.resource}" for c in plan.changes] + plan.todo
    listed = ", ".join(
        f"{g.path.name} ({g.path.consumer.account} → {g.path.provider.account} {g.resource}, "
        f"{paths.MECHANISMS[g.kind]})"
        for g in grants
    )
    evidence = f"{len(grants)} path(s) granted exactly as declared: {listed}"
    if roles:
        evidence += f"; the kit's own roles: {roles}"
    if stack_set:
        evidence += f", deployed by stack set {stack_set}"
    problems = ["not as declared: " + "; ".join(drift)] if drift else []
    return row("paths", problems, evidence, "run step 04 (python -m runbook run --only 04)")


def trail(kit: Kit, found: Live) -> Row:
    if kit.config.trail is None:
        return row(
            "trail",
            ["the config has no trail section: nothing records the organization's API calls"],
            "",
            "add a trail section (see runbook/org.example.yaml) and run step 05",
        )
    plan = kit.planning()
    where = audit_trail.ensure_audit_trail(plan)
    drift = [f"{c.action} {c.resource}" for c in plan.changes] + plan.todo
    problems = ["not as the config wants: " + "; ".join(drift)] if drift else []
    evidence = (
        f"trail {where.name} in the management account records every account in every "
        f"region as an organization trail (members see it and cannot stop or change it), "
        f"logging, into bucket {where.bucket} in account {where.archive_name} "
        f"({where.archive_id})"
    )
    return row("trail", problems, evidence, "run step 05 (python -m runbook run --only 05)")


def outside_region(allowed: list[str]) -> str:
    """A region of the same partition that the config does not allow (the probe)."""
    partitions = region_partitions()
    partition = partitions[allowed[0]]
    return next(r for r in sorted(partitions) if partitions[r] == partition and r not in allowed)


def scps_allow(levels, account_id: str, region: str) -> bool:
    """Whether the account's SCPs let a workload with every IAM permission call the probe
    action in `region` (the evaluator, offline, on the SCPs read from the organization)."""
    request = Request(
        f"arn:aws:iam::{account_id}:role/any-workload",
        PROBE_ACTION,
        "*",
        region,
        organization=levels.organization,
    )
    return evaluate(request, Policies(identity=(ANY_IDENTITY,), scps=levels.scps)).allowed


def regions(kit: Kit, found: Live) -> Row:
    guardrails = kit.config.guardrails
    allowed = kit.config.allowed_regions
    if guardrails is None or not guardrails.region_allow_list:
        return row("regions", [], "optional, and the config does not ask for it", "")
    probe = outside_region(allowed)
    problems = []
    members_ = found.active_members()
    for account_id, name in members_.items():
        levels = membership(kit.management, account_id)
        if scps_allow(levels, account_id, probe):
            problems.append(f"{name} may call {PROBE_ACTION} in {probe}")
        denied = [r for r in allowed if not scps_allow(levels, account_id, r)]
        if denied:
            problems.append(f"{name} may not work in allowed region(s) {', '.join(denied)}")
    evidence = (
        f"in each of {len(members_)} member account(s) the SCPs deny {PROBE_ACTION} in {probe} "
        f"and allow it in {', '.join(allowed)}"
    )
    return row("regions", problems, evidence, "run step 06 (python -m runbook run --only 06)")


def scale(accounts: int, closed: int = 0) -> Row:
    """✅ up to about 100 accounts; beyond, a warning to consider several organizations."""
    counted = f"{accounts} account(s)" + (f", {closed} of them closed" if closed else "")
    problems = [] if accounts <= SCALE_LIMIT else [f"{counted}: more than {SCALE_LIMIT}"]
    return row(
        "scale",
        problems,
        f"{counted}: one organization is the simple answer",
        "consider several organizations (for example one per business unit), each as simple "
        "as this one, rather than one huge one",
        warn=True,
    )


def scorecard(kit: Kit) -> list[Row]:
    """Every goal of the brief against the live organization (read calls only)."""
    found = live(kit)
    if found.org is None:
        return [
            Row(key, goal, FAILED, "there is no organization yet", "run the runbook")
            for key, goal in GOALS.items()
        ]
    scans = scan_accounts(kit, found)
    closed = sum(state(a) != ACTIVE for a in found.accounts.values())
    return [
        isolation(kit, found, scans),
        access(kit, scans),
        cost_allocation(kit),
        communication_paths(kit, found),
        trail(kit, found),
        regions(kit, found),
        scale(len(found.accounts), closed),
    ]


# --- showing it ---------------------------------------------------------------------------


def table(rows: list[Row]) -> Table:
    return Table(
        ["goal", "met", "evidence", "fix"], [[r.goal, r.status, r.evidence, r.fix] for r in rows]
    )


def record(kit: Kit, rows: list[Row]) -> None:
    """Write the rows to scorecard.json in the step's folder (the runbook reads it)."""
    body = {
        "rows": [asdict(r) for r in rows],
        "failed": [r.key for r in rows if r.status == FAILED],
    }
    (kit.step_dir / RECORD).write_text(json.dumps(body, indent=1, ensure_ascii=False))


def picture(kit: Kit) -> Picture | None:
    """The organization as it stands: OUs and accounts, the SCPs at each node, the trail, the
    log bucket and the declared paths (None while there is no organization)."""
    orgs = kit.management.client("organizations")
    found = live(kit)
    if found.org is None:
        return None
    notes: dict[str, list[str]] = {}
    root = orgs.list_roots()["Roots"][0]
    enabled = any(
        t["Type"] == "SERVICE_CONTROL_POLICY" and t["Status"] == "ENABLED"
        for t in root.get("PolicyTypes", [])
    )
    nodes = [root["Id"], *_ou_ids(orgs, root["Id"]), *found.accounts]
    for node in nodes:
        if enabled and node != found.management_id:
            pages = orgs.get_paginator("list_policies_for_target").paginate(
                TargetId=node, Filter="SERVICE_CONTROL_POLICY"
            )
            names = [p["Name"] for page in pages for p in page["Policies"]]
            notes.setdefault(node, []).append("SCP: " + ", ".join(names))
    for account_id, entry in found.accounts.items():
        if state(entry) != ACTIVE:
            notes.setdefault(account_id, []).append(state(entry))
    if kit.config.trail is not None:
        where = audit_trail.locate(kit.planning())
        notes.setdefault(found.management_id, []).append(f"trail {where.name}")
        if where.archive_id:
            notes.setdefault(where.archive_id, []).append(f"logs: {where.bucket}")
    for grant in (g for g in paths.grants(kit) if g.ready):
        notes.setdefault(grant.consumer_id, []).append(
            f"→ {grant.path.provider.account}: {grant.resource}"
        )
    return organization_picture(kit.management, notes)


def _ou_ids(orgs, parent: str) -> list[str]:
    pages = orgs.get_paginator("list_organizational_units_for_parent").paginate(ParentId=parent)
    ids = [ou["Id"] for page in pages for ou in page["OrganizationalUnits"]]
    return [i for ou in ids for i in (ou, *_ou_ids(orgs, ou))]
