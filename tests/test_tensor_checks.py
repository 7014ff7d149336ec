"""``tinydl.autograd.tensor_checks``: the checks of tensors handed to an op, in the words of
``tinydl.check`` (entry point, argument, rule, what came). A wrong kind or dtype raises
``ArgumentTypeError``, a wrong rank or shape ``ValueError``, another device ``DeviceError``."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tinydl
from tinydl.autograd import tensor_checks as checks
from tinydl.errors import ArgumentTypeError, DeviceError


def refused(error: type[BaseException], message: str):
    return pytest.raises(error, match="^" + re.escape(message) + "$")


def ones(*shape: int, dtype: str = "float32", device: str = "cpu") -> tinydl.Tensor:
    return tinydl.tensor(np.ones(shape), dtype=dtype, device=device)


@pytest.mark.parametrize(
    ("layout", "fits", "refused_ranks"),
    [
        ("(N, C, H, W)", [4], [0, 1, 2, 3, 5]),
        ("(..., L, E)", [2, 3, 5], [0, 1]),
        ("(N, C) or (N, C, H, W)", [2, 4], [1, 3, 5]),
        ("(N, C, ...)", [2, 3, 4], [0, 1]),
        ("(N, input_size) or (input_size,)", [1, 2], [0, 3]),
    ],
)
def test_a_layout_gives_the_ranks_it_allows(layout, fits, refused_ranks):
    for ndim in fits:
        x = ones(*(2,) * ndim)
        assert checks.tensor("f()", "x", x, layout) is x
    for ndim in refused_ranks:
        shape = (2,) * ndim
        with refused(ValueError, f"f(): x must be a Tensor of shape {layout}, got shape {shape}"):
            checks.tensor("f()", "x", ones(*shape), layout)


def test_tensor_refuses_other_kinds_with_the_fix():
    with refused(ArgumentTypeError, "f(): x must be a Tensor, got ndarray: make one with "
                 "tinydl.tensor(values)"):
        checks.tensor("f()", "x", np.ones(3))
    parameter = tinydl.nn.Parameter(ones(2))  # a Tensor's subclass passes
    assert checks.tensor("f()", "w", parameter) is parameter


def test_floating_names_the_kind_then_the_dtype_then_the_rank():
    x = ones(2, 3)
    assert checks.floating("f()", "x", x, "(N, C)") is x
    with refused(ArgumentTypeError, "f(): x must be a floating-point Tensor of shape (N, C), "
                 "got list: make one with tinydl.tensor(values)"):
        checks.floating("f()", "x", [1.0], "(N, C)")
    with refused(ArgumentTypeError, "f(): x must be a floating-point Tensor of shape (N, C), "
                 "got dtype int64; convert it with .astype('float32') (uint8 images: "
                 "tinydl.data.to_float(images) scales 0-255 to [0, 1])"):
        checks.floating("f()", "x", ones(3, dtype="int64"), "(N, C)")
    with refused(ValueError, "f(): x must be a floating-point Tensor of shape (N, C), got "
                 "shape (3,)"):
        checks.floating("f()", "x", ones(3), "(N, C)")


def test_same_dtype_and_same_device():
    x, w = ones(2), ones(2, dtype="float64")
    checks.same_dtype("f()", "weight", x, "x", ones(3))
    with refused(ArgumentTypeError, "f(): x is float32 but weight is float64; convert one of "
                 "them (e.g. with .astype('float32')) so no silent upcast happens"):
        checks.same_dtype("f()", "weight", w, "x", x)
    checks.same_device("f()", "mask", ones(2).array, "query", x)  # arrays too
    with refused(DeviceError, "f(): mask is on fake but query on cpu: move it with "
                 ".to('cpu')"):
        checks.same_device("f()", "mask", ones(2, device="fake"), "query", x)


def test_fits_input():
    x = ones(2, 3)
    checks.fits_input("batch_norm()", "weight", None, (3,), x)  # no weight: nothing to check
    checks.fits_input("batch_norm()", "weight", ones(3), (3,), x)
    with refused(ValueError, "batch_norm(): weight must be a Tensor of shape (3,) to fit x of "
                 "shape (2, 3), got shape (4,)"):
        checks.fits_input("batch_norm()", "weight", ones(4), (3,), x)
    with refused(ArgumentTypeError, "conv2d(): bias must be a Tensor of shape (3,) (one per "
                 "output channel), got list"):
        checks.fits_input("conv2d()", "bias", [0.0] * 3, (3,), x, "(one per output channel)")
    with pytest.raises(ArgumentTypeError, match="x is float32 but weight is float64"):
        checks.fits_input("batch_norm()", "weight", ones(3, dtype="float64"), (3,), x)
    with pytest.raises(DeviceError, match="weight is on fake but x on cpu"):
        checks.fits_input("batch_norm()", "weight", ones(3, device="fake"), (3,), x)


def test_one_device():
    checks.one_device("clip_grad_norm_", "the gradients", [ones(1), ones(2).array])
    checks.one_device("clip_grad_norm_", "the gradients", [])
    with refused(DeviceError, "clip_grad_norm_: the gradients must be on one device, got cpu "
                 "and fake: move them to one device first, e.g. with .to('fake')"):
        checks.one_device("clip_grad_norm_", "the gradients", [ones(1), ones(1, device="fake")])
