"""Bad input for the exercises' entry points: stub_text, write_stubs, check_exercise,
reveal_hint, read_state and exercise_status. Format: see tests/bad_input_table.py."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from bad_input_table import Case, check, params

from tinydl.exercises import check_exercise, stub_text, write_stubs
from tinydl.exercises.progress import STATE_FILE, exercise_status, read_state, reveal_hint


def with_state(text: str, call):
    """``call(folder)`` on a fresh folder whose state file holds ``text``."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / STATE_FILE).write_text(text, encoding="utf-8")
        (Path(folder) / "tanh.py").write_text("# started\n", encoding="utf-8")
        return call(folder)


MISSING = Path(tempfile.gettempdir()) / "tinydl-no-such-exercises-folder"

CASES = [
    Case("stub_text-name", lambda: stub_text("nope"),
         KeyError, ("no exercise called 'nope'", "the exercises are: sigmoid, tanh")),
    Case("stub_text-level", lambda: stub_text("tanh", "hard"),
         ValueError, ("stub_text(): level must be 'guided' or 'full'", "got 'hard'")),
    Case("write_stubs-level", lambda: write_stubs(MISSING, level="easy"),
         ValueError, ("write_stubs(): level must be 'guided' or 'full'", "got 'easy'")),
    Case("check_exercise-name", lambda: check_exercise("matmull"),
         KeyError, ("no exercise called 'matmull'",)),
    Case("reveal_hint-name", lambda: reveal_hint("nope", "."),
         KeyError, ("no exercise called 'nope'",)),
    Case("reveal_hint-folder", lambda: reveal_hint("tanh", MISSING),
         FileNotFoundError, (f"no folder {MISSING}", "tinydl exercises new")),
    Case("read_state-not-json", lambda: with_state("{hints", read_state),
         ValueError, ("is not valid JSON", "delete it to start the hint count again")),
    Case("read_state-not-an-object", lambda: with_state("[1, 2]", read_state),
         ValueError, ("does not hold tinydl's exercise state", "'hints' object")),
    Case("read_state-hints-not-an-object", lambda: with_state('{"hints": 3}', read_state),
         ValueError, ("does not hold tinydl's exercise state",)),
    Case("exercise_status-bad-state", lambda: with_state("{", exercise_status),
         ValueError, ("is not valid JSON",)),
]  # fmt: skip


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input(case: Case) -> None:
    check(case)
    assert not MISSING.exists()  # a refused call writes nothing
