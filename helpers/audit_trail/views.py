"""The evidence shown: the trail as the management account sees it, where each account's
logs land, and the picture of every account's calls flowing into the one bucket."""

from __future__ import annotations

from helpers.accounts import members
from helpers.audit_trail.proof import a_member, member_view
from helpers.audit_trail.where import Where
from helpers.kit import Kit
from helpers.organization import FOLD_FROM, placement
from helpers.pictures import Arrow, Box, Picture, graph
from helpers.tables import Table


def status(kit: Kit, where: Where) -> Table:
    """The trail as the management account sees it."""
    cloudtrail = kit.management.client("cloudtrail")
    trail = cloudtrail.describe_trails(trailNameList=[where.arn])["trailList"][0]
    state = cloudtrail.get_trail_status(Name=where.arn)
    rows = [
        ["trail", trail["TrailARN"]],
        ["organization trail", trail["IsOrganizationTrail"]],
        ["all regions", trail["IsMultiRegionTrail"]],
        ["log file validation", trail["LogFileValidationEnabled"]],
        ["logging", state["IsLogging"]],
        ["bucket", f"{trail['S3BucketName']} (account {where.archive_name}, {where.archive_id})"],
        ["logs kept", f"{where.retention_days} days"],
    ]
    return Table(["setting", "value"], rows)


def destinations(kit: Kit, where: Where) -> Table:
    """Where each account's logs land in the bucket."""
    accounts = members(kit)
    rows = [
        [kit.account_name(i, a["Name"]), i, where.log_prefix(i)]
        for i, a in sorted(accounts.items())
    ]
    if not rows:
        rows = [
            [account.name, "(planned)", where.log_prefix("<account id>")]
            for account in kit.config.accounts
        ]
    return Table(["account", "id", "logs land under"], rows)


def picture(kit: Kit, where: Where) -> Picture:
    """Every account's API calls flowing into the one bucket in the log-archive account; an
    organization of more than FOLD_FROM accounts as one box per OU."""
    accounts = members(kit)
    bucket = Box("bucket", where.bucket, [f"account {where.archive_name}", "versioned, private"])
    trail = ["trail " + where.name]
    if len(accounts) <= FOLD_FROM:
        boxes = [
            Box(
                i, kit.account_name(i, a["Name"]), [i, *(trail if i == where.management_id else [])]
            )
            for i, a in sorted(accounts.items())
        ]
        arrows = [Arrow(i, "bucket", f"AWSLogs/…/{i}/") for i in sorted(accounts)]
        return graph([*boxes, bucket], arrows)
    management = kit.account_name(where.management_id, "management")
    boxes = [Box(where.management_id, management, [where.management_id, *trail])]
    for node, path, inside in placement(kit.management):
        inside = [a for a in inside if a["Id"] != where.management_id]
        if inside:
            boxes.append(Box(node, path, [f"{len(inside)} account(s)"]))
    arrows = [Arrow(b.id, "bucket", "AWSLogs/…/<each account id>/") for b in boxes]
    arrows[0] = Arrow(where.management_id, "bucket", f"AWSLogs/…/{where.management_id}/")
    return graph([*boxes, bucket], arrows)


def show_evidence(kit: Kit, where: Where) -> tuple[str, str] | None:
    """The trail as the management account and a workload account see it, the picture of
    the calls flowing into one bucket (once applied), and where each account's logs land.
    Returns the workload account (name, id) it looked from, if there is one."""
    member = a_member(kit, where)
    if kit.apply:
        kit.show("The organization trail", status(kit, where))
        if member:
            name, member_id = member
            kit.show(f"The trail as account {name} sees it", member_view(kit, member_id, where))
        kit.show("Every account's calls, into one bucket", picture(kit, where))
    kit.show("Where each account's logs land", destinations(kit, where))
    return member
