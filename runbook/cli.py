"""`python -m runbook run | plan | sandbox | lab`: a thin layer over `runbook.run`."""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
import urllib.request
from pathlib import Path

from helpers.config import ConfigError
from runbook.execute import DEFAULT_CONFIG, RUNS, log, run, scorecard_failures
from runbook.steps import RUN_STEPS, TEARDOWN_STEPS, RunbookError
from runbook.target import TARGETS


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
    base.add_argument("--endpoint", metavar="URL", help="a running sandbox (default: start one)")
    base.add_argument(
        "--out", type=Path, default=RUNS, help="parent of the run folder (default: %(default)s/)"
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
        "account; each run leaves a folder with the executed notebooks and a report.",
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
        "--apply. Point it at the sandbox that holds the organization (--endpoint).",
    )
    act = teardown.add_mutually_exclusive_group()
    act.add_argument("--apply", action="store_true", help="undo it (default: only plan)")
    act.add_argument(
        "--reset-sandbox",
        action="store_true",
        help="sandbox only: reset the sandbox at --endpoint to its starting state instead",
    )
    sandbox = commands.add_parser("sandbox", help="run a sandbox until Ctrl-C")
    sandbox.add_argument("--port", type=int, default=0, help="default: any free port")
    lab = commands.add_parser("lab", help="the workshop: a sandbox and JupyterLab sharing it")
    lab.add_argument("--port", type=int, default=8888, help="JupyterLab's (default: %(default)s)")
    lab.add_argument("--sandbox-port", type=int, default=0, help="default: any free port")
    lab.add_argument("--token", help="JupyterLab's access token (default: a random one)")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser")
    return top


def main(argv: list[str] | None = None) -> int:
    """Parse, run, print one line per step and the report's path; return the exit code."""
    args = parser().parse_args(argv)
    if args.command == "sandbox":
        return serve_sandbox(args.port)
    if args.command == "lab":
        from runbook.lab import serve_lab

        return serve_lab(args.port, args.sandbox_port, args.token, not args.no_browser)
    if args.command == "teardown" and args.reset_sandbox:
        return reset_sandbox(args.target, args.endpoint)
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
            numbers=TEARDOWN_STEPS if args.command == "teardown" else RUN_STEPS,
        )
    except (ConfigError, RunbookError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    finally:
        log.removeHandler(handler)
    for step in summary["steps"]:
        calls = step["calls"]
        print(
            f"{step['status']:<8} {step['seconds']:7.2f}s  {calls['read']:4} reads "
            f"{calls['write']:4} writes  {step['step']}"
        )
    print(f"report: {args.out / summary['run_id'] / 'report.html'}")
    failed = any(step["status"] == "failed" for step in summary["steps"])
    if getattr(args, "fail_on_scorecard", False):
        return 1 if failed or not scorecard_passes(args.out / summary["run_id"]) else 0
    return 1 if failed else 0


def scorecard_passes(run_dir: Path) -> bool:
    """Print the goals the run's scorecard marks not met; True when there are none."""
    failures = scorecard_failures(run_dir)
    if failures is None:
        print("scorecard: none in this run (--fail-on-scorecard needs step 09)", file=sys.stderr)
        return False
    for row in failures:
        print(f"scorecard: not met: {row['goal']}: {row['fix']}", file=sys.stderr)
    return not failures


def reset_sandbox(target: str, endpoint: str | None) -> int:
    """`teardown --reset-sandbox`: the sandbox at `endpoint` back to its starting state."""
    if target != "sandbox" or not endpoint:
        print(
            "error: --reset-sandbox resets a running sandbox: give --endpoint and no "
            "--target aws (against AWS, run teardown --apply)",
            file=sys.stderr,
        )
        return 2
    url = endpoint.rstrip("/")
    try:
        urllib.request.urlopen(f"{url}/_kit/settings", timeout=10).close()  # the kit's sandbox?
        reset = urllib.request.Request(f"{url}/moto-api/reset", data=b"", method="POST")
        urllib.request.urlopen(reset, timeout=120).close()
    except OSError as error:
        print(f"error: no kit sandbox answers at {url}: {error}", file=sys.stderr)
        return 2
    print(f"sandbox at {url} reset to its starting state")
    return 0


def serve_sandbox(port: int) -> int:
    """Run a sandbox in the foreground, print the environment to export, stop on Ctrl-C."""
    from helpers.sandbox import Sandbox

    sandbox = Sandbox(port=port)
    sandbox.start()
    try:
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
