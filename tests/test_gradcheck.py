"""tinydl.gradcheck itself: it passes right gradients and names exactly what is wrong otherwise."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import make

import tinydl
from tinydl import Function

FLOAT64_ADVICE = (
    "a finite difference divides a tiny change in the output by 2·eps, and float32 keeps only "
    "about 7 significant digits, so that quotient would be mostly rounding error. "
    "Create the input with tinydl.tensor(..., dtype='float64', requires_grad=True)."
)


class MulMissingFactorForB(Function):
    """y = a * b, with a deliberately wrong dy/db = 1 (the factor a is missing)."""

    def forward(self, a, b):
        self.b = b
        return a * b

    def backward(self, gy):
        return gy * self.b, gy


class ScaledExp(Function):
    """y = eˣ, with dy/dx scaled by ``factor`` (1 is right; anything else is slightly wrong)."""

    def __init__(self, factor: float) -> None:
        self.factor = factor

    def forward(self, x):
        self.y = tinydl.backend.array_module(x).exp(x)
        return self.y

    def backward(self, gy):
        return gy * self.y * self.factor


def test_passes_a_correct_function_and_returns_true(device: str) -> None:
    a, b = make([[1.0, 2.0], [3.0, 4.0]], device), make([0.5, -1.0], device)
    assert tinydl.gradcheck(lambda x, y: (x * y).exp() / (x + 5.0), [a, b]) is True


def test_failure_names_the_input_the_worst_index_and_both_values(device: str) -> None:
    a = make([1.0, 1.0, 5.0, 1.0], device)  # the missing factor a only matters where a != 1
    b = make([0.3, -0.7, 1.1, 2.0], device)
    with pytest.raises(tinydl.GradcheckError) as caught:
        tinydl.gradcheck(lambda x, y: MulMissingFactorForB()(x, y), [a, b])
    message = str(caught.value)
    assert message.startswith(
        "gradient check failed for input 1 (shape (4,)): 1 of 4 elements disagree. "
        "Worst at index (2,): "
    )
    found = re.search(
        r"analytic \(backward\) (\S+), numeric \(finite difference\) (\S+), relative error", message
    )
    assert found, message
    analytic, numeric = float(found[1]), float(found[2])
    assert analytic == pytest.approx(float(b.grad.numpy()[2]), rel=1e-5)  # what backward gave
    assert numeric == pytest.approx(5.0 * analytic, rel=1e-5)  # the true derivative has the a
    assert "atol=1e-05, rtol=0.001" in message


def test_every_input_is_checked_not_only_the_first(device: str) -> None:
    """Input 0's gradient is right, so only a check of input 1 can catch the bug."""
    a = make([[2.0, 3.0]], device)
    b = make([[1.0, 4.0]], device)
    with pytest.raises(
        tinydl.GradcheckError, match=r"^gradient check failed for input 1 \(shape \(1, 2\)\)"
    ):
        tinydl.gradcheck(lambda x, y: MulMissingFactorForB()(x, y), [a, b])
    with pytest.raises(tinydl.GradcheckError, match="input 1"):  # input 0 a constant
        tinydl.gradcheck(
            lambda x, y: MulMissingFactorForB()(x, y), [make([[2.0, 3.0]], device, False), b]
        )


def test_input_0_is_checked_too(device: str) -> None:
    with pytest.raises(tinydl.GradcheckError, match=r"input 0 \(shape \(3,\)\): 3 of 3 elements"):
        tinydl.gradcheck(lambda x: ScaledExp(0.5)(x), [make([0.1, 0.2, 0.3], device)])


def test_tolerances_decide(device: str) -> None:
    x = make([0.1, 0.2, 0.3], device)
    slightly_wrong = ScaledExp(1 + 1e-4)
    assert tinydl.gradcheck(lambda t: slightly_wrong(t), [x])  # within rtol=1e-3
    with pytest.raises(tinydl.GradcheckError, match="atol=0, rtol=1e-06"):
        tinydl.gradcheck(lambda t: ScaledExp(1 + 1e-4)(t), [x], atol=0.0, rtol=1e-6)


def test_inputs_are_left_unchanged(device: str) -> None:
    values = [[0.25, -1.5], [2.0, 3.5]]
    x = make(values, device)
    tinydl.gradcheck(lambda t: (t * t).sum(), [x])
    np.testing.assert_array_equal(x.numpy(), values)


def test_unused_inputs_and_non_tensor_arguments(device: str) -> None:
    x, unused = make([1.0, 2.0], device), make([3.0], device)
    assert tinydl.gradcheck(lambda t, scale, _: t * scale, [x, 2.5, unused])


def test_refuses_float32_inputs(device: str) -> None:
    x = make([1.0, 2.0], device)
    y = tinydl.tensor([1.0, 2.0], requires_grad=True, device=device)
    message = f"gradcheck() needs float64 inputs, but input 1 is float32: {FLOAT64_ADVICE}"
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        tinydl.gradcheck(lambda a, b: a * b, [x, y])


def test_refuses_when_no_input_requires_grad(device: str) -> None:
    message = "gradcheck() needs at least one input tensor with requires_grad=True"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        tinydl.gradcheck(lambda a: a * 2.0, [make([1.0], device, requires_grad=False)])
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        tinydl.gradcheck(lambda: make([1.0], device), [])


def test_refuses_a_function_that_casts_down(device: str) -> None:
    with pytest.raises(TypeError, match="^fn returned float32, not float64"):
        tinydl.gradcheck(lambda a: a.float(), [make([1.0], device)])


def test_refuses_a_function_that_returns_no_tensor(device: str) -> None:
    with pytest.raises(TypeError, match="^gradcheck\\(\\) needs fn to return a Tensor, got float$"):
        tinydl.gradcheck(lambda a: 1.0, [make([1.0], device)])
