"""The instance and its directory: users, groups, and who belongs to which group.

Each user is matched by user name and each group by name, compared with the config, and
only the difference is changed. With `identity_source: external` the identity provider
creates them (SCIM) and the kit only checks that they have arrived.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from helpers.aws import paginate
from helpers.config import IdentityCenter
from helpers.kit import Kit, KitError

if TYPE_CHECKING:
    from helpers.identity_center.assignments import Grant


@dataclass(frozen=True)
class Instance:
    """The Identity Center instance: its ARN and its identity store."""

    arn: str
    store_id: str

    @property
    def default_start_url(self) -> str:
        """The portal's address when no alias is set."""
        return f"https://{self.store_id}.awsapps.com/start"


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


def find_instance(kit: Kit) -> Instance | None:
    """The organization's Identity Center instance in the home region.

    Without one, AWS needs a person: an organization instance is enabled in the console
    (no API creates one). In plan mode that is noted as a to-do; applying stops with advice.
    """
    if kit.config.identity_center is None:
        kit.keep("IAM Identity Center", "no identity_center section in the config: left alone")
        return None
    management = kit.config.management_account.id
    found = list(paginate(kit.management.client("sso-admin"), "list_instances", "Instances"))
    found = [i for i in found if i.get("OwnerAccountId", management) == management] or found
    if found:
        return Instance(found[0]["InstanceArn"], found[0]["IdentityStoreId"])
    region = kit.config.home_region
    advice = (
        f"IAM Identity Center is not enabled in {region} for the management "
        f"account {management}: sign in to its AWS console, open IAM Identity Center in "
        f"{region} and choose Enable (an organization instance; no API can "
        "enable it). If it is enabled in another region, set home_region to that region. "
        "Then run this step again."
    )
    if kit.apply:
        raise KitError(
            advice,
            resource=f"IAM Identity Center in {region}",
            next_step=f"enable IAM Identity Center in {region} in the console, then run again",
        )
    kit.ask(advice)
    return None


def ensure_people(kit: Kit, directory: Directory) -> None:
    """The config's users and groups, and each group's members, in the directory."""
    directory.users = ensure_users(kit, directory.instance)
    directory.groups = ensure_groups(kit, directory.instance)
    ensure_memberships(kit, directory.instance, directory.users, directory.groups)


def _emails(email: str) -> list[dict]:
    return [{"Value": email, "Type": "work", "Primary": True}]


def applying(instance: Instance | None) -> Instance:
    """The instance a change is made in: applying without one stops in find_instance."""
    assert instance is not None, "find_instance refuses to apply without an instance"
    return instance


def ensure_users(kit: Kit, instance: Instance | None) -> dict[str, str | None]:
    """Create or update the config's users ({user name: id}); external ones are looked up."""
    config = section(kit)
    store = kit.management.client("identitystore")
    existing = {}
    if instance:
        listed = paginate(store, "list_users", "Users", IdentityStoreId=instance.store_id)
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
            kit.plan("create", resource, user.email)
            if kit.apply:
                ids[user.user_name] = store.create_user(
                    IdentityStoreId=applying(instance).store_id,
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
            continue
        kit.plan("update", resource, ", ".join(changes))
        if kit.apply:
            values = {**{p: w for p, (_, w) in wanted.items()}, "emails": _emails(user.email)}
            store.update_user(
                IdentityStoreId=applying(instance).store_id,
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
        listed = paginate(store, "list_groups", "Groups", IdentityStoreId=instance.store_id)
        existing = {g["DisplayName"].casefold(): g for g in listed}
    ids: dict[str, str | None] = {}
    for group in config.groups:
        resource = f"group {group.name}"
        found = existing.get(group.name.casefold())
        ids[group.name] = found["GroupId"] if found else None
        if config.identity_source == "external":
            _expect(kit, found, resource)
        elif found is None:
            kit.plan("create", resource, group.description)
            if kit.apply:
                params = {"Description": group.description} if group.description else {}
                ids[group.name] = store.create_group(
                    IdentityStoreId=applying(instance).store_id, DisplayName=group.name, **params
                )["GroupId"]
        elif found.get("Description", "") != group.description:
            kit.plan("update", resource, "description")
            if kit.apply:
                store.update_group(
                    IdentityStoreId=applying(instance).store_id,
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
            listed = paginate(
                store,
                "list_group_memberships",
                "GroupMemberships",
                IdentityStoreId=applying(instance).store_id,
                GroupId=group_id,
            )
            current = {m["MemberId"].get("UserId") for m in listed}
        wanted = [canonical[member.casefold()] for member in group.members]
        for name in wanted:
            resource = f"member {name} of group {group.name}"
            if users[name] in current:
                kit.keep(resource)
                continue
            kit.plan("add", resource)
            if kit.apply:
                store.create_group_membership(
                    IdentityStoreId=applying(instance).store_id,
                    GroupId=group_id,
                    MemberId={"UserId": users[name]},
                )
        for other in sorted(current - {users[name] for name in wanted}):
            who = names_by_id.get(other, other)
            kit.keep(f"member {who} of group {group.name}", "not in the config: left in place")
