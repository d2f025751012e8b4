"""Exercise: run step 08's review of the organization, find the security group it reports,
and clear two of its items with their fixes: the SSH rule open to the world, and EBS
encryption by default in the original account."""

from __future__ import annotations

from typing import Any

from helpers import review
from helpers.exercises.framework import (
    Definition,
    Outcome,
    Values,
    correct,
    incorrect,
    not_attempted,
)
from helpers.exercises.state import organization_with_accounts, seeded
from helpers.kit import Kit

DEFAULT = "EBS encryption by default"


def setup(kit: Kit) -> dict[str, Any]:
    """Steps 01-02 with the original account invited: it brings the seeded review items."""
    seed = seeded(kit)
    return organization_with_accounts(kit, invite=True) | {
        "original": seed["original_account_id"],
        "open_group": seed["resources"]["review"]["open_security_group"],
    }


def _names(kit: Kit, facts: dict[str, Any]) -> set[str]:
    """The open group's name, and its id while it exists."""
    ec2 = kit.account(facts["original"]).client("ec2")
    group = facts["open_group"]
    groups = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [group]}])
    return {group, *(g["GroupId"] for g in groups["SecurityGroups"])}


def check(kit: Kit, facts: dict[str, Any], values: Values) -> Outcome:
    found = review.review(kit)
    in_original = f"({facts['original']})"
    original = [f for f in found.findings if f.account.endswith(in_original)]
    network = [f for f in original if f.check == "network"]
    encryption = [f for f in original if f.resource == DEFAULT]
    if network and encryption and values.all_blank():
        return not_attempted(f"the review still reports {network[0].resource}")
    answer = values.get("open_group")
    if answer not in _names(kit, facts):
        return incorrect(
            f"open_group is {answer!r}: give the name or id of the security group the "
            "'network' check reports"
        )
    if network:
        return incorrect(f"the review still reports {network[0].resource}: {network[0].what}")
    if encryption:
        return incorrect(f"the original account's {DEFAULT} is still {encryption[0].what}")
    left = len(original)
    return correct(
        f"no security group faces the world and every new volume of the original account "
        f"will be encrypted; {left} review item(s) remain there, each with its fix"
    )


EXERCISE = Definition(
    name="08_review",
    title="Take a breath: clear two review items",
    teaches=("08_review",),
    minutes=15,
    answers=("open_group",),
    setup=setup,
    check=check,
    hints=(
        "review.review(kit) reads every account; review.findings_table(found) shows each item "
        "with its account, resource, what and fix. The 'network' item names the group.",
        "Each item's fix column gives the command; with boto3, the original account's EC2 is "
        "kit.account(original).client('ec2', region_name=region).",
        "revoke_security_group_ingress(GroupId=..., IpPermissions=<the group's rule>) in "
        "eu-central-1, and enable_ebs_encryption_by_default() in eu-central-1 and eu-west-1.",
    ),
)
