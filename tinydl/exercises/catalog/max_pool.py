"""Exercise 15, max_pool: backward of 2-D max-pooling.

The hints and the check of the stub ``stubs/max_pool.py``."""

from __future__ import annotations

from functools import partial
from types import ModuleType

import numpy as np

import tinydl.nn.functional as F
from tinydl.exercises.checker import FunctionCheck, check_function, learner_attribute
from tinydl.exercises.diagnosis import Diagnose, Mismatch, wrong_only_where
from tinydl.exercises.exercise import Exercise
from tinydl.ops import conv as conv_ops

POOL_CASES = [((2, 2, 6, 6), 2, 2), ((2, 2, 7, 7), 3, 2)]


def distinct_values(seed: int, shape: tuple[int, ...]) -> np.ndarray:
    """A shuffled linspace: no two values tie, and none is within a finite difference of
    another, so the maximum of every window is clear."""
    values = np.linspace(-1.0, 1.0, int(np.prod(shape)))
    np.random.default_rng(seed).shuffle(values)
    return values.reshape(shape)


def window_coverage(x_shape: tuple[int, int, int, int], k: int, s: int, p: int) -> np.ndarray:
    """How many K×K windows (stride s, padding p) cover each pixel: col2im of all-ones columns."""
    n, c, h, w = x_shape
    oh, ow = conv_ops.output_size((h, w), (k, k), (s, s), (p, p))
    ones = np.ones((c * k * k, n * oh * ow))
    return conv_ops.col2im(ones, x_shape, (k, k), (s, s), (p, p))


def overlap_overwritten(coverage: np.ndarray) -> Diagnose:
    """Recognise = where += was needed: wrong only at pixels that several windows cover."""

    def diagnose(mismatch: Mismatch) -> str | None:
        if wrong_only_where(coverage >= 2, mismatch):
            return (
                "overlapping windows overwritten: your dL/dx is wrong only at pixels that "
                "several windows cover; such a pixel receives what every window it won sends "
                "it, and yours keeps only the last window's"
            )
        return None

    return diagnose


def check(module: ModuleType) -> None:
    max_pool = learner_attribute(module, "MaxPool2D")
    for seed, (shape, kernel_size, stride) in enumerate(POOL_CASES):
        check_function(
            module,
            FunctionCheck(
                partial(max_pool, kernel_size, stride),
                partial(F.max_pool2d, kernel_size=kernel_size, stride=stride),
                {"x": distinct_values(seed, shape)},
                f"x {shape}, kernel_size {kernel_size}, stride {stride}",
                diagnoses=[overlap_overwritten(window_coverage(shape, kernel_size, stride, 0))],
            ),
        )


EXERCISE = Exercise(
    "max_pool",
    "backward of 2-D max-pooling",
    (
        "nudge a pixel that is not the maximum of its window: does the output change? "
        "And the winner? With S < K a pixel can be in several windows",
        "∂y[n, c, a, b]/∂x[n, c, S·a + i, S·b + j] = 1 for the winning (i, j) of that "
        "window and 0 for the others; a pixel that wins several windows receives the "
        "sum of their gradients",
        "start from zeros of x's shape; for each window position k = i·K + j, add "
        "(+=) (self.argmax == k) * grad_output into the strided view "
        "[:, :, i : i + S·OH : S, j : j + S·OW : S]",
    ),
    ("(self.argmax == k) * grad_output",),
    check,
)
