"""The proof from a member account: the organization trail as it sees it (listed, owned by
the management account, logging), and CloudTrail's refusal when it tries to stop it."""

from __future__ import annotations

from botocore.exceptions import ClientError

from helpers.accounts import members
from helpers.audit_trail.where import Where
from helpers.aws import error_code
from helpers.kit import Kit, KitError
from helpers.tables import Table

REFUSED = ("NotOrganizationMasterAccountException", "AccessDeniedException")


def a_member(kit: Kit, where: Where) -> tuple[str, str] | None:
    """A workload account (name, id) to look from: the first that exists, not the archive."""
    joined = members(kit)
    by_email = {a["Email"].lower(): i for i, a in joined.items()}
    for account in kit.config.accounts:
        found = account.id if account.invite else by_email.get(account.email.lower())
        if found in joined and account.name != where.archive_name:
            return account.name, found
    return None


def member_view(kit: Kit, account_id: str, where: Where) -> Table:
    """The organization trail as a member account sees it, through its access role."""
    cloudtrail = kit.account(account_id).client("cloudtrail")
    trails = cloudtrail.describe_trails(trailNameList=[where.arn])["trailList"]
    rows = [
        [
            t["Name"],
            t["TrailARN"].split(":")[4],
            t.get("IsOrganizationTrail"),
            cloudtrail.get_trail_status(Name=t["TrailARN"])["IsLogging"],
        ]
        for t in trails
    ]
    return Table(["trail", "owned by account", "organization trail", "logging"], rows)


def try_to_stop(kit: Kit, account_id: str, where: Where) -> str:
    """Ask CloudTrail, as a member account, to stop the organization trail; its refusal.

    A write call: the workshop makes it with a button, the runbook does not (a re-run makes
    no write calls). CloudTrail refuses it; should it ever succeed, logging is restarted.
    """
    cloudtrail = kit.account(account_id).client("cloudtrail")
    try:
        cloudtrail.stop_logging(Name=where.arn)
    except ClientError as error:
        if error_code(error) not in REFUSED:
            raise
        return f"{error_code(error)}: {error.response['Error']['Message']}"
    kit.management.client("cloudtrail").start_logging(Name=where.arn)
    raise KitError(
        f"account {account_id} could stop the organization trail; logging restarted",
        resource=f"trail {where.name}",
        next_step="check that the trail is an organization trail of the management account",
    )
