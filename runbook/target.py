"""Where a run's calls go, and the check before the first step that they reach the right account.

The sandbox target is the kept sandbox (`runbook.kept`, what the command line uses), a
sandbox named with `--endpoint`, or, through the function API without either, a sandbox
started for the run alone. Against either target, one `sts:GetCallerIdentity` of the
management session checks that it reaches the config's `management_account.id`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from runbook import kept
from runbook.steps import TARGETS, RunbookError


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


def starts_empty(target: str, endpoint_url: str | None, keep: Path | None, fresh: bool) -> bool:
    """Whether the run's sandbox will hold only the starting state: one started for the run,
    a kept one not running yet, or one reset by `fresh`."""
    if target != "sandbox" or endpoint_url:
        return False
    return keep is None or fresh or kept.find(keep) is None


def caller_account(target: str, profile: str | None, region: str, endpoint_url: str) -> str:
    """The account the management session reaches (one sts:GetCallerIdentity call).

    Against AWS without `endpoint_url`, endpoints set in the environment are ignored ("aws"
    means AWS). Nothing answering is reported within seconds, naming the endpoint.
    """
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, HTTPClientError

    from helpers.targets import SANDBOX_CREDENTIALS, KitSession

    config = Config(
        connect_timeout=3,
        read_timeout=10,
        retries={"mode": "standard", "max_attempts": 2},
        ignore_configured_endpoint_urls=not endpoint_url,
    )
    credentials = SANDBOX_CREDENTIALS if target == "sandbox" else {"profile_name": profile or None}
    where = endpoint_url or "AWS"
    try:
        session = KitSession(endpoint_url=endpoint_url or None, config=config, **credentials)
        return session.client("sts", region).get_caller_identity()["Account"]
    except (ConnectionError, HTTPClientError) as e:  # refused, unreachable, or no answer
        what = "no sandbox" if target == "sandbox" else "nothing"
        raise RunbookError(
            f"{what} answers at {where}: {e}. Check --endpoint, or start a sandbox with "
            "`python -m runbook sandbox` (without --endpoint, the run uses the kept one)"
        ) from e
    except (BotoCoreError, ClientError) as e:
        who = "the sandbox's root" if target == "sandbox" else f"profile {profile or '(default)'!r}"
        raise RunbookError(f"cannot tell which account {who} reaches at {where}: {e}") from e


def check_account(
    target: str, expected: str, profile: str | None, region: str, endpoint_url: str
) -> None:
    """Refuse to go on unless the management session reaches the `expected` account."""
    from helpers.kit import KitError
    from helpers.organization import check_management

    account = caller_account(target, profile, region, endpoint_url)
    if target == "sandbox":
        who = "the sandbox's management credentials"
        fix = f"set management_account.id to {account} (as runbook/org.example.yaml does)"
    else:
        who = f"the credentials of profile {profile or '(default)'!r}"
        fix = "use the management account's profile (--profile) or correct management_account.id"
    try:
        check_management(account, expected, who, fix)
    except KitError as error:
        raise RunbookError(f"refusing to run: {error}") from None


@contextmanager
def connect(
    target: str, endpoint_url: str | None, keep: Path | None = None, fresh: bool = False
) -> Iterator[Connection]:
    """The run's connection. For the sandbox without an endpoint: the kept sandbox under
    `keep` (started unless it runs; reset first if `fresh`), or without `keep` a sandbox
    started here and stopped at the end."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    if target == "aws" or endpoint_url:
        if endpoint_url:
            env["AWS_ENDPOINT_URL"] = endpoint_url
        yield Connection(endpoint_url or "", env)
        return
    if keep is not None:
        sandbox = kept.find(keep) or kept.start(keep)
        if fresh:
            kept.reset(sandbox)
        yield Connection(sandbox.url, env | sandbox.env)
        return
    from helpers.sandbox import Sandbox

    with Sandbox() as throwaway:
        yield Connection(throwaway.url, env | throwaway.env())
