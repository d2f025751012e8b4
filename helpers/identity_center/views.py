"""Step 03 as the notebook shows it: the people, the unlisted assignments, each person's
portal, and the AWS CLI files."""

from __future__ import annotations

from helpers.identity_center.assignments import Grant
from helpers.identity_center.directory import Directory, section
from helpers.identity_center.reach import Access, write_cli_configs
from helpers.kit import Kit
from helpers.tables import Table


def users_table(kit: Kit) -> Table:
    """The config's users: user name, display name, email."""
    return Table(
        ["user", "name", "email"],
        [[u.user_name, u.display_name, u.email] for u in section(kit).users],
    )


def unlisted_table(grants: list[Grant]) -> Table:
    """Assignments Identity Center holds that the config does not list."""
    return Table(
        ["principal", "permission set", "account"],
        [
            [f"{g.principal_type.lower()} {g.principal}", g.permission_set, g.account]
            for g in grants
        ],
    )


def show_unlisted(kit: Kit, grants: list[Grant]) -> None:
    """Show the assignments Identity Center holds that the config does not list, if any."""
    if grants:
        kit.show("Assignments not in the config", unlisted_table(grants))


def portal_table(accesses: list[Access]) -> Table:
    """A user's portal as a table: each account with the permission sets offered there."""
    return Table(
        ["account", "account id", "permission sets"],
        [
            [a.account, a.account_id or "(not created yet)", ", ".join(a.permission_sets)]
            for a in accesses
        ],
    )


def show_portals(kit: Kit, reaches: dict[str, list[Access]]) -> None:
    """What each person sees in the access portal, one table per person."""
    for user in section(kit).users:
        kit.show(
            f"What {user.display_name} ({user.user_name}) sees in the portal",
            portal_table(reaches[user.user_name]),
        )


def show_cli_configs(kit: Kit, directory: Directory, reaches: dict[str, list[Access]]) -> None:
    """Write each person's AWS CLI configuration and show the files, with their profiles."""
    paths = write_cli_configs(kit, directory, reaches)
    rows = [
        [user, path.name, sum(len(a.permission_sets) for a in reaches[user] if a.account_id)]
        for user, path in paths.items()
    ]
    kit.show("AWS CLI configuration files", Table(["user", "file", "profiles"], rows))
