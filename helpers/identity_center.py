"""Step 03: access for people with IAM Identity Center.

Users and groups (or those an external identity provider supplies), permission sets, and
assignments of a group or user to a permission set in an account. Everything is looked up
by name, compared with the config, and only the difference is changed. Assignments and
provisioning are asynchronous: the kit waits for their status.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from helpers import cli_config
from helpers.accounts import members
from helpers.config import AccountAssignment, IdentityCenter, OrgConfig, PermissionSetConfig
from helpers.kit import Kit, KitError
from helpers.tables import Table

OUTDATED = "LATEST_PERMISSION_SET_NOT_PROVISIONED"


@dataclass(frozen=True)
class Instance:
    """The Identity Center instance: its ARN and its identity store."""

    arn: str
    store_id: str

    @property
    def default_start_url(self) -> str:
        """The portal's address when no alias is set."""
        return f"https://{self.store_id}.awsapps.com/start"


@dataclass(frozen=True)
class Grant:
    """One assignment: a principal gets a permission set in an account (ids None if planned)."""

    account: str
    permission_set: str
    principal_type: str  # USER or GROUP
    principal: str
    account_id: str | None = None
    permission_set_arn: str | None = None
    principal_id: str | None = None

    @property
    def label(self) -> str:
        who = f"{self.principal_type.lower()} {self.principal}"
        return f"{who}: {self.permission_set} in {self.account}"

    @property
    def key(self) -> tuple[str | None, ...]:
        return (self.account_id, self.permission_set_arn, self.principal_type, self.principal_id)


@dataclass
class Directory:
    """What step 03 knows after making it so: ids by name (None where only planned)."""

    instance: Instance | None
    users: dict[str, str | None] = field(default_factory=dict)
    groups: dict[str, str | None] = field(default_factory=dict)
    permission_sets: dict[str, str | None] = field(default_factory=dict)
    accounts: dict[str, str | None] = field(default_factory=dict)
    unlisted: list[Grant] = field(default_factory=list)


def section(kit: Kit) -> IdentityCenter:
    """The config's identity_center section (an empty one if the file has none)."""
    return kit.config.identity_center or IdentityCenter()


def _pages(client, operation: str, key: str, **params) -> list[dict]:
    pages = client.get_paginator(operation).paginate(**params)
    return [item for page in pages for item in page[key]]


# --- the instance -------------------------------------------------------------------------


def find_instance(kit: Kit) -> Instance | None:
    """The organization's Identity Center instance in the home region.

    Without one, AWS needs a person: an organization instance is enabled in the console
    (no API creates one). In plan mode that is noted as a to-do; applying stops with advice.
    """
    if kit.config.identity_center is None:
        kit.keep("IAM Identity Center", "no identity_center section in the config: left alone")
        return None
    management = kit.config.management_account.id
    found = _pages(kit.management.client("sso-admin"), "list_instances", "Instances")
    found = [i for i in found if i.get("OwnerAccountId", management) == management] or found
    if found:
        return Instance(found[0]["InstanceArn"], found[0]["IdentityStoreId"])
    advice = (
        f"IAM Identity Center is not enabled in {kit.config.home_region} for the management "
        f"account {management}: sign in to its AWS console, open IAM Identity Center in "
        f"{kit.config.home_region} and choose Enable (an organization instance; no API can "
        "enable it). If it is enabled in another region, set home_region to that region. "
        "Then run this step again."
    )
    if kit.apply:
        raise KitError(advice)
    kit.ask(advice)
    return None


# --- users, groups, memberships -----------------------------------------------------------


def _emails(email: str) -> list[dict]:
    return [{"Value": email, "Type": "work", "Primary": True}]


def ensure_users(kit: Kit, instance: Instance | None) -> dict[str, str | None]:
    """Create or update the config's users ({user name: id}); external ones are looked up."""
    config = section(kit)
    store = kit.management.client("identitystore")
    existing = {}
    if instance:
        listed = _pages(store, "list_users", "Users", IdentityStoreId=instance.store_id)
        existing = {u["UserName"].casefold(): u for u in listed}
    ids: dict[str, str | None] = {}
    for user in config.users:
        resource = f"user {user.user_name}"
        found = existing.get(user.user_name.casefold())
        ids[user.user_name] = found["UserId"] if found else None
        if config.identity_source == "external":
            _expect(kit, found, resource)
            continue
        given, family = user.names()
        if found is None:
            if kit.change("create", resource, user.email):
                ids[user.user_name] = store.create_user(
                    IdentityStoreId=instance.store_id,
                    UserName=user.user_name,
                    DisplayName=user.display_name,
                    Name={"GivenName": given, "FamilyName": family},
                    Emails=_emails(user.email),
                )["UserId"]
            continue
        wanted = {
            "displayName": (found.get("DisplayName"), user.display_name),
            "name.givenName": ((found.get("Name") or {}).get("GivenName"), given),
            "name.familyName": ((found.get("Name") or {}).get("FamilyName"), family),
            "emails": (_primary_email(found), user.email.lower()),
        }
        changes = [path for path, (now, want) in wanted.items() if now != want]
        if not changes:
            kit.keep(resource, user.email)
        elif kit.change("update", resource, ", ".join(changes)):
            values = {**{p: w for p, (_, w) in wanted.items()}, "emails": _emails(user.email)}
            store.update_user(
                IdentityStoreId=instance.store_id,
                UserId=found["UserId"],
                Operations=[{"AttributePath": p, "AttributeValue": values[p]} for p in changes],
            )
    return ids


def _primary_email(user: dict) -> str | None:
    emails = user.get("Emails") or []
    primary = [e for e in emails if e.get("Primary")] or emails
    return primary[0]["Value"].lower() if primary else None


def _expect(kit: Kit, found: dict | None, resource: str) -> None:
    """External identities: the kit only checks that the identity provider supplied them."""
    if found:
        kit.keep(resource, "from the external identity provider")
    else:
        kit.ask(f"provision {resource} from your identity provider (SCIM), then run again")


def ensure_groups(kit: Kit, instance: Instance | None) -> dict[str, str | None]:
    """Create or update the config's groups ({name: id}); external ones are looked up."""
    config = section(kit)
    store = kit.management.client("identitystore")
    existing = {}
    if instance:
        listed = _pages(store, "list_groups", "Groups", IdentityStoreId=instance.store_id)
        existing = {g["DisplayName"].casefold(): g for g in listed}
    ids: dict[str, str | None] = {}
    for group in config.groups:
        resource = f"group {group.name}"
        found = existing.get(group.name.casefold())
        ids[group.name] = found["GroupId"] if found else None
        if config.identity_source == "external":
            _expect(kit, found, resource)
        elif found is None:
            if kit.change("create", resource, group.description):
                params = {"Description": group.description} if group.description else {}
                ids[group.name] = store.create_group(
                    IdentityStoreId=instance.store_id, DisplayName=group.name, **params
                )["GroupId"]
        elif found.get("Description", "") != group.description:
            if kit.change("update", resource, "description"):
                store.update_group(
                    IdentityStoreId=instance.store_id,
                    GroupId=found["GroupId"],
                    Operations=[
                        {"AttributePath": "description", "AttributeValue": group.description}
                    ],
                )
        else:
            kit.keep(resource, group.description)
    return ids


def ensure_memberships(
    kit: Kit, instance: Instance | None, users: dict[str, str | None], groups: dict[str, str | None]
) -> None:
    """Add the config's members to each group; members the config does not name are reported."""
    store = kit.management.client("identitystore")
    canonical = {name.casefold(): name for name in users}
    names_by_id = {user_id: name for name, user_id in users.items() if user_id}
    for group in section(kit).groups:
        group_id = groups.get(group.name)
        current: set[str] = set()
        if group_id:
            listed = _pages(
                store,
                "list_group_memberships",
                "GroupMemberships",
                IdentityStoreId=instance.store_id,
                GroupId=group_id,
            )
            current = {m["MemberId"].get("UserId") for m in listed}
        wanted = [canonical[member.casefold()] for member in group.members]
        for name in wanted:
            resource = f"member {name} of group {group.name}"
            if users[name] in current:
                kit.keep(resource)
            elif kit.change("add", resource):
                store.create_group_membership(
                    IdentityStoreId=instance.store_id,
                    GroupId=group_id,
                    MemberId={"UserId": users[name]},
                )
        for other in sorted(current - {users[name] for name in wanted}):
            who = names_by_id.get(other, other)
            kit.keep(f"member {who} of group {group.name}", "not in the config: left in place")


# --- permission sets ----------------------------------------------------------------------


def ensure_permission_sets(kit: Kit, instance: Instance | None) -> dict[str, str | None]:
    """Create or update the config's permission sets and their policies ({name: ARN}).

    A changed permission set is provisioned again to the accounts that use it, and so is
    one that an earlier, interrupted run left outdated somewhere.
    """
    sso = kit.management.client("sso-admin")
    existing: dict[str, dict] = {}
    if instance:
        for arn in _pages(sso, "list_permission_sets", "PermissionSets", InstanceArn=instance.arn):
            described = sso.describe_permission_set(InstanceArn=instance.arn, PermissionSetArn=arn)
            existing[described["PermissionSet"]["Name"]] = described["PermissionSet"]
    arns: dict[str, str | None] = {}
    for wanted in section(kit).permission_sets:
        resource = f"permission set {wanted.name}"
        found = existing.get(wanted.name)
        arns[wanted.name] = found["PermissionSetArn"] if found else None
        if found is None:
            if kit.change("create", resource, _summary(wanted)):
                params = {"Description": wanted.description} if wanted.description else {}
                created = sso.create_permission_set(
                    InstanceArn=instance.arn,
                    Name=wanted.name,
                    SessionDuration=wanted.session_duration,
                    **params,
                )
                arns[wanted.name] = created["PermissionSet"]["PermissionSetArn"]
                _update_policies(kit, instance, arns[wanted.name], wanted, resource)
            continue
        changed = _update_settings(kit, instance, found, wanted, resource)
        changed |= _update_policies(kit, instance, found["PermissionSetArn"], wanted, resource)
        if not changed:
            kit.keep(resource, _summary(wanted))
        _provision(kit, instance, found["PermissionSetArn"], resource, changed)
    return arns


def _summary(wanted: PermissionSetConfig) -> str:
    policies = [arn.rpartition("/")[2] for arn in wanted.managed_policies]
    policies += ["inline policy"] if wanted.inline_policy else []
    return f"{', '.join(policies) or 'no policies'}; sessions of {wanted.session_duration}"


def _update_settings(
    kit: Kit, instance: Instance, found: dict, wanted: PermissionSetConfig, resource: str
) -> bool:
    differs = [
        name
        for name, now, want in (
            ("description", found.get("Description", ""), wanted.description),
            ("session duration", found.get("SessionDuration"), wanted.session_duration),
        )
        if now != want
    ]
    if differs and kit.change("update", resource, ", ".join(differs)):
        params = {"Description": wanted.description} if wanted.description else {}
        kit.management.client("sso-admin").update_permission_set(
            InstanceArn=instance.arn,
            PermissionSetArn=found["PermissionSetArn"],
            SessionDuration=wanted.session_duration,
            **params,
        )
    return bool(differs)


def _update_policies(
    kit: Kit, instance: Instance, arn: str, wanted: PermissionSetConfig, resource: str
) -> bool:
    """Attach and detach managed policies, put or delete the inline policy; True if changed."""
    sso = kit.management.client("sso-admin")
    ids = {"InstanceArn": instance.arn, "PermissionSetArn": arn}
    attached = {
        p["Arn"]
        for p in _pages(
            sso, "list_managed_policies_in_permission_set", "AttachedManagedPolicies", **ids
        )
    }
    changed = False
    for policy in wanted.managed_policies:
        if policy not in attached:
            changed = True
            if kit.change("attach", resource, policy):
                sso.attach_managed_policy_to_permission_set(**ids, ManagedPolicyArn=policy)
    for policy in sorted(attached - set(wanted.managed_policies)):
        changed = True
        if kit.change("detach", resource, policy):
            sso.detach_managed_policy_from_permission_set(**ids, ManagedPolicyArn=policy)
    inline = sso.get_inline_policy_for_permission_set(**ids).get("InlinePolicy") or None
    current = json.loads(inline) if inline else None
    if current == wanted.inline_policy:
        return changed
    if wanted.inline_policy is None:
        if kit.change("delete", resource, "inline policy"):
            sso.delete_inline_policy_from_permission_set(**ids)
    elif kit.change("put", resource, "inline policy"):
        sso.put_inline_policy_to_permission_set(
            **ids, InlinePolicy=json.dumps(wanted.inline_policy)
        )
    return True


def _provision(kit: Kit, instance: Instance, arn: str, resource: str, changed: bool) -> None:
    """Provision the permission set again where its roles are older than it is."""
    sso = kit.management.client("sso-admin")
    ids = {"InstanceArn": instance.arn, "PermissionSetArn": arn}
    status = {} if changed and not kit.apply else {"ProvisioningStatus": OUTDATED}
    accounts = _pages(
        sso, "list_accounts_for_provisioned_permission_set", "AccountIds", **ids, **status
    )
    if not accounts or not kit.change("provision", resource, f"to {len(accounts)} account(s)"):
        return
    request = sso.provision_permission_set(**ids, TargetType="ALL_PROVISIONED_ACCOUNTS")
    wait(
        lambda request_id: sso.describe_permission_set_provisioning_status(
            InstanceArn=instance.arn, ProvisionPermissionSetRequestId=request_id
        )["PermissionSetProvisioningStatus"],
        [(resource, request["PermissionSetProvisioningStatus"])],
    )


def wait(describe: Callable[[str], dict], started: list[tuple[str, dict]]) -> None:
    """Poll asynchronous requests until none is IN_PROGRESS; FAILED ones raise together."""
    pending = {status["RequestId"]: (label, status) for label, status in started}
    failures: list[str] = []
    delay = 0.2
    while pending:
        for request_id, (label, status) in list(pending.items()):
            if status["Status"] == "IN_PROGRESS":
                continue
            del pending[request_id]
            if status["Status"] == "FAILED":
                failures.append(f"{label}: {status.get('FailureReason', 'no reason given')}")
        if not pending:
            break
        time.sleep(delay)
        delay = min(delay * 1.5, 5.0)
        pending = {rid: (label, describe(rid)) for rid, (label, _) in pending.items()}
    if failures:
        raise KitError("Identity Center refused: " + "; ".join(failures))


# --- assignments --------------------------------------------------------------------------


def assignment_accounts(config: OrgConfig, assignment: AccountAssignment) -> list[str]:
    """The account names an assignment reaches: those it names, and those its OUs hold.

    An OU stands for the accounts the config places in it or below it; the management
    account is reached only by name (it governs the others and runs no workloads).
    """
    names = list(assignment.accounts)
    for ou in assignment.ous:
        names += [
            a.name
            for a in config.accounts
            if ou == "Root" or a.ou == ou or a.ou.startswith(f"{ou}/")
        ]
    return list(dict.fromkeys(names))


def account_ids(kit: Kit, joined: dict[str, dict] | None = None) -> dict[str, str | None]:
    """Config account name -> id: created accounts by email, invited ones by their id
    (`joined`: the organization's accounts by id, when already read)."""
    joined = members(kit) if joined is None else joined
    by_email = {a["Email"].lower(): a_id for a_id, a in joined.items()}
    management = kit.config.management_account
    ids: dict[str, str | None] = {management.name: management.id}
    for account in kit.config.accounts:
        ids[account.name] = (
            (account.id if account.id in joined else None)
            if account.invite
            else by_email.get(account.email.lower())
        )
    return ids


def desired_grants(kit: Kit, directory: Directory) -> list[Grant]:
    """Every (account, permission set, principal) the config asks for, with known ids."""
    grants = []
    for assignment in section(kit).assignments:
        kind, name = ("GROUP", assignment.group) if assignment.group else ("USER", assignment.user)
        ids = directory.groups if kind == "GROUP" else directory.users
        name = next(n for n in ids if n.casefold() == name.casefold())
        for account in assignment_accounts(kit.config, assignment):
            grants.append(
                Grant(
                    account,
                    assignment.permission_set,
                    kind,
                    name,
                    directory.accounts.get(account),
                    directory.permission_sets.get(assignment.permission_set),
                    ids[name],
                )
            )
    return list(dict.fromkeys(grants))


def current_grants(kit: Kit, directory: Directory) -> list[Grant]:
    """Every assignment in the instance, on any permission set, with names where known."""
    instance = directory.instance
    if instance is None:
        return []
    sso = kit.management.client("sso-admin")
    names = {
        **{i: ("USER", n) for n, i in directory.users.items() if i},
        **{i: ("GROUP", n) for n, i in directory.groups.items() if i},
    }
    accounts = {i: n for n, i in directory.accounts.items() if i}
    sets = {arn: n for n, arn in directory.permission_sets.items() if arn}
    found = []
    for arn in _pages(sso, "list_permission_sets", "PermissionSets", InstanceArn=instance.arn):
        ids = {"InstanceArn": instance.arn, "PermissionSetArn": arn}
        for account_id in _pages(
            sso, "list_accounts_for_provisioned_permission_set", "AccountIds", **ids
        ):
            for a in _pages(
                sso, "list_account_assignments", "AccountAssignments", **ids, AccountId=account_id
            ):
                kind, name = names.get(a["PrincipalId"], (a["PrincipalType"], a["PrincipalId"]))
                found.append(
                    Grant(
                        accounts.get(account_id, account_id),
                        sets.get(arn, arn),
                        kind,
                        name,
                        account_id,
                        arn,
                        a["PrincipalId"],
                    )
                )
    return found


def ensure_assignments(kit: Kit, directory: Directory) -> list[Grant]:
    """Create the missing assignments and wait for them; report (or remove) unlisted ones.

    Returns the assignments found that the config does not list.
    """
    sso = kit.management.client("sso-admin")
    current = current_grants(kit, directory)
    present = {g.key for g in current}
    started = []
    desired = desired_grants(kit, directory)
    for grant in desired:
        if grant.key in present:
            kit.keep(f"assignment {grant.label}")
        elif None in grant.key:
            kit.change("assign", grant.label, "once the account and the names exist")
        elif kit.change("assign", grant.label):
            status = sso.create_account_assignment(
                InstanceArn=directory.instance.arn,
                TargetId=grant.account_id,
                TargetType="AWS_ACCOUNT",
                PermissionSetArn=grant.permission_set_arn,
                PrincipalType=grant.principal_type,
                PrincipalId=grant.principal_id,
            )
            started.append((f"assignment {grant.label}", status["AccountAssignmentCreationStatus"]))
    wait(
        lambda request_id: sso.describe_account_assignment_creation_status(
            InstanceArn=directory.instance.arn, AccountAssignmentCreationRequestId=request_id
        )["AccountAssignmentCreationStatus"],
        started,
    )
    wanted = {g.key for g in desired}
    unlisted = [g for g in current if g.key not in wanted]
    removed = []
    for grant in unlisted:
        if not section(kit).remove_unlisted_assignments:
            kit.keep(f"assignment {grant.label}", "not in the config: kept")
        elif kit.change("unassign", grant.label, "not in the config"):
            status = sso.delete_account_assignment(
                InstanceArn=directory.instance.arn,
                TargetId=grant.account_id,
                TargetType="AWS_ACCOUNT",
                PermissionSetArn=grant.permission_set_arn,
                PrincipalType=grant.principal_type,
                PrincipalId=grant.principal_id,
            )
            removed.append((f"removal of {grant.label}", status["AccountAssignmentDeletionStatus"]))
    wait(
        lambda request_id: sso.describe_account_assignment_deletion_status(
            InstanceArn=directory.instance.arn, AccountAssignmentDeletionRequestId=request_id
        )["AccountAssignmentDeletionStatus"],
        removed,
    )
    return unlisted


def ensure_identity_center(kit: Kit) -> Directory:
    """Make Identity Center match the config: the whole step in one call."""
    instance = find_instance(kit)
    directory = Directory(instance)
    directory.users = ensure_users(kit, instance)
    directory.groups = ensure_groups(kit, instance)
    ensure_memberships(kit, instance, directory.users, directory.groups)
    directory.permission_sets = ensure_permission_sets(kit, instance)
    directory.accounts = account_ids(kit)
    directory.unlisted = ensure_assignments(kit, directory)
    return directory


# --- what each person sees ----------------------------------------------------------------


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
            pairs = _live_reach(kit, directory, user_id)
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


def _live_reach(kit: Kit, directory: Directory, user_id: str) -> list[tuple[str, str]]:
    instance = directory.instance
    store, sso = kit.management.client("identitystore"), kit.management.client("sso-admin")
    groups = _pages(
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
        for a in _pages(
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


def portal_table(accesses: list[Access]) -> Table:
    """A user's portal as a table: each account with the permission sets offered there."""
    return Table(
        ["account", "account id", "permission sets"],
        [
            [a.account, a.account_id or "(not created yet)", ", ".join(a.permission_sets)]
            for a in accesses
        ],
    )


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


def unlisted_table(grants: list[Grant]) -> Table:
    """Assignments Identity Center holds that the config does not list."""
    return Table(
        ["principal", "permission set", "account"],
        [
            [f"{g.principal_type.lower()} {g.principal}", g.permission_set, g.account]
            for g in grants
        ],
    )


# --- the step as the notebook shows it ----------------------------------------------------


def users_table(kit: Kit) -> Table:
    """The config's users: user name, display name, email."""
    return Table(
        ["user", "name", "email"],
        [[u.user_name, u.display_name, u.email] for u in section(kit).users],
    )


def show_unlisted(kit: Kit, grants: list[Grant]) -> None:
    """Show the assignments Identity Center holds that the config does not list, if any."""
    if grants:
        kit.show("Assignments not in the config", unlisted_table(grants))


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
