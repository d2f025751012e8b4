"""Making the grants: a statement in the provider's bucket or queue policy, or a role in the
provider's account; and, when asked, removing the kit's grants of paths no longer listed.

The kit's roles live under the IAM path /kit-path/; statements and roles that are not the
kit's are never touched.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import boto3
from botocore.exceptions import ClientError
from tqdm.auto import tqdm

from helpers.accounts import account_ids
from helpers.aws import error_code, or_none, paginate
from helpers.aws_names import NO_SUCH_QUEUE
from helpers.kit import Kit, KitError
from helpers.paths.declared import ROLE_PATH, Grant, grants, section
from helpers.paths.documents import (
    kit_statements,
    merged,
    ours,
    role_permissions,
    role_trust,
    sid,
    statements_of,
)


@dataclass
class Place:
    """A resource policy in a provider account: how to read and write it."""

    label: str
    read: Callable[[], dict | None]  # None: no policy; raises LookupError if no resource
    write: Callable[[dict | None], None]  # None: delete the policy


def _bucket_place(session: boto3.Session, bucket: str, label: str) -> Place:
    s3 = session.client("s3")

    def read() -> dict | None:
        try:
            return json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        except ClientError as error:
            if error_code(error) not in ("NoSuchBucket", "NoSuchBucketPolicy"):
                raise
            if error_code(error) == "NoSuchBucket":
                raise LookupError(bucket) from None
            return None

    def write(policy: dict | None) -> None:
        if policy is None:
            s3.delete_bucket_policy(Bucket=bucket)
        else:
            s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))

    return Place(label, read, write)


def _queue_place(session: boto3.Session, queue: str, region: str, label: str) -> Place:
    sqs = session.client("sqs", region_name=region)

    def url() -> str:
        found = or_none(sqs.get_queue_url, *NO_SUCH_QUEUE, QueueName=queue)
        if found is None:
            raise LookupError(queue)
        return found["QueueUrl"]

    def read() -> dict | None:
        found = sqs.get_queue_attributes(QueueUrl=url(), AttributeNames=["Policy"])
        text = found.get("Attributes", {}).get("Policy")
        return json.loads(text) if text else None

    def write(policy: dict | None) -> None:
        sqs.set_queue_attributes(
            QueueUrl=url(), Attributes={"Policy": json.dumps(policy) if policy else ""}
        )

    return Place(label, read, write)


def _place(kit: Kit, grant: Grant) -> Place:
    session = kit.account(grant.provider_id)
    label = f"{grant.resource} (account {grant.path.provider.account})"
    if grant.kind == "bucket":
        return _bucket_place(session, grant.path.provider.bucket, label)
    return _queue_place(session, grant.path.provider.queue, grant.region, label)


def ensure_paths(kit: Kit) -> list[Grant]:
    """Grant every declared path; with remove_unlisted_paths, remove the kit's other grants."""
    found = grants(kit)
    groups: dict[tuple[str, str, str], list[Grant]] = {}
    for grant in found:
        detail = f"{', '.join(grant.path.actions)} for {grant.path.consumer.account}"
        if not grant.ready:
            kit.plan("grant", f"path {grant.path.name}: {grant.resource}", detail + " (planned)")
        elif grant.kind == "role":
            _ensure_role(kit, grant)
        else:
            key = (grant.kind, grant.provider_id or "", grant.resource.split(" (")[0])
            groups.setdefault(key, []).append(grant)
    wanted = {s["Sid"] for g in found for s in statements_of(g)}
    for group in groups.values():
        _ensure_policy(kit, _place(kit, group[0]), group, wanted)
    if section(kit).remove_unlisted_paths:
        prune(kit, found)
    return found


def _ensure_policy(kit: Kit, place: Place, group: list[Grant], wanted: set[str]) -> None:
    """The group's statements in one resource policy; unrelated statements are kept."""
    names = ", ".join(g.path.name for g in group)
    try:
        existing = place.read()
    except LookupError:
        kit.ask(
            f"create {place.label}: the application that owns it creates it; the kit grants "
            f"path(s) {names} on the next run"
        )
        return
    statements = [s for g in group for s in statements_of(g)]
    mine = {s["Sid"] for s in statements}
    prune = section(kit).remove_unlisted_paths

    def replaced(statement: dict) -> bool:
        sid_ = statement.get("Sid")
        return sid_ in mine or (prune and ours(statement) and sid_ not in wanted)

    policy = merged(existing, statements, replaced)
    if kit_statements(policy) == kit_statements(existing):
        kit.keep(f"{place.label}: policy", f"path(s) {names} granted")
        return
    kept = sum(not ours(s) for s in policy["Statement"])
    detail = f"path(s) {names}" + (f"; {kept} other statement(s) kept" if kept else "")
    kit.plan("grant", f"{place.label}: policy", detail)
    if kit.apply:
        place.write(policy)


def _ensure_role(kit: Kit, grant: Grant) -> None:
    """The path's role in the provider account: trust for the consumer, exactly its actions."""
    iam = kit.account(grant.provider_id).client("iam")
    name, policy_name = grant.path.provider.role, sid(grant.path.name)
    resource = f"role {name} (account {grant.path.provider.account})"
    trust, permissions = role_trust(grant), role_permissions(grant)
    found = or_none(iam.get_role, "NoSuchEntity", RoleName=name)
    if found is None:
        detail = f"assumed by {grant.path.consumer.account}: {', '.join(grant.path.actions)}"
        kit.plan("create", resource, detail)
        if kit.apply:
            iam.create_role(
                RoleName=name,
                Path=ROLE_PATH,
                AssumeRolePolicyDocument=json.dumps(trust),
                Description=(grant.path.why or f"path {grant.path.name}")[:1000],
                Tags=[{"Key": "kit-path", "Value": grant.path.name}],
            )
            iam.put_role_policy(
                RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(permissions)
            )
        return
    role = found["Role"]
    if role["Path"] != ROLE_PATH:
        raise KitError(
            f"{resource} exists and is not the kit's (its IAM path is {role['Path']}, not "
            f"{ROLE_PATH}): give path {grant.path.name} a role name of its own",
            resource=resource,
            next_step=f"give path {grant.path.name} a role name of its own",
        )
    if role["AssumeRolePolicyDocument"] == trust:
        kit.keep(f"{resource}: trust", f"{grant.path.consumer.account} may assume it")
    else:
        kit.plan("update", f"{resource}: trust", f"{grant.path.consumer.account} only")
        if kit.apply:
            iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust))
    inline = list(paginate(iam, "list_role_policies", "PolicyNames", RoleName=name))
    current = (
        iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
        if policy_name in inline
        else None
    )
    if current == permissions and inline == [policy_name]:
        kit.keep(f"{resource}: permissions", ", ".join(grant.path.actions))
        return
    kit.plan("update", f"{resource}: permissions", "exactly " + ", ".join(grant.path.actions))
    if kit.apply:
        for other in inline:
            if other != policy_name:
                iam.delete_role_policy(RoleName=name, PolicyName=other)
        iam.put_role_policy(
            RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(permissions)
        )


def prune(kit: Kit, wanted: list[Grant]) -> None:
    """Remove the kit's grants for paths the config no longer lists, in every member account:
    its roles under /kit-path/, its KitPath statements in bucket and queue policies."""
    roles = {(g.provider_id, g.path.provider.role) for g in wanted if g.kind == "role"}
    places = {(g.provider_id, g.resource.split(" (")[0]) for g in wanted if g.kind != "role"}
    sids = {s["Sid"] for g in wanted for s in statements_of(g)}
    ids = {i: n for n, i in account_ids(kit).items() if i and i != kit.config.management_account.id}
    region = kit.config.home_region
    for account_id, name in tqdm(sorted(ids.items()), desc="accounts", unit="account"):
        session = kit.account(account_id)
        iam = session.client("iam")
        for role in paginate(iam, "list_roles", "Roles", PathPrefix=ROLE_PATH):
            if (account_id, role["RoleName"]) in roles:
                continue
            kit.plan(
                "remove", f"role {role['RoleName']} (account {name})", "its path is not listed"
            )
            if kit.apply:
                _delete_role(iam, role["RoleName"])
        for bucket in (
            b["Name"] for b in paginate(session.client("s3"), "list_buckets", "Buckets")
        ):
            if (account_id, f"bucket {bucket}") not in places:
                place = _bucket_place(session, bucket, f"bucket {bucket} (account {name})")
                _drop_unlisted(kit, place, sids)
        sqs = session.client("sqs", region_name=region)
        for url in paginate(sqs, "list_queues", "QueueUrls"):
            queue = url.rsplit("/", 1)[-1]
            if (account_id, f"queue {queue}") not in places:
                place = _queue_place(session, queue, region, f"queue {queue} (account {name})")
                _drop_unlisted(kit, place, sids)


def _drop_unlisted(kit: Kit, place: Place, sids: set[str]) -> None:
    existing = place.read()
    stale = [s for s in kit_statements(existing) if s not in sids]
    if not stale:
        return
    kit.plan("remove", f"{place.label}: policy", f"statement(s) {', '.join(stale)}")
    if kit.apply:
        policy = merged(existing, [], lambda s: s.get("Sid") in stale)
        place.write(policy if policy["Statement"] else None)


def _delete_role(iam, name: str) -> None:
    for policy in paginate(iam, "list_role_policies", "PolicyNames", RoleName=name):
        iam.delete_role_policy(RoleName=name, PolicyName=policy)
    for attached in paginate(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name):
        iam.detach_role_policy(RoleName=name, PolicyArn=attached["PolicyArn"])
    iam.delete_role(RoleName=name)
