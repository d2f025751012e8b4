"""The command line starts light: `--help`, and a config it refuses, load neither papermill,
Jupyter nor the sandbox (their speed is measured, not tested: see the report's figures)."""

import subprocess
import sys

import yaml

from runbook.steps import DEFAULT_CONFIG

HEAVY = {"papermill", "nbformat", "nbclient", "jupyter_client", "moto", "helpers.sandbox"}


def modules_after(*argv: str) -> tuple[int, set[str]]:
    """The exit code of `python -m runbook *argv` and the modules it had loaded by then."""
    code = (
        "import sys\nfrom runbook import cli\ntry:\n    code = cli.main(sys.argv[1:])\n"
        "except SystemExit as e:\n    code = e.code\nprint(*sys.modules)\nsys.exit(code)"
    )
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True)
    return done.returncode, set(done.stdout.split())


def test_help_loads_nothing_heavy():
    code, modules = modules_after("--help")
    assert code == 0
    assert not modules & (HEAVY | {"boto3", "botocore", "pydantic", "helpers.config"})


def test_a_refused_config_loads_no_papermill_jupyter_or_sandbox(tmp_path):
    config = yaml.safe_load(DEFAULT_CONFIG.read_text())
    config["home_region"] = "eu-centrall-1"
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(config))
    code, modules = modules_after("run", "--config", str(tmp_path / "bad.yaml"))
    assert code == 2
    assert not modules & HEAVY
