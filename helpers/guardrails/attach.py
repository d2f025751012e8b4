"""Making it so, once the proof passed: the SCP type enabled, the kit's policies created or
updated (tagged managed-by=org-kit), attached where the config says, and detached (opt-in)
from where it no longer does. The staged rollout is the config's `attach_to`, one run per
stage."""

from __future__ import annotations

from helpers import scp_documents as docs
from helpers.kit import Kit

from .matrix import Proof
from .plan import SCP, TAG, GuardrailError, Plan
from .policy_type import ensure_policy_type


def apply(kit: Kit, plan: Plan, proven: Proof) -> None:
    """Enable SCPs, create or update the policies, attach them, detach (opt-in) what the
    config no longer asks for. Refused unless the proof passed."""
    problems = proven.problems()
    if problems:
        raise GuardrailError(
            ["the proof refuses to attach these guardrails:", *problems],
            "change the policies (or denies_services) until the proof passes",
        )
    ensure_policy_type(kit, plan)
    ids = ensure_policies(kit, plan)
    ensure_attachments(kit, plan, ids)


def ensure_policies(kit: Kit, plan: Plan) -> dict[str, str | None]:
    """Create or update each policy the config asks for; name -> id (None if only planned)."""
    orgs = kit.management.client("organizations")
    ids: dict[str, str | None] = {}
    for scp in plan.scps:
        found = plan.found.get(scp.name)
        resource = f"SCP {scp.name}"
        if found is None:
            kit.plan("create", resource, scp.description)
            ids[scp.name] = None
            if kit.apply:
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
            continue
        kit.plan("update", resource, " and ".join(differs))
        if kit.apply:
            orgs.update_policy(PolicyId=found.id, Description=scp.description, Content=scp.content)
    return ids


def ensure_attachments(kit: Kit, plan: Plan, ids: dict[str, str | None]) -> None:
    """Attach each policy where the config asks; detach the kit's policies from where it no
    longer asks, only with detach_unlisted (otherwise say so)."""
    orgs = kit.management.client("organizations")
    for scp in plan.scps:
        found, policy_id = plan.found.get(scp.name), ids[scp.name]
        for path in scp.targets:
            target, resource = plan.ous.get(path), f"SCP {scp.name} on {docs.label(path)}"
            if found is not None and target in found.targets:
                kit.keep(resource, "attached")
            elif target is None or policy_id is None:
                kit.plan("attach", resource, "once both exist")
            else:
                kit.plan("attach", resource)
                if kit.apply:
                    orgs.attach_policy(PolicyId=policy_id, TargetId=target)
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
                continue
            kit.plan("detach", resource, "no longer in the config")
            if kit.apply:
                orgs.detach_policy(PolicyId=found.id, TargetId=target)
