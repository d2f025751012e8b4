"""Step 06: guardrails with service control policies, few and simple, proven before attaching.

The step reads what is there (`prepare`), renders and checks the policies the config asks
for (`validate`, no call), proves them through the evaluator (`helpers.scp_proof`), and only
then enables the SCP type, creates or updates the policies and attaches them (`apply`).
Policies the kit made carry the tag managed-by=org-kit; the kit never touches any other.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from helpers import scp_documents as docs
from helpers.audit_trail import locate
from helpers.config import Guardrails, region_partitions
from helpers.identity_center import account_ids
from helpers.kit import Kit, KitError
from helpers.organization import describe
from helpers.organization import picture as organization_picture
from helpers.policy import Decision, Policy, ScpLevel, explain_access
from helpers.quiz import Answer
from helpers.scp_proof import Intent, Proof, Reach, prove
from helpers.stacksets import ou_ids
from helpers.tables import Table

SCP = "SERVICE_CONTROL_POLICY"
TAG = {"Key": "managed-by", "Value": "org-kit"}
ROOT = "Root"
FULL_ACCESS_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
ENABLE_WAIT_SECONDS = 120


class GuardrailError(KitError):
    """Policies AWS would refuse, found before any write; `.problems` lists each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "the guardrails cannot be applied:\n" + "\n".join(f"  - {p}" for p in problems)
        )


@dataclass(frozen=True)
class Scp:
    """A policy the config asks for, and the roots or OUs (paths) it goes on."""

    name: str
    description: str
    document: dict
    targets: tuple[str, ...]
    denies_services: tuple[str, ...] = ()

    @property
    def content(self) -> str:
        return docs.content(self.document)


@dataclass
class Found:
    """An SCP in the organization: where it is attached, and whether the kit made it."""

    id: str
    name: str
    description: str
    document: dict
    kit_owned: bool
    targets: set[str] = field(default_factory=set)


@dataclass
class Plan:
    """What is there and what the config asks for; ids are None where only planned."""

    section: Guardrails
    scps: list[Scp]
    intent: Intent
    org_id: str | None
    enabled: bool
    ous: dict[str, str | None]  # "Root" and OU paths -> id
    accounts: dict[str, str | None]  # config account name -> id
    found: dict[str, Found]
    management_id: str

    def target_name(self, target_id: str) -> str:
        """A root, OU or account id in words."""
        for path, ou_id in self.ous.items():
            if ou_id == target_id:
                return docs.label(path)
        name = next((n for n, i in self.accounts.items() if i == target_id), target_id)
        return f"account {name}"

    def after(self, key: str, target_id: str | None) -> list[Policy]:
        """The SCPs attached to a root, OU (`key` its path) or account once the step is done."""
        desired = {scp.name: scp for scp in self.scps}
        found = [f for f in self.found.values() if target_id and target_id in f.targets]
        if not self.enabled or not found:  # enabling the type attaches FullAWSAccess everywhere
            found = [Found("", docs.FULL_ACCESS, "", FULL_ACCESS_DOCUMENT, False)]
        kept = []
        for policy in found:
            wanted = desired.get(policy.name) if policy.kit_owned else None
            if wanted and key in wanted.targets:
                continue  # attached below, as the config renders it
            if policy.kit_owned and self.section.detach_unlisted:
                continue
            kept.append(Policy(policy.name, wanted.document if wanted else policy.document))
        here = [Policy(scp.name, scp.document) for scp in self.scps if key in scp.targets]
        return kept + here

    def levels(self, ou_path: str, account: str) -> tuple[ScpLevel, ...]:
        """The SCP levels from the root down to a config account, once the step is done."""
        parts = [] if ou_path == ROOT else ou_path.split("/")
        paths = [ROOT] + ["/".join(parts[: i + 1]) for i in range(len(parts))]
        levels = [
            ScpLevel.of(
                "ROOT" if path == ROOT else "ORGANIZATIONAL_UNIT",
                self.ous.get(path) or "planned",
                path.rsplit("/", 1)[-1],
                tuple(self.after(path, self.ous.get(path))),
            )
            for path in paths
        ]
        account_id = self.accounts.get(account)
        policies = tuple(self.after(f"account {account}", account_id))
        levels.append(ScpLevel.of("ACCOUNT", account_id or "planned", account, policies))
        return tuple(levels)


# --- the desired policies -----------------------------------------------------------------


def baseline_roles(kit: Kit) -> tuple[str, ...]:
    """The roles the baseline stack set deploys to every account (cross_account.baseline)."""
    cross = kit.config.cross_account
    return (cross.baseline.audit_role,) if cross and cross.baseline else ()


def trail_bucket(kit: Kit) -> str | None:
    """The organization trail's bucket (trail section), as step 05 names it."""
    return locate(kit).bucket if kit.config.trail else None


def intent(kit: Kit, guardrails: Guardrails, bucket: str | None) -> Intent:
    """What the config means the guardrails to do."""
    config = kit.config
    return Intent(
        partition=region_partitions()[config.home_region],
        home_region=config.home_region,
        allowed_regions=tuple(config.allowed_regions),
        region_allow_list=guardrails.region_allow_list,
        break_glass_role=guardrails.break_glass_role,
        deny_iam_users=guardrails.deny_iam_users,
        deny_leave_organization=guardrails.deny_leave_organization,
        trail_bucket=bucket if guardrails.protect_trail else None,
        baseline_roles=baseline_roles(kit) if guardrails.protect_baseline_roles else (),
        denies_services=frozenset(s for c in guardrails.custom for s in c.denies_services),
    )


def desired(guardrails: Guardrails, wanted: Intent) -> list[Scp]:
    """The SCPs the config asks for, rendered (custom ones read from their files)."""
    targets = tuple(guardrails.attach_to)
    scps = []
    if wanted.region_allow_list:
        document = docs.region_policy(
            wanted.allowed_regions, wanted.partition, wanted.break_glass_role
        )
        regions = ", ".join(wanted.allowed_regions)
        scps.append(
            Scp(
                docs.REGIONS,
                f"org-kit: only {regions}, global services exempted",
                document,
                targets,
            )
        )
    document = docs.guardrail_policy(
        partition=wanted.partition,
        deny_iam_users=wanted.deny_iam_users,
        deny_leave_organization=wanted.deny_leave_organization,
        trail_bucket=wanted.trail_bucket,
        baseline_roles=wanted.baseline_roles,
    )
    if document:
        sids = ", ".join(s["Sid"] for s in document["Statement"])
        scps.append(Scp(docs.GUARDRAILS, f"org-kit: {sids}", document, targets))
    for custom in guardrails.custom:
        document = json.loads(custom.path().read_text(encoding="utf-8"))
        scps.append(
            Scp(
                custom.name,
                custom.description or f"org-kit: custom SCP from {custom.file}",
                document,
                tuple(custom.attach_to or targets),
                tuple(custom.denies_services),
            )
        )
    return scps


# --- what is there ------------------------------------------------------------------------


def existing_scps(kit: Kit) -> dict[str, Found]:
    """Every SCP of the organization by name, with its targets and the kit's tag."""
    orgs = kit.management.client("organizations")
    found = {}
    for page in orgs.get_paginator("list_policies").paginate(Filter=SCP):
        for summary in page["Policies"]:
            policy_id = summary["Id"]
            content = orgs.describe_policy(PolicyId=policy_id)["Policy"]["Content"]
            tags = [] if summary["AwsManaged"] else _tags(orgs, policy_id)
            pages = orgs.get_paginator("list_targets_for_policy").paginate(PolicyId=policy_id)
            targets = {t["TargetId"] for p in pages for t in p["Targets"]}
            found[summary["Name"]] = Found(
                policy_id,
                summary["Name"],
                summary.get("Description", ""),
                json.loads(content),
                TAG in tags,
                targets,
            )
    return found


def _tags(orgs, policy_id: str) -> list[dict]:
    pages = orgs.get_paginator("list_tags_for_resource").paginate(ResourceId=policy_id)
    return [tag for page in pages for tag in page["Tags"]]


def _scp_enabled(kit: Kit) -> bool:
    root = kit.management.client("organizations").list_roots()["Roots"][0]
    return any(t["Type"] == SCP and t["Status"] == "ENABLED" for t in root.get("PolicyTypes", []))


def prepare(kit: Kit) -> Plan | None:
    """Read the organization and render the config's policies (read calls only); None when
    the config has no guardrails section."""
    guardrails = kit.config.guardrails
    if guardrails is None:
        return None
    wanted = intent(kit, guardrails, trail_bucket(kit) if guardrails.protect_trail else None)
    org = describe(kit.management)
    ids = account_ids(kit)
    return Plan(
        section=guardrails,
        scps=desired(guardrails, wanted),
        intent=wanted,
        org_id=org["Id"] if org else None,
        enabled=bool(org) and _scp_enabled(kit),
        ous=ou_ids(kit),
        accounts={a.name: ids.get(a.name) for a in kit.config.accounts},
        found=existing_scps(kit) if org else {},
        management_id=kit.config.management_account.id,
    )


def validate(plan: Plan) -> None:
    """Refuse, before any write, what AWS would refuse: each policy's JSON, grammar and size
    (no Principal, at most 5,120 characters), at most five SCPs on each root or OU, and a
    policy of the kit's name that the kit did not make."""
    problems = [f"SCP {s.name!r}: {p}" for s in plan.scps for p in docs.problems(s.content)]
    for scp in plan.scps:
        other = plan.found.get(scp.name)
        if other is not None and not other.kit_owned:
            problems.append(
                f"SCP {scp.name!r}: a policy of that name exists ({other.id}) and the kit did "
                "not make it (no managed-by=org-kit tag): rename one of them"
            )
    attached = {
        docs.label(key): [p.name for p in plan.after(key, target_id)]
        for key, target_id in plan.ous.items()
    }
    problems += docs.crowded(attached)
    if problems:
        raise GuardrailError(problems)


def proof(kit: Kit, plan: Plan) -> Proof:
    """The proof matrix for every config account and the management account (no calls)."""
    reaches = [
        Reach(a.name, plan.accounts.get(a.name), a.ou, plan.levels(a.ou, a.name))
        for a in kit.config.accounts
    ]
    return prove(plan.intent, reaches, plan.org_id, kit.config.management_account.id)


# --- making it so -------------------------------------------------------------------------


def apply(kit: Kit, plan: Plan, proven: Proof) -> None:
    """Enable SCPs, create or update the policies, attach them, detach (opt-in) what the
    config no longer asks for. Refused unless the proof passed."""
    problems = proven.problems()
    if problems:
        raise GuardrailError(["the proof refuses to attach these guardrails:", *problems])
    ensure_policy_type(kit, plan)
    ids = ensure_policies(kit, plan)
    ensure_attachments(kit, plan, ids)


def ensure_policy_type(kit: Kit, plan: Plan, poll_seconds: float = 1.0) -> None:
    """Enable the SERVICE_CONTROL_POLICY type on the root, and wait until AWS says ENABLED."""
    resource = "policy type SERVICE_CONTROL_POLICY on the root"
    root = plan.ous.get(ROOT)
    if plan.enabled:
        kit.keep(resource, "enabled")
        return
    if root is None:
        kit.change("enable", resource, "once the organization exists")
        return
    if not kit.change("enable", resource, "FullAWSAccess is attached everywhere"):
        return
    orgs = kit.management.client("organizations")
    orgs.enable_policy_type(RootId=root, PolicyType=SCP)
    deadline = time.monotonic() + ENABLE_WAIT_SECONDS
    while not _scp_enabled(kit):  # AWS answers PENDING_ENABLE for a moment
        if time.monotonic() > deadline:
            raise KitError("the SCP policy type is still not enabled after two minutes; run again")
        time.sleep(poll_seconds)


def ensure_policies(kit: Kit, plan: Plan) -> dict[str, str | None]:
    """Create or update each policy the config asks for; name -> id (None if planned)."""
    orgs = kit.management.client("organizations")
    ids: dict[str, str | None] = {}
    for scp in plan.scps:
        found = plan.found.get(scp.name)
        resource = f"SCP {scp.name}"
        if found is None:
            ids[scp.name] = None
            if kit.change("create", resource, scp.description):
                created = orgs.create_policy(
                    Name=scp.name,
                    Description=scp.description,
                    Type=SCP,
                    Content=scp.content,
                    Tags=[TAG],
                )
                ids[scp.name] = created["Policy"]["PolicySummary"]["Id"]
            continue
        ids[scp.name] = found.id
        differs = [
            what
            for what, same in (
                ("content", found.document == scp.document),
                ("description", found.description == scp.description),
            )
            if not same
        ]
        if not differs:
            kit.keep(resource, f"{len(scp.content):,} characters")
        elif kit.change("update", resource, " and ".join(differs)):
            orgs.update_policy(PolicyId=found.id, Description=scp.description, Content=scp.content)
    return ids


def ensure_attachments(kit: Kit, plan: Plan, ids: dict[str, str | None]) -> None:
    """Attach each policy where the config asks; detach the kit's policies from where it no
    longer asks, only with detach_unlisted (otherwise say so)."""
    orgs = kit.management.client("organizations")
    for scp in plan.scps:
        found = plan.found.get(scp.name)
        for path in scp.targets:
            target, resource = plan.ous.get(path), f"SCP {scp.name} on {docs.label(path)}"
            if found is not None and target in found.targets:
                kit.keep(resource, "attached")
            elif target is None or ids[scp.name] is None:
                kit.change("attach", resource, "once both exist")
            elif kit.change("attach", resource):
                orgs.attach_policy(PolicyId=ids[scp.name], TargetId=target)
    wanted = {scp.name: {plan.ous.get(path) for path in scp.targets} for scp in plan.scps}
    for found in plan.found.values():
        if not found.kit_owned:
            continue
        for target in sorted(found.targets - wanted.get(found.name, set())):
            resource = f"SCP {found.name} on {plan.target_name(target)}"
            if not plan.section.detach_unlisted:
                kit.keep(
                    resource, "no longer in the config; guardrails.detach_unlisted detaches it"
                )
            elif kit.change("detach", resource, "no longer in the config"):
                orgs.detach_policy(PolicyId=found.id, TargetId=target)


# --- the evidence -------------------------------------------------------------------------


def policies_table(plan: Plan) -> Table:
    """Each policy: where it goes, its size, and what each statement does."""
    rows = []
    for scp in plan.scps:
        statements = scp.document["Statement"]
        for statement in statements if isinstance(statements, list) else [statements]:
            rows.append(
                [
                    scp.name,
                    ", ".join(docs.label(t) for t in scp.targets),
                    f"{len(scp.content):,} / {docs.MAX_CHARACTERS:,}",
                    statement.get("Sid", ""),
                    statement["Effect"],
                    _actions(statement),
                ]
            )
    return Table(["policy", "attached to", "characters", "statement", "effect", "actions"], rows)


def _actions(statement: dict) -> str:
    if "NotAction" in statement:
        return f"every action except {len(statement['NotAction'])} global ones"
    actions = statement["Action"]
    return actions if isinstance(actions, str) else ", ".join(actions)


def notes(plan: Plan) -> dict[str, list[str]]:
    """{root, OU or account id: the SCP names attached there} for the organization picture."""
    found = {plan.management_id: ["SCPs never apply here"]}
    for path, target in plan.ous.items():
        if target:
            found[target] = [f"SCP {p.name}" for p in plan.after(path, target)]
    for name, target in plan.accounts.items():
        if target:
            found[target] = [f"SCP {p.name}" for p in plan.after(f"account {name}", target)]
    return found


# --- a real denial ------------------------------------------------------------------------

DENIAL = re.compile(
    r"User: (?P<principal>\S+) is not authorized to perform: (?P<action>\S+)"
    r"(?: on resource: \"?(?P<resource>[^\"\s]+)\"?)?"
    r"(?: with an explicit deny in an? (?P<explicit>.+)| because no (?P<implicit>.+) allows .*)?$"
)


@dataclass(frozen=True)
class Attempt:
    """One real call from a member account, and AWS's answer."""

    account: str
    call: str
    region: str
    outcome: str
    message: str = ""

    @property
    def denied(self) -> bool:
        return self.outcome != "allowed"


def demo_account(kit: Kit, plan: Plan) -> tuple[str, str] | None:
    """A workload account (name, id) the region allow-list reaches, to try calls from: the
    first that exists, not the trail's log archive."""
    regions = next((s for s in plan.scps if s.name == docs.REGIONS), None)
    archive = kit.config.trail.log_archive_account if kit.config.trail else None
    for account in kit.config.accounts:
        account_id, path = plan.accounts.get(account.name), account.ou
        reached = regions and any(
            t == ROOT or path == t or path.startswith(f"{t}/") for t in regions.targets
        )
        if account_id and reached and account.name != archive:
            return account.name, account_id
    return None


TRIES = {  # service: (operation, parameters), a read call a workload account makes
    "sqs": ("list_queues", {}),
    "iam": ("list_roles", {"MaxItems": 1}),
    "organizations": ("describe_organization", {}),
}


def _try(name: str, session, service: str, region: str) -> Attempt:
    """One read call of TRIES from a session, and AWS's answer (a denial is an answer)."""
    operation, parameters = TRIES[service]
    client = session.client(service, region_name=region)
    action = f"{service}:{client.meta.method_to_api_mapping[operation]}"
    try:
        getattr(client, operation)(**parameters)
    except ClientError as error:
        details = error.response["Error"]
        if details["Code"] not in ("AccessDenied", "AccessDeniedException"):
            raise
        return Attempt(name, action, region, details["Code"], details["Message"])
    return Attempt(name, action, region, "allowed")


def attempts(kit: Kit, account: tuple[str, str], plan: Plan) -> list[Attempt]:
    """Read calls from the account's access role: in the home region, in a denied region,
    and global services called from the denied region. Read calls only: a re-run writes
    nothing."""
    name, account_id = account
    session = kit.account(account_id)
    home, denied = plan.intent.home_region, plan.intent.denied_region
    calls = [("sqs", home), ("sqs", denied), ("iam", denied), ("organizations", denied)]
    return [_try(name, session, service, region) for service, region in calls]


def attempts_table(found: list[Attempt]) -> Table:
    rows = [[a.account, a.call, a.region, a.outcome, a.message] for a in found]
    return Table(["account", "call", "region", "answer", "AWS's message"], rows)


def read_denial(message: str) -> dict[str, str] | None:
    """The parts of an access-denied message: principal, action, resource, and which kind
    of policy said no ("service control policy" means an SCP: only the organization's
    administrators can change it)."""
    match = DENIAL.match(message)
    if match is None:
        return None
    parts = {k: v for k, v in match.groupdict().items() if v}
    parts["layer"] = parts.pop("explicit", None) or parts.pop("implicit", None) or "not said"
    return parts


def explain(kit: Kit, attempt: Attempt) -> Decision | None:
    """Why AWS refused a denied attempt, layer by layer (read calls only)."""
    parts = read_denial(attempt.message)
    if parts is None:
        return None
    return explain_access(
        kit, parts["principal"], parts["action"], parts.get("resource", "*"), attempt.region
    )


def try_to_create_user(kit: Kit, account_id: str, user: str = "guardrail-test") -> str:
    """Ask IAM, as the account's access role, to create an IAM user; AWS's answer.

    A write call: the workshop makes it with a button, the runbook does not (a re-run makes
    no write calls). The guardrail refuses it; should it ever succeed, the user is deleted.
    """
    iam = kit.account(account_id).client("iam")
    try:
        iam.create_user(UserName=user)
    except ClientError as error:
        return f"{error.response['Error']['Code']}: {error.response['Error']['Message']}"
    iam.delete_user(UserName=user)
    raise KitError(f"account {account_id} could create IAM user {user}; the user is deleted again")


# --- the step as the notebook shows it ----------------------------------------------------


def show_plan(kit: Kit) -> Plan | None:
    """Render and check the config's policies, and show them (no write call); None, and
    said so, when the config has no guardrails section."""
    plan = prepare(kit)
    if plan is None:
        print("The desired-state file has no guardrails section: the kit leaves SCPs alone.")
        return None
    validate(plan)
    kit.show("The guardrails the config asks for", policies_table(plan))
    return plan


def show_proof(kit: Kit, plan: Plan | None) -> Proof | None:
    """The proof matrix, shown, with each refusal and each cell not as the config means."""
    if plan is None:
        return None
    proven = proof(kit, plan)
    kit.show("Proof matrix: the evaluator's decision per request and account", proven.table())
    for problem in proven.problems():
        print("REFUSED:", problem)
    for mismatch in proven.mismatches():
        print("not as the config means:", mismatch)
    return proven


def ensure_guardrails(kit: Kit, plan: Plan | None, proven: Proof | None) -> Plan | None:
    """Make it so (`apply`, refused unless the proof passed) and return the guardrails as
    they stand after the step: read again once applied, the plan while only planning."""
    if plan is None or proven is None:
        return None
    apply(kit, plan, proven)
    return prepare(kit) if kit.apply else plan


def show_picture(kit: Kit, now: Plan | None) -> None:
    """The organization with the SCPs attached at each node (once there is one)."""
    if now and now.org_id:
        picture = organization_picture(kit.management, notes(now))
        kit.show("The organization and the SCPs attached at each node", picture)


def workload_account(kit: Kit, now: Plan | None) -> tuple[str, str] | None:
    """The workload account (name, id) to try calls from once the guardrails are applied."""
    return demo_account(kit, now) if now and kit.apply else None


def show_denial(kit: Kit, now: Plan | None) -> Attempt | None:
    """Read calls from a workload account under the guardrails, shown; the first refusal,
    read from its message and explained layer by layer (read calls only)."""
    account = workload_account(kit, now)
    if now is None or account is None:
        return None
    tried = attempts(kit, account, now)
    kit.show(f"Calls from account {account[0]} under the guardrails", attempts_table(tried))
    denied = next((attempt for attempt in tried if attempt.denied), None)
    if denied:
        print("What the message says:", read_denial(denied.message))
        kit.show(f"Why {denied.call} was refused in {denied.region}", explain(kit, denied))
    return denied


def probe(kit: Kit, service: str) -> Callable[[], Answer]:
    """The real call a prediction waits for: a workload account's read call of `service`
    (a key of TRIES) in the region the guardrail denies, explained when refused. Nothing is
    called until the probe is."""
    if service not in TRIES:
        raise ValueError(f"service {service!r}: choose one of {', '.join(TRIES)}")

    def call() -> Answer:
        now = prepare(kit)
        account = workload_account(kit, now)
        if now is None or account is None:
            raise KitError("no workload account under the region guardrail yet: run step 06")
        region = now.intent.denied_region
        tried = _try(account[0], kit.account(account[1]), service, region)
        if not tried.denied:
            return Answer.of(True, detail=f"{tried.call} in {region}: allowed")
        return Answer.of(False, explain(kit, tried), tried.message)

    return call
