"""`python -m runbook run | plan | teardown | sandbox | lab`: a thin layer over `runbook.run`.

Only argparse and the step list load up front (`--help` answers at once); the config's
models, papermill and the sandbox are imported when a command needs them.
"""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
from pathlib import Path

from runbook.steps import (
    DEFAULT_CONFIG,
    NOTEBOOKS,
    RUN_STEPS,
    RUNS,
    STEP_TIMEOUT,
    TARGETS,
    TEARDOWN_STEPS,
    RunbookError,
)

SHOWN_CHANGES = 5  # per step, in the terminal; the report lists them all


def parser() -> argparse.ArgumentParser:
    """The command line: `run`, `plan` and `teardown` share their options; `sandbox` and
    `lab` have their own."""
    base = argparse.ArgumentParser(add_help=False)
    base.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG,
        help="desired-state file (default: %(default)s)",
    )
    base.add_argument(
        "--target", choices=TARGETS, default="sandbox", help="where the calls go (default: sandbox)"
    )
    base.add_argument("--profile", help="AWS CLI profile of the management account (aws)")
    base.add_argument(
        "--endpoint",
        metavar="URL",
        help="a running sandbox (default: the kept sandbox under --out, started if need be)",
    )
    base.add_argument(
        "--fresh",
        action="store_true",
        help="reset the kept sandbox to its starting state first",
    )
    base.add_argument(
        "--out", type=Path, default=RUNS, help="parent of the run folder (default: %(default)s/)"
    )
    base.add_argument(
        "--notebooks",
        type=Path,
        default=NOTEBOOKS,
        help="the folder of step notebooks (default: the kit's notebooks/)",
    )
    base.add_argument(
        "--step-timeout",
        type=float,
        metavar="SECONDS",
        help=f"stop a step that runs longer (default: {STEP_TIMEOUT['sandbox']} on the sandbox, "
        f"{STEP_TIMEOUT['aws']} on aws; 0: never)",
    )
    common = argparse.ArgumentParser(add_help=False, parents=[base])
    which = common.add_mutually_exclusive_group()
    which.add_argument("--from", dest="from_step", metavar="STEP", help="start at STEP")
    which.add_argument("--only", metavar="STEP", help="run STEP alone: 02, accounts_and_ous, ...")
    common.add_argument(
        "--fail-on-scorecard",
        action="store_true",
        help="exit with 1 when the scorecard (step 09) marks a goal not met",
    )

    top = argparse.ArgumentParser(
        prog="python -m runbook",
        description="Run the kit's step notebooks against the sandbox or an AWS management "
        "account; each run leaves a folder with the executed notebooks and a report. The "
        "sandbox is kept running under runs/sandbox, so a second run finds the first run's "
        "organization (and changes nothing).",
    )
    commands = top.add_subparsers(dest="command", required=True)
    run_cmd = commands.add_parser("run", parents=[common], help="run steps 00-09")
    run_cmd.add_argument(
        "--apply",
        action="store_true",
        default=None,
        help="make the changes against aws (always done against the sandbox)",
    )
    commands.add_parser("plan", parents=[common], help="run steps 00-09, changing nothing")
    teardown = commands.add_parser(
        "teardown",
        parents=[base],
        help="step 10: undo the kit's work (plan by default)",
        description="Run step 10 alone: say what the clean-up would undo, or undo it with "
        "--apply, in the kept sandbox (or the one at --endpoint, or AWS).",
    )
    act = teardown.add_mutually_exclusive_group()
    act.add_argument("--apply", action="store_true", help="undo it (default: only plan)")
    act.add_argument(
        "--reset-sandbox",
        action="store_true",
        help="sandbox only: reset the sandbox at --endpoint to its starting state instead",
    )
    sandbox = commands.add_parser(
        "sandbox",
        help="run a sandbox until Ctrl-C, or stop the kept one (--stop)",
        description="Run a sandbox in the foreground (for a workshop: paste the lines it "
        "prints), or stop the kept sandbox that run, plan and teardown use.",
    )
    sandbox.add_argument("--port", type=int, default=0, help="default: any free port")
    sandbox.add_argument("--stop", action="store_true", help="stop the kept sandbox under --out")
    sandbox.add_argument(
        "--out", type=Path, default=RUNS, help="where the kept sandbox lives (default: runs/)"
    )
    sandbox.add_argument("--state", type=Path, help=argparse.SUPPRESS)  # how `run` keeps one
    lab = commands.add_parser("lab", help="the workshop: a sandbox and JupyterLab sharing it")
    lab.add_argument("--port", type=int, default=8888, help="JupyterLab's (default: %(default)s)")
    lab.add_argument("--sandbox-port", type=int, default=0, help="default: any free port")
    lab.add_argument("--token", help="JupyterLab's access token (default: a random one)")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser")
    return top


def main(argv: list[str] | None = None) -> int:
    """Parse, run, print one line per step (and its first changes) and the report's path;
    return the exit code: 0, 1 (a step failed), 2 (refused), 128 + signal (interrupted)."""
    args = parser().parse_args(argv)
    if args.command == "sandbox":
        return stop_sandbox(args.out) if args.stop else serve_sandbox(args.port, args.state)
    if args.command == "lab":
        from runbook.lab import serve_lab

        return serve_lab(args.port, args.sandbox_port, args.token, not args.no_browser)
    if args.command == "teardown" and args.reset_sandbox:
        return reset_sandbox(args.target, args.endpoint)
    from helpers.config import ConfigError
    from runbook.execute import Interrupted, log, run

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        summary = run(
            args.config,
            args.target,
            endpoint_url=args.endpoint,
            profile=args.profile,
            apply=False if args.command == "plan" else args.apply,  # teardown: False unless asked
            from_step=getattr(args, "from_step", None),
            only=getattr(args, "only", None),
            out=args.out,
            notebooks_dir=args.notebooks,
            numbers=TEARDOWN_STEPS if args.command == "teardown" else RUN_STEPS,
            step_timeout=args.step_timeout,
            keep=args.out,
            fresh=args.fresh,
        )
    except (ConfigError, RunbookError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except Interrupted as stopped:
        if stopped.summary is not None:
            report(stopped.summary, args.out)
        print(f"interrupted by {stopped.name}", file=sys.stderr)
        return 128 + stopped.signum
    finally:
        log.removeHandler(handler)
    report(summary, args.out)
    if args.target == "sandbox" and not args.endpoint:
        from runbook import kept

        print(
            f"sandbox: kept running at {kept.find(args.out).url} for the next run; "
            f"`python -m runbook sandbox --stop{_out_option(args.out)}` stops it"
        )
    failed = summary["status"] == "failed"
    if getattr(args, "fail_on_scorecard", False):
        return 1 if failed or not scorecard_passes(args.out / summary["run_id"]) else 0
    return 1 if failed else 0


def report(summary: dict, out: Path) -> None:
    """One line per step, its first changes and to-dos, the error, and the report's path."""
    planned = "planned" if summary["status"] == "planned" else "done"
    for step in summary["steps"]:
        calls = step["calls"]
        changes = step["changes"]
        print(
            f"{step['status']:<11} {step['seconds']:7.2f}s  {calls['read']:4} reads "
            f"{calls['write']:4} writes {len(changes):4} changes  {step['step']}"
        )
        for change in changes[:SHOWN_CHANGES]:
            detail = f" ({change['detail']})" if change["detail"] else ""
            print(f"{'':13}{change['action']} {change['resource']}{detail}")
        if len(changes) > SHOWN_CHANGES:
            print(f"{'':13}... {len(changes) - SHOWN_CHANGES} more ({len(changes)} {planned})")
        for what in step["todo"]:
            print(f"{'':13}to do by you: {what}")
    if summary["error"]:
        print(f"error: {summary['error']}", file=sys.stderr)
    if summary["scorecard"] is not None:
        from runbook.report import scorecard_line

        print(f"scorecard: {scorecard_line(summary['scorecard'])}")
    print(f"report: {out / summary['run_id'] / 'report.html'}")


def _out_option(out: Path) -> str:
    return "" if out == RUNS else f" --out {shlex.quote(str(out))}"


def scorecard_passes(run_dir: Path) -> bool:
    """Print the goals the run's scorecard marks not met; True when there are none."""
    from runbook.report import scorecard

    card = scorecard(run_dir)
    if card is None:
        print("scorecard: none in this run (--fail-on-scorecard needs step 09)", file=sys.stderr)
        return False
    failures = [row for row in card["rows"] if row["key"] in card["failed"]]
    for row in failures:
        print(f"scorecard: not met: {row['goal']}: {row['fix']}", file=sys.stderr)
    return not failures


def reset_sandbox(target: str, endpoint: str | None) -> int:
    """`teardown --reset-sandbox`: the sandbox at `endpoint` back to its starting state."""
    if target != "sandbox" or not endpoint:
        print(
            "error: --reset-sandbox resets a running sandbox: give --endpoint and no "
            "--target aws (against AWS, run teardown --apply; the kept sandbox: run --fresh)",
            file=sys.stderr,
        )
        return 2
    from helpers.targets import SandboxClient

    sandbox = SandboxClient(endpoint)
    url = sandbox.url
    try:
        sandbox.settings()  # the kit's sandbox?
        sandbox.reset()
    except OSError as error:
        print(f"error: no kit sandbox answers at {url}: {error}", file=sys.stderr)
        return 2
    print(f"sandbox at {url} reset to its starting state")
    return 0


def stop_sandbox(out: Path) -> int:
    """`sandbox --stop`: stop the kept sandbox under `out`."""
    from runbook import kept

    stopped = kept.stop(out)
    print(f"kept sandbox at {stopped.url} stopped" if stopped else "no kept sandbox was running")
    return 0


def serve_sandbox(port: int, state: Path | None = None) -> int:
    """Run a sandbox in the foreground until Ctrl-C: print the environment to export, or
    (`state`) write where it answers to that file, as the kept sandbox does."""
    import os

    from helpers.sandbox import Sandbox
    from runbook.kept import KeptSandbox

    sandbox = Sandbox(port=port)
    sandbox.start()
    try:
        if state is not None:
            KeptSandbox(sandbox.url, os.getpid(), sandbox.env()).write(state)
        else:
            for name, value in sandbox.env().items():
                print(f"export {name}={shlex.quote(value)}")
            print(f"# sandbox at {sandbox.url}: paste the lines above in a shell; Ctrl-C stops it")
        sys.stdout.flush()
        sandbox.wait()
    except KeyboardInterrupt:
        print("\nsandbox stopped", file=sys.stderr)
    finally:
        sandbox.stop()
    return 0
