"""A malformed desired-state file is refused by the runbook before any call to AWS."""

from __future__ import annotations

import json
import urllib.request

import pytest

import runbook
from runbook.steps import discover
from tests.conftest import refused_before_any_call
from tests.test_config import MALFORMED, example


def requests_received(url: str) -> int:
    with urllib.request.urlopen(f"{url}/_kit/stats") as response:
        return json.load(response)["requests"]


@pytest.mark.parametrize(
    ("change", "path"), [case[1:3] for case in MALFORMED], ids=[case[0] for case in MALFORMED]
)
def test_runbook_refuses_bad_config_with_zero_calls(sandbox, tmp_path, change, path):
    data = example()
    change(data)
    errors = refused_before_any_call(sandbox.url, tmp_path, data)
    assert any(e.startswith(f"{path}: ") for e in errors)


def test_plan_on_a_fresh_sandbox_plans_everything_and_writes_nothing(clean_sandbox, tmp_path):
    before = requests_received(clean_sandbox.url)
    summary = runbook.run(endpoint_url=clean_sandbox.url, apply=False, out=tmp_path)
    assert [s["step"] for s in summary["steps"]] == [n.stem for n in discover()]
    assert {s["status"] for s in summary["steps"]} == {"planned"}
    assert summary["totals"]["calls"]["write"] == 0
    assert sum(summary["totals"]["calls"].values()) == requests_received(clean_sandbox.url) - before
    changes = [c["resource"] for s in summary["steps"] for c in s["changes"]]
    assert "organization" in changes and "account log-archive" in changes
