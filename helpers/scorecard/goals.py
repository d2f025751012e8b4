"""The goals: each one's row (met, not met or a warning), with its evidence and the fix.

Where a step can say what it would change, the goal asks it: the step's own helpers run in
plan mode (`kit.planning()`), so "the trail matches the config" means exactly "step 05 would
change nothing". What no step owns comes from the scan (`helpers.scorecard.scan`).
"""

from __future__ import annotations

from dataclasses import dataclass

from helpers import audit_trail, costs, identity_center, paths, review, stacksets
from helpers.accounts import state
from helpers.config import region_partitions
from helpers.kit import Kit
from helpers.policy import Policies, Policy, Request, ScpLevel, evaluate
from helpers.targets import ACCESS_ROLE

from .scan import ACTIVE, Live, Scan, live, scan_accounts

MET, FAILED, WARNING = "✅", "❌", "⚠️"
SCALE_LIMIT = 100  # beyond about 100 accounts, consider several organizations
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


def scps_allow(
    levels: tuple[ScpLevel, ...], organization: str, account_id: str, region: str
) -> bool:
    """Whether the account's SCPs let a workload with every IAM permission call the probe
    action in `region` (the evaluator, offline, on the SCPs read from the organization)."""
    request = Request(
        f"arn:aws:iam::{account_id}:role/any-workload",
        PROBE_ACTION,
        "*",
        region,
        organization=organization,
    )
    return evaluate(request, Policies(identity=(ANY_IDENTITY,), scps=levels)).allowed


def regions(kit: Kit, found: Live) -> Row:
    guardrails = kit.config.guardrails
    allowed = kit.config.allowed_regions
    if guardrails is None or not guardrails.region_allow_list:
        return row("regions", [], "optional, and the config does not ask for it", "")
    probe = outside_region(allowed)
    problems = []
    members_ = found.active_members()
    for account_id, name in members_.items():
        levels, org = found.levels(account_id), found.org["Id"]
        if scps_allow(levels, org, account_id, probe):
            problems.append(f"{name} may call {PROBE_ACTION} in {probe}")
        denied = [r for r in allowed if not scps_allow(levels, org, account_id, r)]
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
    """Every goal of the brief against the live organization (read calls only), then step
    08's review items."""
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
        *(Row(**r) for r in review.scorecard_rows(kit)),  # review items: ✅ or ⚠️, never ❌
    ]
