"""Access between accounts (step 04): the declared paths, the kit's own roles and the
baseline roles every account gets."""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field

from .checks import Issue, Sections, duplicates, model_or_nothing, raw_names, valid
from .fields import BucketName, RoleName, Section, StackSetName, fail, shown, text

MANAGEMENT = "management"  # kit_roles: the management account, whatever its name
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"  # CloudFormation templates


def _action(value: str) -> str:
    if "*" in value or "?" in value:
        fail(
            "{value} is a wildcard: a path names each action it needs, e.g. s3:GetObject "
            "(a wildcard also grants every action AWS adds later)",
            value=shown(value),
        )
    if not re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9]+", value):
        fail(
            "{value} is not an IAM action; expected service:Action, e.g. sqs:SendMessage",
            value=shown(value),
        )
    return value


PathName = Annotated[
    str, text(r"[a-z0-9][a-z0-9-]{0,62}", "1 to 63 lowercase letters, digits or '-'")
]
QueueName = Annotated[
    str, text(r"[A-Za-z0-9_-]{1,80}", "1 to 80 letters, digits, '-' or '_' (SQS queue names)")
]
Prefix = Annotated[
    str, text(r"[^*?\s][^*?]{0,1023}", "a key prefix such as exports/ without wildcards")
]
# after the service, up to the first ":" (the same ARNs as [^*\s]*:\S+, without its backtracking)
ResourceArn = Annotated[str, text(r"arn:aws[a-z-]*:[a-z0-9-]+:[^*\s:]*:\S+", "an ARN")]
Action = Annotated[str, AfterValidator(_action)]


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


RESOURCE_SERVICES = {"bucket": "s3", "queue": "sqs"}
SIDES = ("consumer", "provider")


def check(sections: Sections) -> Iterator[Issue]:
    raw = sections.raw("cross_account")
    if not isinstance(raw, dict):
        return
    here = "cross_account"
    paths = valid(raw.get("paths"), CrossAccount, "paths")
    entries = ((f"{here}.paths[{i}].name", p.name) for i, p in paths)
    yield from duplicates(entries, "each path needs its own name")
    for i, path in paths:
        yield from _path_rules(sections, f"{here}.paths[{i}]", path)
    roles = valid(raw.get("kit_roles"), CrossAccount, "kit_roles")
    entries = ((f"{here}.kit_roles[{i}].role", r.role) for i, r in roles)
    yield from duplicates(entries, "list each of the kit's roles once")
    assumers = ((f"{here}.kit_roles[{i}].assumed_from", r.assumed_from) for i, r in roles)
    yield from sections.unknown_accounts(assumers, also=[MANAGEMENT])
    kit_roles = {r.role for _, r in roles}
    for i, path in paths:
        if path.provider.role in kit_roles:
            yield (
                f"{here}.paths[{i}].provider.role",
                f"{path.provider.role!r} is one of the kit's own roles (kit_roles); give the "
                "path a role of its own",
            )
    for found in model_or_nothing(raw.get("baseline"), Baseline):
        if not (TEMPLATES / found.template).is_file():
            yield (
                f"{here}.baseline.template",
                f"{found.template!r} is not a file in templates/ (the kit ships "
                "baseline-roles.yaml)",
            )
        if found.audit_role not in raw_names(raw.get("kit_roles"), key="role"):
            yield (
                f"{here}.baseline.audit_role",
                f"{found.audit_role!r} crosses account boundaries: list it in "
                f"{here}.kit_roles with the account it is assumed from",
            )
        ous = ((f"{here}.baseline.ous[{j}]", ou) for j, ou in enumerate(found.ous))
        yield from sections.unknown_ous(ous)


def _path_rules(sections: Sections, here: str, path: CommunicationPath) -> Iterator[Issue]:
    sides = [(f"{here}.{side}.account", getattr(path, side).account) for side in SIDES]
    why = "a path joins member accounts (the management account runs no workloads), "
    yield from sections.unknown_accounts(sides, why)
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
