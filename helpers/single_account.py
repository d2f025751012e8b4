"""Step 00: what keeping dev and prod apart costs inside one account (read-only)."""

from __future__ import annotations

import json

import boto3

from helpers.aws import or_none, paginate
from helpers.pictures import Arrow, Box, Picture, graph
from helpers.tables import Table

UNTAGGED = "untagged"


def _env(tags: list[dict]) -> str:
    return next((t["Value"] for t in tags if t["Key"].lower() in ("env", "environment")), UNTAGGED)


def _bucket_tags(s3, name: str) -> list[dict]:
    found = or_none(s3.get_bucket_tagging, "NoSuchTagSet", Bucket=name)
    return found["TagSet"] if found else []


def _bucket_denials(s3, name: str) -> list[dict]:
    found = or_none(s3.get_bucket_policy, "NoSuchBucketPolicy", Bucket=name)
    if found is None:
        return []
    policy = json.loads(found["Policy"])
    statements = policy["Statement"]
    return [
        s
        for s in (statements if isinstance(statements, list) else [statements])
        if s["Effect"] == "Deny"
    ]


def survey(session: boto3.Session) -> tuple[Table, Table]:
    """The account's resources by environment, and the hand-made controls that separate them."""
    s3, iam, ec2 = session.client("s3"), session.client("iam"), session.client("ec2")
    resources, controls = [], []
    for bucket in s3.list_buckets()["Buckets"]:
        name = bucket["Name"]
        resources.append(["S3 bucket", name, _env(_bucket_tags(s3, name))])
        for statement in _bucket_denials(s3, name):
            controls.append(["bucket policy", name, statement.get("Sid", "Deny statement")])
    for role in paginate(iam, "list_roles", "Roles"):
        if role["Path"].startswith("/aws-service-role/"):
            continue
        tags = iam.list_role_tags(RoleName=role["RoleName"])["Tags"]
        resources.append(["IAM role", role["RoleName"], _env(tags)])
    groups = [
        g
        for g in paginate(ec2, "describe_security_groups", "SecurityGroups")
        if g["GroupName"] != "default"
    ]
    names = {g["GroupId"]: g["GroupName"] for g in groups}
    for group in groups:
        resources.append(["security group", group["GroupName"], _env(group.get("Tags", []))])
        sources = [
            names.get(pair["GroupId"], pair["GroupId"])
            for rule in group["IpPermissions"]
            for pair in rule.get("UserIdGroupPairs", [])
        ]
        if sources:
            controls.append(
                ["security group rule", group["GroupName"], f"only from {', '.join(sources)}"]
            )
    return (
        Table(["type", "name", "environment"], sorted(resources, key=lambda r: (r[2], r[0]))),
        Table(["control", "on", "what it does"], controls),
    )


def picture(account_id: str, resources: Table, controls: Table) -> Picture:
    """Dev and prod side by side in one account, held apart only by hand-made controls."""
    by_env: dict[str, list[str]] = {}
    for _type, name, env in resources.rows:
        by_env.setdefault(env, []).append(name)
    boxes = [
        Box(env, f"{env} in account {account_id}", names)
        for env, names in by_env.items()
        if env != UNTAGGED
    ]
    envs = [b.id for b in boxes if b.id in ("dev", "prod")]
    arrows = (
        [Arrow(envs[0], envs[1], f"kept apart by {len(controls.rows)} hand-made controls")]
        if len(envs) == 2
        else []
    )
    return graph(boxes, arrows)
