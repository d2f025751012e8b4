"""Kernels for the steps, started one step ahead so that a step does not wait for a boot.

A kernel copies its environment and working directory when it is spawned, and papermill
injects the parameters only at execution, so starting the next step's kernel while the
current step runs is safe. nbclient leaves a kernel it was handed running, with its
client's channels open: `Kernels` shuts both down itself, and waits for a kernel's exit
only one step later, while the next step runs.

Kernels talk over unix sockets (zmq ipc), not TCP: a kernel booting ahead holds TCP ports
it has chosen but not yet bound, and the running step's connections to the sandbox could
take one of them as their ephemeral port ("Address already in use" on a cold start).
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from jupyter_client import AsyncKernelManager
from jupyter_core.utils import run_sync

KERNEL_NAME = "python3"
PRELOAD = "import boto3; del boto3"  # the import only: clients made now would freeze credentials
KERNEL_ARGS = [
    "--HistoryManager.hist_file=:memory:",  # as nbclient does for the kernels it starts
    "--IPKernelApp.log_level=ERROR",
    f"--IPKernelApp.exec_lines={PRELOAD}",
]


class StepKernel(AsyncKernelManager):
    """A kernel manager that remembers the clients it hands out, so they can be stopped."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.clients: list = []

    def client(self, **kwargs):
        kc = super().client(**kwargs)
        self.clients.append(kc)
        return kc


class Kernels:
    """Starts one kernel per step; with `ahead`, the next one boots while a step runs."""

    def __init__(self, cwd: Path, env: dict[str, str], ahead: bool = True) -> None:
        self.cwd, self.env, self.ahead = cwd, env, ahead
        self._next: StepKernel | None = None
        self._stopping: list[StepKernel] = []
        self._sockets = tempfile.TemporaryDirectory(prefix="kit-kernels-")

    def take(self, more: bool) -> StepKernel:
        """A started kernel for this step; if `more` steps follow, start theirs now."""
        kernel, self._next = self._next or self._start(), None
        if more and self.ahead:
            self._next = self._start()
        return kernel

    def release(self, kernel: StepKernel) -> None:
        """Stop the kernel's clients and ask it to shut down; its exit is awaited later."""
        for kc in kernel.clients:
            kc.stop_channels()
        self._finish_shutdowns()
        run_sync(kernel.request_shutdown)()
        self._stopping.append(kernel)

    def close(self) -> None:
        """Shut down every kernel left, including one started for a step that did not run."""
        if self._next is not None:
            self.release(self._next)
            self._next = None
        self._finish_shutdowns()
        self._sockets.cleanup()

    def _finish_shutdowns(self) -> None:
        """Wait for the kernels asked to shut down to exit (killed after a grace time)."""
        for kernel in self._stopping:
            run_sync(kernel.finish_shutdown)()
            run_sync(kernel.cleanup_resources)()
        self._stopping.clear()

    def _start(self) -> StepKernel:
        ipc = Path(self._sockets.name) / uuid.uuid4().hex[:8]
        kernel = StepKernel(kernel_name=KERNEL_NAME, transport="ipc", ip=str(ipc))
        run_sync(kernel.start_kernel)(cwd=str(self.cwd), env=self.env, extra_arguments=KERNEL_ARGS)
        return kernel
