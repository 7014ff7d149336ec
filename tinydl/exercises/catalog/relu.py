"""Exercise 3, relu: forward and backward of ReLU, y = max(x, 0), and its kink at 0.

The hints and the check of the stub ``stubs/relu.py``."""

from __future__ import annotations

from types import ModuleType

import numpy as np

import tinydl
from tinydl.exercises.checker import (
    FunctionCheck,
    check_at_kinks,
    check_elementwise,
    learner_attribute,
)
from tinydl.exercises.diagnosis import Mismatch
from tinydl.exercises.exercise import Exercise

# x with exact zeros (one of them -0.0), where ReLU has its kink.
AT_THE_KINK = np.array([[-1.5, 0.0, 2.0, 0.0], [0.0, 0.7, -0.0, -2.2], [1.3, 0.0, -0.4, 0.5]])

WHY_NOT_NUMERIC = (
    "At x = 0 ReLU has a kink: its slope is 0 just left of 0 and 1 just right of it, so it "
    "has no derivative there, and a numeric gradient, (f(ε) − f(−ε))/2ε = ½, agrees with "
    "neither side: a gradient check cannot judge your code at 0. Libraries pick a value by "
    "convention; PyTorch's, and tinydl's, is 0"
)

# Wrong slopes from x and y = max(x, 0), with the mistake each stands for.
SLIPS = (
    (
        lambda x, y: y,
        "value instead of slope: your slope is y, ReLU's output, but the slope of a line "
        "does not grow with the height of the line",
    ),
    (
        lambda x, y: x,
        "value instead of slope: your slope is x, ReLU's input, but the slope of a line does "
        "not grow with the input",
    ),
    (
        lambda x, y: (x < 0).astype(x.dtype),
        "the mask is the wrong way round: your gradient passes where x < 0, where ReLU is "
        "flat, and stops where it rises",
    ),
)


def not_zero_at_zero(mismatch: Mismatch) -> str | None:
    """The learner's gradient is wrong exactly where x is 0 (the convention at the kink)."""
    at_zero = [tuple(int(i) for i in index) for index in np.argwhere(AT_THE_KINK == 0)]
    wrong = [index for index in at_zero if mismatch.learned[index] != 0]
    if not wrong:
        return None
    listed = ", ".join(str(index) for index in wrong)
    return f"your dL/dx is not 0 at the elements where x is exactly 0 ({listed})"


def check(module: ModuleType) -> None:
    check_elementwise(module, "ReLU", tinydl.relu, seed=2, slips=SLIPS)
    check_at_kinks(
        module,
        FunctionCheck(
            learner_attribute(module, "ReLU"),
            tinydl.relu,
            {"x": AT_THE_KINK.copy()},
            "x (3, 4) holding exact zeros",
            diagnoses=[not_zero_at_zero],
        ),
        at_kink=AT_THE_KINK == 0,
        why=WHY_NOT_NUMERIC,
    )


EXERCISE = Exercise(
    "relu",
    "forward and backward of ReLU, y = max(x, 0), and its kink at 0",
    (
        "ReLU acts on each element alone: dL/dx = g · dy/dx, element by element. Draw "
        "y = max(x, 0): what is its slope left of 0, and right of 0? At exactly 0 the "
        "stub tells you the convention",
        "dy/dx = 0 where x < 0 and 1 where x > 0 (and, by PyTorch's convention, 0 at "
        "x = 0): a switch that lets g through or stops it",
        "dL/dx = g · [x > 0], where [x > 0] is 1 where x > 0 and 0 elsewhere; in code: "
        "keep self.positive = x > 0 in forward and return grad_output * self.positive",
    ),
    ("g · [x > 0]", "grad_output * self.positive"),
    check,
)
