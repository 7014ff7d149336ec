"""Bad input for the capstone's entry point, train_capstone (``tinydl exercises train``), and
for the new engine exercises' checks. Format: see tests/bad_input_table.py."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from bad_input_table import Case, check, params
from exercise_mistakes import SOLUTIONS

from tinydl.data.errors import DataError
from tinydl.exercises import check_exercise
from tinydl.exercises.capstone import train_capstone

MISSING = Path(tempfile.gettempdir()) / "tinydl-no-such-capstone-folder"

CASES = [
    Case("train_capstone-network", lambda: train_capstone(SOLUTIONS, "rnn"),
         ValueError, ("train_capstone(): network must be 'mlp' or 'cnn'", "got 'rnn'")),
    Case("train_capstone-limit-zero", lambda: train_capstone(SOLUTIONS, limit=0),
         ValueError, ("train_capstone(): limit must be a positive integer", "got 0")),
    Case("train_capstone-limit-text", lambda: train_capstone(SOLUTIONS, limit="100"),
         TypeError, ("train_capstone(): limit must be a positive integer", "got '100'")),
    Case("train_capstone-test_limit", lambda: train_capstone(SOLUTIONS, test_limit=-5),
         ValueError, ("train_capstone(): test_limit must be a positive integer", "got -5")),
    Case("train_capstone-seed", lambda: train_capstone(SOLUTIONS, seed=-1),
         ValueError, ("train_capstone(): seed must be an integer >= 0", "got -1")),
    Case("train_capstone-folder", lambda: train_capstone(MISSING),
         FileNotFoundError, (f"train_capstone(): no folder {MISSING}", "tinydl exercises new")),
    Case("train_capstone-data", lambda: train_capstone(SOLUTIONS, data=MISSING),
         DataError, (f"train_capstone(): data {MISSING} is no folder", "mnist/")),
    Case("check_exercise-engine-name", lambda: check_exercise("topological_sort"),
         KeyError, ("no exercise called 'topological_sort'", "backward_walk", "sum_to_shape")),
]  # fmt: skip


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input(case: Case) -> None:
    check(case)
    assert not MISSING.exists()  # a refused call creates nothing
