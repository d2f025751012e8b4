"""Assignments: a group (or a user) gets a permission set in an account.

AWS assigns per account; the config may name an OU, which stands for the accounts the file
places in it. Each assignment is provisioned in the background: the kit waits for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpers.accounts import account_ids
from helpers.aws import paginate
from helpers.config import AccountAssignment, OrgConfig
from helpers.identity_center.directory import Directory, applying, section
from helpers.identity_center.polling import wait
from helpers.kit import Kit


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

    @property
    def target(self) -> dict[str, str | None]:
        """The assignment as Create/DeleteAccountAssignment name it (with the instance's ARN)."""
        return {
            "TargetId": self.account_id,
            "TargetType": "AWS_ACCOUNT",
            "PermissionSetArn": self.permission_set_arn,
            "PrincipalType": self.principal_type,
            "PrincipalId": self.principal_id,
        }


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
    for arn in paginate(sso, "list_permission_sets", "PermissionSets", InstanceArn=instance.arn):
        ids = {"InstanceArn": instance.arn, "PermissionSetArn": arn}
        for account_id in paginate(
            sso, "list_accounts_for_provisioned_permission_set", "AccountIds", **ids
        ):
            for a in paginate(
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


def assign(kit: Kit, directory: Directory) -> None:
    """The config's assignments, in the accounts as they are now; the unlisted ones found go
    to `directory.unlisted`."""
    directory.accounts = account_ids(kit)
    directory.unlisted = ensure_assignments(kit, directory)


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
            kit.plan("assign", grant.label, "once the account and the names exist")
        else:
            kit.plan("assign", grant.label)
            if kit.apply:
                status = sso.create_account_assignment(
                    InstanceArn=applying(directory.instance).arn, **grant.target
                )
                started.append(
                    (f"assignment {grant.label}", status["AccountAssignmentCreationStatus"])
                )
    wait(
        lambda request_id: sso.describe_account_assignment_creation_status(
            InstanceArn=applying(directory.instance).arn,
            AccountAssignmentCreationRequestId=request_id,
        )["AccountAssignmentCreationStatus"],
        started,
    )
    wanted = {g.key for g in desired}
    unlisted = [g for g in current if g.key not in wanted]
    removed = []
    for grant in unlisted:
        if not section(kit).remove_unlisted_assignments:
            kit.keep(f"assignment {grant.label}", "not in the config: kept")
            continue
        kit.plan("unassign", grant.label, "not in the config")
        if kit.apply:
            status = sso.delete_account_assignment(
                InstanceArn=applying(directory.instance).arn, **grant.target
            )
            removed.append((f"removal of {grant.label}", status["AccountAssignmentDeletionStatus"]))
    wait(
        lambda request_id: sso.describe_account_assignment_deletion_status(
            InstanceArn=applying(directory.instance).arn,
            AccountAssignmentDeletionRequestId=request_id,
        )["AccountAssignmentDeletionStatus"],
        removed,
    )
    return unlisted
