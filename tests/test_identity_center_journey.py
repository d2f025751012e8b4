"""Step 03 in the session's journey: what each person sees, their CLI configs, idempotency."""

from __future__ import annotations

import configparser
import json
from pathlib import Path

import boto3
import botocore.configloader

from helpers import cli_config
from helpers import identity_center as ic
from helpers.config import load_config
from helpers.kit import Kit
from helpers.targets import Target
from tests.test_config import EXAMPLE
from tests.test_identity_center import EXPECTED, seen

STEP = "03_identity_center"


def _step(journey: dict, run: int) -> dict:
    summary, _ = journey["runs"][run]
    return next(s for s in summary["steps"] if s["step"] == STEP)


def _run_dir(journey: dict, run: int = 0) -> Path:
    summary, _ = journey["runs"][run]
    return Path(journey["out"]) / summary["run_id"]


def test_step_runs_and_the_second_run_writes_nothing(journey):
    first, second = _step(journey, 0), _step(journey, 1)
    assert (first["status"], second["status"]) == ("ok", "ok")
    assert first["calls"]["write"] > 0
    assert second["calls"]["write"] == 0 and second["changes"] == []


def test_each_portal_table_lists_exactly_what_the_config_grants(journey):
    for run in (0, 1):
        record = json.loads((_run_dir(journey, run) / STEP / "step.json").read_text())
        tables = {e["title"]: e["body"] for e in record["exhibits"] if e["kind"] == "table"}
        for user, display in (
            ("alice", "Alice Martin"),
            ("bob", "Bob Chen"),
            ("carol", "Carol Diaz"),
        ):
            body = tables[f"What {display} ({user}) sees in the portal"]
            assert body["columns"] == ["account", "account id", "permission sets"]
            listed = {row[0]: tuple(row[2].split(", ")) for row in body["rows"]}
            assert listed == EXPECTED[user]
            assert all(row[1].isdigit() and len(row[1]) == 12 for row in body["rows"])


def test_live_reach_matches_the_config(journey, tmp_path):
    config = load_config(EXAMPLE)
    kit = Kit(STEP, config, Target.sandbox(journey["url"], config.home_region), False, tmp_path)
    directory = ic.ensure_identity_center(kit)
    assert kit.changes == [] and kit.recorder.totals()["write"] == 0
    assert seen(ic.reach(kit, directory)) == EXPECTED


def test_cli_configs_load_and_resolve_every_profile(journey, monkeypatch):
    folder = _run_dir(journey) / "aws-config"
    assert sorted(p.name for p in folder.iterdir()) == [
        "alice.config",
        "bob.config",
        "carol.config",
    ]
    accounts = {
        a["Name"]: a["Id"]
        for a in boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
        .client("organizations", endpoint_url=journey["url"], region_name="eu-central-1")
        .list_accounts()["Accounts"]
    }
    accounts["original"] = accounts.pop("acme-original")  # the config's name for it
    for user, grants in EXPECTED.items():
        path = folder / f"{user}.config"
        loaded = botocore.configloader.load_config(str(path))
        assert loaded["sso_sessions"]["acme"]["sso_region"] == "eu-central-1"
        assert loaded["sso_sessions"]["acme"]["sso_registration_scopes"] == "sso:account:access"
        assert loaded["sso_sessions"]["acme"]["sso_start_url"].endswith(".awsapps.com/start")
        expected = {f"{a}-{p}": (a, p) for a, sets in grants.items() for p in sets}
        assert set(loaded["profiles"]) == set(expected)
        monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
        for name, (account, permission_set) in expected.items():
            scoped = boto3.Session(profile_name=name)._session.get_scoped_config()
            assert scoped["sso_session"] == "acme"
            assert scoped["sso_account_id"] == accounts.get(account, "123456789012")
            assert scoped["sso_role_name"] == permission_set


def test_merge_keeps_the_other_profiles(journey, tmp_path):
    existing = tmp_path / "config"
    existing.write_text(
        "[default]\nregion = us-east-1\n\n[profile dev-AdministratorAccess]\nregion = old\n"
        "[profile personal]\nregion = eu-west-1\n"
    )
    written = cli_config.merge(_run_dir(journey) / "aws-config" / "alice.config", existing)
    assert written[0] == "sso-session acme"
    merged = configparser.ConfigParser(interpolation=None)
    merged.read(existing)
    assert merged["default"]["region"] == "us-east-1"
    assert merged["profile personal"]["region"] == "eu-west-1"
    assert merged["profile dev-AdministratorAccess"]["region"] == "eu-central-1"
    assert merged["profile dev-AdministratorAccess"]["sso_session"] == "acme"
    assert set(botocore.configloader.load_config(str(existing))["profiles"]) == {
        "default",
        "personal",
        "dev-AdministratorAccess",
        "prod-ReadOnlyAccess",
        "original-ReadOnlyAccess",
    }


def test_no_secret_in_the_step_record(journey):
    record = (_run_dir(journey) / STEP / "step.json").read_text()
    assert "SecretAccessKey" not in record and json.loads(record)["step"] == STEP
