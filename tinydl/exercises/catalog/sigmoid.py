"""Exercise 1, sigmoid: forward and backward of the sigmoid, σ(x) = 1/(1 + e⁻ˣ).

The hints and the check of the stub ``stubs/sigmoid.py``."""

from __future__ import annotations

from types import ModuleType

import tinydl
from tinydl.exercises.checker import check_elementwise
from tinydl.exercises.exercise import Exercise


def check(module: ModuleType) -> None:
    check_elementwise(module, "Sigmoid", tinydl.sigmoid, seed=0)


EXERCISE = Exercise(
    "sigmoid",
    "forward and backward of the sigmoid, σ(x) = 1/(1 + e⁻ˣ)",
    (
        "σ acts on each element alone, so dL/dx[i] = g[i] · dy[i]/dx[i]: one scalar "
        "derivative, times grad_output. Differentiate (1 + e⁻ˣ)⁻¹ with the chain rule, "
        "then look for y itself in the result",
        "dy/dx = e⁻ˣ / (1 + e⁻ˣ)². Split it as 1/(1 + e⁻ˣ) times e⁻ˣ/(1 + e⁻ˣ): the "
        "first factor is y; what is the second, written with y?",
        "dy/dx = y·(1 − y), so dL/dx = g · y·(1 − y); in code: "
        "grad_output * self.y * (1 - self.y)",
    ),
    ("y·(1 − y)", "self.y * (1 - self.y)"),
    check,
)
