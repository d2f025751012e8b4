"""`make lab`'s launcher: one sandbox shared by every kernel, outliving kernel restarts."""

from __future__ import annotations

import json
import urllib.request

from tests.lab_server import running_lab

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
