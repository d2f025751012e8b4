"""`python -m runbook lab` started for the tests, and a way to run code in its kernels.

JupyterLab gets its own config, runtime, settings and workspace folders in a temp folder,
no news, no update checks and no autosave (the tests must not write the repo's notebooks).
The lab runs from a copy of the kit's code and notebooks in that folder, so what its
notebooks write (runs/lab, the workshop's folder) lands there, never in the repository.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from jupyter_client import BlockingKernelClient

from helpers.kit import REPO
from tests.conftest import wait_until

TOKEN = "org-kit-test-token"
KIT_FOLDERS = ("helpers", "runbook", "notebooks", "templates", "policies")
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    """A running `python -m runbook lab`: JupyterLab's URL, its sandbox's, its folders."""

    url: str
    sandbox_url: str
    runtime: Path
    process: subprocess.Popen
    repo: Path  # the copy it runs from

    def api(self, method: str, path: str, body: dict | None = None) -> dict:
        """Call JupyterLab's REST API (JSON in, JSON out)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read()
        return json.loads(text) if text else {}

    def open_notebook(self, path: str) -> str:
        """A notebook session as the browser makes one; its kernel's id."""
        session = self.api(
            "POST",
            "/api/sessions",
            {"path": path, "type": "notebook", "name": "", "kernel": {"name": "python3"}},
        )
        return session["kernel"]["id"]

    def run(self, kernel_id: str, code: str) -> str:
        """Execute `code` in a kernel; its standard output (an error fails the test)."""
        client = BlockingKernelClient()
        client.load_connection_file(self.runtime / f"kernel-{kernel_id}.json")
        # A heartbeat missed on a busy machine is not a dead kernel (1 s by default).
        client.hb_channel.time_to_dead = 10.0
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
            printed: list[str] = []

            def keep(message: dict) -> None:
                if message["msg_type"] == "stream":
                    printed.append(message["content"]["text"])
                elif message["msg_type"] == "error":
                    printed.append("\n".join(message["content"]["traceback"]))

            reply = client.execute_interactive(code, output_hook=keep, timeout=60)
        finally:
            client.stop_channels()
        assert reply["content"]["status"] == "ok", "".join(printed)
        return "".join(printed)


def _wait(what: str, process: subprocess.Popen, ready, seconds: float = 60) -> None:
    wait_until(lambda: process.poll() is not None or ready(), seconds, f"{what} to come up")
    assert process.poll() is None, f"the lab launcher exited while waiting for {what}"


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except OSError:
        return False


def lab_env(home: Path) -> dict[str, str]:
    """The environment without AWS variables, JupyterLab's folders under `home`."""
    for name, body in SETTINGS.items():
        path = home / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(body))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return env | {
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
    }


def wait_for_jupyterlab(process: subprocess.Popen, url: str) -> None:
    """Until JupyterLab at `url` answers (the test's token)."""
    _wait("JupyterLab", process, lambda: _answers(f"{url}/api/status?token={TOKEN}"))


def repo_copy(home: Path) -> Path:
    """The kit's code and notebooks, copied under `home`."""
    copy = home / "repo"
    for name in KIT_FOLDERS:
        ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints")
        shutil.copytree(REPO / name, copy / name, ignore=ignore)
    return copy


@contextmanager
def running_lab(home: Path) -> Iterator[Lab]:
    """`python -m runbook lab --no-browser` on free ports, from a copy of the kit (its
    helpers imported from there: PYTHONPATH comes before the editable install); stopped
    (SIGTERM) at the end."""
    runtime = home / "runtime"
    repo = repo_copy(home)
    env = lab_env(home) | {"PYTHONPATH": str(repo)}
    port = free_port()
    command = [sys.executable, "-m", "runbook", "lab", "--port", str(port), "--token", TOKEN]
    out, log = (home / "lab.out").open("w"), (home / "lab.log").open("w")
    process = subprocess.Popen(
        [*command, "--no-browser"], stdout=out, stderr=log, env=env, cwd=repo
    )
    try:
        # The launcher's first line: "sandbox at http://127.0.0.1:PORT: ..."
        _wait("the sandbox", process, lambda: "\n" in (home / "lab.out").read_text())
        first = (home / "lab.out").read_text().splitlines()[0]
        sandbox_url = first.split()[2].rstrip(":")
        lab = Lab(f"http://127.0.0.1:{port}", sandbox_url, runtime, process, repo)
        wait_for_jupyterlab(process, lab.url)
        yield lab
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        out.close()
        log.close()
