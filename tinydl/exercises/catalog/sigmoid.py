"""Exercise 1, sigmoid: forward and backward of the sigmoid, σ(x) = 1/(1 + e⁻ˣ).

The learner's file is ``stubs/sigmoid.py``, which ``tinydl exercises new`` copies; this
module holds what goes with it: the hints, the formulas they give away, and the check."""

from __future__ import annotations

from types import ModuleType

import tinydl
from tinydl.exercises.checker import FunctionCheck, check_function, learner_attribute, random_arrays
from tinydl.exercises.exercise import Exercise


def check(module: ModuleType) -> None:
    (x,) = random_arrays(0, (3, 4))
    sigmoid = learner_attribute(module, "Sigmoid")
    check_function(module, FunctionCheck(sigmoid, tinydl.sigmoid, {"x": x}, "x of shape (3, 4)"))


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
