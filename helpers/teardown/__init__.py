"""Step 10: clean up. Undo the kit's work in the reverse order of the journey, with the same
"make it so" care: read, and change only what is still there.

Governance, guardrails, the trail, the paths and the baseline stack set, Identity Center's
assignments, permission sets, groups and users; then the accounts: the invited original
account leaves the organization (it holds the team's workloads: never closed), the
accounts the kit created are closed, as many as AWS's CloseAccount quota allows. Closed
accounts stay in the organization, SUSPENDED, for 90 days; so do the organization and its
OUs, which cannot be deleted while they hold an account.

Which accounts are the kit's is AWS's record, not the config's word (`match_accounts`):
while the two disagree, nothing changes. The management account and the accounts the
config does not name are never touched.

The trail's log bucket is kept: it is the audit record of everything the kit did. It lives
in the log-archive account, so that account is kept too unless trail.close_log_archive
says to close it: AWS deletes a closed account, and the logs in it, after 90 days.
"""

from __future__ import annotations

from helpers import audit_trail
from helpers.accounts import members, state
from helpers.kit import Kit
from helpers.organization import describe
from helpers.tables import Table
from helpers.teardown.demo import undo_demo_resources
from helpers.teardown.member_accounts import (
    Accounts,
    close_accounts,
    match_accounts,
    refuse_mismatches,
    undo_invitations,
)
from helpers.teardown.organization_level import (
    remove_stack_set,
    undo_governance,
    undo_guardrails,
    undo_identity_center,
    undo_paths,
    undo_trail,
)

__all__ = [
    "Accounts",
    "accounts_table",
    "close_accounts",
    "kept_table",
    "match_accounts",
    "refuse_mismatches",
    "remove_stack_set",
    "teardown",
    "undo_demo_resources",
    "undo_governance",
    "undo_guardrails",
    "undo_identity_center",
    "undo_invitations",
    "undo_paths",
    "undo_trail",
]


def teardown(kit: Kit) -> list[str]:
    """Undo the kit's work, newest first; returns the accounts still open (quota)."""
    if describe(kit.management) is None:
        kit.keep("organization", "none: nothing to clean up")
        return []
    found = match_accounts(kit)
    refuse_mismatches(kit, found)
    where = audit_trail.locate(kit.planning()) if kit.config.trail else None
    undo_governance(kit)
    undo_guardrails(kit)
    undo_trail(kit, where)
    undo_paths(kit, found, where)
    undo_identity_center(kit)
    undo_invitations(kit, found)
    remaining = close_accounts(kit, found, where)
    kit.keep(
        "organization and its OUs",
        "kept: closed accounts stay in it, SUSPENDED, for 90 days; delete it after that",
    )
    return remaining


def accounts_table(kit: Kit) -> Table:
    """Every account the organization lists, with its state."""
    if describe(kit.management) is None:
        return Table(["account", "id", "state", "joined"], [])
    rows = [
        [a["Name"], i, state(a), a.get("JoinedMethod", "")] for i, a in sorted(members(kit).items())
    ]
    return Table(["account", "id", "state", "joined"], rows)


def kept_table(kit: Kit) -> Table:
    """What the clean-up leaves in place, and why."""
    return Table(["kept", "why"], [[c.resource, c.detail] for c in kit.unchanged])
