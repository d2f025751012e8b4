"""Where a run's calls go: the sandbox (started here unless one is named) or an AWS account.

Against AWS the runbook first checks, with one `sts:GetCallerIdentity`, that the profile
reaches the management account the config names, for plan as for apply.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from runbook.steps import RunbookError

TARGETS = ("sandbox", "aws")


@dataclass(frozen=True)
class Connection:
    """What the step kernels need: the endpoint (`""` = AWS's own) and their environment."""

    endpoint_url: str
    env: dict[str, str]


def resolve_apply(target: str, apply: bool | None) -> bool:
    """Apply by default against the sandbox, plan by default against AWS."""
    if target not in TARGETS:
        raise RunbookError(f"target must be one of {', '.join(TARGETS)}, not {target!r}")
    return target == "sandbox" if apply is None else apply


def caller_account(profile: str | None, region: str, endpoint_url: str | None = None) -> str:
    """The account id behind `profile` (one sts:GetCallerIdentity call).

    Without `endpoint_url`, endpoints configured in the environment are ignored: "aws" means AWS.
    """
    config = Config(ignore_configured_endpoint_urls=not endpoint_url)
    try:
        session = boto3.Session(profile_name=profile or None, region_name=region)
        sts = session.client("sts", endpoint_url=endpoint_url or None, config=config)
        return sts.get_caller_identity()["Account"]
    except (BotoCoreError, ClientError) as e:
        raise RunbookError(
            f"cannot tell which account profile {profile or '(default)'!r} reaches: {e}"
        ) from e


def check_account(
    expected: str, profile: str | None, region: str, endpoint_url: str | None
) -> None:
    """Refuse to go on unless `profile` reaches the `expected` management account."""
    account = caller_account(profile, region, endpoint_url)
    if account != expected:
        raise RunbookError(
            f"refusing to run: profile {profile or '(default)'!r} reaches account {account}, "
            f"but the config's management_account.id is {expected}; use the management "
            "account's profile (--profile) or correct management_account.id"
        )


@contextmanager
def connect(target: str, endpoint_url: str | None) -> Iterator[Connection]:
    """The run's connection; for the sandbox target without an endpoint, a sandbox started
    here and stopped at the end."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    if target == "aws" or endpoint_url:
        if endpoint_url:
            env["AWS_ENDPOINT_URL"] = endpoint_url
        yield Connection(endpoint_url or "", env)
        return
    from helpers.sandbox import Sandbox

    sandbox = Sandbox()
    sandbox.start()
    try:
        yield Connection(sandbox.url, env | sandbox.env())
    finally:
        sandbox.stop()
