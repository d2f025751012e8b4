"""The demo resources: the example's buckets and queues the kit plays in the sandbox."""

from __future__ import annotations

from typing import TYPE_CHECKING

from helpers import audit_trail, paths
from helpers.aws import or_none, paginate
from helpers.aws_names import NO_SUCH_QUEUE
from helpers.kit import Kit

if TYPE_CHECKING:
    from helpers.teardown.member_accounts import Accounts


def undo_demo_resources(kit: Kit, found: Accounts, where: audit_trail.Where | None) -> None:
    """Where the kit plays the example's applications (`kit.target.demo`: the sandbox), the
    buckets and queues that step 04 made (against AWS the applications own them, and the kit
    leaves them alone). Only in accounts the kit created, and never the trail's bucket: a
    path may lead to the team's own data or to the logs."""
    if not kit.target.demo:
        return
    for grant in (g for g in paths.grants(kit) if g.ready and g.kind != "role"):
        if grant.provider_id not in found.created.values() or (
            where and grant.path.provider.bucket == where.bucket
        ):
            continue
        session = kit.account(grant.provider_id)
        label = f"{grant.resource.split(' (')[0]} (account {grant.path.provider.account}, demo)"
        if grant.kind == "queue":
            sqs = session.client("sqs", region_name=grant.region)
            queue = or_none(sqs.get_queue_url, *NO_SUCH_QUEUE, QueueName=grant.path.provider.queue)
            if queue is not None:
                kit.plan("delete", label)
                if kit.apply:
                    sqs.delete_queue(QueueUrl=queue["QueueUrl"])
            continue
        s3, bucket = session.client("s3"), grant.path.provider.bucket
        if bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
            continue
        kit.plan("delete", label, "with its objects")
        if kit.apply:
            for item in paginate(s3, "list_objects_v2", "Contents", Bucket=bucket):
                s3.delete_object(Bucket=bucket, Key=item["Key"])
            s3.delete_bucket(Bucket=bucket)
