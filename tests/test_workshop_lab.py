"""`make lab`'s launcher: one sandbox shared by every kernel, outliving kernel restarts."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request

from helpers.kit import REPO
from tests.lab_server import TOKEN, free_port, lab_env, running_lab, wait_for_jupyterlab

# What a notebook's first cells do: open the step (endpoint from AWS_ENDPOINT_URL) and ask
# for the organization, creating it the first time.
ORGANIZATION = """
import json, os
from helpers import organization
from helpers.kit import open_step
kit = open_step("01_organization", "../runbook/org.example.yaml")
org = organization.ensure_organization(kit)
print(json.dumps({"endpoint": os.environ["AWS_ENDPOINT_URL"], "org": org["Id"],
                  "region": os.environ["AWS_DEFAULT_REGION"]}))
"""


def _organization(lab, kernel_id: str) -> dict:
    return json.loads(lab.run(kernel_id, ORGANIZATION).strip().splitlines()[-1])


def test_kernels_share_one_sandbox_that_outlives_a_restart(lab):
    first = lab.open_notebook("notebooks/01_organization.ipynb")
    created = _organization(lab, first)
    assert created["endpoint"] == lab.sandbox_url
    assert created["region"] == "eu-central-1"

    lab.api("POST", f"/api/kernels/{first}/restart")
    assert _organization(lab, first) == created  # same organization, not a new one

    second = lab.open_notebook("notebooks/02_accounts_and_ous.ipynb")
    assert second != first
    assert _organization(lab, second) == created


def test_stopping_jupyterlab_stops_the_sandbox(tmp_path):
    with running_lab(tmp_path) as lab:
        lab.api("POST", "/api/shutdown")  # File > Shut Down in JupyterLab
        assert lab.process.wait(timeout=30) == 0
        try:
            urllib.request.urlopen(f"{lab.sandbox_url}/_kit/stats", timeout=5)
        except OSError:
            pass
        else:
            raise AssertionError("the sandbox still answers after JupyterLab stopped")


def test_make_lab_and_make_exercises_take_a_port_and_no_browser():
    for target, launcher in (("lab", "-m runbook lab"), ("exercises", "-m helpers.exercises lab")):
        make = ["make", "--dry-run", target, "PORT=8899", "BROWSER=no"]
        printed = subprocess.run(make, cwd=REPO, capture_output=True, text=True, check=True)
        assert f"{launcher} --port 8899 --no-browser" in printed.stdout


def test_the_exercises_open_in_jupyterlab_even_as_root(tmp_path):
    """`make exercises`' launcher: the workshop's JupyterLab command (--allow-root as root),
    opened at the learner's copies, with no shared sandbox."""
    port = free_port()
    command = [sys.executable, "-m", "helpers.exercises", "lab", "--port", str(port)]
    log = (tmp_path / "lab.log").open("w")
    process = subprocess.Popen(
        [*command, "--token", TOKEN, "--no-browser"],
        env=lab_env(tmp_path),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_jupyterlab(process, url)
        with urllib.request.urlopen(f"{url}/?token={TOKEN}", timeout=30) as response:
            assert response.url.split("?")[0] == f"{url}/lab/tree/exercises/work"
        with urllib.request.urlopen(f"{url}/api/contents/exercises?token={TOKEN}") as response:
            names = {item["name"] for item in json.load(response)["content"]}
        assert {"source", "README.md"} <= names  # the repository is JupyterLab's root
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
