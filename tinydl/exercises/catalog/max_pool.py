"""Exercise 15, max_pool: backward of 2-D max-pooling.

The hints and the check of the stub ``stubs/max_pool.py``."""

from __future__ import annotations

from functools import partial
from types import ModuleType

import numpy as np

import tinydl.nn.functional as F
from tinydl.exercises.checker import (
    FunctionCheck,
    check_at_kinks,
    check_function,
    learner_attribute,
)
from tinydl.exercises.diagnosis import Diagnose, Mismatch, close, wrong_only_where
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


# Windows of 2×2, stride 2, on values 0, 1 and 2 only: most windows tie for their maximum,
# as they do after a ReLU (whose zeros tie).
TIE_SHAPE, TIE_KERNEL = (2, 2, 6, 6), 2

WHY_NOT_NUMERIC = (
    "Where pixels of a window tie for its maximum, the maximum has a kink: raise one of them "
    "a little and the output follows it, lower it and the output stays with the others, so "
    "a finite difference sees half a slope and a gradient check cannot judge your code "
    "there. Libraries give the window's gradient to one pixel by convention: PyTorch's, "
    "tinydl's (and the stub's argmax) is the first in the window, row by row"
)


def tied_values(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 3, TIE_SHAPE).astype(np.float64)


def windows(shape: tuple[int, ...], k: int) -> list[tuple[int, int, slice, slice]]:
    """Every non-overlapping k×k window (stride k): (image, channel, rows, columns)."""
    n, c, h, w = shape
    return [
        (i, j, slice(a, a + k), slice(b, b + k))
        for i in range(n)
        for j in range(c)
        for a in range(0, h - k + 1, k)
        for b in range(0, w - k + 1, k)
    ]


def tied_pixels(x: np.ndarray, k: int) -> np.ndarray:
    """True at the pixels that share their window's maximum with another pixel of it."""
    tied = np.zeros(x.shape, dtype=bool)
    for i, j, rows, columns in windows(x.shape, k):
        window = x[i, j, rows, columns]
        winners = window == window.max()
        if winners.sum() > 1:
            tied[i, j, rows, columns] = winners
    return tied


def tie_mistakes(x: np.ndarray, k: int) -> Diagnose:
    """Recognise a window's gradient sent to every tied pixel, or to the last of them."""

    def routed(mismatch: Mismatch, every: bool) -> np.ndarray:
        grad = np.zeros(x.shape)
        g = mismatch.grad_output
        for i, j, rows, columns in windows(x.shape, k):
            window = x[i, j, rows, columns]
            winners = np.argwhere(window == window.max())
            for r, q in winners if every else winners[-1:]:
                grad[i, j, rows, columns][r, q] += g[i, j, rows.start // k, columns.start // k]
        return grad

    def diagnose(mismatch: Mismatch) -> str | None:
        if close(mismatch.learned, routed(mismatch, every=True)):
            return (
                "every tied pixel got the window's whole gradient: where several pixels tie "
                "for a window's maximum, yours sends the window's gradient to each of them, so "
                "the window passes on more than it received"
            )
        if close(mismatch.learned, routed(mismatch, every=False)):
            return "the gradient went to the last of the tied pixels of each window, not the first"
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
    x = tied_values(len(POOL_CASES))
    check_at_kinks(
        module,
        FunctionCheck(
            partial(max_pool, TIE_KERNEL, TIE_KERNEL),
            partial(F.max_pool2d, kernel_size=TIE_KERNEL, stride=TIE_KERNEL),
            {"x": x},
            f"x {TIE_SHAPE} holding only 0, 1 and 2, kernel_size {TIE_KERNEL}, stride "
            f"{TIE_KERNEL}",
            diagnoses=[tie_mistakes(x, TIE_KERNEL)],
        ),
        at_kink=tied_pixels(x, TIE_KERNEL),
        why=WHY_NOT_NUMERIC,
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
