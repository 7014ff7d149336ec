"""Gradient-checking exercises: implement backward passes yourself, and let tinydl tell you
exactly what is wrong.

``tinydl exercises new DIR`` copies the stubs (``stubs/``, one file per exercise, listed in
:data:`EXERCISES` in the suggested order) into DIR; ``tinydl exercises check [NAME]`` loads
the learner's files and checks them against tinydl's own ops: forward values, gradient
shapes, ``tinydl.gradcheck`` in float64, float32 kept float32. A failure names the input,
the worst element and both values, and recognises typical mistakes (a missing transpose,
broadcasting not summed back, a missing 1/N, a wrong padding offset, ...).

Read :mod:`~tinydl.exercises.checker` for how a check runs and
:mod:`~tinydl.exercises.diagnosis` for how mistakes are recognised.
"""

from tinydl.exercises.catalog import EXERCISES, Exercise
from tinydl.exercises.runner import (
    Result,
    check_exercise,
    check_exercises,
    stub_text,
    write_stubs,
)

__all__ = [
    "EXERCISES",
    "Exercise",
    "Result",
    "check_exercise",
    "check_exercises",
    "stub_text",
    "write_stubs",
]
