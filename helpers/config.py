"""The desired-state file: the organization the team wants, in one YAML file.

`load_config(path)` validates the whole file before anything touches AWS and returns an
`OrgConfig`, or raises `ConfigError` listing every problem at once, each as
"field.path[2].name: what is wrong and what is expected".

Validation has two layers:
- the pydantic models check each value's shape (types, AWS naming rules, unknown keys);
- `@check` functions check what spans fields (uniqueness, references, the OU tree). They
  read each top-level section validated on its own (`Sections`), so one bad value does not
  hide the problems elsewhere.

Adding a section: write its model (a `Section`), add a field to `OrgConfig`, and register
any cross-field rules with `@check`.
"""

import difflib
import gzip
import importlib.util
import json
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn, get_args

import botocore.session
import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from helpers import scp_documents
from helpers.policy import PolicyError, parse_policy

ROOT = "Root"
MAX_ACCOUNTS = 1000
MAX_OU_DEPTH = 5  # AWS: OUs nest at most five levels below the root
FILE = "(file)"
TOP = "(top level)"

Issue = tuple[str, str]  # (field path, what is wrong and what is expected)


class ConfigError(Exception):
    """The desired-state file has problems; `.errors` lists every one of them."""

    def __init__(self, source: str, errors: list[str]) -> None:
        self.source = source
        self.errors = errors
        super().__init__(source, errors)

    def __str__(self) -> str:
        lines = "\n".join(f"  - {error}" for error in self.errors)
        return f"{self.source}: {len(self.errors)} problem(s) in the desired-state file:\n{lines}"


def _fail(message: str, **context: str) -> NoReturn:
    """Refuse a value with the kit's own words ({name} placeholders come from context)."""
    raise PydanticCustomError("kit", message, context)


# --- values -------------------------------------------------------------------------------


@cache
def region_partitions() -> dict[str, str]:
    """Every AWS region botocore knows, mapped to its partition (aws, aws-cn, ...)."""
    loader = botocore.session.get_session().get_component("data_loader")
    return {
        region: partition["id"]
        for partition in loader.load_data("partitions")["partitions"]
        for region in partition["regions"]
        if not region.endswith("-global")
    }


def _region(value: str) -> str:
    if value not in region_partitions():
        guess = difflib.get_close_matches(value, region_partitions(), n=1)
        hint = f"did you mean {guess[0]}?" if guess else "expected a name such as eu-central-1"
        _fail("{value} is not an AWS region; " + hint, value=repr(value))
    return value


def _account_id(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        example = f'"{value}"' if len(str(value)) == 12 else '"012345678901"'
        _fail(
            "YAML read this id as the number {value}: quote account ids, e.g. id: "
            + example
            + " (unquoted digits become a number, which loses leading zeros or reads as octal)",
            value=str(value),
        )
    if not isinstance(value, str) or not re.fullmatch(r"\d{12}", value):
        _fail(
            '{value} is not an account id; expected 12 digits in quotes, e.g. "123456789012"',
            value=repr(value),
        )
    return value


def _text(pattern: str, rule: str) -> AfterValidator:
    """A validator refusing strings that do not fully match pattern, explaining the rule."""
    regex = re.compile(pattern)

    def validate(value: str) -> str:
        if not regex.fullmatch(value):
            _fail("{value} breaks the rule: " + rule, value=repr(value))
        return value

    return AfterValidator(validate)


AccountId = Annotated[str, BeforeValidator(_account_id)]
Region = Annotated[str, AfterValidator(_region)]
AccountName = Annotated[
    str, _text(r"[\x20-\x7e]{1,50}", "1 to 50 printable ASCII characters (AWS account names)")
]
OuName = Annotated[
    str,
    _text(r"[^/]{1,128}", "1 to 128 characters without '/' (the kit writes OU paths with '/')"),
]
Email = Annotated[
    str,
    _text(r"(?=.{6,64}$)[^\s@]+@[^\s@]+\.[^\s@]+", "an email address of 6 to 64 characters"),
]
Profile = Annotated[str, _text(r"\S+", "an AWS CLI profile name without spaces")]


# --- sections -----------------------------------------------------------------------------


class Section(BaseModel):
    """A part of the desired-state file: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")


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


# --- identity_center (step 03) -------------------------------------------------------------

MIN_SESSION, MAX_SESSION = 60, 12 * 60  # minutes: AWS allows 1 to 12 hours per session
MAX_INLINE_POLICY = 32768  # characters in a permission set's inline policy


@cache
def aws_managed_policy_names() -> dict[str, str]:
    """AWS managed policy name -> its path ("/", "/job-function/", ...), from moto's copy of
    AWS's list (read from its data file alone: importing moto's IAM takes half a second)."""
    spec = importlib.util.find_spec("moto")
    path = Path(spec.origin).parent / "iam" / "aws_managed_policies.py"
    module_spec = importlib.util.spec_from_file_location("_aws_managed_policies", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return {
        name: data["Path"] for name, data in json.loads(module.aws_managed_policies_data).items()
    }


def _session_duration(value: str) -> str:
    match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?", value)
    minutes = int(match.group(1) or 0) * 60 + int(match.group(2) or 0) if match else 0
    if not match or value == "PT" or not MIN_SESSION <= minutes <= MAX_SESSION:
        _fail(
            "{value} is not a session duration AWS accepts: ISO 8601 hours and minutes "
            "from PT1H to PT12H, e.g. PT8H or PT1H30M",
            value=repr(value),
        )
    return value


def _managed_policy_arn(value: str) -> str:
    match = re.fullmatch(
        r"arn:aws(?:-[a-z]+)*:iam::aws:policy(/(?:[\w+=,.@-]+/)*)([\w+=,.@-]+)", value
    )
    if not match:
        _fail(
            "{value} is not an AWS managed policy ARN; expected e.g. "
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            value=repr(value),
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
        _fail("{value} is not an AWS managed policy; " + hint, value=repr(value))
    return value


def _inline_policy(value: dict[str, Any]) -> dict[str, Any]:
    try:
        parse_policy(value)
    except PolicyError as error:
        _fail("is not a valid identity policy: {error}", error=str(error))
    if len(json.dumps(value)) > MAX_INLINE_POLICY:
        _fail(f"is longer than the {MAX_INLINE_POLICY} characters AWS allows")
    return value


IdentityName = Annotated[
    str, _text(r"[\w+=,.@-]{1,128}", "1 to 128 letters, digits or +=,.@_- (no spaces)")
]
PermissionSetName = Annotated[
    str, _text(r"[\w+=,.@-]{1,32}", "1 to 32 letters, digits or +=,.@_- (AWS's rule)")
]
SessionDuration = Annotated[str, AfterValidator(_session_duration)]
ManagedPolicyArn = Annotated[str, AfterValidator(_managed_policy_arn)]
StartUrl = Annotated[str, _text(r"https://[^\s/]+(/\S*)?", "an https:// address")]


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
        str, _text(r"[\w+=,.@-]{1,64}", "an IAM user name (1 to 64 of: letters, digits, +=,.@_-)")
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


def _ou_paths(ous: Iterable[OrganizationalUnit], parent: str = "") -> Iterator[str]:
    """OU paths ("Workloads/Dev"), each parent before its children."""
    for ou in ous:
        path = f"{parent}/{ou.name}" if parent else ou.name
        yield path
        yield from _ou_paths(ou.children, path)


# --- trail (step 05) ----------------------------------------------------------------------

BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")  # S3 reserves these
BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def _bucket_name(value: str) -> str:
    """S3's naming rules for general purpose buckets."""
    rules = [
        (3 <= len(value) <= 63, "3 to 63 characters"),
        (re.fullmatch(r"[a-z0-9.-]*", value), "only lowercase letters, digits, '.' and '-'"),
        (re.fullmatch(r"[a-z0-9](.*[a-z0-9])?", value), "start and end with a letter or digit"),
        (".." not in value, "no two periods in a row"),
        (not re.fullmatch(r"\d+\.\d+\.\d+\.\d+", value), "not an IP address"),
        (not value.startswith(BUCKET_PREFIXES), f"not starting with {', '.join(BUCKET_PREFIXES)}"),
        (not value.endswith(BUCKET_SUFFIXES), f"not ending with {', '.join(BUCKET_SUFFIXES)}"),
    ]
    broken = [rule for ok, rule in rules if not ok]
    if broken:
        _fail("{value} is not a bucket name S3 accepts: " + "; ".join(broken), value=repr(value))
    return value


def _retention(value: int) -> int:
    if value < 1:
        _fail(
            "{value} days would keep no log at all; give the days to keep each log, "
            "at least 1 (e.g. 365)",
            value=str(value),
        )
    return value


TrailName = Annotated[
    str,
    _text(
        r"(?!\d{1,3}(\.\d{1,3}){3}$)(?!.*[._-]{2})[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]",
        "3 to 128 letters, digits, '.', '_' or '-', starting and ending with a letter or digit, "
        "no two of '._-' in a row, not an IP address (CloudTrail's trail names)",
    ),
]
BucketName = Annotated[str, AfterValidator(_bucket_name)]
RetentionDays = Annotated[int, Field(strict=True), AfterValidator(_retention)]


class Trail(Section):
    """The organization trail: one trail in the management account records every account's
    API calls into a bucket in the log-archive account."""

    name: TrailName = "org-trail"
    log_archive_account: AccountName
    bucket_name: BucketName | None = None  # default: derived from the org and account ids
    retention_days: RetentionDays = 365


# --- cross_account (step 04) --------------------------------------------------------------

MANAGEMENT = "management"  # kit_roles: the management account, whatever its name
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"  # CloudFormation templates


def _action(value: str) -> str:
    if "*" in value or "?" in value:
        _fail(
            "{value} is a wildcard: a path names each action it needs, e.g. s3:GetObject "
            "(a wildcard also grants every action AWS adds later)",
            value=repr(value),
        )
    if not re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9]+", value):
        _fail(
            "{value} is not an IAM action; expected service:Action, e.g. sqs:SendMessage",
            value=repr(value),
        )
    return value


PathName = Annotated[
    str, _text(r"[a-z0-9][a-z0-9-]{0,62}", "1 to 63 lowercase letters, digits or '-'")
]
RoleName = Annotated[
    str, _text(r"[\w+=,.@-]{1,64}", "1 to 64 letters, digits or +=,.@_- (IAM role names)")
]
QueueName = Annotated[
    str, _text(r"[A-Za-z0-9_-]{1,80}", "1 to 80 letters, digits, '-' or '_' (SQS queue names)")
]
Prefix = Annotated[
    str, _text(r"[^*?\s][^*?]{0,1023}", "a key prefix such as exports/ without wildcards")
]
ResourceArn = Annotated[str, _text(r"arn:aws[a-z-]*:[a-z0-9-]+:[^*\s]*:[^\s]+", "an ARN")]
Action = Annotated[str, AfterValidator(_action)]
StackSetName = Annotated[
    str, _text(r"[A-Za-z][A-Za-z0-9-]{0,127}", "a letter, then letters, digits or '-'")
]


class Consumer(Section):
    """Who uses the path: an account, or one role in it."""

    account: str
    role: RoleName | None = None


class Provider(Section):
    """What the path reaches: a bucket (or a prefix in it), a queue, or a role to assume."""

    account: str
    bucket: BucketName | None = None
    prefix: Prefix | None = None
    queue: QueueName | None = None
    role: RoleName | None = None
    resources: list[ResourceArn] = []

    def kind(self) -> str | None:
        kinds = [k for k in ("bucket", "queue", "role") if getattr(self, k) is not None]
        return kinds[0] if len(kinds) == 1 else None


class CommunicationPath(Section):
    """One declared path across an account boundary, granted with the smallest policy."""

    name: PathName
    why: str = ""
    consumer: Consumer
    provider: Provider
    actions: list[Action] = Field(min_length=1)


class KitRole(Section):
    """A role of the kit's own that other accounts assume (listed, like every crossing)."""

    role: RoleName
    assumed_from: str  # an account name, or "management"
    purpose: str = Field(min_length=1)


class Baseline(Section):
    """The roles every account gets, deployed by a service-managed StackSet to OUs."""

    stack_set: StackSetName = "org-baseline-roles"
    template: str = Field(default="baseline-roles.yaml", pattern=r"[\w.-]+\.ya?ml")
    ous: list[str] = Field(min_length=1)
    audit_role: RoleName = "org-audit"


class CrossAccount(Section):
    """Access between accounts: declared paths, the kit's own roles, the baseline roles."""

    paths: list[CommunicationPath] = []
    kit_roles: list[KitRole] = []
    baseline: Baseline | None = None
    remove_unlisted_paths: bool = False


# --- guardrails (step 06) -----------------------------------------------------------------

POLICY_FILES = Path(__file__).resolve().parent.parent / "policies"  # custom SCPs live here

ScpName = Annotated[
    str, _text(r"[\w+=,.@-]{1,128}", "1 to 128 letters, digits or +=,.@_- (SCP names)")
]
ScpFile = Annotated[
    str, _text(r"\S+\.json", "a .json file in policies/ (or an absolute path), no spaces")
]
ServicePrefix = Annotated[
    str, _text(r"[a-z0-9-]+", "a service prefix as IAM actions start, e.g. route53")
]


class CustomScp(Section):
    """A service control policy of the team's own, from a JSON file."""

    name: ScpName
    file: ScpFile
    description: str = Field(default="", max_length=512)
    attach_to: list[str] | None = Field(default=None, min_length=1)  # default: guardrails'
    denies_services: list[ServicePrefix] = []  # global services it is meant to deny

    def path(self) -> Path:
        """The file: a relative name is looked up in the kit's policies/ folder."""
        return POLICY_FILES / self.file


class Guardrails(Section):
    """Service control policies: few and simple, proven before they are attached."""

    attach_to: list[str] = Field(default=[ROOT], min_length=1)
    region_allow_list: bool = True
    break_glass_role: RoleName | None = None
    deny_iam_users: bool = True
    deny_leave_organization: bool = True
    protect_trail: bool = True
    protect_baseline_roles: bool = True
    custom: list[CustomScp] = []
    detach_unlisted: bool = False
    contact: str = Field(default="the administrators of the organization", min_length=1)


# --- governance and costs (step 07) -------------------------------------------------------

MAX_COST_MONTHS = 13  # Cost Explorer keeps 13 months of history (without the opt-in for 38)


@cache
def aws_managed_rules() -> dict[str, dict[str, Any]]:
    """AWS Config's managed rules by identifier (with their parameters), from moto's copy of
    AWS's list."""
    spec = importlib.util.find_spec("moto")
    path = Path(spec.origin).parent / "config" / "resources" / "aws_managed_rules.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as file:
        return json.load(file)["ManagedRules"]


def managed_rule_parameters(identifier: str) -> dict[str, str]:
    """The input parameters a managed rule requires, at AWS's defaults."""
    rule = aws_managed_rules()[identifier]
    return {p["Name"]: p["Default"] for p in rule["Parameters"] if not p["Optional"]}


def _managed_rule(value: str) -> str:
    rules = aws_managed_rules()
    if value not in rules:
        guess = difflib.get_close_matches(value, rules, n=1)
        hint = f"did you mean {guess[0]}?" if guess else "the AWS Config console lists them"
        _fail(
            "{value} is not an AWS managed rule identifier (such as "
            "S3_BUCKET_PUBLIC_READ_PROHIBITED); " + hint,
            value=repr(value),
        )
    needed = [p["Name"] for p in rules[value]["Parameters"] if not p["Optional"]]
    if any("Default" not in p for p in rules[value]["Parameters"] if not p["Optional"]):
        _fail(
            "{value} needs parameters without a default ({needed}); the kit deploys rules at "
            "AWS's defaults: pick a rule that has them",
            value=repr(value),
            needed=", ".join(needed),
        )
    return value


ManagedRuleId = Annotated[str, AfterValidator(_managed_rule)]
CostMonths = Annotated[int, Field(strict=True, ge=1, le=MAX_COST_MONTHS)]


class AwsConfig(Section):
    """AWS Config: a recorder in every account of some OUs (a StackSet) and a few managed
    rules, the same in every account."""

    enabled: bool = False
    stack_set: StackSetName = "org-config"
    ous: list[str] = Field(default=["Root"], min_length=1)
    rules: list[ManagedRuleId] = []


class GuardDuty(Section):
    """GuardDuty for every account, run from a delegated administrator account."""

    enabled: bool = False
    admin_account: AccountName | None = None  # default: trail.log_archive_account


class Governance(Section):
    """Further governance, each part off unless the team switches it on."""

    config: AwsConfig = AwsConfig()
    guardduty: GuardDuty = GuardDuty()


class Costs(Section):
    """The cost per account, month by month, from Cost Explorer (always shown)."""

    months: CostMonths = 3


class OrgConfig(Section):
    """The whole desired state of the organization."""

    management_account: ManagementAccount
    home_region: Region
    allowed_regions: list[Region] = Field(min_length=1)
    organizational_units: list[OrganizationalUnit] = []
    accounts: list[Account] = Field(default=[], max_length=MAX_ACCOUNTS)
    trail: Trail | None = None
    identity_center: IdentityCenter | None = None
    cross_account: CrossAccount | None = None
    governance: Governance | None = None
    costs: Costs = Costs()
    guardrails: Guardrails | None = None

    def ou_paths(self) -> list[str]:
        """Every OU path, parents before children, e.g. ["Workloads", "Workloads/Dev"]."""
        return list(_ou_paths(self.organizational_units))

    def account(self, name: str) -> Account:
        """The member account with this name (KeyError if there is none)."""
        for account in self.accounts:
            if account.name == name:
                return account
        raise KeyError(f"no account named {name!r} in the desired-state file")

    def created_accounts(self) -> list[Account]:
        """Accounts the kit creates."""
        return [account for account in self.accounts if not account.invite]

    def invited_accounts(self) -> list[Account]:
        """Existing accounts the kit invites (never created, never closed)."""
        return [account for account in self.accounts if account.invite]


# --- cross-field checks -------------------------------------------------------------------


@cache
def _adapter(name: str, item: bool = False) -> TypeAdapter:
    field = OrgConfig.model_fields[name]
    return TypeAdapter(
        get_args(field.annotation)[0] if item else Annotated[field.annotation, field]
    )


class Sections:
    """The raw file's top-level sections, each validated on its own."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self._raw = raw

    def whole(self, name: str) -> Any | None:
        """The validated section (or its default), None if it is missing or has errors."""
        field = OrgConfig.model_fields[name]
        if name not in self._raw:
            return None if field.is_required() else field.get_default(call_default_factory=True)
        try:
            return _adapter(name).validate_python(self._raw[name])
        except ValidationError:
            return None

    def raw(self, name: str) -> Any:
        """The section as the file gives it (None if missing)."""
        return self._raw.get(name)

    def items(self, name: str) -> list[tuple[int, Any]]:
        """The well-formed items of a list section, with their indexes."""
        raw = self._raw.get(name)
        valid = []
        for index, item in enumerate(raw if isinstance(raw, list) else []):
            try:
                valid.append((index, _adapter(name, item=True).validate_python(item)))
            except ValidationError:
                continue
        return valid


Check = Callable[[Sections], Iterator[Issue]]
CHECKS: list[Check] = []


def check(function: Check) -> Check:
    """Register a cross-field check."""
    CHECKS.append(function)
    return function


def _duplicates(entries: Iterable[tuple[str, str]], rule: str) -> Iterator[Issue]:
    """Flag each (path, value) whose value (ignoring case) an earlier entry already used."""
    first: dict[str, str] = {}
    for path, value in entries:
        earlier = first.setdefault(value.casefold(), path)
        if earlier != path:
            yield path, f"{value!r} is already used by {earlier}; {rule}"


@check
def _regions(sections: Sections) -> Iterator[Issue]:
    regions = sections.items("allowed_regions")
    entries = ((f"allowed_regions[{index}]", region) for index, region in regions)
    yield from _duplicates(entries, "list each region once")
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
    yield from _duplicates(names, "OU names must be unique among siblings")
    for index, ou in ous:
        here = f"{path}[{index}]"
        if depth > MAX_OU_DEPTH:
            yield here, f"is nested {depth} levels deep; AWS allows {MAX_OU_DEPTH} below the Root"
        yield from _ou_tree(list(enumerate(ou.children)), f"{here}.children", depth + 1)


@check
def _organizational_units(sections: Sections) -> Iterator[Issue]:
    ous = sections.items("organizational_units")
    for index, ou in ous:
        if ou.name.casefold() == ROOT.casefold():
            yield f"organizational_units[{index}].name", f"{ROOT!r} is the root's path; rename it"
    yield from _ou_tree(ous, "organizational_units", 1)


@check
def _accounts(sections: Sections) -> Iterator[Issue]:
    accounts = sections.items("accounts")
    management = sections.whole("management_account")
    first = [("management_account", management)] if management else []
    every = first + [(f"accounts[{index}]", account) for index, account in accounts]
    names = ((f"{path}.name", account.name) for path, account in every)
    yield from _duplicates(names, "each account needs its own name")
    emails = ((f"{path}.email", account.email) for path, account in every)
    yield from _duplicates(emails, "AWS requires a different email for every account")
    ids = ((f"{path}.id", account.id) for path, account in every if account.id)
    yield from _duplicates(ids, "each account id appears once (never the management account's)")
    for index, account in accounts:
        yield from _account_rules(f"accounts[{index}]", account)
    ous = sections.whole("organizational_units")
    if ous is not None:
        paths = [ROOT, *_ou_paths(ous)]
        for index, account in accounts:
            if account.ou not in paths:
                yield (
                    f"accounts[{index}].ou",
                    f"{account.ou!r} is not an OU path; expected one of: {', '.join(paths)}",
                )


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


@check
def _identity_center(sections: Sections) -> Iterator[Issue]:
    raw = sections.raw("identity_center")
    if not isinstance(raw, dict):
        return
    here = "identity_center"
    items = {key: _valid(raw.get(key), IdentityCenter, key) for key in IDENTITY_LISTS}
    users, groups = items["users"], items["groups"]
    entries = ((f"{here}.users[{i}].user_name", u.user_name) for i, u in users)
    yield from _duplicates(entries, "each user needs their own user name")
    entries = ((f"{here}.users[{i}].email", u.email) for i, u in users)
    yield from _duplicates(entries, "Identity Center needs a different email for every user")
    entries = ((f"{here}.groups[{i}].name", g.name) for i, g in groups)
    yield from _duplicates(entries, "each group needs its own name")
    sets = items["permission_sets"]
    entries = ((f"{here}.permission_sets[{i}].name", p.name) for i, p in sets)
    yield from _duplicates(entries, "each permission set needs its own name")
    user_names = {n.casefold() for n in _raw_names(raw.get("users"), key="user_name")}
    external = raw.get("identity_source") == "external"
    for i, group in groups:
        for j, member in enumerate(group.members):
            path = f"{here}.groups[{i}].members[{j}]"
            if external:
                yield path, "is managed by your identity provider (identity_source: external)"
            elif member.casefold() not in user_names:
                yield path, f"{member!r} is not a user in {here}.users"
    names = {  # as written, so that one bad entry does not make every reference to it wrong
        "group": {n.casefold() for n in _raw_names(raw.get("groups"))},
        "user": user_names,
        "permission_set": set(_raw_names(raw.get("permission_sets"))),
    }
    for i, assignment in items["assignments"]:
        yield from _assignment_rules(sections, f"{here}.assignments[{i}]", assignment, names)
    members = _raw_names(sections.raw("accounts"))
    for i, retired in items["retire_iam_users"]:
        if retired.account not in members:
            yield (
                f"{here}.retire_iam_users[{i}].account",
                f"{retired.account!r} is not a member account; expected one of: "
                + ", ".join(members),
            )


IDENTITY_LISTS = ("users", "groups", "permission_sets", "assignments", "retire_iam_users")


def _valid(raw: Any, model: type[BaseModel], key: str) -> list[tuple[int, Any]]:
    """The well-formed items of a list field of `model`, with their indexes."""
    adapter = TypeAdapter(get_args(model.model_fields[key].annotation)[0])
    valid = []
    for index, item in enumerate(raw if isinstance(raw, list) else []):
        try:
            valid.append((index, adapter.validate_python(item)))
        except ValidationError:
            continue
    return valid


def _raw_names(items: Any, default: str | None = None, key: str = "name") -> list[str]:
    """The names the file gives a list of mappings, even where other fields are wrong."""
    mappings = [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
    return [str(item.get(key, default)) for item in mappings if item.get(key, default)]


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
    accounts = _raw_names(sections.raw("accounts")) + _raw_names(
        [sections.raw("management_account")], default="management"
    )
    for j, name in enumerate(assignment.accounts):
        if name not in accounts:
            yield (
                f"{path}.accounts[{j}]",
                f"{name!r} is not an account name; expected one of: {', '.join(accounts)}",
            )
    ous = sections.whole("organizational_units")
    paths = [ROOT, *_ou_paths(ous or [])]
    for j, ou in enumerate(assignment.ous):
        if ous is not None and ou not in paths:
            yield (
                f"{path}.ous[{j}]",
                f"{ou!r} is not an OU path; expected one of: {', '.join(paths)}",
            )


@check
def _trail(sections: Sections) -> Iterator[Issue]:
    trail, accounts = sections.whole("trail"), sections.whole("accounts")
    if trail is None or accounts is None:  # a broken account is reported on its own
        return
    names = [account.name for account in accounts]
    if trail.log_archive_account not in names:
        expected = f"expected one of: {', '.join(names)}" if names else "accounts lists none"
        yield (
            "trail.log_archive_account",
            f"{trail.log_archive_account!r} is not an account in accounts; the logs live in a "
            f"member account of their own, {expected}",
        )


RESOURCE_SERVICES = {"bucket": "s3", "queue": "sqs"}


@check
def _cross_account(sections: Sections) -> Iterator[Issue]:
    raw = sections.raw("cross_account")
    if not isinstance(raw, dict):
        return
    here = "cross_account"
    accounts = sections.whole("accounts")  # None: broken, and reported on its own
    names = [a.name for a in accounts] if accounts is not None else None
    expected = f"expected one of: {', '.join(names)}" if names else "accounts lists none"
    paths = _valid(raw.get("paths"), CrossAccount, "paths")
    entries = ((f"{here}.paths[{i}].name", p.name) for i, p in paths)
    yield from _duplicates(entries, "each path needs its own name")
    for i, path in paths:
        yield from _path_rules(f"{here}.paths[{i}]", path, names, expected)
    roles = _valid(raw.get("kit_roles"), CrossAccount, "kit_roles")
    entries = ((f"{here}.kit_roles[{i}].role", r.role) for i, r in roles)
    yield from _duplicates(entries, "list each of the kit's roles once")
    for i, role in roles:
        if names is not None and role.assumed_from not in (*names, MANAGEMENT):
            yield (
                f"{here}.kit_roles[{i}].assumed_from",
                f"{role.assumed_from!r} is not an account in accounts; {expected} or "
                f"{MANAGEMENT!r}",
            )
    kit_roles = {r.role for _, r in roles}
    for i, path in paths:
        if path.provider.role in kit_roles:
            yield (
                f"{here}.paths[{i}].provider.role",
                f"{path.provider.role!r} is one of the kit's own roles (kit_roles); give the "
                "path a role of its own",
            )
    baseline = _valid([raw.get("baseline")], CrossAccount, "baseline")
    for _, found in baseline:
        if not (TEMPLATES / found.template).is_file():
            yield (
                f"{here}.baseline.template",
                f"{found.template!r} is not a file in templates/ (the kit ships "
                "baseline-roles.yaml)",
            )
        if found.audit_role not in _raw_names(raw.get("kit_roles"), key="role"):
            yield (
                f"{here}.baseline.audit_role",
                f"{found.audit_role!r} crosses account boundaries: list it in "
                f"{here}.kit_roles with the account it is assumed from",
            )
        ous = sections.whole("organizational_units")
        known = [ROOT, *_ou_paths(ous or [])]
        for j, ou in enumerate(found.ous):
            if ous is not None and ou not in known:
                yield (
                    f"{here}.baseline.ous[{j}]",
                    f"{ou!r} is not an OU path; expected one of: {', '.join(known)}",
                )


def _path_rules(
    here: str, path: CommunicationPath, names: list[str] | None, expected: str
) -> Iterator[Issue]:
    for side in ("consumer", "provider"):
        account = getattr(path, side).account
        if names is not None and account not in names:
            yield (
                f"{here}.{side}.account",
                f"{account!r} is not an account in accounts; {expected} (the management "
                "account runs no workloads)",
            )
    if path.consumer.account == path.provider.account:
        yield (
            f"{here}.consumer.account",
            f"{path.consumer.account!r} is also the provider: a path crosses an account "
            "boundary (inside one account, its own IAM policies decide)",
        )
    provider, kind = path.provider, path.provider.kind()
    if kind is None:
        yield f"{here}.provider", "names exactly one of bucket, queue or role"
        return
    if provider.prefix is not None and kind != "bucket":
        yield f"{here}.provider.prefix", "is only for a bucket"
    if kind == "role" and not provider.resources:
        yield (
            f"{here}.provider.resources",
            "is missing: name the ARNs the role's actions apply to (the smallest grant)",
        )
    if kind != "role" and provider.resources:
        yield f"{here}.provider.resources", f"is only for a role; a {kind} is the resource"
    service = RESOURCE_SERVICES.get(kind)
    for j, action in enumerate(path.actions):
        if service and action.split(":")[0] != service:
            yield (
                f"{here}.actions[{j}]",
                f"{action!r} is not a {service} action; a {kind} takes {service}: actions only",
            )


def _model_or_nothing(raw: Any, model: type[BaseModel]) -> list[Any]:
    """[the part validated], or [] when it is missing or has errors of its own."""
    try:
        return [] if raw is None else [model.model_validate(raw)]
    except ValidationError:
        return []


@check
def _governance(sections: Sections) -> Iterator[Issue]:
    raw = sections.raw("governance")
    if not isinstance(raw, dict):
        return
    here = "governance"
    config = raw.get("config") if isinstance(raw.get("config"), dict) else {}
    rules, ous_wanted = config.get("rules"), config.get("ous")
    rules = list(enumerate(rules)) if isinstance(rules, list) else []
    entries = ((f"{here}.config.rules[{j}]", r) for j, r in rules if isinstance(r, str))
    yield from _duplicates(entries, "list each rule once")
    ous = sections.whole("organizational_units")
    known = [ROOT, *_ou_paths(ous or [])]
    if isinstance(ous_wanted, list):
        for j, ou in enumerate(ous_wanted):
            if ous is not None and isinstance(ou, str) and ou not in known:
                yield (
                    f"{here}.config.ous[{j}]",
                    f"{ou!r} is not an OU path; expected one of: {', '.join(known)}",
                )
    for found in _model_or_nothing(raw.get("guardduty"), GuardDuty):
        names = _raw_names(sections.raw("accounts"))
        trail = sections.raw("trail")
        fallback = trail.get("log_archive_account") if isinstance(trail, dict) else None
        if found.admin_account is not None and found.admin_account not in names:
            expected = f"expected one of: {', '.join(names)}" if names else "accounts lists none"
            yield (
                f"{here}.guardduty.admin_account",
                f"{found.admin_account!r} is not an account in accounts; GuardDuty is run from "
                f"a member account (the log archive or a security account), {expected}",
            )
        elif found.enabled and found.admin_account is None and fallback is None:
            yield (
                f"{here}.guardduty.admin_account",
                "is missing: name the member account that runs GuardDuty for the organization "
                "(without a trail section there is no log-archive account to default to)",
            )


@check
def _guardrails(sections: Sections) -> Iterator[Issue]:
    here = "guardrails"
    for guardrails in _model_or_nothing(sections.raw(here), Guardrails):
        yield from _guardrail_rules(sections, here, guardrails)


def _guardrail_rules(sections: Sections, here: str, guardrails: Guardrails) -> Iterator[Issue]:
    ous = sections.whole("organizational_units")
    known = [ROOT, *_ou_paths(ous or [])]
    lists = [(f"{here}.attach_to", guardrails.attach_to)]
    lists += [
        (f"{here}.custom[{i}].attach_to", c.attach_to or [])
        for i, c in enumerate(guardrails.custom)
    ]
    for path, targets in lists:
        yield from _duplicates(
            ((f"{path}[{j}]", t) for j, t in enumerate(targets)), "list each once"
        )
        for j, target in enumerate(targets):
            if ous is not None and target not in known:
                yield (
                    f"{path}[{j}]",
                    f"{target!r} is not an OU path; expected one of: {', '.join(known)}",
                )
    if guardrails.break_glass_role and not guardrails.region_allow_list:
        yield (
            f"{here}.break_glass_role",
            "is only for the region allow-list (region_allow_list: true)",
        )
    names = ((f"{here}.custom[{i}].name", c.name) for i, c in enumerate(guardrails.custom))
    yield from _duplicates(names, "each SCP needs its own name")
    taken = (*scp_documents.BUILT_IN, scp_documents.FULL_ACCESS)
    for i, custom in enumerate(guardrails.custom):
        if custom.name in taken:
            yield (
                f"{here}.custom[{i}].name",
                f"{custom.name!r} is taken by the kit; pick another name",
            )
        try:
            text = custom.path().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            yield (
                f"{here}.custom[{i}].file",
                f"cannot read {custom.path()} ({error.strerror or error})",
            )
            continue
        for problem in scp_documents.problems(text):
            yield f"{here}.custom[{i}].file", f"SCP {custom.name!r} ({custom.file}) {problem}"
    regions, home = sections.whole("allowed_regions"), sections.whole("home_region")
    if guardrails.region_allow_list and regions:
        partition = region_partitions().get(home or regions[0], "aws")
        document = scp_documents.region_policy(regions, partition, guardrails.break_glass_role)
        for problem in scp_documents.problems(scp_documents.content(document)):
            yield f"{here}.region_allow_list", f"SCP {scp_documents.REGIONS!r} {problem}"
    attached: dict[str, list[str]] = {}
    built_in = [scp_documents.REGIONS] if guardrails.region_allow_list else []
    if (
        guardrails.deny_iam_users
        or guardrails.deny_leave_organization
        or (guardrails.protect_trail or guardrails.protect_baseline_roles)
    ):
        built_in.append(scp_documents.GUARDRAILS)
    for target in guardrails.attach_to:
        attached.setdefault(scp_documents.label(target), [scp_documents.FULL_ACCESS]).extend(
            built_in
        )
    for custom in guardrails.custom:
        for target in custom.attach_to or guardrails.attach_to:
            where = scp_documents.label(target)
            attached.setdefault(where, [scp_documents.FULL_ACCESS]).append(custom.name)
    for problem in scp_documents.crowded(attached):
        yield here, problem


# --- reading the file ---------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """A SafeLoader that notes keys given twice in one mapping (PyYAML keeps the last)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.issues: list[str] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[str] = set()
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value in seen:
                self.issues.append(
                    f"{FILE}: line {key.start_mark.line + 1}: key {key.value!r} appears twice "
                    "in the same mapping; write it once"
                )
            seen.add(getattr(key, "value", None))
        return super().construct_mapping(node, deep)


def _yaml_problem(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    what = getattr(error, "problem", None) or str(error)
    return f"{FILE}: {where}YAML syntax error: {what}"


def _path(loc: tuple[int | str, ...]) -> str:
    """('accounts', 2, 'email') -> 'accounts[2].email'."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or TOP


def _model_at(loc: Iterable[int | str]) -> type[BaseModel] | None:
    """The model that the mapping at loc is validated against."""
    model: type[BaseModel] | None = OrgConfig
    for part in loc:
        if isinstance(part, str):
            field = model.model_fields.get(part) if model else None
            model = _model_in(field.annotation) if field else None
    return model


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next(filter(None, map(_model_in, get_args(annotation))), None)


def _yaml_kind(value: Any) -> str:
    kinds = {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list"}
    return "nothing" if value is None else kinds.get(type(value), "a mapping")


def _message(error: dict[str, Any]) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        keys = ", ".join(model.model_fields) if model else "none"
        return f"is not a known key; expected one of: {keys}"
    if kind in ("model_type", "dict_type"):
        return f"expected a mapping of keys to values, got {_yaml_kind(error['input'])}"
    if kind == "list_type":
        return f"expected a list (lines starting with '- '), got {_yaml_kind(error['input'])}"
    return error["msg"]


def parse_config(text: str, source: str = "<text>") -> OrgConfig:
    """Validate the desired state given as YAML text (source names it in errors)."""
    loader = _Loader(text)
    try:
        raw = loader.get_single_data()
    except yaml.YAMLError as error:
        raise ConfigError(source, [_yaml_problem(error)]) from None
    finally:
        loader.dispose()
    errors = list(loader.issues)
    raw = {} if raw is None else raw
    if not isinstance(raw, dict):
        expected = ", ".join(OrgConfig.model_fields)
        problem = f"expected a mapping with the sections {expected}; got {_yaml_kind(raw)}"
        raise ConfigError(source, [*errors, f"{TOP}: {problem}"])
    try:
        config = OrgConfig.model_validate(raw)
    except ValidationError as error:
        errors += [f"{_path(e['loc'])}: {_message(e)}" for e in error.errors()]
    sections = Sections(raw)
    errors += [f"{path}: {problem}" for rule in CHECKS for path, problem in rule(sections)]
    if errors:
        raise ConfigError(source, errors)
    return config


def load_config(path: str | Path) -> OrgConfig:
    """Read and validate the desired-state file; ConfigError lists every problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(str(path), [f"{FILE}: cannot read it ({error})"]) from None
    return parse_config(text, source=str(path))
