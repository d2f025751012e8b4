"""Step 04: declared communication paths between accounts, each granted with the smallest
policy that works.

A path to a bucket (or a prefix in it) or a queue is a statement in that resource's policy
naming the consumer; a path to a role is an IAM role in the provider's account whose trust
policy names the consumer and whose one inline policy allows exactly the path's actions.
The kit's statements carry a Sid starting with "KitPath"; its roles live under the IAM path
/kit-path/. Statements and roles that are not the kit's are never touched.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import boto3
from botocore.exceptions import ClientError
from tqdm.auto import tqdm

from helpers.config import CommunicationPath, CrossAccount, region_partitions
from helpers.identity_center import account_ids
from helpers.kit import Kit, KitError
from helpers.pictures import Arrow, Box, Picture, graph
from helpers.policy import Decision, explain_access
from helpers.quiz import Answer
from helpers.tables import Table

SID_PREFIX = "KitPath"
ROLE_PATH = "/kit-path/"
OBJECT_ACTIONS = ("Object", "MultipartUpload")  # S3 actions on objects, not on the bucket


def section(kit: Kit) -> CrossAccount:
    """The config's cross_account section (empty when it has none)."""
    return kit.config.cross_account or CrossAccount()


def sid(path_name: str, part: str = "") -> str:
    """The Sid of a path's statement: KitPath + the name in CamelCase (+ part)."""
    return SID_PREFIX + "".join(w.capitalize() for w in path_name.split("-")) + part


def ours(statement: dict) -> bool:
    return str(statement.get("Sid", "")).startswith(SID_PREFIX)


@dataclass(frozen=True)
class Grant:
    """A path resolved against the organization; ids are None while an account is planned."""

    path: CommunicationPath
    consumer_id: str | None
    provider_id: str | None
    region: str

    @property
    def partition(self) -> str:
        return region_partitions()[self.region]

    @property
    def kind(self) -> str:
        return self.path.provider.kind() or ""

    @property
    def principal(self) -> str:
        """The consumer: one role in its account, or the account (whom its own IAM allows)."""
        base = f"arn:{self.partition}:iam::{self.consumer_id}"
        role = self.path.consumer.role
        return f"{base}:role/{role}" if role else f"{base}:root"

    @property
    def resource(self) -> str:
        """What the path reaches, by name."""
        provider = self.path.provider
        if self.kind == "bucket":
            return f"bucket {provider.bucket}" + (
                f" ({provider.prefix}*)" if provider.prefix else ""
            )
        return f"{self.kind} {getattr(provider, self.kind)}"

    @property
    def arn(self) -> str:
        """The provider resource's ARN."""
        provider, p = self.path.provider, self.partition
        if self.kind == "bucket":
            return f"arn:{p}:s3:::{provider.bucket}"
        if self.kind == "queue":
            return f"arn:{p}:sqs:{self.region}:{self.provider_id}:{provider.queue}"
        return f"arn:{p}:iam::{self.provider_id}:role{ROLE_PATH}{provider.role}"

    @property
    def ready(self) -> bool:
        return self.consumer_id is not None and self.provider_id is not None


def grants(kit: Kit, ids: dict[str, str | None] | None = None) -> list[Grant]:
    """The config's paths, with the accounts' ids where they exist (`ids`: config account
    name -> id, when already read)."""
    ids = account_ids(kit) if ids is None else ids
    return [
        Grant(p, ids.get(p.consumer.account), ids.get(p.provider.account), kit.config.home_region)
        for p in section(kit).paths
    ]


# --- the policies -------------------------------------------------------------------------


def bucket_statements(grant: Grant) -> list[dict]:
    """Object actions on the prefix's objects; bucket actions (s3:ListBucket) on the bucket,
    limited to the prefix with an s3:prefix condition."""
    path, bucket = grant.path, grant.arn
    prefix = path.provider.prefix or ""
    on_objects = [a for a in path.actions if any(w in a for w in OBJECT_ACTIONS)]
    on_bucket = [a for a in path.actions if a not in on_objects]
    principal = {"AWS": grant.principal}
    statements = []
    if on_objects:
        statements.append(
            {
                "Sid": sid(path.name),
                "Effect": "Allow",
                "Principal": principal,
                "Action": on_objects,
                "Resource": f"{bucket}/{prefix}*",
            }
        )
    if on_bucket:
        statement = {
            "Sid": sid(path.name, "Bucket"),
            "Effect": "Allow",
            "Principal": principal,
            "Action": on_bucket,
            "Resource": bucket,
        }
        if prefix and "s3:ListBucket" in on_bucket:
            statement["Condition"] = {"StringLike": {"s3:prefix": f"{prefix}*"}}
        statements.append(statement)
    return statements


def queue_statements(grant: Grant) -> list[dict]:
    """The path's actions on the queue, for the consumer."""
    return [
        {
            "Sid": sid(grant.path.name),
            "Effect": "Allow",
            "Principal": {"AWS": grant.principal},
            "Action": grant.path.actions,
            "Resource": grant.arn,
        }
    ]


def role_trust(grant: Grant) -> dict:
    """Who may assume the path's role: the consumer, through sts:AssumeRole."""
    statement = {
        "Sid": sid(grant.path.name),
        "Effect": "Allow",
        "Principal": {"AWS": grant.principal},
        "Action": "sts:AssumeRole",
    }
    return {"Version": "2012-10-17", "Statement": [statement]}


def role_permissions(grant: Grant) -> dict:
    """What the path's role may do: exactly the path's actions on its resources."""
    statement = {
        "Sid": sid(grant.path.name),
        "Effect": "Allow",
        "Action": grant.path.actions,
        "Resource": grant.path.provider.resources,
    }
    return {"Version": "2012-10-17", "Statement": [statement]}


def merged(existing: dict | None, statements: list[dict], drop: Callable[[dict], bool]) -> dict:
    """A resource policy with `statements` in place: those `drop` selects are replaced,
    every other statement is kept as it was."""
    found = (existing or {}).get("Statement", [])
    found = found if isinstance(found, list) else [found]
    return {
        "Version": (existing or {}).get("Version", "2012-10-17"),
        "Statement": [s for s in found if not drop(s)] + statements,
    }


def _by_sid(policy: dict | None) -> dict[str, dict]:
    found = (policy or {}).get("Statement", [])
    return {s["Sid"]: s for s in (found if isinstance(found, list) else [found]) if ours(s)}


# --- making it so -------------------------------------------------------------------------


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
            code = error.response["Error"]["Code"]
            if code == "NoSuchBucket":
                raise LookupError(bucket) from None
            if code != "NoSuchBucketPolicy":
                raise
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
        try:
            return sqs.get_queue_url(QueueName=queue)["QueueUrl"]
        except sqs.exceptions.QueueDoesNotExist:
            raise LookupError(queue) from None

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
            kit.change("grant", f"path {grant.path.name}: {grant.resource}", detail + " (planned)")
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


def statements_of(grant: Grant) -> list[dict]:
    """The resource policy statements a bucket or queue path needs (none for a role path)."""
    if grant.kind == "bucket":
        return bucket_statements(grant)
    return queue_statements(grant) if grant.kind == "queue" else []


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
    if _by_sid(policy) == _by_sid(existing):
        kit.keep(f"{place.label}: policy", f"path(s) {names} granted")
        return
    kept = sum(not ours(s) for s in policy["Statement"])
    detail = f"path(s) {names}" + (f"; {kept} other statement(s) kept" if kept else "")
    if kit.change("grant", f"{place.label}: policy", detail):
        place.write(policy)


def _ensure_role(kit: Kit, grant: Grant) -> None:
    """The path's role in the provider account: trust for the consumer, exactly its actions."""
    iam = kit.account(grant.provider_id).client("iam")
    name = grant.path.provider.role
    resource = f"role {name} (account {grant.path.provider.account})"
    trust, permissions = role_trust(grant), role_permissions(grant)
    try:
        role = iam.get_role(RoleName=name)["Role"]
    except iam.exceptions.NoSuchEntityException:
        role = None
    if role is None:
        detail = f"assumed by {grant.path.consumer.account}: {', '.join(grant.path.actions)}"
        if kit.change("create", resource, detail):
            iam.create_role(
                RoleName=name,
                Path=ROLE_PATH,
                AssumeRolePolicyDocument=json.dumps(trust),
                Description=(grant.path.why or f"path {grant.path.name}")[:1000],
                Tags=[{"Key": "kit-path", "Value": grant.path.name}],
            )
            iam.put_role_policy(
                RoleName=name,
                PolicyName=sid(grant.path.name),
                PolicyDocument=json.dumps(permissions),
            )
        return
    if role["Path"] != ROLE_PATH:
        raise KitError(
            f"{resource} exists and is not the kit's (its IAM path is {role['Path']}, not "
            f"{ROLE_PATH}): give path {grant.path.name} a role name of its own"
        )
    if role["AssumeRolePolicyDocument"] == trust:
        kit.keep(f"{resource}: trust", f"{grant.path.consumer.account} may assume it")
    elif kit.change("update", f"{resource}: trust", f"{grant.path.consumer.account} only"):
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust))
    pages = iam.get_paginator("list_role_policies").paginate(RoleName=name)
    inline = [n for page in pages for n in page["PolicyNames"]]
    current = (
        iam.get_role_policy(RoleName=name, PolicyName=sid(grant.path.name))["PolicyDocument"]
        if sid(grant.path.name) in inline
        else None
    )
    if current == permissions and inline == [sid(grant.path.name)]:
        kit.keep(f"{resource}: permissions", ", ".join(grant.path.actions))
        return
    if kit.change("update", f"{resource}: permissions", "exactly " + ", ".join(grant.path.actions)):
        for other in inline:
            if other != sid(grant.path.name):
                iam.delete_role_policy(RoleName=name, PolicyName=other)
        iam.put_role_policy(
            RoleName=name, PolicyName=sid(grant.path.name), PolicyDocument=json.dumps(permissions)
        )


def prune(kit: Kit, wanted: list[Grant]) -> None:
    """Remove the kit's grants for paths the config no longer lists, in every member account:
    its roles under /kit-path/, its KitPath statements in bucket and queue policies."""
    roles = {(g.provider_id, g.path.provider.role) for g in wanted if g.kind == "role"}
    places = {(g.provider_id, g.resource.split(" (")[0]) for g in wanted if g.kind != "role"}
    sids = {s["Sid"] for g in wanted for s in statements_of(g)}
    ids = {i: n for n, i in account_ids(kit).items() if i and i != kit.config.management_account.id}
    for account_id, name in tqdm(sorted(ids.items()), desc="accounts", unit="account"):
        session = kit.account(account_id)
        iam = session.client("iam")
        pages = iam.get_paginator("list_roles").paginate(PathPrefix=ROLE_PATH)
        for role in (r for page in pages for r in page["Roles"]):
            if (account_id, role["RoleName"]) not in roles and kit.change(
                "remove", f"role {role['RoleName']} (account {name})", "its path is not listed"
            ):
                _delete_role(iam, role["RoleName"])
        s3 = session.client("s3")
        for bucket in (b["Name"] for b in s3.list_buckets()["Buckets"]):
            if (account_id, f"bucket {bucket}") not in places:
                _drop_unlisted(
                    kit, _bucket_place(session, bucket, f"bucket {bucket} (account {name})"), sids
                )
        sqs = session.client("sqs", region_name=kit.config.home_region)
        urls = [
            u
            for page in sqs.get_paginator("list_queues").paginate()
            for u in page.get("QueueUrls", [])
        ]
        for url in urls:
            queue = url.rsplit("/", 1)[-1]
            if (account_id, f"queue {queue}") not in places:
                place = _queue_place(
                    session, queue, kit.config.home_region, f"queue {queue} (account {name})"
                )
                _drop_unlisted(kit, place, sids)


def _drop_unlisted(kit: Kit, place: Place, sids: set[str]) -> None:
    existing = place.read()
    stale = [s for s in _by_sid(existing) if s not in sids]
    if stale and kit.change("remove", f"{place.label}: policy", f"statement(s) {', '.join(stale)}"):
        policy = merged(existing, [], lambda s: s.get("Sid") in stale)
        place.write(policy if policy["Statement"] else None)


def _delete_role(iam, name: str) -> None:
    for page in iam.get_paginator("list_role_policies").paginate(RoleName=name):
        for policy in page["PolicyNames"]:
            iam.delete_role_policy(RoleName=name, PolicyName=policy)
    for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=name):
        for policy in page["AttachedPolicies"]:
            iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
    iam.delete_role(RoleName=name)


# --- the demo's resources (sandbox only) --------------------------------------------------


def ensure_demo_resources(kit: Kit) -> None:
    """In the sandbox, create the example's buckets and queues, with a sample object under
    each path's prefix: there, no application has made them. Against AWS the kit never
    creates them (their applications do) and this does nothing."""
    if kit.target.name != "sandbox":
        return
    for grant in grants(kit):
        provider = grant.path.provider
        if grant.kind == "role":
            continue
        label = f"{grant.resource} (account {provider.account}, sandbox demo)"
        if grant.provider_id is None:
            kit.change("create", label, "once the account exists")
        elif grant.kind == "queue":
            sqs = kit.account(grant.provider_id).client("sqs")
            try:
                sqs.get_queue_url(QueueName=provider.queue)
                kit.keep(label, "exists")
            except sqs.exceptions.QueueDoesNotExist:
                if kit.change("create", label, "the order service's queue"):
                    sqs.create_queue(QueueName=provider.queue)
        else:
            _demo_bucket(kit, grant, label)


def _demo_bucket(kit: Kit, grant: Grant, label: str) -> None:
    s3 = kit.account(grant.provider_id).client("s3")
    bucket, key = grant.path.provider.bucket, f"{grant.path.provider.prefix or ''}sample.json"
    if bucket in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        kit.keep(label, "exists")
    elif kit.change("create", label, f"with {key}"):
        s3.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": grant.region}
        )
        s3.put_object(Bucket=bucket, Key=key, Body=b'{"order": 1, "customer": "anonymised"}')


# --- the proof ----------------------------------------------------------------------------


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


def _call(kit: Kit, grant: Grant, session: boto3.Session, outside_prefix: bool = False):
    """The path's read call from `session`: (IAM action, resource ARN, the call).

    A bucket path reads the first object under its prefix (listing it within the prefix
    when there is none); a queue path reads the queue's attributes at the URL the
    provider's account gives it; a role path assumes the role.
    """
    provider, actions = grant.path.provider, grant.path.actions
    if grant.kind == "bucket":
        s3, prefix = session.client("s3"), "" if outside_prefix else provider.prefix or ""
        key = None if outside_prefix or "s3:GetObject" not in actions else _first_key(kit, grant)
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
    if grant.kind == "queue":
        sqs = session.client("sqs", region_name=grant.region)
        if "sqs:GetQueueAttributes" in actions:
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
                QueueName=provider.queue, QueueOwnerAWSAccountId=grant.provider_id
            ),
        )
    sts = session.client("sts")
    return (
        "sts:AssumeRole",
        grant.arn,
        lambda: sts.assume_role(RoleArn=grant.arn, RoleSessionName="kit-path-proof"),
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
    except ClientError as error:
        message = error.response["Error"].get("Message") or error.response["Error"]["Code"]
        outcome = f"{error.response['Error']['Code']}: {message}"
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
    return Attempt(**{**attempt.__dict__, "decision": decision})


def attempts_table(attempts: list[Attempt]) -> Table:
    rows = [
        [
            a.path,
            a.who.split(":")[4] + " " + a.who.rsplit(":", 1)[-1],
            a.action,
            a.resource,
            a.outcome if a.allowed else a.outcome.split(":")[0],
        ]
        for a in attempts
    ]
    return Table(["path", "caller", "action", "resource", "answer"], rows)


def show_proof(kit: Kit, found: list[Grant]) -> list[Attempt]:
    """Each path from its consumer's side, shown; a path that does not work yet becomes a
    to-do. Nothing is tried while the step only plans (the grants are not there yet)."""
    if not kit.apply:
        return []
    works = prove(kit, found)
    kit.show("Each path from the consumer's side", attempts_table(works))
    for attempt in works:
        if not attempt.allowed:
            kit.ask(f"path {attempt.path} does not work yet: {attempt.outcome}")
    return works


def show_outside(kit: Kit, found: list[Grant]) -> list[Attempt]:
    """The calls outside the declared paths, shown with the explainer's reason for each
    refusal (nothing is tried while the step only plans)."""
    if not kit.apply:
        return []
    refused = outside_the_paths(kit, found)
    kit.show("Calls outside the declared paths", attempts_table(refused))
    for attempt in refused:
        if attempt.decision is not None:
            kit.show(f"Why: {attempt.path}, {attempt.action}", attempt.decision.text())
    return refused


def probe(
    kit: Kit, path: str, caller: str | None = None, outside_prefix: bool = False
) -> Callable[[], Answer]:
    """The real call a prediction waits for: the path's read call from its consumer (or
    from the config account `caller`), outside the path's prefix if asked, explained when
    refused. Nothing is called until the probe is."""

    def call() -> Answer:
        grant = next((g for g in grants(kit) if g.path.name == path), None)
        if grant is None or not grant.ready:
            raise KitError(f"path {path} is not granted yet: run this step first")
        ids = account_ids(kit)
        session = kit.account(ids[caller]) if caller else consumer_session(kit, grant)
        tried = _attempt(kit, path, session, grant, outside_prefix)
        if tried.allowed:
            return Answer.of(True, detail=f"{tried.action} on {tried.resource}: allowed")
        context = {"s3:prefix": ""} if outside_prefix else None
        decision = _explained(kit, tried, grant, context).decision
        return Answer.of(False, decision, tried.outcome)

    return call


# --- what the paths look like -------------------------------------------------------------


MECHANISMS = {"bucket": "bucket policy", "queue": "queue policy", "role": "role + sts:AssumeRole"}


def paths_table(found: list[Grant]) -> Table:
    rows = [
        [
            g.path.name,
            g.path.consumer.account
            + (f" ({g.path.consumer.role})" if g.path.consumer.role else ""),
            f"{g.path.provider.account}: {g.resource}",
            ", ".join(g.path.actions),
            MECHANISMS[g.kind],
        ]
        for g in found
    ]
    return Table(["path", "consumer", "provider", "actions", "granted by"], rows)


def kit_roles_table(kit: Kit) -> Table:
    rows = [[r.role, r.assumed_from, r.purpose] for r in section(kit).kit_roles]
    return Table(["the kit's role", "assumed from", "why"], rows)


def picture(kit: Kit, found: list[Grant]) -> Picture:
    """Accounts as boxes, one arrow per declared path (consumer -> provider)."""
    ids = account_ids(kit)
    names = list(
        dict.fromkeys(n for g in found for n in (g.path.consumer.account, g.path.provider.account))
    )
    boxes = [Box(n, n, [ids.get(n) or "(planned)"]) for n in names]
    arrows = [
        Arrow(g.path.consumer.account, g.path.provider.account, g.path.name)  # details: table
        for g in found
    ]
    return graph(boxes, arrows)
