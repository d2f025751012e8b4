"""The Makefile: the first `make` says what it installs and for how long; `make runbook`
uses the kept sandbox, with targets to start afresh and to stop it."""

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def dry_run(*targets: str) -> str:
    """What make would run for `targets` (as if nothing were built yet)."""
    command = ["make", "--dry-run", "--always-make", "--no-print-directory", "-C", str(REPO)]
    command += targets
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def test_setting_up_says_what_happens_and_how_long():
    lines = dry_run(".venv/.installed").splitlines()
    install = next(i for i, line in enumerate(lines) if "pip install" in line)
    before = " ".join(lines[:install])
    assert "installing the kit's packages" in before and "about 2 minutes" in before


def test_runbook_targets_keep_start_afresh_and_stop_the_sandbox():
    assert dry_run("runbook").rstrip().endswith("-m runbook run")
    assert dry_run("runbook-fresh").rstrip().endswith("-m runbook run --fresh")
    assert dry_run("sandbox-stop").rstrip().endswith("-m runbook sandbox --stop")
