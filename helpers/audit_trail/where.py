"""Where the trail and its logs go: the organization, the log-archive account (found by its
email) and the bucket's name, with placeholders where a plan does not know an id yet."""

from __future__ import annotations

from dataclasses import dataclass

from helpers.accounts import members
from helpers.config import Trail, region_partitions
from helpers.kit import Kit, KitError
from helpers.organization import describe

SERVICE = "cloudtrail.amazonaws.com"


@dataclass(frozen=True)
class Where:
    """Where the trail and its bucket are; ids are None while they exist only in a plan."""

    name: str
    region: str
    management_id: str
    org_id: str | None
    archive_name: str
    archive_id: str | None
    bucket: str
    retention_days: int

    @property
    def partition(self) -> str:
        return region_partitions()[self.region]

    @property
    def arn(self) -> str:
        return (
            f"arn:{self.partition}:cloudtrail:{self.region}:{self.management_id}:trail/{self.name}"
        )

    @property
    def org(self) -> str:
        return self.org_id or "<organization id>"

    def log_prefix(self, account_id: str) -> str:
        """Where CloudTrail writes an account's logs in the bucket."""
        return f"s3://{self.bucket}/AWSLogs/{self.org}/{account_id}/CloudTrail/<region>/"


def trail_config(kit: Kit) -> Trail:
    """The config's trail section; KitError if it has none."""
    if kit.config.trail is None:
        raise KitError(
            "the desired-state file has no trail section: add one with log_archive_account "
            "(see runbook/org.example.yaml)",
            resource="trail (the desired-state file)",
            next_step="add a trail section with log_archive_account",
        )
    return kit.config.trail


def locate(kit: Kit) -> Where:
    """Find the organization and the log-archive account (by its email), and name the bucket.

    When applying, the log-archive account must exist; a plan names what it does not know.
    """
    trail = trail_config(kit)
    org = describe(kit.management)
    account = kit.config.account(trail.log_archive_account)
    email = account.email.lower()
    archive_id = account.id if account.invite else None
    if archive_id is None:
        found = (i for i, a in members(kit).items() if a["Email"].lower() == email)
        archive_id = next(found, None)
    if archive_id is None and kit.apply:
        raise KitError(
            f"account {account.name} (trail.log_archive_account) is not in the organization "
            "yet: run step 02 first",
            resource=f"account {account.name}",
            next_step="run step 02 first",
        )
    org_id = org["Id"] if org else None
    default = f"org-trail-{org_id or '<organization id>'}-{archive_id or '<log-archive id>'}"
    return Where(
        name=trail.name,
        region=kit.config.home_region,
        management_id=kit.config.management_account.id,
        org_id=org_id,
        archive_name=account.name,
        archive_id=archive_id,
        bucket=trail.bucket_name or default,
        retention_days=trail.retention_days,
    )
