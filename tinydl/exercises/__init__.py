"""Gradient-checking exercises: derive and implement backward passes yourself, and let
tinydl tell you exactly what is wrong.

``tinydl exercises new DIR`` copies the stubs (``stubs/``, one file per exercise, listed in
:data:`EXERCISES` in the suggested order) into DIR. A stub states the task, the shapes, the
forward pass and what backward returns, never the derivative; ``--level full`` leaves the
given forward passes to the learner too. ``tinydl exercises check [NAME]`` loads the
learner's files and checks them against tinydl's own ops: forward values, gradient shapes,
``tinydl.gradcheck`` in float64, float32 kept float32. A failure names the input, the worst
element and both values, and recognises typical mistakes (a missing transpose,
broadcasting not summed back, a missing 1/N, a wrong padding offset, ...).
``tinydl exercises hint NAME`` reveals the next of three hints and ``status`` shows what
passes (:mod:`~tinydl.exercises.progress`, which keeps the hint count in DIR).

Read :mod:`~tinydl.exercises.checker` for how a check runs,
:mod:`~tinydl.exercises.diagnosis` for how mistakes are recognised, and
:mod:`~tinydl.exercises.catalog` for the exercises, one module each (hints and check)
beside its stub's name.
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
