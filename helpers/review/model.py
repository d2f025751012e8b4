"""What the review is made of: its checks (goal, clean words, usual fix), the items it finds,
and the settings every check takes besides the account."""

from __future__ import annotations

from dataclasses import dataclass, field

MET, REVIEW_ITEM = "✅", "⚠️"  # the scorecard's statuses: a review item is never a failure


@dataclass(frozen=True)
class Check:
    """One check: the goal it stands for, what it says when it finds nothing, its usual fix."""

    goal: str
    clean: str
    fix: str


CHECKS = {
    "iam": Check(
        "IAM policies grant no more than their users need",
        "no policy grants every action of a service, privilege escalation, permissions "
        "management, credentials or data on any resource",
        "replace each broad policy with one naming the actions and resources it is used for",
    ),
    "network": Check(
        "No security group opens an admin port, or every port, to the world",
        "no security group rule lets 0.0.0.0/0 or ::/0 reach an admin port or every port",
        "remove the rules; reach instances through Systems Manager Session Manager, or allow "
        "only your own address range",
    ),
    "volumes": Check(
        "EBS volumes are encrypted, and so is every new one",
        "every EBS volume is encrypted and EBS encryption by default is on",
        "turn EBS encryption by default on in each account and region; replace unencrypted "
        "volumes with encrypted copies",
    ),
    "buckets": Check(
        "Buckets encrypt by default and block public access",
        "every bucket has default encryption and Block Public Access on (its own or the account's)",
        "turn S3 Block Public Access on for the whole account; set default encryption on "
        "each bucket",
    ),
    "backup": Check(
        "Data is backed up",
        "every region that holds volumes or buckets has an AWS Backup plan",
        "create an AWS Backup plan in each of those regions (or an organization backup "
        "policy from the management account)",
    ),
    "tags": Check(
        "Resources carry the team's tags",
        "every bucket, volume, instance and security group carries the required tags",
        "tag each resource (aws resourcegroupstaggingapi tag-resources)",
    ),
    "budget": Check(
        "A budget watches every account's spend",
        "a budget watches every account",
        "create a cost budget with an alert in the management account for the whole bill",
    ),
}


@dataclass(frozen=True)
class Finding:
    """One review item: which check, in which account, on what resource, what, and the fix."""

    check: str
    account: str  # "name (id)"
    resource: str
    what: str
    fix: str


@dataclass
class Review:
    """What the review read (the accounts, "name (id)") and what it found."""

    accounts: list[str]
    findings: list[Finding] = field(default_factory=list)

    def of(self, check: str) -> list[Finding]:
        return [f for f in self.findings if f.check == check]


@dataclass(frozen=True)
class Settings:
    """What the checks take besides the account: the config's review section, the management
    account's id and its budgets."""

    required_tags: list[str]
    admin_ports: list[int]
    management_id: str
    organization_budgets: list[dict]
