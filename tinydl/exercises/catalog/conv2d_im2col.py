"""Exercise 16, conv2d_im2col: col2im and the backward of a convolution via im2col.

The hints and the check of the stub ``stubs/conv2d_im2col.py``."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from types import ModuleType

import numpy as np

import tinydl.nn.functional as F
from tinydl.exercises.catalog.max_pool import overlap_overwritten, window_coverage
from tinydl.exercises.checker import (
    Failure,
    FunctionCheck,
    check_function,
    learner_attribute,
    learner_code,
    random_arrays,
)
from tinydl.exercises.diagnosis import Mismatch, close, value_cause, worst_index
from tinydl.exercises.exercise import Exercise
from tinydl.ops import conv as conv_ops

COL2IM_CASES = [((2, 2, 5, 5), 3, 1, 1), ((2, 2, 5, 5), 3, 2, 1), ((1, 2, 4, 4), 2, 1, 0)]


CONV_CASES = [(1, 1), (2, 1), (1, 0)]  # (stride, padding) for x (2, 2, 5, 5), W (3, 2, 3, 3)


CONV_SHAPE_CAUSE = (
    "the layouts do not fit: rearranged, grad_output is G (O, N·OH·OW); W as a matrix is "
    "(O, C·K·K) and cols is (C·K·K, N·OH·OW). dL/dcols must come out (C·K·K, N·OH·OW) and "
    "dL/dW (O, C·K·K): write the shapes of each product under it and see which operand is "
    "lying on its side"
)


def _check_col2im(module: ModuleType) -> None:
    """The learner's col2im against tinydl.ops.conv.col2im, directly."""
    col2im = learner_attribute(module, "col2im")
    path = Path(module.__file__)
    for seed, (x_shape, k, s, p) in enumerate(COL2IM_CASES):
        n, c, h, w = x_shape
        oh, ow = conv_ops.output_size((h, w), (k, k), (s, s), (p, p))
        (cols,) = random_arrays(seed, (c * k * k, n * oh * ow))
        label = f"col2im(cols, x_shape={x_shape}, kernel_size={k}, stride={s}, padding={p})"
        with learner_code(path, "col2im", CONV_SHAPE_CAUSE):
            got = np.asarray(col2im(cols.copy(), x_shape, k, s, p))
        expected = conv_ops.col2im(cols, x_shape, (k, k), (s, s), (p, p))
        if got.shape != expected.shape:
            padded = (n, c, h + 2 * p, w + 2 * p)
            raise Failure(
                f"{label} returns shape {got.shape}, expected x_shape {x_shape}",
                cause=f"the padding was not cut off: {got.shape} is x_shape with the padding "
                f"of {p} pixel(s) still on every side"
                if got.shape == padded
                else None,
            )
        if not close(got, expected):
            index = worst_index(got, expected)
            raise Failure(
                f"{label} gives wrong values: worst at index {index}, yours {got[index]:.6g}, "
                f"expected {expected[index]:.6g} (tinydl.ops.conv.col2im)",
                cause=value_cause(
                    Mismatch("your col2im result", got, expected),
                    diagnoses=[overlap_overwritten(window_coverage(x_shape, k, s, p))],
                ),
            )


def check(module: ModuleType) -> None:
    _check_col2im(module)
    conv = learner_attribute(module, "Conv2D")
    x, weight, bias = random_arrays(8, (2, 2, 5, 5), (3, 2, 3, 3), (3,))
    for stride, padding in CONV_CASES:
        check_function(
            module,
            FunctionCheck(
                partial(conv, stride, padding),
                partial(F.conv2d, stride=stride, padding=padding),
                {"x": x, "W": weight, "b": bias},
                f"x (2, 2, 5, 5), W (3, 2, 3, 3), b (3,), stride {stride}, padding {padding}",
                shape_error_cause=CONV_SHAPE_CAUSE,
            ),
        )


EXERCISE = Exercise(
    "conv2d_im2col",
    "col2im and the backward of a convolution via im2col",
    (
        "in forward the layer is one matrix product, W as (O, C·K·K) @ cols + b: you "
        "have done matmul's backward. Then col2im undoes im2col's copying: where did "
        "each value of cols come from, and how often?",
        "with G = dL/dY as (O, N·OH·OW): dL/dW[o, r] = Σ_q G[o, q]·cols[r, q], "
        "dL/dcols[r, q] = Σₒ W[o, r]·G[o, q], dL/db[o] = Σ_q G[o, q]; col2im adds "
        "each cols value back onto the padded pixel it was copied from",
        "dL/db = G.sum(axis=1), dL/dW = (G @ colsᵀ).reshape(W's shape), "
        "dL/dx = col2im(Wᵀ @ G); in code: g @ self.cols.T and w.T @ g. col2im: "
        "mirror im2col's loop on zeros (N, C, H + 2P, W + 2P) with +=, then return "
        "padded[:, :, P:P + H, P:P + W]",
    ),
    ("G @ colsᵀ", "Wᵀ @ G", "Σₒ W[o, r]·G[o, q]"),
    check,
)
