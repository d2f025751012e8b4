"""The review itself: which accounts it reads and what it leaves out (the kit's roles and
bucket), then every enabled check in every account, a bounded pool of threads at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from botocore.exceptions import ClientError
from tqdm.auto import tqdm

from helpers import audit_trail, paths
from helpers.accounts import members, state
from helpers.aws import error_code
from helpers.kit import Kit
from helpers.review.encryption import check_buckets, check_volumes
from helpers.review.iam import check_iam
from helpers.review.model import Finding, Review, Settings
from helpers.review.network import check_network
from helpers.review.scope import Scope
from helpers.review.upkeep import budgets, check_backup, check_budget, check_tags
from helpers.targets import ACCESS_ROLE

THREADS = 8  # accounts read at once, each in a thread with its own session and clients
DENIED = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation")
RUNS = {
    "iam": check_iam,
    "network": check_network,
    "volumes": check_volumes,
    "buckets": check_buckets,
    "backup": check_backup,
    "tags": check_tags,
    "budget": check_budget,
}


def accounts(kit: Kit) -> dict[str, str]:
    """The accounts the review reads: the management account, then every active member."""
    management = kit.config.management_account
    found = {management.id: management.name}
    for account_id, entry in sorted(members(kit).items()):
        if state(entry) == "ACTIVE":
            found.setdefault(account_id, kit.account_name(account_id, entry["Name"]))
    return found


def kit_roles(kit: Kit) -> frozenset[str]:
    """The roles the kit relies on or creates: the access role, the config's kit roles, the
    baseline's audit role and the roles of declared paths."""
    section = paths.section(kit)
    names = {ACCESS_ROLE, *(r.role for r in section.kit_roles)}
    names |= {p.provider.role for p in section.paths if p.provider.kind() == "role"}
    if section.baseline:
        names.add(section.baseline.audit_role)
    return frozenset(names)


def kit_buckets(kit: Kit) -> frozenset[str]:
    """The trail's bucket (the only bucket the kit makes against AWS)."""
    if kit.config.trail is None:
        return frozenset()
    return frozenset({audit_trail.locate(kit.planning()).bucket})


def review(kit: Kit) -> Review:
    """Read every account (read calls only) and return what the enabled checks found."""
    section, management_id = kit.config.review, kit.config.management_account.id
    watched = budgets(kit.management, management_id) if "budget" in section.checks else []
    settings = Settings(section.required_tags, section.admin_ports, management_id, watched)
    regions = list(dict.fromkeys([kit.config.home_region, *kit.config.allowed_regions]))
    roles, owned = kit_roles(kit), kit_buckets(kit)
    names = accounts(kit)

    def read(account_id: str, name: str) -> list[Finding]:
        """What the enabled checks find in one account."""
        found: list[Finding] = []
        scope = None
        for check in section.checks:
            try:
                session = kit.account(account_id)
                scope = scope or Scope(account_id, name, session, regions, roles, owned)
                found.extend(RUNS[check](scope, settings))
            except ClientError as error:
                if error_code(error) not in DENIED:
                    raise
                found.append(
                    Finding(
                        check,
                        f"{name} ({account_id})",
                        "the account",
                        f"could not be read: {error.response['Error']['Message']}",
                        f"give the management account its {ACCESS_ROLE} back (step 02), with "
                        "the right to read",
                    )
                )
        return found

    result = Review([f"{name} ({i})" for i, name in names.items()])
    kit.management.client("sts")  # made once here: the threads share it
    with ThreadPoolExecutor(THREADS) as pool:
        done = pool.map(read, names, names.values())
        for found in tqdm(done, total=len(names), desc="accounts", unit="account"):
            result.findings.extend(found)
    return result
