"""A learner's progress in their exercises folder: the hints revealed so far, kept in a small
JSON file there (:data:`STATE_FILE`), and each exercise's status (passed, failing or not
started)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinydl import check
from tinydl.exercises.catalog import EXERCISES
from tinydl.exercises.runner import LEVELS, check_exercise, exercise, stub_text

STATE_FILE = ".tinydl-exercises.json"


def read_state(directory: str | Path) -> dict[str, Any]:
    """The folder's state: ``{"level": ..., "hints": {name: hints revealed}}``."""
    path = Path(directory) / STATE_FILE
    if not path.is_file():
        return {"level": "guided", "hints": {}}
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(
            f"{path} is not valid JSON ({err.msg}, line {err.lineno}); delete it to start the "
            f"hint count again"
        ) from None
    if not isinstance(state, dict) or not isinstance(state.get("hints", {}), dict):
        raise ValueError(
            f"{path} does not hold tinydl's exercise state (a JSON object with a 'hints' "
            f"object); delete it to start the hint count again"
        )
    for name, count in state.get("hints", {}).items():
        if not check.is_int(count) or count < 0:
            raise ValueError(
                f"{path} says {count!r} hints of {name} were shown, but a count of hints is a "
                f"whole number >= 0; correct it or delete the file to start the hint count again"
            )
    state.setdefault("level", "guided")
    state.setdefault("hints", {})
    return state


def write_state(directory: str | Path, state: dict[str, Any]) -> None:
    path = Path(directory) / STATE_FILE
    path.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def record_level(directory: str | Path, level: str) -> None:
    """Remember the level the stubs were written at (hints already used stay counted)."""
    state = read_state(directory)
    state["level"] = level
    write_state(directory, state)


def hints_used(directory: str | Path, name: str) -> int:
    return int(read_state(directory)["hints"].get(exercise(name).name, 0))


def reveal_hint(name: str, directory: str | Path) -> tuple[int, bool]:
    """Reveal the next hint of exercise ``name``: returns (how many are revealed now, whether
    this call revealed a new one). After the third, nothing more is recorded."""
    item = exercise(name)
    if not Path(directory).is_dir():
        raise FileNotFoundError(
            f"no folder {directory}; write the stubs first with: tinydl exercises new {directory}"
        )
    state = read_state(directory)
    used = int(state["hints"].get(item.name, 0))
    if used >= len(item.hints):
        return used, False
    state["hints"][item.name] = used + 1
    write_state(directory, state)
    return used + 1, True


@dataclass(frozen=True)
class Status:
    """One exercise's status in a folder: "passed", "failing" or "not started" (no file, or
    the fresh stub unchanged), the hints used, and the first problem when failing."""

    name: str
    state: str
    hints: int
    problem: str = ""


def exercise_status(directory: str | Path) -> list[Status]:
    """Every exercise's status in ``directory``, in the catalogue's order (each file that
    differs from its fresh stub is checked)."""
    used = read_state(directory)["hints"]
    statuses = []
    for item in EXERCISES.values():
        path = Path(directory) / item.filename
        hints = int(used.get(item.name, 0))
        text = path.read_text(encoding="utf-8") if path.is_file() else None
        if text is None or text in {stub_text(item.name, level) for level in LEVELS}:
            statuses.append(Status(item.name, "not started", hints))
            continue
        result = check_exercise(item.name, directory)
        state = "passed" if result.passed else "failing"
        statuses.append(Status(item.name, state, hints, result.problem))
    return statuses
