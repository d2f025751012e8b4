"""The aws target: the account check before anything else, for apply and for plan.

No monkeypatching: the runbook's real sts:GetCallerIdentity goes over HTTP to a moto server
on 127.0.0.1, named with `--endpoint` (which the aws target honours, as for any
AWS-compatible endpoint). Its dummy credentials land in moto's account 123456789012.
HTTPS_PROXY points at a closed local port, so a call that ignored the endpoint would fail
here instead of reaching AWS.
"""

import json
import shutil
from pathlib import Path

import pytest
import yaml
from moto.server import ThreadedMotoServer

from runbook import cli
from runbook.execute import DEFAULT_CONFIG

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
MOTO_ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(autouse=True)
def aws_profile(tmp_path, monkeypatch):
    """A profile `mgmt` with dummy keys; real AWS unreachable."""
    (tmp_path / "credentials").write_text(
        "[mgmt]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def config_for(tmp_path: Path, management_id: str) -> Path:
    config = yaml.safe_load(DEFAULT_CONFIG.read_text())
    config["management_account"]["id"] = management_id
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.mark.parametrize("command", [["run", "--apply"], ["plan"]])
def test_another_account_is_refused_with_exit_2(tmp_path, endpoint, capsys, command):
    config = config_for(tmp_path, "111122223333")
    args = ["--config", str(config), "--target", "aws", "--profile", "mgmt"]
    code = cli.main([*command, *args, "--endpoint", endpoint, "--out", str(tmp_path / "runs")])
    assert code == 2
    err = capsys.readouterr().err
    assert (
        f"refusing to run: the credentials of profile 'mgmt' reach account {MOTO_ACCOUNT}, "
        "but the config's "
        "management_account.id is 111122223333"
    ) in err
    assert not (tmp_path / "runs").exists()


def test_an_unknown_profile_is_refused_with_exit_2(tmp_path, endpoint, capsys):
    args = ["plan", "--target", "aws", "--profile", "nobody", "--endpoint", endpoint]
    assert cli.main([*args, "--out", str(tmp_path)]) == 2
    assert "cannot tell which account profile 'nobody' reaches" in capsys.readouterr().err


def test_the_management_account_plans_by_default_and_skips_sandbox_only_steps(
    tmp_path, endpoint, monkeypatch, capsys
):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for stem in ("01_organization", "02_sandbox_only"):
        shutil.copy(FIXTURES / f"{stem}.ipynb", folder)
    monkeypatch.chdir(tmp_path)  # --out runs: relative, as typed
    args = ["--config", str(config_for(tmp_path, MOTO_ACCOUNT)), "--target", "aws"]
    args += ["--profile", "mgmt", "--endpoint", endpoint, "--notebooks", str(folder)]
    code = cli.main(["run", *args, "--out", "runs"])
    assert code == 0
    [run_dir] = Path("runs").iterdir()
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["target"] == "aws"
    assert [(s["step"], s["status"]) for s in summary["steps"]] == [
        ("01_organization", "planned"),
        ("02_sandbox_only", "skipped"),
    ]
    assert summary["steps"][1]["notebook"] is None
    assert not (run_dir / "02_sandbox_only.ipynb").exists()
    assert summary["totals"]["calls"] == {"read": 2 + 1, "write": 0}  # + GetCallerIdentity
    assert f"report: runs/{run_dir.name}/report.html" in capsys.readouterr().out
