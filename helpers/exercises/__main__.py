"""python -m helpers.exercises build [--fresh NAME ...] [--out DIR] | list"""

from __future__ import annotations

import argparse
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
    args = parser.parse_args(argv)
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
