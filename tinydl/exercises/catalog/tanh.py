"""Exercise 2, tanh: backward of tanh.

The learner's file is ``stubs/tanh.py``, which ``tinydl exercises new`` copies; this module
holds what goes with it: the hints, the formulas they give away, and the check."""

from __future__ import annotations

from types import ModuleType

import tinydl
from tinydl.exercises.checker import FunctionCheck, check_function, learner_attribute, random_arrays
from tinydl.exercises.exercise import Exercise


def check(module: ModuleType) -> None:
    (x,) = random_arrays(1, (3, 4))
    tanh = learner_attribute(module, "Tanh")
    check_function(module, FunctionCheck(tanh, tinydl.tanh, {"x": x}, "x of shape (3, 4)"))


EXERCISE = Exercise(
    "tanh",
    "backward of tanh",
    (
        "tanh acts on each element alone: dL/dx = g · dy/dx, element by element. Write "
        "tanh x = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ), use the quotient rule, and look for y in "
        "the result",
        "dy/dx = ((eˣ + e⁻ˣ)² − (eˣ − e⁻ˣ)²) / (eˣ + e⁻ˣ)²: split the fraction in two; "
        "the second part is y²",
        "dy/dx = 1 − y², so dL/dx = g · (1 − y²); in code: "
        "grad_output * (1 - self.y * self.y)",
    ),
    ("1 − y²", "1 - self.y * self.y"),
    check,
)
