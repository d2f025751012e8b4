"""The step as the notebook shows it: the policies' table, the proof matrix with its
refusals, the step made so, the organization picture, and a real denial explained; each
one call of a code cell."""

from __future__ import annotations

from helpers import scp_documents as docs
from helpers.kit import Kit
from helpers.organization import picture as organization_picture
from helpers.tables import Table

from .attach import apply
from .denial import Attempt, attempts, explain, read_denial, workload_account
from .existing import prepare
from .matrix import Proof
from .plan import Plan, proof
from .render import validate


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


def attempts_table(found: list[Attempt]) -> Table:
    rows = [[a.account, a.call, a.region, a.outcome, a.message] for a in found]
    return Table(["account", "call", "region", "answer", "AWS's message"], rows)


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
