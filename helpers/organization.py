"""Step 01: the organization itself, created with all features from the management account."""

from __future__ import annotations

import boto3

from helpers.aws import or_none, paginate
from helpers.kit import Kit, KitError
from helpers.pictures import Node, Picture, tree


def describe(session: boto3.Session) -> dict | None:
    """The organization this session's account belongs to, or None outside any."""
    orgs = session.client("organizations")
    found = or_none(orgs.describe_organization, "AWSOrganizationsNotInUseException")
    return found["Organization"] if found else None


def check_management(
    account: str, expected: str, who: str = "the credentials", fix: str = ""
) -> None:
    """The kit's one check that the caller is the config's management account: unless
    `account` (sts:GetCallerIdentity's answer) is `expected`, refuse, naming both and the fix."""
    if account == expected:
        return
    fix = fix or "use the management account's credentials, or correct management_account.id"
    raise KitError(
        f"{who} reach account {account}, but the config's management_account.id is "
        f"{expected}: {fix}",
        resource=f"account {account}",
        next_step=fix,
    )


def check_caller(kit: Kit) -> str:
    """Refuse to go on unless the kit's management session is the config's management account."""
    account = kit.management.client("sts").get_caller_identity()["Account"]
    check_management(account, kit.config.management_account.id)
    return account


def ensure_organization(kit: Kit) -> dict | None:
    """Make the management account the head of an organization with all features.

    Returns the organization (None when only planned).
    """
    account = check_caller(kit)
    org = describe(kit.management)
    if org is None:
        kit.plan("create", "organization", f"all features, management account {account}")
        if kit.apply:
            orgs = kit.management.client("organizations")
            org = orgs.create_organization(FeatureSet="ALL")["Organization"]
        return org
    if org["MasterAccountId"] != account:
        raise KitError(
            f"account {account} is a member of organization {org['Id']}, whose management "
            f"account is {org['MasterAccountId']}: the kit starts from a new, empty account",
            resource=f"organization {org['Id']}",
            next_step="run the kit with the credentials of an account in no organization",
        )
    if org["FeatureSet"] != "ALL":
        kit.plan("update", f"organization {org['Id']}", "enable all features")
        if kit.apply:
            kit.management.client("organizations").enable_all_features()
        return org
    kit.keep(f"organization {org['Id']}", "all features")
    return org


def root_id(session: boto3.Session) -> str:
    """The id of the organization's one root."""
    return session.client("organizations").list_roots()["Roots"][0]["Id"]


def child_ous(session: boto3.Session, parent_id: str) -> list[dict]:
    """The OUs directly under a root or OU (each with Id and Name)."""
    orgs = session.client("organizations")
    return list(
        paginate(
            orgs, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent_id
        )
    )


def child_accounts(session: boto3.Session, parent_id: str) -> list[dict]:
    """The accounts directly under a root or OU."""
    orgs = session.client("organizations")
    return list(paginate(orgs, "list_accounts_for_parent", "Accounts", ParentId=parent_id))


def placement(session: boto3.Session) -> list[tuple[str, str, list[dict]]]:
    """Where the accounts are: (root or OU id, its path such as "Workloads/Dev", the accounts
    directly in it) for the root and every OU, parents first."""
    found, todo = [], [(root_id(session), "Root")]
    while todo:
        node, path = todo.pop(0)
        found.append((node, path, child_accounts(session, node)))
        prefix = "" if path == "Root" else f"{path}/"
        todo += [(ou["Id"], prefix + ou["Name"]) for ou in child_ous(session, node)]
    return found


FOLD_FROM = 24  # an OU with more accounts than this shows alike accounts as one box


def account_boxes(
    accounts: list[dict], notes: dict[str, list[str]], management: str, fold_from: int = FOLD_FROM
) -> list[Node]:
    """The boxes of one OU's accounts: one each, or, beyond `fold_from` accounts, one per
    group of accounts with the same notes (an account alone in its group keeps its box)."""

    def box(account: dict) -> Node:
        extra = ["management"] if account["Id"] == management else []
        return Node(
            account["Name"],
            kind="management" if extra else "account",
            notes=[account["Id"], *extra, *notes.get(account["Id"], [])],
        )

    if len(accounts) <= fold_from:
        return [box(a) for a in accounts]
    groups: dict[tuple[str, ...], list[dict]] = {}
    for account in accounts:
        key = (
            ("management",) if account["Id"] == management else tuple(notes.get(account["Id"], []))
        )
        groups.setdefault(key, []).append(account)
    boxes = []
    for shared, alike in groups.items():
        if len(alike) == 1 or shared == ("management",):
            boxes += [box(a) for a in alike]
            continue
        ids = sorted(a["Id"] for a in alike)
        boxes.append(Node(f"{len(alike)} accounts", notes=[f"{ids[0]} … {ids[-1]}", *shared]))
    return boxes


def organization_tree(session: boto3.Session, notes: dict[str, list[str]] | None = None) -> Node:
    """The organization as a tree of OUs and accounts; `notes` adds lines under a node's id.
    An OU of more than FOLD_FROM accounts shows accounts with the same notes as one box."""
    orgs = session.client("organizations")
    notes = notes or {}
    org = orgs.describe_organization()["Organization"]
    management = org["MasterAccountId"]
    names = getattr(session, "names", {})  # the kit's names for accounts, on a kit's session

    def ou_node(ou_id: str, label: str, kind: str) -> Node:
        children = [ou_node(ou["Id"], ou["Name"], "ou") for ou in child_ous(session, ou_id)]
        accounts = [
            {**a, "Name": names.get(a["Id"], a["Name"])} for a in child_accounts(session, ou_id)
        ]
        children += account_boxes(accounts, notes, management)
        return Node(label, kind=kind, notes=[ou_id, *notes.get(ou_id, [])], children=children)

    root = root_id(session)
    return ou_node(root, f"Root ({org['Id']})", "root")


def picture(session: boto3.Session, notes: dict[str, list[str]] | None = None) -> Picture:
    """The organization tree, drawn."""
    return tree(organization_tree(session, notes))
