"""The policy documents of a path, each the smallest that works (pure: no call).

The kit's statements carry a Sid starting with "KitPath"; statements that are not the
kit's are kept as they are whenever a policy is rewritten.
"""

from __future__ import annotations

from collections.abc import Callable

from helpers.paths.declared import Grant

SID_PREFIX = "KitPath"
OBJECT_ACTIONS = ("Object", "MultipartUpload")  # S3 actions on objects, not on the bucket


def sid(path_name: str, part: str = "") -> str:
    """The Sid of a path's statement: KitPath + the name in CamelCase (+ part)."""
    return SID_PREFIX + "".join(w.capitalize() for w in path_name.split("-")) + part


def ours(statement: dict) -> bool:
    return str(statement.get("Sid", "")).startswith(SID_PREFIX)


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


def statements_of(grant: Grant) -> list[dict]:
    """The resource policy statements a bucket or queue path needs (none for a role path)."""
    if grant.kind == "bucket":
        return bucket_statements(grant)
    return queue_statements(grant) if grant.kind == "queue" else []


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


def _statements(policy: dict | None) -> list[dict]:
    found = (policy or {}).get("Statement", [])
    return found if isinstance(found, list) else [found]


def merged(existing: dict | None, statements: list[dict], drop: Callable[[dict], bool]) -> dict:
    """A resource policy with `statements` in place: those `drop` selects are replaced,
    every other statement is kept as it was."""
    return {
        "Version": (existing or {}).get("Version", "2012-10-17"),
        "Statement": [s for s in _statements(existing) if not drop(s)] + statements,
    }


def kit_statements(policy: dict | None) -> dict[str, dict]:
    """The kit's statements in a policy, by Sid."""
    return {s["Sid"]: s for s in _statements(policy) if ours(s)}
