"""Guardrails (step 06): the kit's service control policies and the team's own, checked
the way AWS Organizations checks them before any call."""

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

from pydantic import Field

from .catalogues import region_partitions
from .checks import Issue, Sections, duplicates, model_or_nothing
from .fields import ROOT, RoleName, Section, text

POLICY_FILES = Path(__file__).resolve().parents[2] / "policies"  # custom SCPs live here


ScpName = Annotated[
    str, text(r"[\w+=,.@-]{1,128}", "1 to 128 letters, digits or +=,.@_- (SCP names)")
]
ScpFile = Annotated[
    str, text(r"\S+\.json", "a .json file in policies/ (or an absolute path), no spaces")
]
ServicePrefix = Annotated[
    str, text(r"[a-z0-9-]+", "a service prefix as IAM actions start, e.g. route53")
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


def check(sections: Sections) -> Iterator[Issue]:
    here = "guardrails"
    for guardrails in model_or_nothing(sections.raw(here), Guardrails):
        yield from _guardrail_rules(sections, here, guardrails)


def _guardrail_rules(sections: Sections, here: str, guardrails: Guardrails) -> Iterator[Issue]:
    from helpers import scp_documents  # here: it imports boto3 (0.15 s)

    lists = [(f"{here}.attach_to", guardrails.attach_to)]
    lists += [
        (f"{here}.custom[{i}].attach_to", c.attach_to or [])
        for i, c in enumerate(guardrails.custom)
    ]
    for path, targets in lists:
        yield from duplicates(
            ((f"{path}[{j}]", t) for j, t in enumerate(targets)), "list each once"
        )
        yield from sections.unknown_ous((f"{path}[{j}]", t) for j, t in enumerate(targets))
    if guardrails.break_glass_role and not guardrails.region_allow_list:
        yield (
            f"{here}.break_glass_role",
            "is only for the region allow-list (region_allow_list: true)",
        )
    names = ((f"{here}.custom[{i}].name", c.name) for i, c in enumerate(guardrails.custom))
    yield from duplicates(names, "each SCP needs its own name")
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
