"""`python -m runbook run | plan | sandbox | lab`: a thin layer over `runbook.run`."""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
from pathlib import Path

from helpers.config import ConfigError
from runbook.execute import DEFAULT_CONFIG, RUNS, log, run
from runbook.steps import RunbookError
from runbook.target import TARGETS


def parser() -> argparse.ArgumentParser:
    """The command line: `run` and `plan` share their options; `sandbox` has its own."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG,
        help="desired-state file (default: %(default)s)",
    )
    common.add_argument(
        "--target", choices=TARGETS, default="sandbox", help="where the calls go (default: sandbox)"
    )
    common.add_argument("--profile", help="AWS CLI profile of the management account (aws)")
    common.add_argument("--endpoint", metavar="URL", help="a running sandbox (default: start one)")
    which = common.add_mutually_exclusive_group()
    which.add_argument("--from", dest="from_step", metavar="STEP", help="start at STEP")
    which.add_argument("--only", metavar="STEP", help="run STEP alone: 02, accounts_and_ous, ...")
    common.add_argument(
        "--out", type=Path, default=RUNS, help="parent of the run folder (default: %(default)s/)"
    )

    top = argparse.ArgumentParser(
        prog="python -m runbook",
        description="Run the kit's step notebooks against the sandbox or an AWS management "
        "account; each run leaves a folder with the executed notebooks and a report.",
    )
    commands = top.add_subparsers(dest="command", required=True)
    run_cmd = commands.add_parser("run", parents=[common], help="run steps 00-08")
    run_cmd.add_argument(
        "--apply",
        action="store_true",
        default=None,
        help="make the changes against aws (always done against the sandbox)",
    )
    commands.add_parser("plan", parents=[common], help="run steps 00-08, changing nothing")
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
            apply=False if args.command == "plan" else args.apply,
            from_step=args.from_step,
            only=args.only,
            out=args.out,
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
    return 1 if any(step["status"] == "failed" for step in summary["steps"]) else 0


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
