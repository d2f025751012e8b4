"""Runs that do not end on their own: SIGINT, SIGTERM, a frozen endpoint. Each leaves its
record, names the step and the call in flight, and leaves no kernel behind.

`python -m runbook run` runs as a process of its own, on the fixture step that calls
sts:GetCallerIdentity forever: against the session's sandbox, or against a sandbox process
of its own, which is paused with SIGSTOP.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from runbook import kept
from tests.conftest import requests_received, wait_until
from tests.test_runbook_run import notebooks

STEP = "00_calls_forever"


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    """A sandbox process of this module's own, to pause (started as the runbook keeps one)."""
    out = tmp_path_factory.mktemp("box")
    sandbox = kept.start(out)
    yield sandbox
    kept.stop(out)


def start_run(tmp_path: Path, url: str, *options: str) -> tuple[subprocess.Popen, str, Path]:
    """`python -m runbook run` on the looping step, once it is in its loop; the process,
    the marker its kernel's environment carries, and the run folder."""
    folder = notebooks(tmp_path / "notebooks", STEP)
    marker = uuid.uuid4().hex
    command = [sys.executable, "-m", "runbook", "run", "--endpoint", url, "--out", str(tmp_path)]
    process = subprocess.Popen(
        [*command, "--notebooks", str(folder), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "KIT_TEST_MARKER": marker},
    )
    before = requests_received(url)
    wait_until(  # the check, then the loop's calls (or the run's early end)
        lambda: process.poll() is not None or requests_received(url) >= before + 3,
        60,
        "the step to start its calls",
    )
    assert process.poll() is None, process.communicate()
    [run_dir] = [p for p in tmp_path.iterdir() if p.name not in ("notebooks",)]
    return process, marker, run_dir


def processes_with(marker: str) -> list[int]:
    """The processes whose environment carries `marker` (the run's kernel, if it is left)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if f"KIT_TEST_MARKER={marker}".encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except (OSError, ValueError):
            continue
    return found


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_run_leaves_its_record_and_no_kernel(sandbox, tmp_path, signum):
    process, marker, run_dir = start_run(tmp_path, sandbox.url)
    assert processes_with(marker)  # the runbook and its kernel
    process.send_signal(signum)
    out, err = process.communicate(timeout=60)
    name = signal.Signals(signum).name
    assert process.returncode == 128 + signum, err
    summary = json.loads((run_dir / "summary.json").read_text())
    [step] = summary["steps"]
    assert (summary["status"], step["status"]) == ("interrupted", "interrupted")
    assert step["error"].startswith(f"step {STEP} interrupted by {name} in cell 4 (calls): ")
    assert "sts.GetCallerIdentity (account 123456789012)" in step["error"]
    assert step["calls"]["read"] > 0  # the calls the step really made
    assert f"interrupted by {name}" in err and "report: " in out
    assert f"interrupted by {name}" in (run_dir / "report.html").read_text()
    assert (run_dir / f"{STEP}.ipynb").exists()
    assert processes_with(marker) == []


@pytest.mark.journey  # a runbook run, end to end
def test_a_frozen_endpoint_stops_the_step_naming_the_call_in_flight(box, tmp_path):
    process, marker, run_dir = start_run(tmp_path, box.url, "--step-timeout", "12")
    os.kill(box.pid, signal.SIGSTOP)  # the sandbox still accepts connections, never answers
    try:
        out, err = process.communicate(timeout=60)
    finally:
        os.kill(box.pid, signal.SIGCONT)
    assert process.returncode == 1, err
    expected = f"step {STEP} timed out after 12 s (--step-timeout) in cell 4 (calls): waiting "
    assert expected in err
    assert f"for sts.GetCallerIdentity (account 123456789012) at {box.url}" in err
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["status"] == "failed" and summary["steps"][0]["error"] in err
    assert processes_with(marker) == []
