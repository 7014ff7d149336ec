"""Exercise 6, broadcast_add: y = a + b with broadcasting: sum the gradient back.

The hints and the check of the stub ``stubs/broadcast_add.py``."""

from __future__ import annotations

from types import ModuleType

import numpy as np

import tinydl
from tinydl.exercises.checker import FunctionCheck, check_function, learner_attribute, random_arrays
from tinydl.exercises.diagnosis import Factor
from tinydl.exercises.exercise import Exercise

BROADCAST_CASES = [((4, 3), (3,)), ((2, 1, 3), (4, 1)), ((3, 1), (2, 1, 4))]


def averaged(copies: int) -> Factor:
    """A broadcast operand's gradient averaged (too small) instead of summed over its copies."""
    return Factor(
        copies,
        too_large=f"it was multiplied by the number of copies ({copies})",
        too_small=f"broadcasting not summed back: the operand was repeated {copies} times and "
        f"its gradient averaged over the copies, but every copy moves the loss in full",
    )


def check(module: ModuleType) -> None:
    broadcast_add = learner_attribute(module, "BroadcastAdd")
    for seed, (a_shape, b_shape) in enumerate(BROADCAST_CASES):
        a, b = random_arrays(seed, a_shape, b_shape)
        size = int(np.prod(np.broadcast_shapes(a_shape, b_shape)))
        copies = sorted({size // a.size, size // b.size} - {1})
        check_function(
            module,
            FunctionCheck(
                broadcast_add,
                tinydl.ops.add,
                {"a": a, "b": b},
                f"a {a_shape} + b {b_shape}",
                factors=[averaged(n) for n in copies],
            ),
        )


EXERCISE = Exercise(
    "broadcast_add",
    "y = a + b with broadcasting: sum the gradient back",
    (
        "b (3,) is used by all 4 rows of y (4, 3). A value used in several places "
        "moves the loss through each of them: how do those contributions combine? "
        "And a gradient has the shape of what it is the gradient of",
        "∂y[i, j]/∂a[i, j] = 1 and ∂y[i, j]/∂b[j] = 1 for every row i: b[j] reaches "
        "the loss through y[0, j], ..., y[3, j]",
        "dL/db[j] = Σᵢ g[i, j]: each operand's gradient is g summed over the leading "
        "axes it lacks and, with keepdims=True, over the axes where it has size 1, "
        "then reshaped to its shape; in code: grad.sum(axis=..., keepdims=True) "
        "(tinydl's own is sum_to_shape in tinydl/autograd/function.py)",
    ),
    ("Σᵢ g[i, j]", "sum_to_shape"),
    check,
)
