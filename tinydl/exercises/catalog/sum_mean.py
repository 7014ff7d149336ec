"""Exercise 9, sum_mean: backward of sum and mean over an axis.

The hints and the check of the stub ``stubs/sum_mean.py``."""

from __future__ import annotations

from functools import partial
from types import ModuleType

import tinydl
from tinydl.exercises.checker import FunctionCheck, check_function, learner_attribute, random_arrays
from tinydl.exercises.diagnosis import Factor, divided_twice
from tinydl.exercises.exercise import Exercise

REDUCTION_CASES = [
    ((3, 4), None, False),
    ((3, 4), 0, False),
    ((3, 4), 1, True),
    ((3, 4), -1, False),
    ((2, 3, 4), 1, False),
]


REDUCTION_SHAPE_CAUSE = (
    "the reduced axis is missing: with keepdims=False, grad_output lacks the axis that was "
    "summed away, so NumPy lines its axes up with the wrong axes of x (it aligns shapes from "
    "the right). Print grad_output.shape beside x's shape"
)


def check(module: ModuleType) -> None:
    for class_name, reference in (("Sum", tinydl.sum), ("Mean", tinydl.mean)):
        function = learner_attribute(module, class_name)
        for seed, (shape, axis, keepdims) in enumerate(REDUCTION_CASES):
            (x,) = random_arrays(seed, shape)
            count = x.size if axis is None else shape[axis]
            if class_name == "Mean":
                factors = [divided_twice(count, f"n of the mean (n = {count} values per output)")]
            else:
                factors = [
                    Factor(
                        count,
                        too_large=f"it was multiplied by n = {count}",
                        too_small=f"it was divided by n = {count}: that is the mean's "
                        f"1/n, a sum has none",
                    )
                ]
            check_function(
                module,
                FunctionCheck(
                    partial(function, axis, keepdims),
                    partial(reference, axis=axis, keepdims=keepdims),
                    {"x": x},
                    f"{class_name}(axis={axis}, keepdims={keepdims}) of x {shape}",
                    factors=factors,
                    shape_error_cause=REDUCTION_SHAPE_CAUSE,
                ),
            )


EXERCISE = Exercise(
    "sum_mean",
    "backward of sum and mean over an axis",
    (
        "each x element adds into exactly one output element: which one, and with "
        "what weight, for the sum and for the mean?",
        "for x (3, 4), axis=1: ∂y[i]/∂x[i, j] = 1 for the sum and 1/n for the mean "
        "(n = 4), so dL/dx[i, j] = g[i] (or g[i]/n) for every j",
        "put the reduced axis back with size 1, then broadcast: dL/dx = "
        "xp.broadcast_to(xp.expand_dims(g, axis), x_shape), without expand_dims when "
        "keepdims=True or axis=None; divide by n for the mean",
    ),
    ("broadcast_to(", "expand_dims("),
    check,
)
