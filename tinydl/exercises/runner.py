"""What ``tinydl exercises`` does: write fresh stubs into a folder, and check a learner's
files there, one :class:`Result` per exercise."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from tinydl import check
from tinydl.exercises.catalog import EXERCISES
from tinydl.exercises.checker import Failure, load_module
from tinydl.exercises.exercise import Exercise


@dataclass(frozen=True)
class Result:
    """The outcome of checking one exercise: passed, or the problem with its likely cause,
    advice on what to do next, and the learner's line when their code raised. None of them
    gives a hint away: only ``tinydl exercises hint`` does, and counts it."""

    name: str
    passed: bool
    problem: str = ""
    cause: str | None = None
    advice: str | None = None
    location: str | None = None

    def report(self) -> str:
        """'PASS  name', or 'FAIL  name: problem' followed by where, likely cause and advice."""
        if self.passed:
            return f"PASS  {self.name}"
        lines = [f"FAIL  {self.name}: {self.problem}"]
        if self.location:
            lines.append(f"      at {self.location}")
        if self.cause:
            lines.append(f"      likely cause: {self.cause}")
        if self.advice:
            lines.append(f"      advice: {self.advice}")
        return "\n".join(lines)


def exercise(name: str) -> Exercise:
    """The exercise called ``name`` (its file name, with or without .py, also works)."""
    key = name.removesuffix(".py")
    if key not in EXERCISES:
        raise KeyError(f"no exercise called {name!r}; the exercises are: {', '.join(EXERCISES)}")
    return EXERCISES[key]


LEVELS = ("guided", "full")
# Code a stub gives at the guided level sits between these two comment lines; the full level
# (CS231n's: forward and backward from the maths alone) replaces it with a NotImplementedError.
GIVEN = re.compile(r"^(?P<indent> *)# given: start.*?\n.*?^(?P=indent)# given: end\n", re.M | re.S)
FULL_LEVEL_NOTE = (
    "\nFull level: you write the forward pass too (and im2col, where the guided level gives it),\n"
    "from the maths alone. Keep the names below: the checker calls them.\n"
)


def stub_text(name: str, level: str = "guided") -> str:
    """The fresh stub of exercise ``name`` at ``level`` ("guided": the forward pass given
    where the exercise is about backward; "full": forward and backward to write)."""
    check.one_of("stub_text()", "level", level, LEVELS)
    stub = resources.files("tinydl.exercises.stubs").joinpath(exercise(name).filename)
    text = stub.read_text(encoding="utf-8")
    if level == "guided" or not GIVEN.search(text):  # no given code: one level only
        return text
    first_line, rest = text.split("\n", 1)
    return first_line + "\n" + FULL_LEVEL_NOTE + GIVEN.sub(_not_given, rest)


def _not_given(match: re.Match[str]) -> str:
    """The given code of ``match`` replaced by a NotImplementedError naming the function."""
    before = match.string[: match.start()]
    function = re.findall(r"^( *)def (\w+)\(", before, flags=re.M)[-1]
    what = function[1]
    if function[0]:  # a method: name its class too
        what = re.findall(r"^class (\w+)", before, flags=re.M)[-1] + "." + what
    return f'{match["indent"]}raise NotImplementedError("write {what}")\n'


def write_stubs(directory: str | Path, force: bool = False, level: str = "guided") -> list[Path]:
    """Write every exercise's fresh stub at ``level`` into ``directory`` (created if needed)
    and return the paths. Refuses, naming them, if any of those files exist, unless
    ``force``."""
    check.one_of("write_stubs()", "level", level, LEVELS)
    directory = Path(directory)
    texts = {item.filename: stub_text(item.name, level) for item in EXERCISES.values()}
    targets = [directory / filename for filename in texts]
    existing = [str(path) for path in targets if path.exists()]
    if existing and not force:
        raise FileExistsError(
            f"{len(existing)} exercise file(s) already exist: {', '.join(existing)}. Nothing "
            f"was written; pass --force to overwrite them (the answers in them would be lost)"
        )
    directory.mkdir(parents=True, exist_ok=True)
    for path in targets:
        path.write_text(texts[path.name], encoding="utf-8")
    return targets


def check_exercise(name: str, directory: str | Path = ".") -> Result:
    """Load ``directory/<name>.py`` and check it."""
    item = exercise(name)
    path = (Path(directory) / item.filename).resolve()
    if not path.is_file():
        return Result(
            item.name,
            False,
            f"no file {path}",
            advice=f"write the stubs with: tinydl exercises new {directory}",
        )
    try:
        item.check(load_module(path))
    except Failure as failure:
        return Result(
            item.name,
            False,
            failure.problem,
            failure.cause,
            failure.advice,
            failure.location,
        )
    except Exception as err:  # noqa: BLE001  (odd answers must not crash the whole report)
        return Result(
            item.name,
            False,
            f"the checker could not run on your code: {type(err).__name__}: {err}",
        )
    return Result(item.name, True)


def check_exercises(
    directory: str | Path = ".", names: Iterable[str] | None = None
) -> list[Result]:
    """Check several exercises (all of them by default), in the catalogue's order."""
    chosen = list(EXERCISES) if names is None else [exercise(name).name for name in names]
    return [check_exercise(name, directory) for name in chosen]


def existing_exercise_files(directory: str | Path) -> list[Path]:
    """The exercise files present in ``directory``."""
    directory = Path(directory)
    return [
        directory / item.filename
        for item in EXERCISES.values()
        if (directory / item.filename).is_file()
    ]
