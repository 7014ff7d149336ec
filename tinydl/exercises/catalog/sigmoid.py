"""Exercise 1, sigmoid: forward and backward of the sigmoid, σ(x) = 1/(1 + e⁻ˣ).

The hints and the check of the stub ``stubs/sigmoid.py``."""

from __future__ import annotations

from types import ModuleType

import numpy as np

import tinydl
from tinydl.exercises.checker import check_elementwise
from tinydl.exercises.exercise import Exercise


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


# Wrong slopes from x and y = σ(x), with the mistake each stands for.
SLIPS = (
    (
        lambda x, y: x * (1 - x),
        "input instead of output: your slope is the right expression with x, forward's input, "
        "where y, its output (self.y), belongs",
    ),
    (
        lambda x, y: _sigmoid(y) * (1 - _sigmoid(y)),
        "σ applied twice: your slope is the right expression computed from σ(y), but self.y "
        "already holds σ(x)",
    ),
)


def check(module: ModuleType) -> None:
    check_elementwise(module, "Sigmoid", tinydl.sigmoid, seed=0, slips=SLIPS)


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
