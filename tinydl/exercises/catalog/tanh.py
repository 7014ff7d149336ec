"""Exercise 2, tanh: backward of tanh.

The hints and the check of the stub ``stubs/tanh.py``."""

from __future__ import annotations

from types import ModuleType

import tinydl
from tinydl.exercises.checker import check_elementwise
from tinydl.exercises.exercise import Exercise

# Wrong slopes from x and y = tanh x, with the mistake each stands for.
SLIPS = (
    (
        lambda x, y: 1 - x * x,
        "input instead of output: your slope is the right expression with x, forward's input, "
        "where y, its output (self.y), belongs",
    ),
    (
        lambda x, y: (1 - y) ** 2,
        "a square in the wrong place: your slope is (1 − y)², the square of a difference; "
        "expanded, 1 − 2y + y², it is not what the quotient rule gives",
    ),
    (
        lambda x, y: 1 - y,
        "your slope is 1 − y, which exceeds 1 wherever y < 0, but tanh is never steeper than "
        "at x = 0, where its slope is 1",
    ),
    (
        lambda x, y: y * (1 - y),
        "the sigmoid's slope: your slope is σ's, written with y, but here y is tanh's output",
    ),
)


def check(module: ModuleType) -> None:
    check_elementwise(module, "Tanh", tinydl.tanh, seed=1, slips=SLIPS)


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
