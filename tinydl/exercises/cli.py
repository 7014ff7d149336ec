"""``tinydl exercises``: write fresh stubs, list the exercises, check your answers, ask for
hints, see how far you are.

    tinydl exercises new my-exercises       # write the stubs into my-exercises/
    tinydl exercises new my-exercises --level full     # forward passes to write too
    tinydl exercises list
    tinydl exercises check --dir my-exercises          # every exercise
    tinydl exercises check matmul --dir my-exercises   # one exercise
    tinydl exercises hint matmul --dir my-exercises    # the next of three hints
    tinydl exercises status --dir my-exercises         # passed / failing / not started
    tinydl exercises train --dir my-exercises          # the capstone: an MLP of your own code
    tinydl exercises train cnn --dir my-exercises      # then a small CNN

The main ``tinydl`` parser calls :func:`add_parser` to add the command and :func:`run` to
handle it. Exit codes: 0 all checked exercises pass (``train``: it trained); 1 some fail (``train``:
an exercise it needs does not pass its check); 2 a usage problem.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import Any

from tinydl.data.errors import DataError
from tinydl.exercises.capstone import NETWORKS, UnsolvedExercisesError, train_capstone
from tinydl.exercises.catalog import EXERCISES
from tinydl.exercises.progress import (
    exercise_status,
    hints_used,
    record_level,
    reveal_hint,
)
from tinydl.exercises.runner import (
    LEVELS,
    check_exercise,
    check_exercises,
    exercise,
    existing_exercise_files,
    write_stubs,
)
from tinydl.train.checkpoint import folder_problem

STATES = ("passed", "failing", "not started")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``exercises`` command to the ``tinydl`` parser's subparsers."""
    parser = subparsers.add_parser(
        "exercises",
        help="backpropagation exercises with an automatic checker",
        description="Derive and implement backward passes yourself and let tinydl check them: "
        "'new' writes the stubs, each file's docstring states the task, 'check' gradient-checks "
        "your code and says what is wrong, 'hint' reveals the next of three hints, 'status' "
        "shows how far you are.",
    )
    actions = parser.add_subparsers(dest="exercises_command", required=True, metavar="ACTION")
    new = actions.add_parser("new", help="write fresh exercise stubs into DIR")
    new.add_argument("directory", metavar="DIR", help="folder for the stubs (created if needed)")
    new.add_argument("--force", action="store_true", help="overwrite exercise files that exist")
    new.add_argument(
        "--level",
        choices=LEVELS,
        default="guided",
        help="guided (default): the forward pass is given where the exercise is about backward; "
        "full: write forward and backward from the maths alone",
    )
    check = actions.add_parser("check", help="check your answers")
    check.add_argument("name", nargs="?", metavar="NAME", help="one exercise (default: all)")
    check.add_argument("--dir", default=".", help="folder with your files (default: .)")
    actions.add_parser("list", help="list the exercises in the suggested order")
    hint = actions.add_parser("hint", help="reveal the next of an exercise's three hints")
    hint.add_argument("name", metavar="NAME", help="the exercise")
    hint.add_argument("--dir", default=".", help="folder with your files (default: .)")
    status = actions.add_parser("status", help="passed / failing / not started, and hints used")
    status.add_argument("--dir", default=".", help="folder with your files (default: .)")
    train = actions.add_parser(
        "train",
        help="the capstone: train an MNIST network built from your own Functions",
        description="Build an MLP (or a small CNN) for MNIST from your own Functions and "
        "optimiser, train it for one epoch beside the same network on tinydl's own ops, and "
        "report both test accuracies. Refuses while an exercise it needs does not pass.",
    )
    train.add_argument(
        "network", nargs="?", default="mlp", choices=NETWORKS,
        help="mlp (default: 784 → 256 → 10) or cnn (two 3×3 convolutions with max-pooling)",
    )  # fmt: skip
    train.add_argument("--dir", default=".", help="folder with your files (default: .)")
    train.add_argument(
        "--data", default=None, help="folder holding mnist/ (default: $TINYDL_DATA, then the cache)"
    )
    train.add_argument("--limit", type=int, help="train on the first N images only (quick runs)")
    train.add_argument("--seed", type=int, default=0, help="initial weights and batch order")
    return parser


def run(args: argparse.Namespace) -> int:
    """Handle ``tinydl exercises ...``; returns the exit code."""
    if args.exercises_command == "new":
        return _new(args.directory, args.force, args.level)
    if args.exercises_command == "check":
        return _check(args.name, args.dir)
    if args.exercises_command == "hint":
        return _hint(args.name, args.dir)
    if args.exercises_command == "status":
        return _status(args.dir)
    if args.exercises_command == "train":
        return _train(args)
    _list()
    return 0


def _new(directory: str, force: bool, level: str) -> int:
    problem = folder_problem(directory)
    if problem is not None:
        print(f"tinydl exercises new: {directory}: {problem}", file=sys.stderr)
        return 2
    try:
        paths = write_stubs(directory, force=force, level=level)
    except FileExistsError as err:
        print(f"tinydl exercises new: {err}", file=sys.stderr)
        return 2
    record_level(directory, level)
    print(
        f"wrote {len(paths)} exercise stubs to {directory}/ ({level} level), in the suggested "
        f"order:"
    )
    _list()
    print(f"Fill them in, then check them all with:  tinydl exercises check --dir {directory}")
    print(f"or one of them with:  tinydl exercises check sigmoid --dir {directory}")
    print(f"Stuck? The next of three hints:  tinydl exercises hint sigmoid --dir {directory}")
    print(f"Then the capstone, MNIST on your own code:  tinydl exercises train --dir {directory}")
    return 0


def _hint(name: str, directory: str) -> int:
    try:
        item = exercise(name)
        shown, new = reveal_hint(name, directory)
    except (KeyError, FileNotFoundError, ValueError) as err:
        print(f"tinydl exercises hint: {err.args[0]}", file=sys.stderr)
        return 2
    if not new:
        print(f"no more hints for {item.name}: all {shown} again.")
    for level in range(shown):
        print(f"{item.name}, hint {level + 1} of {len(item.hints)} ({item.hint_kinds[level]}):")
        print(
            textwrap.fill(item.hints[level], width=96, initial_indent="  ", subsequent_indent="  ")
        )
    return 0


def _no_files(action: str, directory: str) -> bool:
    """True, after saying so, when ``directory`` holds no exercise file."""
    if existing_exercise_files(directory):
        return False
    print(
        f"tinydl exercises {action}: no exercise files in {directory}; write them with: "
        f"tinydl exercises new {directory}",
        file=sys.stderr,
    )
    return True


def _status(directory: str) -> int:
    if _no_files("status", directory):
        return 2
    try:
        statuses = exercise_status(directory)
    except ValueError as err:
        print(f"tinydl exercises status: {err}", file=sys.stderr)
        return 2
    width = max(len(item.filename) for item in EXERCISES.values())
    for number, status in enumerate(statuses, start=1):
        line = f"{number:>3}. {status.name + '.py':<{width}}  {status.state:<11}  "
        line += f"hints {status.hints}/3"
        print(f"{line}  {status.problem}".rstrip())
    counts = {state: sum(s.state == state for s in statuses) for state in STATES}
    print(", ".join(f"{count} {state}" for state, count in counts.items()))
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
    elif _no_files("check", directory):
        return 2
    else:
        results = check_exercises(directory)
    for result in results:
        print(result.report())
    passed = sum(result.passed for result in results)
    failed = [result.name for result in results if not result.passed]
    if failed:
        print(_next_hint(failed[0], directory))
    if len(results) > 1:
        print(f"{passed} of {len(results)} exercises pass")
    return 0 if passed == len(results) else 1


def _next_hint(name: str, directory: str) -> str:
    """Where the next hint of exercise ``name`` is, and which one it would be: the check
    itself shows none, so that ``status`` counts every hint a learner has seen."""
    try:
        shown = hints_used(directory, name)
    except ValueError:  # a damaged state file: 'hint' and 'status' say so
        shown = 0
    command = f"tinydl exercises hint {name} --dir {directory}"
    total = len(exercise(name).hints)
    if shown >= total:
        return f"All {total} hints for {name} are shown; to see them again:  {command}"
    return f"Stuck? Hint {shown + 1} of {total} for {name}:  {command}"


def _train(args: argparse.Namespace) -> int:
    try:
        train_capstone(args.dir, args.network, args.data, args.limit, seed=args.seed)
    except UnsolvedExercisesError as err:
        print(f"tinydl exercises train: {err}", file=sys.stderr)
        return 1
    except (FileNotFoundError, ValueError, DataError) as err:
        message = str(err.args[0] if err.args else err).removeprefix("train_capstone(): ")
        print(f"tinydl exercises train: {message}", file=sys.stderr)
        return 2
    return 0
