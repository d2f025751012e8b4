"""One account as the review reads it: its buckets, volumes, security groups and instances in
the allowed regions, each read once (when a check first asks), the kit's own left out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from helpers.aws import or_none, paginate
from helpers.review.model import Finding
from helpers.targets import KitSession


@dataclass(frozen=True)
class Resource:
    """A resource the review looks at: a label to show, its ARN and region, its tags."""

    label: str
    arn: str
    region: str
    tags: tuple[tuple[str, str], ...]


@dataclass
class Scope:
    """One account as the review reads it; each part is read once, when a check first asks."""

    account_id: str
    name: str
    session: KitSession
    regions: list[str]
    kit_roles: frozenset[str]
    kit_buckets: frozenset[str]

    @property
    def where(self) -> str:
        return f"{self.name} ({self.account_id})"

    def finding(self, check: str, resource: str, what: str, fix: str) -> Finding:
        return Finding(check, self.where, resource, what, fix)

    def ec2(self, region: str):
        return self.session.client("ec2", region_name=region)

    @cached_property
    def buckets(self) -> list[Resource]:
        """The account's buckets in the allowed regions, but the kit's."""
        s3 = self.session.client("s3")
        found = []
        for name in (b["Name"] for b in paginate(s3, "list_buckets", "Buckets")):
            if name in self.kit_buckets:
                continue
            region = s3.get_bucket_location(Bucket=name)["LocationConstraint"] or "us-east-1"
            if region not in self.regions:
                continue  # out of the region guardrail's reach
            tags = _bucket_tags(self.session.client("s3", region_name=region), name)
            if not tagged_by_kit(tags):
                found.append(
                    Resource(f"bucket {name}", f"arn:aws:s3:::{name}", region, _pairs(tags))
                )
        return found

    def _listed(self, operation: str, key: str) -> Iterator[tuple[str, dict]]:
        """(region, entry) of an EC2 listing in every allowed region."""
        for region in self.regions:
            for entry in paginate(self.ec2(region), operation, key):
                yield region, entry

    def _ec2_resource(self, region: str, kind: str, label: str, tags: list[dict]) -> Resource:
        """An EC2 resource; `kind` as its ARN names it (volume/vol-...)."""
        arn = f"arn:aws:ec2:{region}:{self.account_id}:{kind}"
        return Resource(label, arn, region, _pairs(tags))

    @cached_property
    def volumes(self) -> list[tuple[Resource, dict]]:
        """(resource, DescribeVolumes entry) of every EBS volume in the allowed regions."""
        return [
            (
                self._ec2_resource(
                    region,
                    f"volume/{v['VolumeId']}",
                    _named("EBS volume", v, "VolumeId", region),
                    v.get("Tags", []),
                ),
                v,
            )
            for region, v in self._listed("describe_volumes", "Volumes")
        ]

    @cached_property
    def groups(self) -> list[tuple[Resource, dict]]:
        """(resource, DescribeSecurityGroups entry) of every security group but the defaults."""
        return [
            (
                self._ec2_resource(
                    region,
                    f"security-group/{g['GroupId']}",
                    f"security group {g['GroupName']} ({g['GroupId']}, {region})",
                    g.get("Tags", []),
                ),
                g,
            )
            for region, g in self._listed("describe_security_groups", "SecurityGroups")
            if g["GroupName"] != "default"
        ]

    @cached_property
    def instances(self) -> list[Resource]:
        """Every EC2 instance not on its way out, in the allowed regions."""
        return [
            self._ec2_resource(
                region,
                f"instance/{i['InstanceId']}",
                _named("EC2 instance", i, "InstanceId", region),
                i.get("Tags", []),
            )
            for region, reservation in self._listed("describe_instances", "Reservations")
            for i in reservation["Instances"]
            if i["State"]["Name"] not in ("shutting-down", "terminated")
        ]


def tagged_by_kit(tags: list[dict]) -> bool:
    """Whether tags mark a resource as the kit's (managed-by=org-kit, or a kit-path)."""
    return any(
        (t["Key"], t["Value"]) == ("managed-by", "org-kit") or t["Key"] == "kit-path" for t in tags
    )


def _pairs(tags: list[dict]) -> tuple[tuple[str, str], ...]:
    return tuple((t["Key"], t["Value"]) for t in tags)


def _named(kind: str, entry: dict, id_key: str, region: str) -> str:
    """A label such as "EBS volume vol-123 (web-data, eu-central-1)"."""
    name = next((t["Value"] for t in entry.get("Tags", []) if t["Key"] == "Name"), "")
    return f"{kind} {entry[id_key]} ({name + ', ' if name else ''}{region})"


def _bucket_tags(s3, bucket: str) -> list[dict]:
    answer = or_none(s3.get_bucket_tagging, "NoSuchTagSet", Bucket=bucket)
    return answer["TagSet"] if answer else []
