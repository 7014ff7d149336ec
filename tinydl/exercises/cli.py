"""``tinydl exercises``: write fresh stubs, list the exercises, check your answers.

    tinydl exercises new my-exercises       # write the stubs into my-exercises/
    tinydl exercises list
    tinydl exercises check --dir my-exercises          # every exercise
    tinydl exercises check matmul --dir my-exercises   # one exercise

The main ``tinydl`` parser calls :func:`add_parser` to add the command and :func:`run` to
handle it. Exit codes: 0 all checked exercises pass; 1 some fail; 2 a usage problem.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tinydl.exercises.catalog import EXERCISES
from tinydl.exercises.runner import (
    check_exercise,
    check_exercises,
    existing_exercise_files,
    write_stubs,
)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``exercises`` command to the ``tinydl`` parser's subparsers."""
    parser = subparsers.add_parser(
        "exercises",
        help="backpropagation exercises with an automatic checker",
        description="Implement backward passes yourself and let tinydl check them: 'new' writes "
        "the stubs, each file's docstring explains its maths, 'check' gradient-checks your code "
        "and says what is wrong.",
    )
    actions = parser.add_subparsers(dest="exercises_command", required=True, metavar="ACTION")
    new = actions.add_parser("new", help="write fresh exercise stubs into DIR")
    new.add_argument("directory", metavar="DIR", help="folder for the stubs (created if needed)")
    new.add_argument("--force", action="store_true", help="overwrite exercise files that exist")
    check = actions.add_parser("check", help="check your answers")
    check.add_argument("name", nargs="?", metavar="NAME", help="one exercise (default: all)")
    check.add_argument("--dir", default=".", help="folder with your files (default: .)")
    actions.add_parser("list", help="list the exercises in the suggested order")
    return parser


def run(args: argparse.Namespace) -> int:
    """Handle ``tinydl exercises ...``; returns the exit code."""
    if args.exercises_command == "new":
        return _new(args.directory, args.force)
    if args.exercises_command == "check":
        return _check(args.name, args.dir)
    _list()
    return 0


def _new(directory: str, force: bool) -> int:
    try:
        paths = write_stubs(directory, force=force)
    except FileExistsError as err:
        print(f"tinydl exercises new: {err}", file=sys.stderr)
        return 2
    print(f"wrote {len(paths)} exercise stubs to {directory}/, in the suggested order:")
    _list()
    print(f"Fill them in, then check them all with:  tinydl exercises check --dir {directory}")
    print(f"or one of them with:  tinydl exercises check sigmoid --dir {directory}")
    return 0


def _list() -> None:
    width = max(len(item.filename) for item in EXERCISES.values())
    for number, item in enumerate(EXERCISES.values(), start=1):
        print(f"{number:>3}. {item.filename:<{width}}  {item.summary}")


def _check(name: str | None, directory: str) -> int:
    if name is not None:
        try:
            results = [check_exercise(name, directory)]
        except KeyError as err:
            print(f"tinydl exercises check: {err.args[0]}", file=sys.stderr)
            return 2
    elif not existing_exercise_files(directory):
        print(
            f"tinydl exercises check: no exercise files in {directory}; write them with: "
            f"tinydl exercises new {directory}",
            file=sys.stderr,
        )
        return 2
    else:
        results = check_exercises(directory)
    for result in results:
        print(result.report())
    passed = sum(result.passed for result in results)
    if len(results) > 1:
        print(f"{passed} of {len(results)} exercises pass")
    return 0 if passed == len(results) else 1
