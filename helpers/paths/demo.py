"""The example's buckets and queues, where no application of the example runs (the sandbox):
the kit plays those applications and creates them, with a sample object under each path's
prefix. Against AWS their applications create them and this does nothing."""

from __future__ import annotations

from helpers.aws import or_none, paginate
from helpers.aws_names import NO_SUCH_QUEUE
from helpers.kit import Kit
from helpers.paths.declared import Grant, grants


def ensure_demo_resources(kit: Kit) -> None:
    """Where the target is a demonstration, create the example's buckets and queues."""
    if not kit.target.demo:
        return
    for grant in grants(kit):
        provider = grant.path.provider
        if grant.kind == "role":
            continue
        label = f"{grant.resource} (account {provider.account}, sandbox demo)"
        if grant.provider_id is None:
            kit.plan("create", label, "once the account exists")
        elif grant.kind == "queue":
            _demo_queue(kit, grant, label)
        else:
            _demo_bucket(kit, grant, label)


def _demo_queue(kit: Kit, grant: Grant, label: str) -> None:
    sqs = kit.account(grant.provider_id).client("sqs")
    queue = grant.path.provider.queue
    if or_none(sqs.get_queue_url, *NO_SUCH_QUEUE, QueueName=queue) is not None:
        kit.keep(label, "exists")
        return
    kit.plan("create", label, "the order service's queue")
    if kit.apply:
        sqs.create_queue(QueueName=queue)


def _demo_bucket(kit: Kit, grant: Grant, label: str) -> None:
    s3 = kit.account(grant.provider_id).client("s3")
    bucket, key = grant.path.provider.bucket, f"{grant.path.provider.prefix or ''}sample.json"
    if bucket in {b["Name"] for b in paginate(s3, "list_buckets", "Buckets")}:
        kit.keep(label, "exists")
        return
    kit.plan("create", label, f"with {key}")
    if kit.apply:
        s3.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": grant.region}
        )
        s3.put_object(Bucket=bucket, Key=key, Body=b'{"order": 1, "customer": "anonymised"}')
