"""Exercise 2, tanh: backward of tanh.

The hints and the check of the stub ``stubs/tanh.py``."""

from __future__ import annotations

from types import ModuleType

import tinydl
from tinydl.exercises.checker import check_elementwise
from tinydl.exercises.exercise import Exercise


def check(module: ModuleType) -> None:
    check_elementwise(module, "Tanh", tinydl.tanh, seed=1)


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
