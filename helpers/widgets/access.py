"""The access matrix: users x accounts x permission sets, as Identity Center holds it now."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from helpers import identity_center
from helpers.accounts import account_ids
from helpers.aws import paginate
from helpers.kit import Kit, KitError
from helpers.tables import Table
from helpers.widgets.base import button, html, through


def _directory(kit: Kit) -> identity_center.Directory:
    """Identity Center as it is, read without changing anything: the config's users, groups
    and permission sets with their ids (None for those not there yet)."""
    config = identity_center.section(kit)
    instance = identity_center.find_instance(kit)
    directory = identity_center.Directory(instance, accounts=account_ids(kit))
    users, groups, sets = {}, {}, {}
    if instance is not None:
        store, sso = kit.management.client("identitystore"), kit.management.client("sso-admin")
        found = paginate(store, "list_users", "Users", IdentityStoreId=instance.store_id)
        users = {u["UserName"].casefold(): u["UserId"] for u in found}
        found = paginate(store, "list_groups", "Groups", IdentityStoreId=instance.store_id)
        groups = {g["DisplayName"].casefold(): g["GroupId"] for g in found}
        arns = paginate(sso, "list_permission_sets", "PermissionSets", InstanceArn=instance.arn)
        for arn in arns:
            described = sso.describe_permission_set(InstanceArn=instance.arn, PermissionSetArn=arn)
            sets[described["PermissionSet"]["Name"]] = arn
    directory.users = {u.user_name: users.get(u.user_name.casefold()) for u in config.users}
    directory.groups = {g.name: groups.get(g.name.casefold()) for g in config.groups}
    directory.permission_sets = {p.name: sets.get(p.name) for p in config.permission_sets}
    return directory


def matrix(reaches: dict[str, list[identity_center.Access]], permission_set: str = "") -> Table:
    """One row per user, one column per account: the permission sets offered there."""
    accounts = sorted({a.account for accesses in reaches.values() for a in accesses})
    rows = []
    for user, accesses in reaches.items():
        offered = {
            a.account: [p for p in a.permission_sets if not permission_set or p == permission_set]
            for a in accesses
        }
        rows.append([user, *(", ".join(offered.get(name, [])) or "-" for name in accounts)])
    return Table(["user", *accounts], rows)


def access_matrix(kit: Kit) -> w.VBox:
    """Who may enter which account with which permission set, as Identity Center holds it
    now (helpers.identity_center.reach); pick a permission set to see only it."""
    table, out = w.HTML(), w.Output()
    names = [p.name for p in identity_center.section(kit).permission_sets]
    choices = [("every permission set", ""), *((name, name) for name in names)]
    only = w.Dropdown(description="show", options=choices)
    refresh = button("Refresh", "refresh")
    reaches: dict[str, list[identity_center.Access]] = {}

    def draw(_: Any = None) -> None:
        table.value = html(matrix(reaches, only.value))

    def load() -> None:
        reaches.clear()
        try:
            reaches.update(identity_center.reach(kit, _directory(kit)))
        except KitError as error:
            table.value = html(error)
            return
        draw()

    refresh.on_click(through(out, load))
    only.observe(through(out, draw), names="value")
    load()
    return w.VBox([w.HBox([only, refresh]), out, table])
