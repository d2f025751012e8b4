"""Shared fixtures: one real sandbox for the whole session, and clients that talk to it."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator

import boto3
import pytest
from botocore.client import BaseClient
from botocore.config import Config

from helpers.sandbox import MANAGEMENT_ACCOUNT_ID, SANDBOX_REGION, Sandbox

SESSION_SETTINGS = {"create_account_seconds": 0.3, "account_quota": 10}

ClientFactory = Callable[..., BaseClient]


def _get_json(url: str) -> dict:
    with urllib.request.urlopen(url) as response:
        return json.load(response)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """A real sandbox on a free port, shared by the whole test session."""
    with Sandbox(**SESSION_SETTINGS) as box:
        yield box


@pytest.fixture(scope="session")
def kit(sandbox: Sandbox) -> Callable[[str], dict]:
    """kit(path): GET one of the sandbox's /_kit/ endpoints, as JSON."""
    return lambda path: _get_json(f"{sandbox.url}{path}")


@pytest.fixture
def clean_sandbox(sandbox: Sandbox) -> Sandbox:
    """The session's sandbox, reset to its seeded state and the session's settings."""
    sandbox.configure(**SESSION_SETTINGS)
    sandbox.reset()
    return sandbox


@pytest.fixture(scope="session")
def aws(sandbox: Sandbox, kit: Callable[[str], dict]) -> ClientFactory:
    """aws(service, account_id=management): a client with that account's own credentials."""
    session = boto3.session.Session()
    clients: dict[tuple[str, str], BaseClient] = {}
    config = Config(proxies={}, retries={"max_attempts": 1})

    def client(service: str, account_id: str = MANAGEMENT_ACCOUNT_ID) -> BaseClient:
        credentials = kit(f"/_kit/credentials/{account_id}")
        key = (service, credentials["AccessKeyId"])
        if key not in clients:
            clients[key] = session.client(
                service,
                endpoint_url=sandbox.url,
                region_name=SANDBOX_REGION,
                aws_access_key_id=credentials["AccessKeyId"],
                aws_secret_access_key=credentials["SecretAccessKey"],
                config=config,
            )
        return clients[key]

    return client
