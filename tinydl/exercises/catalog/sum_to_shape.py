"""Exercise 7, sum_to_shape: how the engine undoes broadcasting, for any two shapes.

The hints and the check of the stub ``stubs/sum_to_shape.py``."""

from __future__ import annotations

import math
from pathlib import Path
from types import ModuleType

import numpy as np

from tinydl.autograd.function import sum_to_shape as engine_sum_to_shape
from tinydl.exercises.catalog.broadcast_add import averaged
from tinydl.exercises.checker import (
    UPCAST_CAUSE,
    Failure,
    learner_attribute,
    learner_code,
    random_arrays,
)
from tinydl.exercises.diagnosis import Mismatch, close, shape_cause, value_cause, worst_index
from tinydl.exercises.exercise import ENGINE_HINTS, Exercise

# (the gradient's shape, the input's shape): leading axes, size-1 axes, both, a scalar, none.
CASES = [
    ((4, 3), (3,)),
    ((4, 3), (1, 3)),
    ((4, 3), (4, 1)),
    ((2, 4, 3), (4, 1)),
    ((2, 3, 4, 5), (3, 1, 5)),
    ((3, 4), (1, 1)),
    ((5,), ()),
    ((3, 4), (3, 4)),
]


def shape_evidence(
    got: tuple[int, ...], grad: tuple[int, ...], shape: tuple[int, ...]
) -> str | None:
    """Which axes of grad were left unsummed, read from the shape of the learner's result
    ``got``."""
    if len(got) > len(shape):
        return (
            f"leading axes left: your result {got} still has the {len(got) - len(shape)} "
            f"leading axis/axes of grad {grad} that shape {shape} lacks, along which the input "
            f"was repeated"
        )
    if len(got) == len(shape):
        unsummed = [axis for axis, (a, b) in enumerate(zip(got, shape, strict=True)) if a != b]
        if all(shape[axis] == 1 for axis in unsummed):
            return (
                f"size-1 axes left: axis/axes {unsummed} of your result {got} have size 1 in "
                f"shape {shape}, but still the size they have in grad {grad}: the input was "
                f"repeated along them too"
            )
    return shape_cause("the input", got, shape)


def check(module: ModuleType) -> None:
    sum_to_shape = learner_attribute(module, "sum_to_shape")
    path = Path(module.__file__)
    for seed, (grad_shape, shape) in enumerate(CASES):
        for dtype in (np.float64, np.float32):
            (grad,) = random_arrays(seed, grad_shape)
            grad = grad.astype(dtype)
            given = grad.copy()
            label = f"sum_to_shape(grad {grad_shape} {np.dtype(dtype).name}, shape {shape})"
            with learner_code(path, label):
                got = np.asarray(sum_to_shape(given, shape))
            if not np.array_equal(given, grad):
                raise Failure(
                    f"{label} changed grad",
                    cause="grad modified in place: the engine may hand the same gradient array "
                    "to several inputs, so compute a new array instead of changing grad",
                )
            if got.shape != shape:
                raise Failure(
                    f"{label} returns shape {got.shape}, expected {shape}",
                    cause=shape_evidence(got.shape, grad_shape, shape),
                )
            if got.dtype != dtype:
                raise Failure(f"{label} returns {got.dtype}", cause=UPCAST_CAUSE)
            expected = np.asarray(engine_sum_to_shape(grad, shape)).astype(np.float64)
            got = got.astype(np.float64)
            if not close(got, expected):
                i = worst_index(got, expected)
                copies = math.prod(grad_shape) // max(math.prod(shape), 1)
                raise Failure(
                    f"{label} gives wrong values: worst at index {i}, yours {got[i]:.6g}, "
                    f"expected {expected[i]:.6g} (tinydl's own sum_to_shape)",
                    cause=value_cause(
                        Mismatch("your result", got, expected),
                        [averaged(copies)] if copies > 1 else [],
                    ),
                )


EXERCISE = Exercise(
    "sum_to_shape",
    "how the engine undoes broadcasting, for any two shapes",
    (
        "a value of the input used k times in the output moves the loss through each of "
        "its k copies: how do those k contributions combine? Then: along which axes of "
        "grad were the copies made? Line the two shapes up on the right",
        "first sum over the leading axes that shape lacks (grad.ndim − len(shape) of them); "
        "then, over every axis where shape has size 1 and grad does not, sum keeping that "
        "axis (keepdims=True)",
        "grad = grad.sum(axis=tuple(range(grad.ndim - len(shape)))), then "
        "grad.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1), "
        "keepdims=True)",
    ),
    ("grad.ndim − len(shape)", "n == 1 and grad.shape[i] != 1"),
    check,
    hint_kinds=ENGINE_HINTS,
)
