"""Run the steps with papermill into a run folder: the function API under `python -m runbook`.

A step that fails, runs out of time (`step_timeout`) or is interrupted (SIGINT, SIGTERM)
stops the run, and the run folder still gets summary.json and report.html: the step's
error, and what its kit recorded until then (calls, changes, to-dos, the call in flight).
"""

from __future__ import annotations

import itertools
import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent import futures
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.config import load_config
from runbook.report import StepResult, in_flight, read_step_record, write_report
from runbook.steps import (
    DEFAULT_CONFIG,
    NOTEBOOKS,
    RUN_STEPS,
    RUNS,
    STEP_TIMEOUT,
    TEARDOWN_STEPS,
    RunbookError,
    Step,
    discover,
    select,
)
from runbook.target import check_account, connect, resolve_apply, starts_empty

if TYPE_CHECKING:
    from runbook.kernels import Kernel, StepKernel

log = logging.getLogger("runbook")

DESCRIPTION = "papermill_description="
NOTICE_EVERY = 30.0  # seconds of one cell between two "still running" lines
STOP_SECONDS = 6.0  # a stopped step's kernel is killed if its cell has not ended by then


class Interrupted(KeyboardInterrupt):
    """The run got SIGINT or SIGTERM. `run` raises it once the run's record is written,
    with the summary (None when no run folder was made yet)."""

    def __init__(self, signum: int) -> None:
        self.signum, self.summary = signum, None
        self.step_result: StepResult | None = None  # the step it stopped, if one ran
        super().__init__(self.name)

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


def run(
    config_path: str | Path = DEFAULT_CONFIG,
    target: str = "sandbox",
    *,
    endpoint_url: str | None = None,
    profile: str | None = None,
    apply: bool | None = None,
    from_step: str | None = None,
    only: str | None = None,
    out: str | Path = RUNS,
    notebooks_dir: str | Path = NOTEBOOKS,
    numbers: tuple[str, ...] = RUN_STEPS,
    step_timeout: float | None = None,
    keep: str | Path | None = None,
    fresh: bool = False,
) -> dict:
    """Run the selected steps 00-09 (or those `numbers` names: ("10",) for the clean-up) and
    return the run's summary (also in summary.json).

    First the config is validated (`helpers.config.ConfigError`) and the steps chosen; then
    the target is reached and its management account checked (`RunbookError`): nothing is
    changed and no run folder made before. `apply=None` applies against the sandbox and
    plans against AWS. The sandbox is the one at `endpoint_url`, else the kept one under
    `keep` (`fresh`: reset first), else one started for this run alone. `step_timeout`
    (seconds, 0 for none) defaults to STEP_TIMEOUT for the target. A failed step stops the
    run (the summary says so); SIGINT or SIGTERM stops it too and raises `Interrupted`.
    """
    config_path = Path(config_path).resolve()
    notebooks_dir = Path(notebooks_dir).resolve()
    config = load_config(config_path)
    apply = resolve_apply(target, apply)
    steps = discover(notebooks_dir, numbers)
    clean_up = discover(notebooks_dir, TEARDOWN_STEPS) if numbers == RUN_STEPS else []
    chosen = select(steps, from_step, only, clean_up)
    if not chosen:
        wanted = ", ".join(f"{n}_*.ipynb" for n in (numbers[0], numbers[-1]))
        raise RunbookError(f"no step notebooks ({wanted}) in {notebooks_dir}")
    keep = Path(keep) if keep is not None else None
    if fresh and (target != "sandbox" or endpoint_url):
        raise RunbookError(
            "--fresh resets the kept sandbox: leave out --endpoint and --target aws (a sandbox "
            "at an endpoint: `python -m runbook teardown --reset-sandbox --endpoint URL`)"
        )
    if chosen[0] != steps[0] and starts_empty(target, endpoint_url, keep, fresh):
        raise RunbookError(_nothing_before(chosen[0], steps, keep, fresh))
    timeout = STEP_TIMEOUT[target] if step_timeout is None else step_timeout
    from runbook.kernels import Kernel  # only now: a refused run answers without Jupyter

    with stop_on_signals(), connect(target, endpoint_url, keep, fresh) as connection:
        kernel = Kernel(notebooks_dir, connection.env)  # it boots while the account is checked
        try:
            management = config.management_account.id
            check_account(target, management, profile, config.home_region, connection.endpoint_url)
            own_calls = {"read": 1, "write": 0}  # that sts:GetCallerIdentity
            started = datetime.now(UTC)
            run_dir = make_run_dir(Path(out), started)
            log.info("run %s: %s against %s", run_dir, "apply" if apply else "plan", target)
            parameters = {
                "config_path": str(config_path),
                "target": target,
                "endpoint_url": connection.endpoint_url,
                "profile": profile or "",
                "apply": apply,
                "run_dir": str(run_dir),
            }
            results: list[StepResult] = []
            try:
                execute_steps(chosen, target, kernel, parameters, timeout, results)
            except Interrupted as stopped:
                with signals_ignored():
                    error = "" if stopped.step_result else f"interrupted by {stopped.name}"
                    stopped.summary = write_report(
                        run_dir, target, started, datetime.now(UTC), results, own_calls, error
                    )
                raise
            return write_report(run_dir, target, started, datetime.now(UTC), results, own_calls)
        finally:
            with signals_ignored():
                kernel.close()


def _nothing_before(first: Step, steps: list[Step], keep: Path | None, fresh: bool) -> str:
    """Why a run that starts after step 00 is refused on a sandbox in its starting state."""
    before = ", ".join(s.number for s in steps[: steps.index(first)])
    if fresh:
        where = "a sandbox reset by --fresh"
    elif keep is not None:
        where = "the kept sandbox, which is not running yet"
    else:
        where = "a sandbox started for this run alone"
    return (
        f"step {first.stem} would run against {where}, where steps {before} never ran: "
        "run the whole runbook first (`python -m runbook run`; the kept sandbox keeps what it "
        "builds for the next run), or name a sandbox that holds them with --endpoint"
    )


def make_run_dir(out: Path, when: datetime) -> Path:
    """A new folder `<out>/<yyyymmdd-hhmmss>`, with `-2`, `-3`, ... if the name is taken."""
    out.mkdir(parents=True, exist_ok=True)
    stamp = when.strftime("%Y%m%d-%H%M%S")
    for n in itertools.count(1):
        path = out / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path.resolve()
    raise AssertionError("unreachable")


def execute_steps(
    steps: list[Step],
    target: str,
    kernel: Kernel,
    parameters: dict,
    timeout: float,
    results: list[StepResult],
) -> None:
    """Execute the steps in order into `results`, skipping those not meant for `target`,
    until one does not end well. Raises Interrupted once the step's result is in."""
    for step in steps:
        if not step.runs_on(target):
            log.info("%s skipped: it runs only on %s", step.stem, ", ".join(step.targets or ()))
            results.append(StepResult(step, "skipped"))
            continue
        try:
            results.append(run_step(step, kernel, parameters, timeout))
        except Interrupted as stopped:
            results.append(stopped.step_result or StepResult(step, "interrupted"))
            raise
        if results[-1].status not in ("ok", "planned"):
            log.error("%s", results[-1].error)
            return


class Progress:
    """Where a step is: the cell that runs (set from the kernel's thread as each cell
    starts), since when, and why it was stopped, if it was."""

    def __init__(self, step: Step) -> None:
        self.step, self.index, self.label, self.since = step, 0, "", time.monotonic()
        self.stopped = ""

    def __call__(self, cell, cell_index: int) -> None:
        first = cell.source.partition("\n")[0].lstrip("# ")
        self.index, self.since = cell_index, time.monotonic()
        described = first.startswith(DESCRIPTION)
        self.label = first.removeprefix(DESCRIPTION).strip() if described else ""
        if self.label:
            log.info("%s · %s", self.step.stem, self.label)

    def where(self) -> str:
        return f"in cell {self.index}" + (f" ({self.label})" if self.label else "")


def run_step(step: Step, kernel: Kernel, parameters: dict, timeout: float) -> StepResult:
    """Execute one step's notebook in the kernel, watching the clock and the signals; its
    result says how it ended, with the record its kit wrote."""
    log.info("%s: %s", step.stem, step.title)
    kernel.booted()  # the step's time starts with its first cell, not with the kernel's boot
    progress = Progress(step)
    started = time.monotonic()
    future = kernel.submit(lambda km: execute_notebook(km, step, parameters, progress))
    try:
        if not wait(future, started, timeout, progress):
            stop(kernel, future, progress, f"timed out after {timeout:g} s (--step-timeout)")
    except Interrupted as interrupted:
        with signals_ignored():
            stop(kernel, future, progress, f"interrupted by {interrupted.name}")
            interrupted.step_result = result(step, future, progress, parameters, started)
        raise
    return result(step, future, progress, parameters, started)


def result(
    step: Step, future: futures.Future, progress: Progress, parameters: dict, started: float
) -> StepResult:
    """A step's result from its execution (`future`), the record its kit wrote, and why it
    was stopped, if it was."""
    run_dir = Path(parameters["run_dir"])
    seconds = round(time.monotonic() - started, 2)
    notebook = step.path.name if (run_dir / step.path.name).exists() else None
    try:
        record = read_step_record(run_dir, step.stem)
    except RunbookError as e:
        return StepResult(step, "failed", seconds, notebook, error=f"step {step.stem}: {e}")
    if progress.stopped:
        status = "interrupted" if progress.stopped.startswith("interrupted") else "failed"
        waiting = in_flight(record, parameters["endpoint_url"] or "AWS")
        error = f"step {step.stem} {progress.stopped} {progress.where()}: {waiting}"
        return StepResult(step, status, seconds, notebook, record, error)
    error = _error(future)
    if not error and (record is None or record.status == "running"):
        missing = "writing its step.json" if record is None else "calling kit.finish()"
        error = f": it finished without {missing} (end it with kit.finish())"
    if error:
        error = f"step {step.stem} failed{error}"
        return StepResult(step, "failed", seconds, notebook, record, error)
    return StepResult(step, record.status, seconds, notebook, record)


def execute_notebook(km: StepKernel, step: Step, parameters: dict, progress: Progress) -> str:
    """Execute the step's notebook into the run folder (saved once, at the end); the error
    (" in cell 4: ValueError: ...") or ""."""
    os.environ.setdefault("NBFORMAT_VALIDATOR", "fastjsonschema")  # nbformat's own, 6x faster
    import papermill
    from nbclient.exceptions import CellControlSignal
    from papermill.exceptions import PapermillExecutionError

    from runbook.kernels import KERNEL_NAME

    try:
        papermill.execute_notebook(
            step.path,
            Path(parameters["run_dir"]) / step.path.name,
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            request_save_on_cell_execute=False,
            progress_bar=False,
            log_output=False,
            km=km,
            on_cell_execute=lambda cell, cell_index: progress(cell, cell_index),
        )
    except PapermillExecutionError as e:
        return f" in cell {e.cell_index}: {e.ename}: {e.evalue}"
    except (CellControlSignal, RuntimeError) as e:  # the kernel died or timed out
        return f" {progress.where()}: {type(e).__name__}: {e}"
    return ""


def _error(future: futures.Future) -> str:
    """What went wrong in a step's execution ("" if nothing)."""
    if not future.done():
        return ": its kernel did not stop"
    error = future.exception()  # the kernel did not start, for example
    return f": {type(error).__name__}: {error}" if error else future.result()


def wait(future: futures.Future, started: float, timeout: float, progress: Progress) -> bool:
    """Wait for the step to end; False when it runs out of time. While one cell runs long,
    say so every NOTICE_EVERY seconds."""
    deadline = started + timeout if timeout else float("inf")
    notice = started + NOTICE_EVERY
    while not future.done():
        now = time.monotonic()
        if now >= deadline:
            return False
        if now >= notice:
            running = now - progress.since
            if running >= NOTICE_EVERY:
                where = progress.where()
                log.info("%s still running %s, for %.0f s", progress.step.stem, where, running)
            notice = now + NOTICE_EVERY
        futures.wait([future], timeout=min(deadline, notice) - now)
    return True


def stop(kernel: Kernel, future: futures.Future, progress: Progress, why: str) -> None:
    """Interrupt the running cell, which ends it (and its kit records the call it was
    waiting for); kill the kernel if the cell has not ended after STOP_SECONDS."""
    progress.stopped = why
    log.warning("%s %s %s: stopping it", progress.step.stem, why, progress.where())
    deadline = time.monotonic() + STOP_SECONDS
    while not future.done() and time.monotonic() < deadline:
        kernel.signal(signal.SIGINT)  # again, should the first land between two cells
        futures.wait([future], timeout=1.0)
    if not future.done():
        kernel.signal(signal.SIGKILL)
        futures.wait([future], timeout=STOP_SECONDS)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """SIGINT and SIGTERM raise Interrupted in the main thread while the run lasts."""

    def interrupt(signum: int, frame) -> None:
        raise Interrupted(signum)

    with _handlers(interrupt):
        yield


@contextmanager
def signals_ignored() -> Iterator[None]:
    """No SIGINT or SIGTERM breaks off what must finish: stopping a step, writing the record."""
    with _handlers(signal.SIG_IGN):
        yield


@contextmanager
def _handlers(handler) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():  # signals go to main only
        yield
        return
    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
