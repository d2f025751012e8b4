"""What is there and what the config asks for: the SCPs wanted, the SCPs found, the SCP
levels each account will have once the step is done, and their proof."""

from __future__ import annotations

from dataclasses import dataclass, field

from helpers import scp_documents as docs
from helpers.config import Guardrails
from helpers.kit import Kit, KitError
from helpers.policy import Policy, ScpLevel

from .expected import Intent
from .matrix import Proof, Reach, prove

SCP = "SERVICE_CONTROL_POLICY"
TAG = {"Key": "managed-by", "Value": "org-kit"}
ROOT = "Root"
FULL_ACCESS_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


class GuardrailError(KitError):
    """Policies AWS would refuse, found before any write; `.problems` lists each."""

    def __init__(self, problems: list[str], next_step: str) -> None:
        self.problems = problems
        super().__init__(
            "the guardrails cannot be applied:\n" + "\n".join(f"  - {p}" for p in problems),
            resource="the guardrails section of the config",
            next_step=next_step,
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


def proof(kit: Kit, plan: Plan) -> Proof:
    """The proof matrix for every config account and the management account (no calls)."""
    reaches = [
        Reach(a.name, plan.accounts.get(a.name), a.ou, plan.levels(a.ou, a.name))
        for a in kit.config.accounts
    ]
    return prove(plan.intent, reaches, plan.org_id, kit.config.management_account.id)
