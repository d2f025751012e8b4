"""Where the kit's calls go: the embedded sandbox or a real management account.

The helpers never know which: a target only decides the endpoint and the credentials.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
from botocore.client import ClientCreator
from botocore.config import Config
from botocore.model import ServiceModel

from helpers.aws_names import ACCESS_ROLE

# Every client the kit makes: AWS's standard retries (throttling, 5xx, lost connections), and
# no call waits long for an endpoint that has stopped answering (botocore's default read
# timeout is 60 s, per attempt). The runbook also limits each step's time (--step-timeout).
CONNECT_TIMEOUT, READ_TIMEOUT = 5, 20  # seconds
RETRY = Config(
    retries={"mode": "standard", "max_attempts": 8},
    connect_timeout=CONNECT_TIMEOUT,
    read_timeout=READ_TIMEOUT,
)
SANDBOX_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


class SandboxClient:
    """The sandbox's own endpoints (never AWS traffic): `/_kit/...` and moto's reset.

    The one client the kit has for them: the target (an account's own credentials), the
    runbook (its kept sandbox) and the exercises (what the sandbox seeded) use it.
    `OSError` (`urllib.error.URLError`, `HTTPError`) when the sandbox does not answer.
    """

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def credentials(self, account_id: str) -> dict[str, str] | None:
        """A seeded account's own access key (AccessKeyId, SecretAccessKey), or None."""
        try:
            return self._call(f"/_kit/credentials/{account_id}")
        except urllib.error.HTTPError as error:
            if error.code != 404:
                raise
            return None

    def settings(self, timeout: float = 10, **changes: Any) -> dict[str, Any]:
        """The sandbox's settings, after `changes` if any (create_account_seconds, ...)."""
        return self._call("/_kit/settings", changes or None, timeout)

    def seeded(self) -> dict[str, Any]:
        """What the sandbox seeds: the original account's id and its resources' names."""
        return self._call("/_kit/seed")

    def reset(self) -> None:
        """Back to the starting state: moto cleared, every extension too, seeded again."""
        self._call("/moto-api/reset", {}, timeout=120)

    def env(self, region: str) -> dict[str, str]:
        """The environment that sends plain boto3 clients to the sandbox's management account."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_DEFAULT_REGION": region,
            "AWS_ACCESS_KEY_ID": SANDBOX_CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": SANDBOX_CREDENTIALS["aws_secret_access_key"],
        }

    def _call(self, path: str, body: dict | None = None, timeout: float = 10) -> Any:
        """GET `path` (POST `body`, as JSON) and its JSON answer (None if it has none)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data, method="GET" if data is None else "POST"
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = response.read()
        return json.loads(answer) if answer.strip() else None


def start_sandbox(**settings: Any) -> SandboxClient:
    """An embedded sandbox served from this process (the exercises' own), started and seeded.

    The one place outside helpers/sandbox that starts one: it loads moto's server, so only
    when asked."""
    from helpers.sandbox import Sandbox

    return SandboxClient(Sandbox(**settings).start().url)


@cache
def _data_loader():
    """One botocore loader for every session: each service model is read from disk once (a
    session per account otherwise spends ~0.15 s on each of its clients)."""
    return boto3.Session()._session.get_component("data_loader")


_client_classes: dict[tuple[str, str], type] = {}
_create_client_class = ClientCreator._create_client_class


def _client_class(self: ClientCreator, service_name: str, service_model: ServiceModel) -> type:
    """A service's client class, built once per process. botocore builds it again for every
    client (a method and a docstring per operation: ~13 ms for EC2), and the kit makes
    clients per account: at 1,000 accounts that was over a third of steps 08 and 09. The
    class depends only on the service model and the handlers every session registers
    alike; credentials, endpoint and events live on each client, never on its class."""
    key = (service_name, service_model.api_version)
    if key not in _client_classes:
        _client_classes[key] = _create_client_class(self, service_name, service_model)
    return _client_classes[key]


ClientCreator._create_client_class = _client_class


class KitSession(boto3.Session):
    """A boto3 session whose clients use the target's endpoint and `config` (RETRY: the
    standard retry mode and the timeouts). `names` is the kit's name for the accounts it
    knows by id (set by the kit)."""

    def __init__(
        self, *, endpoint_url: str | None = None, config: Config = RETRY, **kwargs
    ) -> None:
        super().__init__(**kwargs)
        self._loader = _data_loader()
        self._session.register_component("data_loader", self._loader)
        self.endpoint_url, self.config = endpoint_url, config
        self.names: dict[str, str] = {}
        self._clients: dict[tuple[str, str | None], object] = {}

    def client(self, service_name: str, region_name: str | None = None):
        """One client per service and region for the session's lifetime."""
        key = (service_name, region_name)
        if key not in self._clients:
            client = super().client(
                service_name,
                region_name=region_name,
                endpoint_url=self.endpoint_url,
                config=self.config,
            )
            if service_name == "s3control" and self.endpoint_url:
                _to_endpoint_host(client, self.endpoint_url)
            self._clients[key] = client
        return self._clients[key]


def _to_endpoint_host(client, endpoint_url: str) -> None:
    """S3 Control's hosts start with the account id (123456789012.s3-control...), which an
    endpoint on loopback cannot resolve: its requests go to the endpoint's own host."""
    host = urlsplit(endpoint_url).netloc

    def to_endpoint(request, **_) -> None:
        request.url = urlunsplit(urlsplit(request.url)._replace(netloc=host))

    client.meta.events.register("before-sign.s3-control", to_endpoint)


@dataclass(frozen=True)
class Target:
    """The sandbox (an endpoint on loopback) or AWS (a named profile)."""

    name: str
    region: str
    endpoint_url: str | None = None
    profile: str | None = None

    @classmethod
    def sandbox(cls, endpoint_url: str, region: str) -> Target:
        return cls("sandbox", region, endpoint_url=endpoint_url.rstrip("/"))

    @classmethod
    def aws(cls, profile: str | None, region: str) -> Target:
        return cls("aws", region, profile=profile or None)

    @property
    def sandbox_client(self) -> SandboxClient | None:
        """The client of the sandbox's own endpoints; None against AWS."""
        return (
            SandboxClient(self.endpoint_url)
            if self.name == "sandbox" and self.endpoint_url
            else None
        )

    @property
    def demo(self) -> bool:
        """True where no application of the example runs (the sandbox): there the kit plays
        them (their buckets and queues) and the costs are samples. Helpers ask this, never
        the target's name."""
        return self.name == "sandbox"

    def management(self) -> KitSession:
        """The management account's session: the sandbox's root or the profile."""
        if self.name == "sandbox":
            return self._session(**SANDBOX_CREDENTIALS)
        return KitSession(profile_name=self.profile, region_name=self.region)

    def assume(self, source: boto3.Session, account_id: str, role: str = ACCESS_ROLE) -> KitSession:
        """A session in `account_id` through one sts:AssumeRole call from `source`."""
        arn = f"arn:aws:iam::{account_id}:role/{role}"
        creds = source.client("sts").assume_role(RoleArn=arn, RoleSessionName="org-kit")
        c = creds["Credentials"]
        return self._session(
            aws_access_key_id=c["AccessKeyId"],
            aws_secret_access_key=c["SecretAccessKey"],
            aws_session_token=c["SessionToken"],
        )

    def outside_account(self, account_id: str, profile: str | None) -> KitSession | None:
        """The own credentials of an account outside the organization, or None if unknown.

        The sandbox hands out the credentials of the accounts it seeded; against AWS they
        come from the profile the config names for that account.
        """
        if (client := self.sandbox_client) is not None:
            keys = client.credentials(account_id)
            if keys is None:
                return None
            return self._session(
                aws_access_key_id=keys["AccessKeyId"],
                aws_secret_access_key=keys["SecretAccessKey"],
            )
        return KitSession(profile_name=profile, region_name=self.region) if profile else None

    def _session(self, **credentials: str) -> KitSession:
        return KitSession(endpoint_url=self.endpoint_url, region_name=self.region, **credentials)


def target_for(name: str, region: str, endpoint_url: str = "", profile: str = "") -> Target:
    """The target a notebook's parameters name; a sandbox endpoint defaults to AWS_ENDPOINT_URL."""
    if name == "aws":
        return Target.aws(profile, region)
    if name != "sandbox":
        raise ValueError(f"target must be 'sandbox' or 'aws', not {name!r}")
    endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL", "")
    if not endpoint:
        raise ValueError(
            "target 'sandbox' needs a running sandbox: start one with "
            "`python -m runbook sandbox` (or `make lab`) and set AWS_ENDPOINT_URL"
        )
    return Target.sandbox(endpoint, region)
