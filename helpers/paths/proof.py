"""The proof: each path's read call from its consumer's side, and calls no path declares,
each refusal explained by the policy evaluator (read calls only)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import boto3
from botocore.exceptions import ClientError

from helpers.accounts import account_ids
from helpers.aws import error_code
from helpers.kit import Kit, KitError
from helpers.paths.declared import Grant, grants
from helpers.policy import Decision, explain_access
from helpers.quiz import Answer

Call = tuple[str, str, Callable[[], object]]  # IAM action, resource ARN, the call


@dataclass(frozen=True)
class Attempt:
    """One call across an account boundary and AWS's answer."""

    path: str
    who: str  # the caller's ARN
    action: str
    resource: str
    outcome: str  # "allowed" or the error code and message
    decision: Decision | None = None

    @property
    def allowed(self) -> bool:
        return self.outcome == "allowed"


def _call(kit: Kit, grant: Grant, session: boto3.Session, outside_prefix: bool = False) -> Call:
    """The path's read call from `session`: (IAM action, resource ARN, the call).

    A bucket path reads the first object under its prefix (listing it within the prefix
    when there is none); a queue path reads the queue's attributes at the URL the
    provider's account gives it; a role path assumes the role.
    """
    if grant.kind == "bucket":
        return _bucket_call(kit, grant, session, outside_prefix)
    if grant.kind == "queue":
        return _queue_call(kit, grant, session)
    sts = session.client("sts")
    return (
        "sts:AssumeRole",
        grant.arn,
        lambda: sts.assume_role(RoleArn=grant.arn, RoleSessionName="kit-path-proof"),
    )


def _bucket_call(kit: Kit, grant: Grant, session: boto3.Session, outside_prefix: bool) -> Call:
    provider = grant.path.provider
    s3, prefix = session.client("s3"), "" if outside_prefix else provider.prefix or ""
    reads = not outside_prefix and "s3:GetObject" in grant.path.actions
    key = _first_key(kit, grant) if reads else None
    if key is not None:
        return (
            "s3:GetObject",
            f"{grant.arn}/{key}",
            lambda: s3.get_object(Bucket=provider.bucket, Key=key)["Body"].close(),
        )
    return (
        "s3:ListBucket",
        grant.arn,
        lambda: s3.list_objects_v2(Bucket=provider.bucket, Prefix=prefix, MaxKeys=1),
    )


def _queue_call(kit: Kit, grant: Grant, session: boto3.Session) -> Call:
    sqs = session.client("sqs", region_name=grant.region)
    if "sqs:GetQueueAttributes" in grant.path.actions:
        url = _queue_url(kit, grant)
        return (
            "sqs:GetQueueAttributes",
            grant.arn,
            lambda: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"]),
        )
    return (
        "sqs:GetQueueUrl",
        grant.arn,
        lambda: sqs.get_queue_url(
            QueueName=grant.path.provider.queue, QueueOwnerAWSAccountId=grant.provider_id
        ),
    )


def _first_key(kit: Kit, grant: Grant) -> str | None:
    """The first object under the path's prefix, as the provider's account lists it."""
    s3 = kit.account(grant.provider_id).client("s3")
    found = s3.list_objects_v2(
        Bucket=grant.path.provider.bucket, Prefix=grant.path.provider.prefix or "", MaxKeys=1
    )
    return next((o["Key"] for o in found.get("Contents", [])), None)


def _queue_url(kit: Kit, grant: Grant) -> str:
    """The queue's URL, as the provider's account gives it."""
    sqs = kit.account(grant.provider_id).client("sqs", region_name=grant.region)
    return sqs.get_queue_url(QueueName=grant.path.provider.queue)["QueueUrl"]


def _attempt(
    kit: Kit, name: str, session: boto3.Session, grant: Grant, outside_prefix: bool = False
) -> Attempt:
    who = session.client("sts").get_caller_identity()["Arn"]
    action, resource, call = _call(kit, grant, session, outside_prefix)
    try:
        call()
        outcome = "allowed"
    except ClientError as error:  # any refusal is the answer the proof shows
        message = error.response["Error"].get("Message") or error_code(error)
        outcome = f"{error_code(error)}: {message}"
    return Attempt(name, who, action, resource, outcome)


def consumer_session(kit: Kit, grant: Grant) -> boto3.Session:
    """The consumer's side: its account's access role, or the path's consumer role
    assumed from there (it must trust its own account)."""
    session = kit.account(grant.consumer_id)
    role = grant.path.consumer.role
    if role is None:
        return session
    assumed = kit.target.assume(session, grant.consumer_id, role)
    return kit.recorder.attach(assumed, grant.consumer_id)


def prove(kit: Kit, found: list[Grant]) -> list[Attempt]:
    """Each path's read call from the consumer's side (read calls only)."""
    return [_attempt(kit, g.path.name, consumer_session(kit, g), g) for g in found if g.ready]


def outside_the_paths(kit: Kit, found: list[Grant]) -> list[Attempt]:
    """Calls no path declares, each with the explainer's decision: an account that is
    neither consumer nor provider tries each path's call, and a bucket path's consumer
    lists outside its prefix."""
    ids = account_ids(kit)
    attempts = []
    for grant in (g for g in found if g.ready):
        path = grant.path
        others = [
            a.name
            for a in kit.config.accounts
            if a.name not in (path.consumer.account, path.provider.account) and ids.get(a.name)
        ]
        if others:
            outsider = kit.account(ids[others[0]])
            attempts.append(_explained(kit, _attempt(kit, path.name, outsider, grant), grant))
        if grant.kind == "bucket" and path.provider.prefix:
            tried = _attempt(
                kit, path.name, consumer_session(kit, grant), grant, outside_prefix=True
            )
            attempts.append(_explained(kit, tried, grant, {"s3:prefix": ""}))
    return attempts


def _explained(kit: Kit, attempt: Attempt, grant: Grant, context: dict | None = None) -> Attempt:
    decision = explain_access(
        kit,
        attempt.who,
        attempt.action,
        attempt.resource,
        grant.region,
        resource_account=grant.provider_id if grant.kind == "bucket" else None,
        context=context,
    )
    return replace(attempt, decision=decision)


def probe(
    kit: Kit, path: str, caller: str | None = None, outside_prefix: bool = False
) -> Callable[[], Answer]:
    """The real call a prediction waits for: the path's read call from its consumer (or
    from the config account `caller`), outside the path's prefix if asked, explained when
    refused. Nothing is called until the probe is."""

    def call() -> Answer:
        grant = next((g for g in grants(kit) if g.path.name == path), None)
        if grant is None or not grant.ready:
            raise KitError(
                f"path {path} is not granted yet: run this step first",
                resource=f"path {path}",
                next_step="run step 04 (access between accounts) first",
            )
        ids = account_ids(kit)
        session = kit.account(ids[caller]) if caller else consumer_session(kit, grant)
        tried = _attempt(kit, path, session, grant, outside_prefix)
        if tried.allowed:
            return Answer.of(True, detail=f"{tried.action} on {tried.resource}: allowed")
        context = {"s3:prefix": ""} if outside_prefix else None
        decision = _explained(kit, tried, grant, context).decision
        return Answer.of(False, decision, tried.outcome)

    return call
