"""Which steps a run executes: discovery, --from / --only, targets metadata, the run folder."""

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from runbook.execute import make_run_dir
from runbook.steps import RunbookError, discover, select

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"


@pytest.fixture(scope="module")
def steps():
    return discover(FIXTURES)


def stems(steps):
    return [s.stem for s in steps]


def test_discover_finds_steps_00_to_09_in_order_never_the_clean_up(steps):
    assert stems(steps) == [
        "00_single_account",
        "01_organization",
        "02_sandbox_only",
        "03_fails",
        "04_no_record",
    ]
    assert steps[0].title == "00 · One account"
    assert (steps[1].number, steps[1].name) == ("01", "organization")


def test_a_step_that_does_not_exist_is_absent(tmp_path):
    for stem in ("00_single_account", "02_sandbox_only"):
        shutil.copy(FIXTURES / f"{stem}.ipynb", tmp_path)
    assert stems(discover(tmp_path)) == ["00_single_account", "02_sandbox_only"]


def test_targets_metadata_limits_a_step(steps):
    limited = steps[2]
    assert limited.targets == ("sandbox",)
    assert limited.runs_on("sandbox") and not limited.runs_on("aws")
    assert steps[0].targets is None and steps[0].runs_on("aws")


@pytest.mark.parametrize("ref", ["02", "sandbox_only", "02_sandbox_only"])
def test_only_and_from_accept_a_number_a_name_or_the_stem(steps, ref):
    assert stems(select(steps, only=ref)) == ["02_sandbox_only"]
    assert stems(select(steps, from_step=ref))[:2] == ["02_sandbox_only", "03_fails"]


def test_no_selection_is_every_step(steps):
    assert select(steps) == steps


@pytest.mark.parametrize("ref", ["2", "08", "accounts", "10_clean_up"])
def test_an_unknown_step_is_a_clear_error(steps, ref):
    with pytest.raises(RunbookError, match=f"unknown step '{ref}'.*00_single_account, "):
        select(steps, only=ref)


def test_from_and_only_together_are_refused(steps):
    with pytest.raises(RunbookError, match="either --from or --only"):
        select(steps, from_step="01", only="02")


def test_a_taken_run_id_gets_a_suffix(tmp_path):
    when = datetime(2026, 11, 28, 14, 25, 1, tzinfo=UTC)
    names = [make_run_dir(tmp_path, when).name for _ in range(3)]
    assert names == ["20261128-142501", "20261128-142501-2", "20261128-142501-3"]


def test_the_clean_up_is_refused_with_the_command_that_runs_it(steps):
    clean_up = discover(FIXTURES, ("10",))
    for ref in ("10", "clean_up", "10_clean_up"):
        with pytest.raises(RunbookError, match="clean-up: run it with `python -m runbook teard"):
            select(steps, only=ref, clean_up=clean_up)
