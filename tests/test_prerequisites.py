"""Each step, opened to apply before what it builds on exists, names the step to run first,
with read calls only; opened to plan, it never refuses (the in-process sandbox)."""

from __future__ import annotations

import pytest

from helpers import organization, teardown
from helpers.kit import KitError, open_step
from runbook.cli import main
from runbook.steps import RUN_STEPS, TEARDOWN_STEPS, discover
from tests.conftest import requests_received, session_for

STEPS = [step.stem for step in discover(numbers=RUN_STEPS + TEARDOWN_STEPS)]
ON_A_FRESH_SANDBOX = {  # the message of each step that builds on an earlier one
    "02": "step 02 needs the organization: run step 01 first",
    "03": "step 03 needs the organization: run step 01 first",
    "04": "step 04 needs the organization: run step 01 first",
    "05": "step 05 needs the organization: run step 01 first",
    "06": "step 06 needs the organization: run step 01 first",
    "07": "step 07 needs the organization: run step 01 first",
    "08": "step 08 needs the organization: run step 01 first",
    "09": "step 09 needs the organization: run step 01 first",
}
AFTER_01_ALONE = (
    "step {} needs accounts log-archive, dev, prod in the organization: run step 02 first"
)


def _open(url: str, stem: str, tmp_path, apply: bool = True):
    config = "../runbook/org.example.yaml"
    return open_step(stem, config, endpoint_url=url, apply=apply, run_dir=str(tmp_path))


def test_each_step_run_first_on_a_fresh_sandbox_names_the_step_before_it(clean_sandbox, tmp_path):
    url = clean_sandbox.url
    for number in (s[:2] for s in STEPS):  # a new step says what it builds on
        assert number in ON_A_FRESH_SANDBOX or number in ("00", "01", "10"), number
    for stem in STEPS:
        number, before = stem[:2], requests_received(url)
        if number in ON_A_FRESH_SANDBOX:
            with pytest.raises(KitError) as refused:
                _open(url, stem, tmp_path)
            assert str(refused.value) == ON_A_FRESH_SANDBOX[number]
        else:  # 00 and 01 start from nothing; 10 undoes what it finds
            kit = _open(url, stem, tmp_path)
            if number == "10":
                assert teardown.teardown(kit) == []
                assert [(c.resource, c.detail) for c in kit.unchanged] == [
                    ("organization", "none: nothing to clean up")
                ]
            assert kit.recorder.totals()["write"] == 0, stem
        assert requests_received(url) - before <= 2, stem  # DescribeOrganization, ListAccounts
    assert organization.describe(session_for(url)) is None  # nothing was made


def test_each_step_after_01_alone_asks_for_step_02(clean_sandbox, tmp_path):
    url = clean_sandbox.url
    organization.ensure_organization(_open(url, "01_organization", tmp_path))
    for stem in (s for s in STEPS if s[:2] in ("03", "04", "05", "06", "07", "08")):
        with pytest.raises(KitError) as refused:
            _open(url, stem, tmp_path)
        assert str(refused.value) == AFTER_01_ALONE.format(stem[:2])
    assert [
        a["Name"] for a in session_for(url).client("organizations").list_accounts()["Accounts"]
    ] == ["master"]


def test_a_plan_never_refuses(clean_sandbox, tmp_path):
    for stem in STEPS:
        kit = _open(clean_sandbox.url, stem, tmp_path, apply=False)
        assert kit.recorder.totals() == {"read": 0, "write": 0}, stem


def test_run_only_02_on_a_fresh_sandbox_says_run_step_01_first(clean_sandbox, tmp_path, capsys):
    """The README's `run --only 02`, against a sandbox where step 01 never ran."""
    url = clean_sandbox.url
    assert main(["run", "--only", "02", "--endpoint", url, "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "KitError: step 02 needs the organization: run step 01 first" in err
    assert "ParamValidationError" not in err
    assert organization.describe(session_for(url)) is None
