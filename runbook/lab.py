"""`python -m runbook lab`: the workshop. One sandbox, JupyterLab on loopback, shared kernels.

The sandbox runs in this process, so it outlives every kernel restart; JupyterLab runs as
a child process whose kernels inherit the sandbox's endpoint, region and dummy
credentials. When JupyterLab stops (File > Shut Down, or Ctrl-C here), the sandbox stops.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from types import FrameType

from helpers.kit import REPO
from helpers.sandbox import Sandbox

FIRST_NOTEBOOK = "notebooks/00_single_account.ipynb"


def lab_command(
    port: int, token: str | None, browser: bool, opens: str = FIRST_NOTEBOOK
) -> list[str]:
    """The JupyterLab command line, opened at `opens` (a path in the repository): loopback
    only, no update checks or news from outside."""
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={REPO}",
        f"--LabApp.default_url=/lab/tree/{opens}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if token is not None:
        command.append(f"--IdentityProvider.token={token}")
    if not browser:
        command.append("--no-browser")
    if os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI run as root
    return command


def free_port() -> int:
    """A port on loopback that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve_lab(
    port: int = 8888,
    sandbox_port: int = 0,
    token: str | None = None,
    browser: bool = True,
) -> int:
    """Start the sandbox, run JupyterLab until it stops, then stop the sandbox; return
    JupyterLab's exit code."""
    sandbox = Sandbox(port=sandbox_port or free_port())
    signal.signal(signal.SIGTERM, _stop)
    # JupyterLab boots while the sandbox seeds: its kernels start later, from a notebook.
    lab_env = {**os.environ, **sandbox.env()}
    lab = subprocess.Popen(lab_command(port, token, browser), cwd=REPO, env=lab_env)
    try:
        sandbox.start()
        print(f"sandbox at {sandbox.url}: every notebook's kernel uses it", flush=True)
        print(
            f"reset it between groups: curl -X POST {sandbox.url}/moto-api/reset "
            "(then restart the kernels)",
            flush=True,
        )
        return lab.wait()
    except KeyboardInterrupt:
        lab.send_signal(signal.SIGTERM)  # JupyterLab shuts its kernels down and exits
        return lab.wait(timeout=30)
    finally:
        if lab.poll() is None:
            lab.kill()
        sandbox.stop()
        print("JupyterLab and the sandbox stopped", file=sys.stderr, flush=True)
