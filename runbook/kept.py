"""The kept sandbox: one sandbox process under `<runs>/sandbox/` that every run reuses.

moto keeps its state in memory only, so "a second run changes nothing" needs the sandbox
of the first run still running. `python -m runbook run` (and `make runbook`) starts it when
none runs and leaves it running; `--fresh` resets it to its starting state first;
`python -m runbook sandbox --stop` (`make sandbox-stop`) stops it. Its process writes
`sandbox.json` (url, pid, environment) once it answers, and logs to `sandbox.log`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from helpers.targets import SandboxClient
from runbook.steps import RunbookError

FOLDER, STATE, LOG = "sandbox", "sandbox.json", "sandbox.log"
START_SECONDS = 60
_started: list[subprocess.Popen] = []  # kept referenced: the process outlives this one


@dataclass(frozen=True)
class KeptSandbox:
    url: str
    pid: int
    env: dict[str, str]  # AWS_ENDPOINT_URL, the region and the management account's keys

    def write(self, path: Path) -> None:
        partial = path.with_suffix(".tmp")
        partial.write_text(json.dumps(asdict(self), indent=1))
        os.replace(partial, path)


def find(out: Path) -> KeptSandbox | None:
    """The kept sandbox under `out`, if its process runs; RunbookError if it does not answer."""
    try:
        sandbox = KeptSandbox(**json.loads((Path(out) / FOLDER / STATE).read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if not _alive(sandbox.pid):
        return None
    try:
        SandboxClient(sandbox.url).settings(timeout=3)
    except OSError as e:
        raise RunbookError(
            f"the kept sandbox at {sandbox.url} (pid {sandbox.pid}) does not answer ({e}); "
            f"if it was paused, `kill -CONT {sandbox.pid}`; else stop it with "
            f"`python -m runbook sandbox --stop --out {out}` and run again"
        ) from e
    return sandbox


def start(out: Path) -> KeptSandbox:
    """Start the kept sandbox in a process of its own (it outlives this one)."""
    folder = Path(out) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    state = folder / STATE
    state.unlink(missing_ok=True)
    command = [sys.executable, "-m", "runbook", "sandbox", "--state", str(state.resolve())]
    with open(folder / LOG, "ab") as log:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
        )
    _started.append(process)
    deadline = time.monotonic() + START_SECONDS
    while process.poll() is None and time.monotonic() < deadline:
        if state.exists() and (sandbox := find(out)) is not None:
            return sandbox
        time.sleep(0.1)
    process.kill()
    raise RunbookError(f"the kept sandbox did not start; its log: {folder / LOG}")


def reset(sandbox: KeptSandbox) -> None:
    """Back to the starting state: moto cleared, the sandbox seeded again."""
    SandboxClient(sandbox.url).reset()


def stop(out: Path) -> KeptSandbox | None:
    """Stop the kept sandbox under `out`; the one stopped, or None if none was running."""
    path = Path(out) / FOLDER / STATE
    try:
        sandbox = KeptSandbox(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    running = _alive(sandbox.pid)
    if running:
        os.kill(sandbox.pid, signal.SIGTERM)
        os.kill(sandbox.pid, signal.SIGCONT)  # a paused process takes SIGTERM only then
        deadline = time.monotonic() + 10
        while _alive(sandbox.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(sandbox.pid):
            os.kill(sandbox.pid, signal.SIGKILL)
    path.unlink(missing_ok=True)
    return sandbox if running else None


def _alive(pid: int) -> bool:
    """Whether process `pid` runs (a child of ours that exited is reaped here)."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
