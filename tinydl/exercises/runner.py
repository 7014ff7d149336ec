"""What ``tinydl exercises`` does: write fresh stubs into a folder, and check a learner's
files there, one :class:`Result` per exercise."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from tinydl.exercises.catalog import EXERCISES, Exercise
from tinydl.exercises.checker import Failure, load_module


@dataclass(frozen=True)
class Result:
    """The outcome of checking one exercise: passed, or the problem with its likely cause,
    a hint, and the learner's line when their code raised."""

    name: str
    passed: bool
    problem: str = ""
    cause: str | None = None
    hint: str | None = None
    location: str | None = None

    def report(self) -> str:
        """'PASS  name', or 'FAIL  name: problem' followed by where, likely cause and hint."""
        if self.passed:
            return f"PASS  {self.name}"
        lines = [f"FAIL  {self.name}: {self.problem}"]
        if self.location:
            lines.append(f"      at {self.location}")
        if self.cause:
            lines.append(f"      likely cause: {self.cause}")
        if self.hint:
            lines.append(f"      hint: {self.hint}")
        return "\n".join(lines)


def exercise(name: str) -> Exercise:
    """The exercise called ``name`` (its file name, with or without .py, also works)."""
    key = name.removesuffix(".py")
    if key not in EXERCISES:
        raise KeyError(f"no exercise called {name!r}; the exercises are: {', '.join(EXERCISES)}")
    return EXERCISES[key]


def stub_text(name: str) -> str:
    """The fresh stub of exercise ``name``, as shipped inside the package."""
    stub = resources.files("tinydl.exercises.stubs").joinpath(exercise(name).filename)
    return stub.read_text(encoding="utf-8")


def write_stubs(directory: str | Path, force: bool = False) -> list[Path]:
    """Write every exercise's fresh stub into ``directory`` (created if needed) and return the
    paths. Refuses, naming them, if any of those files exist, unless ``force``."""
    directory = Path(directory)
    targets = [directory / item.filename for item in EXERCISES.values()]
    existing = [str(path) for path in targets if path.exists()]
    if existing and not force:
        raise FileExistsError(
            f"{len(existing)} exercise file(s) already exist: {', '.join(existing)}. Nothing "
            f"was written; pass --force to overwrite them (the answers in them would be lost)"
        )
    directory.mkdir(parents=True, exist_ok=True)
    for path in targets:
        path.write_text(stub_text(path.stem), encoding="utf-8")
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
            hint=f"write the stubs with: tinydl exercises new {directory}",
        )
    try:
        item.check(load_module(path))
    except Failure as failure:
        return Result(
            item.name,
            False,
            failure.problem,
            failure.cause,
            failure.hint or item.hint,
            failure.location,
        )
    except Exception as err:  # noqa: BLE001  (odd answers must not crash the whole report)
        return Result(
            item.name,
            False,
            f"the checker could not run on your code: {type(err).__name__}: {err}",
            hint=item.hint,
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
