"""The declared paths, resolved against the organization: who (the consumer) reaches what
(the provider's bucket, prefix, queue or role), with the accounts' ids once they exist."""

from __future__ import annotations

from dataclasses import dataclass

from helpers.accounts import account_ids
from helpers.config import CommunicationPath, CrossAccount, region_partitions
from helpers.kit import Kit

ROLE_PATH = "/kit-path/"  # the IAM path of the kit's path roles


def section(kit: Kit) -> CrossAccount:
    """The config's cross_account section (empty when it has none)."""
    return kit.config.cross_account or CrossAccount()


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
