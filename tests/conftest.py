"""Shared fixtures: one real sandbox for the whole session, and clients that talk to it;
the test tiers; the helpers every test file uses (make_kit, wait_until)."""

from __future__ import annotations

import json
import os
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import boto3
import pytest
import yaml
from botocore.client import BaseClient
from botocore.config import Config

from helpers import accounts, organization
from helpers.config import ConfigError, parse_config
from helpers.kit import REPO, WORKSHOP_RUNS, Kit
from helpers.sandbox import MANAGEMENT_ACCOUNT_ID, ORIGINAL_ACCOUNT_ID, SANDBOX_REGION, Sandbox
from helpers.targets import Target

# Tests need no public AMIs; without them a reset takes a third of the time.
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

SESSION_SETTINGS = {"create_account_seconds": 0.3, "account_quota": 10}

ClientFactory = Callable[..., BaseClient]
EXAMPLE = REPO / "runbook" / "org.example.yaml"
T = TypeVar("T")


# Tiers: each test gets one from the fixtures it uses (or keeps the one its module declares),
# so a new test needs no marker. make test-fast runs the unit tier.
TIERS = ("unit", "sandbox", "journey", "workshop")
SANDBOX_FIXTURES = {"sandbox", "clean_sandbox", "aws", "kit"}


def tier(item: pytest.Item) -> str:
    fixtures = set(getattr(item, "fixturenames", ()))
    if "lab" in fixtures or item.path.name.startswith("test_workshop_"):
        return "workshop"
    if "journey" in fixtures or item.path.name == "test_journey.py":
        return "journey"
    return "sandbox" if fixtures & SANDBOX_FIXTURES else "unit"


@pytest.hookimpl(tryfirst=True)  # before -m selects by them
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if not any(item.get_closest_marker(name) for name in TIERS):
            item.add_marker(tier(item))


# Helpers ---------------------------------------------------------------------------------


def example() -> dict:
    """The example config's data (runbook/org.example.yaml), a fresh copy each call."""
    return yaml.safe_load(EXAMPLE.read_text())


def make_kit(
    where: Sandbox | str,
    tmp_path: Path,
    apply: bool = True,
    *changes: Callable[[dict], object],
    step: str = "00_test",
    data: dict | None = None,
) -> Kit:
    """A kit of the example config (or `data`), each change applied to the data first,
    against a sandbox (or its URL), writing into tmp_path."""
    data = json.loads(json.dumps(data)) if data is not None else example()
    for change in changes:
        change(data)
    config = parse_config(yaml.safe_dump(data, sort_keys=False))
    url = where if isinstance(where, str) else where.url
    return Kit(step, config, Target.sandbox(url, config.home_region), apply, tmp_path)


def wait_until(predicate: Callable[[], T], timeout: float, what: str, every: float = 0.05) -> T:
    """Poll `predicate` until it returns something true, and return that; fail the test
    naming `what` if `timeout` seconds pass first."""
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout} s for {what}; the last answer was {result!r}")
        time.sleep(every)
    return result


def with_accounts(sandbox: Sandbox, kit: Kit) -> Kit:
    """Steps 01 and 02 of the kit's config (the organization, its accounts created at once)."""
    sandbox.configure(create_account_seconds=0)
    organization.ensure_organization(kit)
    accounts.ensure_accounts(kit)
    return kit


def creation_settled(orgs: BaseClient, request_id: str, timeout: float = 10) -> dict:
    """CreateAccount's status once it is no longer IN_PROGRESS (SUCCEEDED or FAILED)."""

    def settled() -> dict | None:
        status = orgs.describe_create_account_status(CreateAccountRequestId=request_id)
        found = status["CreateAccountStatus"]
        return found if found["State"] != "IN_PROGRESS" else None

    return wait_until(settled, timeout, f"account creation {request_id} to finish")


def _files(folder: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(autouse=True)
def workshop_folder_untouched() -> Iterator[None]:
    """Fail a test that writes into runs/lab, the workshop's folder: tests write into
    temporary folders (a run_dir, or a lab of their own)."""
    before = _files(WORKSHOP_RUNS)
    yield
    written = sorted(str(p) for p, stamp in _files(WORKSHOP_RUNS).items() if before.get(p) != stamp)
    assert not written, f"the test wrote into the workshop's folder: {', '.join(written)}"


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


# The organization, built once per session ------------------------------------------------
# In a sandbox process of its own: moto keeps its state per process, and the tests above
# reset the in-process sandbox. A test that breaks something in it must repair it.


def kit_json(url: str, body: dict | None = None) -> dict:
    """GET (or POST `body` to) a sandbox's /_kit/ endpoint, as JSON."""
    data = None if body is None else json.dumps(body).encode()
    with urllib.request.urlopen(url, data=data, timeout=10) as response:
        return json.load(response)


def requests_received(url: str) -> int:
    """The AWS API requests a sandbox has received since its last reset."""
    return kit_json(f"{url}/_kit/stats")["requests"]


def refused_before_any_call(url: str, tmp_path: Path, data: dict) -> list[str]:
    """Run the runbook with `data` as its config file; return the errors it was refused with,
    after checking that no request reached the sandbox and no run folder was made."""
    import runbook

    config = tmp_path / "org.yaml"
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    before = requests_received(url)
    with pytest.raises(ConfigError) as raised:
        runbook.run(config, endpoint_url=url, out=tmp_path / "runs")
    assert requests_received(url) == before
    assert not (tmp_path / "runs").exists()
    return raised.value.errors


def session_for(url: str, account_id: str | None = None) -> boto3.Session:
    """The management session, or a seeded outside account's own session."""
    target = Target.sandbox(url, SANDBOX_REGION)
    return target.outside_account(account_id, None) if account_id else target.management()


@pytest.fixture(scope="session")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """`python -m runbook run` twice, as `make runbook` twice, against the kept sandbox (started
    first here, with short AWS delays, so that the original account's own keys can be read
    before step 03 retires them). {url, out, runs: [(summary, requests)], original_keys}."""
    from runbook import cli, kept

    out = tmp_path_factory.mktemp("runs")
    url = kept.start(out).url
    try:
        kit_json(f"{url}/_kit/settings", {"create_account_seconds": 0.3})
        keys = kit_json(f"{url}/_kit/credentials/{ORIGINAL_ACCOUNT_ID}")
        runs = []
        for _ in range(2):
            before = requests_received(url)
            assert cli.main(["run", "--out", str(out)]) == 0
            assert kept.find(out).url == url  # the same sandbox, still running
            [summary] = [
                json.loads(path.read_text())
                for path in sorted(out.glob("*/summary.json"))[len(runs) :]
            ]
            runs.append((summary, requests_received(url) - before))
        yield {"url": url, "out": out, "runs": runs, "original_keys": keys}
    finally:
        kept.stop(out)


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory):
    """`python -m runbook lab` (its sandbox and JupyterLab) for the workshop tests."""
    from tests.lab_server import running_lab

    with running_lab(tmp_path_factory.mktemp("lab")) as running:
        yield running
