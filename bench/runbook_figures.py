"""Print the runbook's figures: wall time per step and call counts, through papermill and bare.

    .venv/bin/python bench/runbook_figures.py [--repeat 3] [--create-account-seconds 0.3]

For each mode the sandbox is reset, then the runbook builds the organization (first run)
and runs again (second run, which must make 0 writes). "papermill" is `runbook.run`: every
step through papermill, all in one kernel; "bare" executes the same notebooks' code cells in
this one process, so the helper calls are exactly the same. Medians over --repeat rounds;
the last line of each table is papermill's total over bare's (the target: 1.6 at most).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
from IPython.display import display

import runbook
from helpers.sandbox import Sandbox
from runbook.execute import DEFAULT_CONFIG
from runbook.steps import discover


def bare(url: str, run_dir: Path) -> dict[str, tuple[float, dict]]:
    """Execute every step's code cells in this process; seconds and calls per step."""
    parameters = {
        "config_path": str(DEFAULT_CONFIG),
        "target": "sandbox",
        "endpoint_url": url,
        "profile": "",
        "apply": True,
        "run_dir": str(run_dir),
    }
    figures = {}
    for step in discover():
        cells = nbformat.read(step.path, as_version=4).cells
        code = [
            c.source
            for c in cells
            if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])
        ]
        namespace = {**parameters, "display": display}  # a kernel's builtin
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            for source in code:
                exec(compile(source, str(step.path), "exec"), namespace)  # noqa: S102
        calls = namespace["kit"].recorder.totals()
        figures[step.stem] = (time.perf_counter() - started, calls)
    return figures


def papermill(url: str, out: Path) -> dict[str, tuple[float, dict]]:
    summary = runbook.run(endpoint_url=url, out=out)
    assert all(s["status"] == "ok" for s in summary["steps"]), summary["steps"]
    return {s["step"]: (s["seconds"], s["calls"]) for s in summary["steps"]}


def measure(sandbox: Sandbox, mode: str, out: Path) -> list[dict[str, tuple[float, dict]]]:
    """The first and second run of one mode, from a freshly reset sandbox."""
    sandbox.reset()
    runs = []
    for _ in range(2):
        started = time.perf_counter()
        if mode == "bare":
            figures = bare(sandbox.url, Path(tempfile.mkdtemp(dir=out)))
        else:
            figures = papermill(sandbox.url, out)
        figures["total (wall)"] = (time.perf_counter() - started, _sum(figures.values()))
        runs.append(figures)
    return runs


def _sum(figures) -> dict:
    return {k: sum(calls[k] for _, calls in figures) for k in ("read", "write")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--create-account-seconds", type=float, default=0.3)
    args = parser.parse_args()
    modes = ["papermill", "bare"]
    with (
        tempfile.TemporaryDirectory() as tmp,
        Sandbox(create_account_seconds=args.create_account_seconds) as sandbox,
    ):
        rounds = {m: [measure(sandbox, m, Path(tmp)) for _ in range(args.repeat)] for m in modes}
    print(
        f"runbook against the embedded sandbox, CreateAccount takes "
        f"{args.create_account_seconds}s; median of {args.repeat} rounds (seconds)"
    )
    for run, label in enumerate(("first run (builds)", "second run (changes nothing)")):
        print(f"\n{label}")
        print(f"{'step':28}" + "".join(f"{m:>14}" for m in modes) + f"{'reads':>8}{'writes':>8}")
        rows = rounds["bare"][0][run]
        for step in rows:
            medians = [statistics.median(r[run][step][0] for r in rounds[m]) for m in modes]
            calls = rows[step][1]
            print(
                f"{step:28}"
                + "".join(f"{s:>14.2f}" for s in medians)
                + f"{calls['read']:>8}{calls['write']:>8}"
            )
        total = {m: statistics.median(r[run]["total (wall)"][0] for r in rounds[m]) for m in modes}
        print(f"{'papermill / bare':28}{total['papermill'] / total['bare']:>14.2f}")


if __name__ == "__main__":
    main()
