"""Run the steps with papermill into a run folder: the function API under `python -m runbook`."""

from __future__ import annotations

import itertools
import json
import logging
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import papermill
from nbclient.exceptions import CellControlSignal
from papermill.exceptions import PapermillExecutionError

from helpers.config import load_config
from runbook.kernels import KERNEL_NAME, Kernels, StepKernel
from runbook.report import StepResult, read_step_record, write_report
from runbook.steps import NOTEBOOKS, REPO, RUN_STEPS, RunbookError, Step, discover, select
from runbook.target import check_account, connect, resolve_apply

log = logging.getLogger("runbook")

DEFAULT_CONFIG = REPO / "runbook" / "org.example.yaml"
RUNS = Path("runs")
DESCRIPTION = "papermill_description="


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
    prestart: bool = True,
    numbers: tuple[str, ...] = RUN_STEPS,
) -> dict:
    """Run the selected steps 00-09 (or those `numbers` names: ("10",) for the clean-up) and
    return the run's summary (also in summary.json).

    The config is validated first (`helpers.config.ConfigError`), then the step selection
    and, against AWS, the account (`RunbookError`): nothing is called or started before.
    `apply=None` applies against the sandbox and plans against AWS. A failed step stops the
    run; the summary says so. `prestart=False` starts each kernel only when its step runs.
    """
    config_path = Path(config_path).resolve()
    notebooks_dir = Path(notebooks_dir).resolve()
    config = load_config(config_path)
    apply = resolve_apply(target, apply)
    steps = select(discover(notebooks_dir, numbers), from_step, only)
    if not steps:
        wanted = ", ".join(f"{n}_*.ipynb" for n in (numbers[0], numbers[-1]))
        raise RunbookError(f"no step notebooks ({wanted}) in {notebooks_dir}")
    own_calls = {"read": 0, "write": 0}
    if target == "aws":
        check_account(config.management_account.id, profile, config.home_region, endpoint_url)
        own_calls["read"] += 1  # sts:GetCallerIdentity

    started = datetime.now(UTC)
    run_dir = make_run_dir(Path(out), started)
    log.info("run %s: %s against %s", run_dir, "apply" if apply else "plan", target)
    with connect(target, endpoint_url) as connection:
        parameters = {
            "config_path": str(config_path),
            "target": target,
            "endpoint_url": connection.endpoint_url,
            "profile": profile or "",
            "apply": apply,
            "run_dir": str(run_dir),
        }
        kernels = Kernels(notebooks_dir, connection.env, ahead=prestart)
        try:
            results = execute_steps(steps, target, kernels, parameters, run_dir)
        finally:
            kernels.close()
    return write_report(run_dir, target, started, datetime.now(UTC), results, own_calls)


def scorecard_failures(run_dir: Path) -> list[dict] | None:
    """The goals the run's scorecard (step 09's scorecard.json) marks not met; None when the
    run has no scorecard."""
    found = sorted(run_dir.glob("*/scorecard.json"))
    if not found:
        return None
    record = json.loads(found[-1].read_text())
    return [row for row in record["rows"] if row["key"] in record["failed"]]


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
    steps: list[Step], target: str, kernels: Kernels, parameters: dict, run_dir: Path
) -> list[StepResult]:
    """Execute the steps in order, skipping those not meant for `target`, until one fails."""
    results = []
    pending = sum(step.runs_on(target) for step in steps)
    for step in steps:
        if not step.runs_on(target):
            log.info("%s skipped: it runs only on %s", step.stem, ", ".join(step.targets or ()))
            results.append(StepResult(step, "skipped"))
            continue
        pending -= 1
        kernel = kernels.take(more=pending > 0)
        try:
            result = execute_step(step, kernel, parameters, run_dir)
        finally:
            kernels.release(kernel)
        results.append(result)
        if result.status == "failed":
            log.error("%s", result.error)
            break
    return results


def execute_step(step: Step, kernel: StepKernel, parameters: dict, run_dir: Path) -> StepResult:
    """Execute one step's notebook in `kernel`; its status comes from the step.json it wrote."""
    log.info("%s: %s", step.stem, step.title)
    notebook = run_dir / step.path.name
    started = time.perf_counter()
    failed = f"step {step.stem} failed"
    error = ""
    try:
        papermill.execute_notebook(
            step.path,
            notebook,
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            cwd=step.path.parent,
            progress_bar=False,
            log_output=False,
            km=kernel,
            on_cell_execute=partial(_progress, step),
        )
    except PapermillExecutionError as e:
        error = f"{failed} in cell {e.cell_index}: {e.ename}: {e.evalue}"
    except (CellControlSignal, RuntimeError) as e:  # the kernel died or timed out
        error = f"{failed}: {type(e).__name__}: {e}"
    seconds = round(time.perf_counter() - started, 2)
    if error:
        return StepResult(step, "failed", seconds, notebook.name, error=error)
    try:
        record = read_step_record(run_dir / step.stem / "step.json")
    except RunbookError as e:
        return StepResult(step, "failed", seconds, notebook.name, error=f"{failed}: {e}")
    return StepResult(
        step,
        record["status"],
        seconds,
        notebook.name,
        calls={"read": record["calls"]["read"], "write": record["calls"]["write"]},
        changes=record["changes"],
        exhibits=record["exhibits"],
    )


def _progress(step: Step, cell, cell_index: int) -> None:
    """Log a cell's first-line `#papermill_description=` (or `# papermill_...`) as it starts."""
    first = cell.source.partition("\n")[0].lstrip("# ")
    if first.startswith(DESCRIPTION):
        log.info("%s · %s", step.stem, first.removeprefix(DESCRIPTION).strip())
