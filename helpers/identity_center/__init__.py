"""Step 03: access for people with IAM Identity Center.

Users and groups (or those an external identity provider supplies), permission sets, and
assignments of a group or user to a permission set in an account. Everything is looked up
by name, compared with the config, and only the difference is changed. Assignments and
provisioning are asynchronous: the kit waits for their status.

directory: the instance, users, groups, memberships; permission_sets; assignments;
polling: the asynchronous requests; reach: who reaches which account (portal, CLI files);
views: the step's tables as the notebook shows them.
"""

from __future__ import annotations

from helpers.accounts import account_ids
from helpers.identity_center.assignments import (
    Grant,
    assign,
    assignment_accounts,
    current_grants,
    desired_grants,
    ensure_assignments,
)
from helpers.identity_center.directory import (
    Directory,
    Instance,
    ensure_groups,
    ensure_memberships,
    ensure_people,
    ensure_users,
    find_instance,
    section,
)
from helpers.identity_center.permission_sets import OUTDATED, ensure_permission_sets
from helpers.identity_center.polling import wait
from helpers.identity_center.reach import Access, reach, write_cli_configs
from helpers.identity_center.views import (
    portal_table,
    show_cli_configs,
    show_portals,
    show_unlisted,
    unlisted_table,
    users_table,
)
from helpers.kit import Kit


def ensure_identity_center(kit: Kit) -> Directory:
    """Make Identity Center match the config: the whole step in one call."""
    directory = Directory(find_instance(kit))
    ensure_people(kit, directory)
    directory.permission_sets = ensure_permission_sets(kit, directory.instance)
    assign(kit, directory)
    return directory


__all__ = [
    "OUTDATED",
    "Access",
    "Directory",
    "Grant",
    "Instance",
    "account_ids",
    "assign",
    "assignment_accounts",
    "current_grants",
    "desired_grants",
    "ensure_assignments",
    "ensure_groups",
    "ensure_identity_center",
    "ensure_memberships",
    "ensure_people",
    "ensure_permission_sets",
    "ensure_users",
    "find_instance",
    "portal_table",
    "reach",
    "section",
    "show_cli_configs",
    "show_portals",
    "show_unlisted",
    "unlisted_table",
    "users_table",
    "wait",
    "write_cli_configs",
]
