"""The run's kernel: one for all the steps of a run, in a thread of its own.

Every step runs in the same kernel: what a step imports (the helpers, boto3, the service
models) stays imported for the next, and the user namespace is reset before each step
(`reset(new_session=True)`: no variable survives and cells count from 1 again), so a step
sees what a fresh kernel would show it. One kernel client serves every step, so no step
waits for a client to connect.

Everything that talks to the kernel (start, execute, reset) runs in the kernel's own
thread. The main thread only waits, which keeps it free to time a step out or to take a
signal, and acts on the kernel with signals: SIGINT interrupts the running cell, SIGKILL
ends the kernel (after the run, or when it does not answer SIGINT).

Kernels talk over unix sockets (zmq ipc), not TCP, so that no port a kernel has chosen can
be taken by a connection to the sandbox.
"""

from __future__ import annotations

import os
import signal
import tempfile
import uuid
from collections.abc import Callable
from concurrent import futures
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from jupyter_client import AsyncKernelManager
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_core.utils import run_sync

KERNEL_NAME = "python3"
PRELOAD = "import helpers.kit"  # imports only: clients made now would freeze credentials
KERNEL_ARGS = [
    "--HistoryManager.hist_file=:memory:",  # as nbclient does for the kernels it starts
    "--IPKernelApp.log_level=ERROR",
    f"--IPKernelApp.exec_lines={PRELOAD}",
]
# The user namespace emptied, cells counted from 1 again; without the gc.collect() that
# reset() runs when it flushes the output cache (up to 0.1 s a step).
RESET = """\
get_ipython().displayhook.do_full_cache = False
get_ipython().reset(new_session=True)
get_ipython().displayhook.do_full_cache = True
"""
SHUTDOWN_SECONDS = 5  # to reap the killed kernel and clean up after it


class SharedClient(AsyncKernelClient):
    """A kernel client that one notebook execution after another uses: starting it or
    waiting for it again is immediate (nbclient does both for every notebook)."""

    _ready = False

    def start_channels(self, *args, **kwargs) -> None:
        if not self.channels_running:
            super().start_channels(*args, **kwargs)

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        if not self._ready:
            await super().wait_for_ready(timeout=timeout)
            self._ready = True


class StepKernel(AsyncKernelManager):
    """A kernel manager that hands out one shared client."""

    def __init__(self, **kwargs) -> None:
        super().__init__(client_class="runbook.kernels.SharedClient", **kwargs)
        self.shared: SharedClient | None = None

    def client(self, **kwargs) -> SharedClient:
        if self.shared is None:
            self.shared = super().client(**kwargs)
        return self.shared


class Kernel:
    """The run's kernel, started at once in its thread; `submit` runs work there."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self._sockets = tempfile.TemporaryDirectory(prefix="kit-kernels-")
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="kernel")
        self._manager = StepKernel(
            kernel_name=KERNEL_NAME,
            transport="ipc",
            ip=str(Path(self._sockets.name) / uuid.uuid4().hex[:8]),
        )
        self._used = False
        self._started = self._thread.submit(self._start, cwd, env)

    def _start(self, cwd: Path, env: dict[str, str]) -> None:
        run_sync(self._manager.start_kernel)(cwd=str(cwd), env=env, extra_arguments=KERNEL_ARGS)
        client = self._manager.client()
        client.start_channels()
        run_sync(client.wait_for_ready)(timeout=60)

    def booted(self) -> None:
        """Wait until the kernel answers (or failed to start: the first step says why)."""
        futures.wait([self._started])

    def submit(self, work: Callable[[StepKernel], object]) -> Future:
        """Run `work(kernel_manager)` in the kernel's thread, in a namespace of its own."""
        return self._thread.submit(self._run, work)

    def _run(self, work: Callable[[StepKernel], object]) -> object:
        self._started.result()
        if self._used:
            run_sync(self._manager.client().execute_interactive)(
                RESET, silent=True, store_history=False, timeout=60
            )
        self._used = True
        return work(self._manager)

    def signal(self, signum: int) -> None:
        """Send `signum` to the kernel's process group (SIGINT: interrupt the cell)."""
        provisioner = self._manager.provisioner  # None until the kernel is launched
        if provisioner is not None and provisioner.has_process:
            try:
                os.killpg(provisioner.pgid or provisioner.pid, signum)
            except ProcessLookupError:
                pass

    def close(self) -> None:
        """Kill the kernel and stop its thread. Nothing in the kernel needs a graceful end
        (each step's record and notebook are written) and none is waited for."""
        self.signal(signal.SIGKILL)  # now, even while it boots
        try:
            self._thread.submit(self._reap).result(timeout=2 * SHUTDOWN_SECONDS)
        except TimeoutError:  # the thread is stuck
            self.signal(signal.SIGKILL)
        finally:
            self._thread.shutdown(wait=False, cancel_futures=True)
            self._sockets.cleanup()

    def _reap(self) -> None:
        self._started.exception()  # the start has ended, whatever its outcome
        self.signal(signal.SIGKILL)  # should it have launched only after the first one
        if self._manager.shared is not None:
            self._manager.shared.stop_channels()
        if self._manager.has_kernel:
            run_sync(self._manager.provisioner.wait)()
        run_sync(self._manager.cleanup_resources)()
