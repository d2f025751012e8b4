"""python -m helpers.exercises build [--fresh NAME ...] [--out DIR] | lab [--port N] | list"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from helpers.exercises.framework import SOURCES
from helpers.kit import REPO

WORK = REPO / "exercises" / "work"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.exercises", description="Self-study exercises."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser(
        "build", help="write the learner's copies from exercises/source (your work is kept)"
    )
    build.add_argument("--out", type=Path, default=WORK, help="default: %(default)s")
    build.add_argument(
        "--fresh", nargs="*", default=[], metavar="NAME", help="start these copies over"
    )
    commands.add_parser("list", help="the exercises: name, minutes, teaching notebooks")
    lab = commands.add_parser(
        "lab", help="JupyterLab on 127.0.0.1, opened at your copies (each starts its own sandbox)"
    )
    lab.add_argument("--port", type=int, default=8888, help="default: %(default)s")
    lab.add_argument("--token", help="JupyterLab's access token (default: a random one)")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser")
    args = parser.parse_args(argv)
    if args.command == "lab":  # the workshop's launcher, without its shared sandbox
        from runbook.lab import lab_command

        command = lab_command(args.port, args.token, not args.no_browser, "exercises/work")
        os.chdir(REPO)
        os.execv(command[0], command)  # JupyterLab itself: Ctrl-C and File > Shut Down as usual
    if args.command == "build":
        from helpers.exercises.notebooks import build as build_copies

        for name, what in build_copies(SOURCES, args.out, tuple(args.fresh)):
            print(f"{args.out / name}.ipynb: {what}")
    else:
        from helpers.exercises.catalog import EXERCISES

        for e in EXERCISES.values():
            print(f"{e.name:32} {e.minutes:3} min  {e.title}  (teaches: {', '.join(e.teaches)})")


if __name__ == "__main__":
    main()
