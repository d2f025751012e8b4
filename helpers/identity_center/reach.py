"""Who reaches which account: what the access portal lists for each person, and the AWS CLI
configuration files that follow from it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from helpers import cli_config
from helpers.aws import paginate
from helpers.identity_center.assignments import desired_grants
from helpers.identity_center.directory import Directory, Instance, section
from helpers.kit import Kit


@dataclass(frozen=True)
class Access:
    """One line of a user's portal: an account and the permission sets they may use there."""

    account: str
    account_id: str | None
    permission_sets: tuple[str, ...]


def reach(kit: Kit, directory: Directory) -> dict[str, list[Access]]:
    """For each config user, the accounts and permission sets the portal lists for them.

    Read from Identity Center (the user's own assignments and their groups') where the
    user exists, else from the config (what a run will grant).
    """
    result = {}
    for user in section(kit).users:
        user_id = directory.users.get(user.user_name)
        if directory.instance and user_id:
            pairs = _live_reach(kit, directory, directory.instance, user_id)
        else:
            pairs = _planned_reach(kit, directory, user.user_name)
        by_account: dict[str, set[str]] = {}
        for account, permission_set in pairs:
            by_account.setdefault(account, set()).add(permission_set)
        result[user.user_name] = [
            Access(account, directory.accounts.get(account), tuple(sorted(sets)))
            for account, sets in sorted(by_account.items())
        ]
    return result


def _live_reach(
    kit: Kit, directory: Directory, instance: Instance, user_id: str
) -> list[tuple[str, str]]:
    store, sso = kit.management.client("identitystore"), kit.management.client("sso-admin")
    groups = paginate(
        store,
        "list_group_memberships_for_member",
        "GroupMemberships",
        IdentityStoreId=instance.store_id,
        MemberId={"UserId": user_id},
    )
    principals = [("USER", user_id)] + [("GROUP", g["GroupId"]) for g in groups]
    accounts = {i: n for n, i in directory.accounts.items() if i}
    sets = {arn: n for n, arn in directory.permission_sets.items() if arn}
    pairs = []
    for kind, principal in principals:
        for a in paginate(
            sso,
            "list_account_assignments_for_principal",
            "AccountAssignments",
            InstanceArn=instance.arn,
            PrincipalId=principal,
            PrincipalType=kind,
        ):
            pairs.append(
                (
                    accounts.get(a["AccountId"], a["AccountId"]),
                    sets.get(a["PermissionSetArn"], a["PermissionSetArn"]),
                )
            )
    return pairs


def _planned_reach(kit: Kit, directory: Directory, user_name: str) -> list[tuple[str, str]]:
    groups = {
        g.name.casefold()
        for g in section(kit).groups
        if user_name.casefold() in {m.casefold() for m in g.members}
    }
    return [
        (grant.account, grant.permission_set)
        for grant in desired_grants(kit, directory)
        if (grant.principal_type == "USER" and grant.principal.casefold() == user_name.casefold())
        or (grant.principal_type == "GROUP" and grant.principal.casefold() in groups)
    ]


def write_cli_configs(
    kit: Kit, directory: Directory, reaches: dict[str, list[Access]]
) -> dict[str, Path]:
    """Write <run dir>/aws-config/<user>.config for each user: {user name: path}.

    Profiles are written for the accounts that exist; none without an instance (its
    default portal address comes from it).
    """
    if directory.instance is None:
        return {}
    config = section(kit)
    start_url = config.start_url or directory.instance.default_start_url
    paths = {}
    for user, accesses in reaches.items():
        profiles = [
            cli_config.Profile(a.account, a.account_id, permission_set)
            for a in accesses
            if a.account_id
            for permission_set in a.permission_sets
        ]
        text = cli_config.render(config.cli_session, start_url, kit.config.home_region, profiles)
        paths[user] = cli_config.write(kit.run_dir / "aws-config", user, text)
    return paths
