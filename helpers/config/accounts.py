"""The organization itself: the management account, the regions, the OU tree and the
member accounts (steps 01 and 02)."""

from collections.abc import Iterator

from pydantic import Field

from .catalogues import region_partitions
from .checks import Issue, Sections, duplicates
from .fields import ROOT, AccountId, AccountName, Email, OuName, Profile, Section

MAX_ACCOUNTS = 1000
MAX_OU_DEPTH = 5  # AWS: OUs nest at most five levels below the root


class ManagementAccount(Section):
    """The new, empty account that becomes the management account; it runs no workloads."""

    id: AccountId
    email: Email
    name: AccountName = "management"


class OrganizationalUnit(Section):
    """An OU and the OUs nested in it."""

    name: OuName
    children: list["OrganizationalUnit"] = []


class Account(Section):
    """A member account: created by the kit, or (invite: true) the team's existing account."""

    name: AccountName
    email: Email
    ou: str = Field(min_length=1)
    id: AccountId | None = None
    invite: bool = False
    profile: Profile | None = None


def check_regions(sections: Sections) -> Iterator[Issue]:
    regions = sections.items("allowed_regions")
    entries = ((f"allowed_regions[{index}]", region) for index, region in regions)
    yield from duplicates(entries, "list each region once")
    partitions = sorted({region_partitions()[region] for _, region in regions})
    if len(partitions) > 1:
        yield (
            "allowed_regions",
            f"mixes AWS partitions ({', '.join(partitions)}); an organization lives in one",
        )
    allowed, home = sections.whole("allowed_regions"), sections.whole("home_region")
    if allowed is not None and home is not None and home not in allowed:
        yield (
            "home_region",
            f"{home!r} is not in allowed_regions ({', '.join(allowed)}); add it there or pick one",
        )


def _ou_tree(ous: list[tuple[int, OrganizationalUnit]], path: str, depth: int) -> Iterator[Issue]:
    names = ((f"{path}[{index}].name", ou.name) for index, ou in ous)
    yield from duplicates(names, "OU names must be unique among siblings")
    for index, ou in ous:
        here = f"{path}[{index}]"
        if depth > MAX_OU_DEPTH:
            yield here, f"is nested {depth} levels deep; AWS allows {MAX_OU_DEPTH} below the Root"
        yield from _ou_tree(list(enumerate(ou.children)), f"{here}.children", depth + 1)


def check_organizational_units(sections: Sections) -> Iterator[Issue]:
    ous = sections.items("organizational_units")
    for index, ou in ous:
        if ou.name.casefold() == ROOT.casefold():
            yield f"organizational_units[{index}].name", f"{ROOT!r} is the root's path; rename it"
    yield from _ou_tree(ous, "organizational_units", 1)


def check_accounts(sections: Sections) -> Iterator[Issue]:
    accounts = sections.items("accounts")
    management = sections.whole("management_account")
    first = [("management_account", management)] if management else []
    every = first + [(f"accounts[{index}]", account) for index, account in accounts]
    names = ((f"{path}.name", account.name) for path, account in every)
    yield from duplicates(names, "each account needs its own name")
    emails = ((f"{path}.email", account.email) for path, account in every)
    yield from duplicates(emails, "AWS requires a different email for every account")
    ids = ((f"{path}.id", account.id) for path, account in every if account.id)
    yield from duplicates(ids, "each account id appears once (never the management account's)")
    for index, account in accounts:
        yield from _account_rules(f"accounts[{index}]", account)
    yield from sections.unknown_ous((f"accounts[{index}].ou", a.ou) for index, a in accounts)


def _account_rules(path: str, account: Account) -> Iterator[Issue]:
    if account.invite and account.id is None:
        yield f"{path}.id", "is missing: an invited account must name its existing 12-digit id"
    if not account.invite and account.id is not None:
        yield (
            f"{path}.id",
            "is only for invited accounts: AWS assigns the id of an account the kit creates "
            "(remove id, or set invite: true for an existing account)",
        )
    if not account.invite and account.profile is not None:
        yield f"{path}.profile", "is only for invited accounts (to accept the invitation)"
