"""Gradient-checking exercises: derive and implement backward passes, and the engine that
runs them, yourself, and let tinydl tell you exactly what is wrong.

``tinydl exercises new DIR`` copies the stubs (``stubs/``, one file per exercise, listed in
:data:`EXERCISES` in the suggested order) into DIR. A stub states the task, the shapes, the
forward pass and what backward returns, never the derivative; ``--level full`` leaves the
given forward passes to the learner too. Most exercises are one op's backward; three are
the engine's own pieces, in the frame of ``tinydl/minimal.py``: the central difference of a
gradient check, the topological order and backward walk, and ``sum_to_shape``.

``tinydl exercises check [NAME]`` loads the learner's files and checks them against
tinydl's own ops: forward values, gradient shapes, ``tinydl.gradcheck`` in float64, float32
kept float32, and PyTorch's convention at kinks (ReLU at 0, tied maxima), where a gradient
check cannot judge. A failure names the input, the worst element and both values, and
recognises typical mistakes (a missing transpose, broadcasting not summed back, a missing
1/N, the input used where the output belongs, ...) by their evidence, never by the
answer: ``tinydl exercises hint NAME`` alone reveals that, the next of three hints at a
time, and ``status`` counts them (:mod:`~tinydl.exercises.progress` keeps the count in DIR).
``tinydl exercises train`` is the capstone (:mod:`~tinydl.exercises.capstone`): an MNIST
network built from the learner's own Functions, trained beside tinydl's.

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
