"""Access for people (step 03): IAM Identity Center users, groups, permission sets and
assignments, and the IAM users the kit retires."""

import difflib
import json
import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from .catalogues import aws_managed_policy_names
from .checks import Issue, Sections, duplicates, raw_names, valid
from .fields import Email, Profile, Section, fail, shown, text

MIN_SESSION, MAX_SESSION = 60, 12 * 60  # minutes: AWS allows 1 to 12 hours per session
MAX_INLINE_POLICY = 32768  # characters in a permission set's inline policy


def _session_duration(value: str) -> str:
    match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?", value)
    minutes = int(match.group(1) or 0) * 60 + int(match.group(2) or 0) if match else 0
    if not match or value == "PT" or not MIN_SESSION <= minutes <= MAX_SESSION:
        fail(
            "{value} is not a session duration AWS accepts: ISO 8601 hours and minutes "
            "from PT1H to PT12H, e.g. PT8H or PT1H30M",
            value=shown(value),
        )
    return value


def _managed_policy_arn(value: str) -> str:
    match = re.fullmatch(
        r"arn:aws(?:-[a-z]+)*:iam::aws:policy(/(?:[\w+=,.@-]+/)*)([\w+=,.@-]+)", value
    )
    if not match:
        fail(
            "{value} is not an AWS managed policy ARN; expected e.g. "
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            value=shown(value),
        )
    known = aws_managed_policy_names()
    if known.get(match.group(2)) != match.group(1):
        name = match.group(2)
        guess = difflib.get_close_matches(name, known, n=1)
        right = f"arn:aws:iam::aws:policy{known[name]}{name}" if name in known else None
        hint = (
            f"its ARN is {right}"
            if right
            else (f"did you mean {guess[0]}?" if guess else "check the name in the IAM console")
        )
        fail("{value} is not an AWS managed policy; " + hint, value=shown(value))
    return value


def _inline_policy(value: dict[str, Any]) -> dict[str, Any]:
    from helpers.policy import PolicyError, parse_policy  # here: it imports boto3 (0.15 s)

    try:
        parse_policy(value)
    except PolicyError as error:
        fail("is not a valid identity policy: {error}", error=str(error))
    if len(json.dumps(value)) > MAX_INLINE_POLICY:
        fail(f"is longer than the {MAX_INLINE_POLICY} characters AWS allows")
    return value


IdentityName = Annotated[
    str, text(r"[\w+=,.@-]{1,128}", "1 to 128 letters, digits or +=,.@_- (no spaces)")
]
PermissionSetName = Annotated[
    str, text(r"[\w+=,.@-]{1,32}", "1 to 32 letters, digits or +=,.@_- (AWS's rule)")
]
SessionDuration = Annotated[str, AfterValidator(_session_duration)]
ManagedPolicyArn = Annotated[str, AfterValidator(_managed_policy_arn)]
StartUrl = Annotated[str, text(r"https://[^\s/]+(/\S*)?", "an https:// address")]


class IdentityUser(Section):
    """A person who signs in to the AWS access portal (created by the kit unless external)."""

    user_name: IdentityName
    display_name: str = Field(min_length=1, max_length=1024)
    email: Email
    given_name: str | None = Field(default=None, min_length=1)
    family_name: str | None = Field(default=None, min_length=1)

    def names(self) -> tuple[str, str]:
        """Given and family name: as written, else the display name's first word and the rest."""
        first, _, rest = self.display_name.partition(" ")
        return self.given_name or first, self.family_name or rest or first


class IdentityGroup(Section):
    """A group of users; assignments usually name groups, not people."""

    name: IdentityName
    description: str = Field(default="", max_length=1024)
    members: list[str] = []


class PermissionSetConfig(Section):
    """What a role in each assigned account may do, and for how long a session lasts."""

    name: PermissionSetName
    description: str = Field(default="", max_length=700)
    session_duration: SessionDuration = "PT1H"
    managed_policies: list[ManagedPolicyArn] = Field(default=[], max_length=20)
    inline_policy: Annotated[dict[str, Any], AfterValidator(_inline_policy)] | None = None


class AccountAssignment(Section):
    """A group (or a user) gets a permission set in accounts, named directly or by OU."""

    group: str | None = None
    user: str | None = None
    permission_set: str
    accounts: list[str] = []
    ous: list[str] = []


class RetiredIamUser(Section):
    """An IAM user of a member account whose access keys and console password the kit removes
    once people sign in through Identity Center (the user itself stays: it may own things)."""

    account: str
    user: Annotated[
        str, text(r"[\w+=,.@-]{1,64}", "an IAM user name (1 to 64 of: letters, digits, +=,.@_-)")
    ]


class IdentityCenter(Section):
    """Access for people: IAM Identity Center users, groups, permission sets, assignments."""

    identity_source: Literal["identity_center", "external"] = "identity_center"
    start_url: StartUrl | None = None
    cli_session: Profile = "org"
    users: list[IdentityUser] = []
    groups: list[IdentityGroup] = []
    permission_sets: list[PermissionSetConfig] = []
    assignments: list[AccountAssignment] = []
    remove_unlisted_assignments: bool = False
    retire_iam_users: list[RetiredIamUser] = []


def check(sections: Sections) -> Iterator[Issue]:
    raw = sections.raw("identity_center")
    if not isinstance(raw, dict):
        return
    here = "identity_center"
    items = {key: valid(raw.get(key), IdentityCenter, key) for key in IDENTITY_LISTS}
    users, groups = items["users"], items["groups"]
    entries = ((f"{here}.users[{i}].user_name", u.user_name) for i, u in users)
    yield from duplicates(entries, "each user needs their own user name")
    entries = ((f"{here}.users[{i}].email", u.email) for i, u in users)
    yield from duplicates(entries, "Identity Center needs a different email for every user")
    entries = ((f"{here}.groups[{i}].name", g.name) for i, g in groups)
    yield from duplicates(entries, "each group needs its own name")
    sets = items["permission_sets"]
    entries = ((f"{here}.permission_sets[{i}].name", p.name) for i, p in sets)
    yield from duplicates(entries, "each permission set needs its own name")
    user_names = {n.casefold() for n in raw_names(raw.get("users"), key="user_name")}
    external = raw.get("identity_source") == "external"
    for i, group in groups:
        for j, member in enumerate(group.members):
            path = f"{here}.groups[{i}].members[{j}]"
            if external:
                yield path, "is managed by your identity provider (identity_source: external)"
            elif member.casefold() not in user_names:
                yield path, f"{member!r} is not a user in {here}.users"
    names = {  # as written, so that one bad entry does not make every reference to it wrong
        "group": {n.casefold() for n in raw_names(raw.get("groups"))},
        "user": user_names,
        "permission_set": set(raw_names(raw.get("permission_sets"))),
    }
    for i, assignment in items["assignments"]:
        yield from _assignment_rules(sections, f"{here}.assignments[{i}]", assignment, names)
    retired = items["retire_iam_users"]
    yield from sections.unknown_accounts(
        (f"{here}.retire_iam_users[{i}].account", r.account) for i, r in retired
    )


IDENTITY_LISTS = ("users", "groups", "permission_sets", "assignments", "retire_iam_users")


def _assignment_rules(
    sections: Sections, path: str, assignment: AccountAssignment, names: dict[str, set[str]]
) -> Iterator[Issue]:
    if (assignment.group is None) == (assignment.user is None):
        yield path, "names either a group or a user (exactly one of them)"
    for kind in ("group", "user"):
        value = getattr(assignment, kind)
        if value is not None and value.casefold() not in names[kind]:
            yield f"{path}.{kind}", f"{value!r} is not a {kind} in identity_center.{kind}s"
    if assignment.permission_set not in names["permission_set"]:
        known = ", ".join(sorted(names["permission_set"])) or "none"
        yield (
            f"{path}.permission_set",
            f"{assignment.permission_set!r} is not a permission set; expected one of: {known}",
        )
    if not assignment.accounts and not assignment.ous:
        yield path, "names no accounts and no ous: say where the access applies"
    accounts = ((f"{path}.accounts[{j}]", name) for j, name in enumerate(assignment.accounts))
    yield from sections.unknown_accounts(accounts, management=True)
    yield from sections.unknown_ous((f"{path}.ous[{j}]", ou) for j, ou in enumerate(assignment.ous))
