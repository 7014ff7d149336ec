"""Exercise 10, mse: forward and backward of the mean squared error loss.

The hints and the check of the stub ``stubs/mse.py``."""

from __future__ import annotations

from types import ModuleType

import tinydl.nn.functional as F
from tinydl.exercises.checker import FunctionCheck, check_function, learner_attribute, random_arrays
from tinydl.exercises.diagnosis import Factor, divided_twice
from tinydl.exercises.exercise import Exercise


def check(module: ModuleType) -> None:
    x, target = random_arrays(3, (3, 4), (3, 4))
    mse = learner_attribute(module, "MSELoss")
    check_function(
        module,
        FunctionCheck(
            mse,
            F.mse_loss,
            {"x": x, "target": target},
            "x and target of shape (3, 4)",
            factors=[
                divided_twice(x.size, f"n of the mean (n = {x.size} elements)"),
                Factor(
                    2,
                    too_large="the 2 of the square's derivative was applied twice",
                    too_small="the 2 of the square's derivative is missing: differentiating "
                    "a square brings its exponent down as a factor",
                ),
            ],
        ),
    )


EXERCISE = Exercise(
    "mse",
    "forward and backward of the mean squared error loss",
    (
        "each term (xᵢ − tᵢ)² depends on one xᵢ and one tᵢ only; then comes the 1/n. "
        "And backward receives g, the gradient of the final loss with respect to L: "
        "multiply by it",
        "∂L/∂xᵢ = (2/n)·(xᵢ − tᵢ) and ∂L/∂tᵢ = −(2/n)·(xᵢ − tᵢ)",
        "dL/dx = (2/n) · (x − t) · g and dL/dt = −dL/dx; in code: grad_x = "
        "(2 / self.diff.size) * self.diff * grad_output, then return grad_x, -grad_x",
    ),
    ("(2/n)·(xᵢ − tᵢ)", "(2 / self.diff.size) * self.diff"),
    check,
)
