"""The SCPs the config asks for: what it means them to do, the documents rendered (custom
ones read from their files), and the checks AWS Organizations would make, with no call."""

from __future__ import annotations

import json

from helpers import scp_documents as docs
from helpers.audit_trail import locate
from helpers.config import Guardrails, region_partitions
from helpers.kit import Kit

from .expected import Intent
from .plan import GuardrailError, Plan, Scp


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
        raise GuardrailError(problems, "change the guardrails section (or the policy files)")
